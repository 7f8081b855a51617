"""The agent-based simulation: build agents from a scenario, step them, report what happened.

    sim = hyosan.load("hyosan-high", seed=1)
    sim.run(days=1)
    sim.timeline, sim.events, sim.fates      # pandas DataFrames
    sim.positions(), sim.states(), sim.doors(), sim.sound_at(2, 10, 40)
    sim.save("run.ckpt"); hyosan.resume("run.ckpt").run(days=1)

A seed is a story: the events depend only on the scenario, the seed and the story time run,
never on how `run` is called (chunks, progress, recording).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import checkpoint, stop
from ..errors import HyosanError
from ..world.floorplan import CELL_NAMES, DOORS, WALKABLE, Building, Cell, load_building
from . import engine, phases, rand, rules
from .codes import EVENT_NAMES, KIND_NAMES, MODE_NAMES, N_COUNTERS, Action, Ctr, Kind, Sw
from .fields import DC, DR, FLOW_LIMITED, NOSE_PASS, SEE_THROUGH, WALK, neighbour_table, sound_costs
from .params import parameters, switches_initial
from .state import (
    CHANGES_KEPT,
    SCRATCH_ONLY,
    Log,
    Schedule,
    World,
    bytes_per_agent,
    grown_log,
    new_agents,
    new_fields,
    new_log,
)

CHECKPOINT_VERSION = 9
RNG_TAG = 0x48594F53


def door_strengths(sc) -> np.ndarray:
    """Zombie-seconds of pushing each breakable cell code withstands."""
    t = np.zeros(256)
    t[Cell.DOOR_CLOSED] = sc.zombies.door_seconds
    t[Cell.DOOR_LOCKED] = sc.zombies.locked_door_seconds
    t[Cell.DOOR_BARRICADED] = sc.zombies.barricade_seconds
    t[Cell.WINDOW] = sc.zombies.window_seconds
    return t


def beside(nbr: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Cells one step on the floor (8 neighbours) from a cell of `mask`."""
    around = nbr[np.flatnonzero(mask), :8].reshape(-1)
    out = np.zeros(len(mask), bool)
    out[around[around >= 0]] = True
    return out


class Sim:
    """One seeded simulation of a scenario on its building."""

    def __init__(
        self,
        scenario,
        building: Building,
        seed: int | None = None,
        source: str = "",
        scenario_text: str | None = None,
        map_texts: dict[str, str] | None = None,
    ):
        self.scenario = scenario
        self.building = building
        self.seed = scenario.seed if seed is None else int(seed)
        self.source = source
        self.scenario_text = (
            scenario_text if scenario_text is not None else (Path(source).read_text() if source else "")
        )
        self.map_texts = (
            map_texts
            if map_texts is not None
            else {m: (Path(source).parent / m).read_text() for m in scenario.maps}
            if source
            else {}
        )
        self.rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, RNG_TAG])))
        self.F, self.H, self.W = building.shape
        self.par = parameters(scenario)
        ratio = scenario.record_seconds / self.par.dt
        if round(ratio) < 1 or abs(ratio - round(ratio)) > 1e-9 * ratio:
            raise HyosanError(
                f"scenario {scenario.name}: record_seconds ({scenario.record_seconds:g}) must be a "
                f"whole number of steps of {self.par.dt:g} s"
            )
        self.world = self._build_world()
        phases.build_masks(self.world)
        self.names: list[str] = []
        self.roles: list[str] = []
        self.agents = self._populate()
        N = len(self.agents.pos)
        self.fields = new_fields(
            self.world.cells.size,
            N,
            int(self.world.block_of.max()) + 1,
            phases.block_sums_size(self.F, self.H, self.W),
            self.world.lure_cell.size,
            (self.F * self.H, self.W),
            phases.window_span(self.par.h_hear_z),
            phases.window_span(max(self.par.h_sight_day, self.par.h_sight_night)),
        )
        self.schedule = self._build_schedule()
        self.sw = switches_initial()
        self.ctr = np.zeros(N_COUNTERS, np.int64)
        self.log = new_log(8 * N + 1024, 64, self.F)
        np.add.at(self.log.tl[0], (self.agents.pos // (self.H * self.W), self.agents.kind), 1)
        self.ctr[Ctr.TL_N] = 1
        self.sw[Sw.GOALS_STALE] = 1.0
        self.sw[Sw.REGIONS_STALE] = 1.0
        phases.refresh_goals(self.world, self.fields, self.sw, self.ctr)

    # ----- set-up ----------------------------------------------------------------------
    def step_of(self, hours: float) -> int:
        """The first step at or after story time `hours`: when something timed then happens."""
        return int(math.ceil(hours * 3600 / self.par.dt - 1e-9))

    def cell_index(self, fr_rc: np.ndarray) -> np.ndarray:
        """Flat cell numbers of (floor index, row, column) rows, as `Building.room_cells` gives them."""
        f, r, c = fr_rc.T
        return ((f * self.H + r) * self.W + c).astype(np.int64)

    def _build_world(self) -> World:
        sc, b = self.scenario, self.building
        cells = b.cells.reshape(-1).copy()
        rooms = b.rooms.reshape(-1).astype(np.int32)
        door_full = door_strengths(sc)
        doors = np.flatnonzero(
            np.isin(cells, [Cell.DOOR_OPEN, Cell.DOOR_CLOSED, Cell.DOOR_LOCKED, Cell.DOOR_BARRICADED])
            & (rooms >= 0)
        )
        doors = doors[np.argsort(rooms[doors], kind="stable")]  # each room's doors, as CSR arrays
        counts = np.bincount(rooms[doors], minlength=len(b.room_names))
        lures = [
            (cell, iv.loudness, iv.start_hours * 3600, iv.start_hours * 3600 + iv.minutes * 60)
            for iv in sc.interventions
            if iv.kind == "lure"
            for cell in self.cell_index(b.room_cells(iv.room)[:: sc.sound.lure_spacing])
        ]
        lure = (
            [np.array(col, dt) for col, dt in zip(zip(*lures), (np.int64, float, float, float))]
            if lures
            else [np.zeros(0, np.int64)] + [np.zeros(0)] * 3
        )
        where = lambda code: np.flatnonzero(cells == code).astype(np.int64)  # noqa: E731
        n = cells.size
        s = sc.sound
        nbr = neighbour_table(cells, self.F, self.H, self.W)
        floor_of, row_of, col_of = phases.coords_of_cells(self.F, self.H, self.W)
        # people drink and eat on a supply or tap cell or beside it: a crowd gathers round a tap or a
        # vending machine, not on one square metre
        walkable = np.isin(cells, list(WALKABLE))
        at = lambda source: source | (beside(nbr, source) & walkable)  # noqa: E731
        at_food = at(cells == Cell.SUPPLY)
        at_water = at(np.isin(cells, [Cell.SUPPLY, Cell.TAP]))  # with the food, or a tap alone
        # cells beside a doorway or the stairs, which people with nothing to do keep clear (`spread_out`)
        by_door = beside(nbr, FLOW_LIMITED[cells])
        scent_pass = (NOSE_PASS if sc.zombies.smell_through_doors else WALK).copy()
        block_of = phases.block_of_cells(self.F, self.H, self.W)
        return World(
            F=self.F,
            H=self.H,
            W=self.W,
            cells=cells,
            rooms=rooms,
            region=np.full(n, -1, np.int32),
            nbr=nbr,
            step_off=np.concatenate([DR * self.W + DC, [-self.H * self.W, self.H * self.W]]).astype(np.int64),
            walk_mask=np.zeros(n, np.uint16),
            nose_mask=np.zeros(n, np.uint16),
            scent_mask=np.zeros(n, np.uint16),
            scent_pass=scent_pass,
            scent_in_sight=np.array([not (scent_pass & ~SEE_THROUGH).any()]),
            human_mask=np.zeros(n, np.uint16),
            goal_mask=np.zeros(n, np.uint16),
            floor_of=floor_of,
            row_of=row_of,
            col_of=col_of,
            block_of=block_of,
            sight_at=np.zeros(block_of.max() + 1, np.int64),
            changed=np.full(CHANGES_KEPT, -1, np.int64),
            door_hp=door_full[cells].copy(),
            door_full=door_full,
            door_ptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            door_cells=doors.astype(np.int64),
            sound_cost=sound_costs(s.door_cost, s.barricade_cost, s.window_cost, s.wall_cost),
            exit_cells=where(Cell.EXIT),
            heli_cells=where(Cell.HELIPAD),
            supply_cells=np.flatnonzero(at_water).astype(np.int64),
            at_water=at_water,
            at_food=at_food,
            by_door=by_door,
            goal_exit=np.zeros(n, np.int32),
            goal_heli=np.zeros(n, np.int32),
            goal_supply=np.zeros(n, np.int32),
            mix_cells=np.flatnonzero(np.isin(cells, [Cell.FLOOR, Cell.DOOR_OPEN, Cell.DOOR_BROKEN])).astype(
                np.int64
            ),
            lure_cell=lure[0],
            lure_level=lure[1],
            lure_start=lure[2],
            lure_end=lure[3],
            flow_t=np.full(n, -1e9),
        )

    def _random_cells(self, room: str, k: int, room_left: dict[str, np.ndarray]) -> np.ndarray:
        """k random cells of a room for people to start on, at most `cell_capacity` on each (`room_left`:
        the places left on each cell of the rooms filled so far)."""
        cells = self.building.room_cells(room)
        if len(cells) == 0:
            raise HyosanError(f"scenario {self.scenario.name}: room {room!r} has no floor cells to stand on")
        left = room_left.setdefault(room, np.full(len(cells), self.scenario.cell_capacity))
        slots = np.repeat(np.arange(len(cells)), left)
        if k > len(slots):
            raise HyosanError(
                f"scenario {self.scenario.name}: {room!r} has room for {int(left.sum()):,} more people "
                f"({len(cells):,} cells of {self.scenario.cell_capacity}), not {k:,}"
            )
        pick = slots[self.rng.choice(len(slots), size=k, replace=False)]
        np.subtract.at(left, pick, 1)
        return self.cell_index(cells[pick])

    def _populate(self):
        sc, h = self.scenario, self.scenario.humans
        role_strength = {"student": 1.0, "teacher": h.teacher_strength, "staff": h.staff_strength}
        total = len(sc.characters) + sum(g.count for g in sc.population)
        if total == 0:
            raise HyosanError(f"scenario {sc.name}: nobody in it (no characters and no population)")
        ag = new_agents(total)
        room_left: dict[str, np.ndarray] = {}
        self.names, self.roles = [""] * total, ["student"] * total
        groups: dict[str, list[int]] = {}
        for i, ch in enumerate(sc.characters):
            ag.pos[i] = self._random_cells(ch.room, 1, room_left)[0]
            ag.strength[i] = ch.strength * role_strength[ch.role]
            ag.speed[i], ag.calm[i], ag.weapon[i] = ch.speed, ch.calm, ch.weapon
            ag.loud[i], ag.resolve[i] = ch.loud, ch.resolve
            self.names[i], self.roles[i] = ch.name, ch.role
            if ch.group:
                members = groups.setdefault(ch.group, [])
                (members.insert(0, i) if ch.leader else members.append(i))
        i = len(sc.characters)
        for g in sc.population:
            n = g.count
            if n == 0:
                continue
            sl = slice(i, i + n)
            ag.pos[sl] = self._random_cells(g.room, n, room_left)
            ag.strength[sl] = (
                g.strength
                if g.strength is not None
                else np.clip(self.rng.normal(role_strength[g.role], h.strength_spread, n), 0.3, None)
            )
            ag.speed[sl] = np.clip(self.rng.normal(1.0, h.speed_spread, n), 0.5, None)
            ag.calm[sl] = np.clip(self.rng.normal(h.calm, h.calm_spread, n), 0, 1)
            ag.resolve[sl] = np.clip(self.rng.normal(1.0, h.resolve_spread, n), 0.2, None)
            self.roles[sl] = [g.role] * n
            if g.group:
                groups.setdefault(g.group, []).extend(range(i, i + n))
            i += n
        for members in groups.values():
            ag.leader[members] = members[0]
        # each lasts their own time without water, and last drank at their own hour: a group does not
        # die of thirst in one minute
        ag.endure[:] = np.clip(self.rng.normal(1.0, h.water_spread, total), 0.5, None)
        ag.thirst[:] = self.rng.uniform(0.0, h.last_drink_hours * 3600.0, total)
        ag.patience[:] = np.exp(self.rng.normal(0.0, h.hide_spread, total))
        ag.food[:] = ag.thirst
        for j, ch in enumerate(sc.characters):
            if ch.patient_zero:
                ag.bitten_at[j] = 0.0
                delay = sc.virus.turn_median_seconds * math.exp(
                    sc.virus.turn_spread * self.rng.standard_normal()
                )
                ag.turn_at[j] = max(delay, 1.0)
        return ag

    def _build_schedule(self) -> Schedule:
        """Interventions as (step, action, argument) rows; an edge at time T acts at the first step t >= T."""
        b, rows, masks = self.building, [], []
        step_of = self.step_of
        for iv in self.scenario.interventions:
            if iv.kind == "cordon":
                rows.append((step_of(iv.start_hours), Action.CORDON_ON, 0.0))
                if iv.end_hours is not None:
                    rows.append((step_of(iv.end_hours), Action.CORDON_OFF, 0.0))
            elif iv.kind == "helicopter":
                if not (b.cells == Cell.HELIPAD).any():
                    raise HyosanError(
                        f"helicopter at hour {iv.at_hours:g}: the maps have no helipad (H) for it to land on"
                    )
                rows.append((step_of(max(iv.at_hours - iv.announce_hours, 0.0)), Action.HELI_ANNOUNCE, 0.0))
                rows.append((step_of(iv.at_hours), Action.HELI_LAND, float(iv.capacity)))
                rows.append((step_of(iv.at_hours + iv.minutes / 60), Action.HELI_LEAVE, 0.0))
            elif iv.kind == "bombing":
                hit = np.zeros(b.cells.shape, bool)
                for room in iv.rooms:
                    hit |= b.rooms == b.room_index(room)
                for level in iv.levels:
                    if level not in b.levels:
                        raise HyosanError(
                            f"bombing at hour {iv.at_hours:g}: no level {level} (levels: {b.levels})"
                        )
                    hit[b.levels.index(level)] = True
                rows.append((step_of(iv.at_hours), Action.BOMB, float(len(masks))))
                masks.append(hit.reshape(-1))
        rows.sort(key=lambda r: r[0])  # stable: edges at the same step keep the scenario's order
        top = int(np.argmax(b.levels))
        roof = (
            np.flatnonzero(
                self.world.cells[top * self.H * self.W : (top + 1) * self.H * self.W] == Cell.DOOR_LOCKED
            )
            + top * self.H * self.W
        )
        return Schedule(
            step=np.array([r[0] for r in rows], np.int64),
            action=np.array([r[1] for r in rows], np.int64),
            arg=np.array([r[2] for r in rows]),
            bomb_mask=np.array(masks, bool).reshape(len(masks), self.world.cells.size),
            roof_doors=roof.astype(np.int64),
        )

    # ----- running -----------------------------------------------------------------------
    @property
    def t(self) -> float:
        """Story seconds since the start."""
        return float(self.ctr[Ctr.STEP] * self.par.dt)

    @property
    def steps(self) -> int:
        """Steps done since the start."""
        return int(self.ctr[Ctr.STEP])

    def run(
        self,
        days: float | None = None,
        progress: Callable[[float], None] | None = None,
        chunk_seconds: float = 600.0,
    ) -> "Sim":
        """Advance by `days` of story time (default: the scenario's); `progress(t)` is called every chunk.

        The chunk size only sets how often `progress` is called: the run is the same for any.
        """
        days = self.scenario.days if days is None else days
        if not (isinstance(days, (int, float)) and days > 0 and math.isfinite(days)):
            raise HyosanError(f"days must be a positive number, got {days!r}")
        dt = self.par.dt
        target = self.steps + max(1, int(round(days * 86400 / dt)))
        chunk = max(1, int(round(chunk_seconds / dt)))
        every = max(1, int(round(self.par.record_s / dt)))
        while self.steps < target:
            n = min(chunk, target - self.steps)
            N = len(self.agents.pos)
            self.log = grown_log(
                self.log, int(self.ctr[Ctr.EV_N]) + 8 * N + 1024, int(self.ctr[Ctr.TL_N]) + n // every + 2
            )
            draws = rand.stream_of(self.rng)  # the kernels draw on from where the generator stands
            try:
                engine.run_steps(
                    n,
                    self.agents,
                    self.world,
                    self.fields,
                    self.log,
                    self.schedule,
                    self.par,
                    self.sw,
                    self.ctr,
                    draws,
                )
            finally:  # a Ctrl-C is raised as the kernels return: the steps they took keep their draws
                rand.put_back(self.rng, draws)
            if progress is not None:
                progress(self.t)
            stop.check()  # between pieces, after progress has seen this one: the state is whole
        return self

    def make(self, agent: int, kind: int) -> None:
        """Turn an agent into another kind now (tests and what-if experiments), by the model's own rules."""
        if not 0 <= agent < len(self.agents.kind):  # the compiled rules do not check their indices
            raise IndexError(f"no agent {agent}: this simulation has {len(self.agents.kind)}")
        if kind == Kind.ZOMBIE:
            rules.become_zombie(self.agents, agent, self.t, self.par)
        elif kind in (Kind.HYBRID_IMMUNE, Kind.HYBRID_IMMORTAL):
            rules.become_hybrid(self.agents, agent, kind == Kind.HYBRID_IMMORTAL, self.par)
        else:
            self.agents.kind[agent] = kind

    # ----- checkpoints ------------------------------------------------------------------------
    def state(self) -> tuple[dict, dict]:
        """The whole mutable state (random generator included) as checkpoint metadata and arrays."""
        meta = {
            "version": CHECKPOINT_VERSION,
            "seed": self.seed,
            "source": self.source,
            "scenario": self.scenario.model_dump(mode="json"),
            "scenario_text": self.scenario_text,
            "maps": self.map_texts,
            "names": self.names,
            "roles": self.roles,
            "rng": self.rng.bit_generator.state,
        }
        arrays = {"sw": self.sw, "ctr": self.ctr}
        for group, tup in (("ag", self.agents), ("w", self.world), ("fs", self.fields), ("log", self.log)):
            for name, value in tup._asdict().items():
                if isinstance(value, np.ndarray) and name not in SCRATCH_ONLY:
                    arrays[f"{group}.{name}"] = value
        return meta, arrays

    def set_state(self, meta: dict, data: dict) -> None:
        """Go back to a state taken by `state` from a simulation of the same scenario and seed."""
        check_version(meta, "checkpoint")
        self.names, self.roles = meta["names"], meta["roles"]
        self.rng.bit_generator.state = meta["rng"]
        self.sw[:] = data["sw"]
        self.ctr[:] = data["ctr"]
        self.log = Log(**{k[4:]: data[k] for k in data if k.startswith("log.")})
        for group, tup in (("ag", self.agents), ("w", self.world), ("fs", self.fields)):
            for name, value in tup._asdict().items():
                if f"{group}.{name}" in data:
                    value[...] = data[f"{group}.{name}"]
        self.forget_kept_looks()

    def forget_kept_looks(self) -> None:
        """Drop what the kernels keep under a stamp (looks and views per cell, hearing sets, room fields,
        the latest changes): going back to an earlier state, stamps of the later moment it left would
        pass for fresh ones."""
        fs, w = self.fields, self.world
        for kept in (fs.vstamp, fs.pvstamp, fs.hstamp, fs.vis_at, fs.rslot_at, w.sight_at):
            kept[:] = 0
        fs.rslot[:] = -1
        w.changed[:] = -1

    def save(self, path: str | Path) -> Path:
        """Write the whole state (random generator included) to one file; `hyosan.resume` reads it back."""
        return checkpoint.write(path, *self.state())

    # ----- reading the state ------------------------------------------------------------------
    def cell(self, level: int, row: int, col: int) -> int:
        """Flat cell index of (level, row, col), as stored in `agents.pos`."""
        if level not in self.building.levels:
            raise HyosanError(f"no level {level}; levels: {self.building.levels}")
        if not (0 <= row < self.H and 0 <= col < self.W):
            raise HyosanError(f"no cell at row {row}, column {col}: the maps are {self.H} x {self.W}")
        return (self.building.levels.index(level) * self.H + row) * self.W + col

    def cell_at(self, level: int, row: int, col: int) -> Cell:
        """What the cell at (level, row, col) is now (doors change during a run)."""
        return Cell(int(self.world.cells[self.cell(level, row, col)]))

    def sound_at(self, level: int, row: int, col: int) -> int:
        """Loudness of the current sound field at a cell (0 where no sound reaches)."""
        i = self.cell(level, row, col)
        fs = self.fields
        return int(fs.snd[i]) if fs.sstamp[i] == self.ctr[Ctr.SGEN] and self.ctr[Ctr.SGEN] > 0 else 0

    def _cell_info(self, cells: np.ndarray) -> dict[str, np.ndarray]:
        HW = self.H * self.W
        rooms = self.world.rooms[cells]
        names = np.array(self.building.room_names + ["corridor or outdoors"], dtype=object)
        return {
            "level": np.array(self.building.levels)[cells // HW],
            "y": (cells % HW) // self.W,
            "x": cells % self.W,
            "room": names[np.where(rooms >= 0, rooms, len(self.building.room_names))],
        }

    def room_of(self, agent: int) -> str:
        """The room an agent is in (or 'corridor or outdoors')."""
        return str(self._cell_info(np.array([self.agents.pos[agent]]))["room"][0])

    def positions(self) -> pd.DataFrame:
        """Where everyone is: agent, name, kind, level, row, col, room."""
        ag = self.agents
        info = self._cell_info(ag.pos)
        return pd.DataFrame(
            {
                "agent": np.arange(len(ag.pos)),
                "name": [self.who(a) for a in range(len(ag.pos))],
                "kind": np.array(KIND_NAMES, dtype=object)[ag.kind],
                "level": info["level"],
                "row": info["y"],
                "col": info["x"],
                "room": info["room"],
            }
        )

    def states(self) -> pd.DataFrame:
        """Each agent's state: position, kind, mode, traits, bite and turning times, hunger, thirst."""
        ag = self.agents
        df = self.positions()
        df.insert(2, "role", self.roles)
        df["mode"] = np.array(MODE_NAMES, dtype=object)[ag.mode]
        for name in (
            "strength",
            "speed",
            "calm",
            "weapon",
            "resolve",
            "leader",
            "bitten_at",
            "turn_at",
            "bit_by",
            "hunger",
            "thirst",
            "food",
            "alarm_t",
            "mode_t",
        ):
            df[name] = getattr(ag, name).copy()
        return df.rename(columns={"thirst": "thirst_s", "food": "without_food_s"})

    def agent(self, a: int) -> dict:
        """One agent's state as a dict (see `states`)."""
        if not 0 <= a < len(self.agents.pos):
            raise HyosanError(f"no agent {a}: agents are 0 to {len(self.agents.pos) - 1}")
        return self.states().iloc[a].to_dict()

    @property
    def door_cells(self) -> np.ndarray:
        """Flat cell numbers of every door and window of the plan (their state changes, not where)."""
        return np.flatnonzero(np.isin(self.building.cells.reshape(-1), list(DOORS)))

    def doors(self) -> pd.DataFrame:
        """Every door and window: where, its room, its state and the zombie-seconds it still withstands."""
        w = self.world
        cells = self.door_cells
        info = self._cell_info(cells)
        return pd.DataFrame(
            {
                "level": info["level"],
                "row": info["y"],
                "col": info["x"],
                "room": info["room"],
                "state": [CELL_NAMES[Cell(int(c))] for c in w.cells[cells]],
                "strength_left": np.maximum(w.door_hp[cells], 0.0),
            }
        )

    @property
    def mixing_area(self) -> int:
        """Open cells the well-mixed limit scatters people over."""
        return int(self.world.mix_cells.size)

    @property
    def bytes_per_agent(self) -> int:
        """State size per agent (the arrays only)."""
        return bytes_per_agent(self.agents)

    def who(self, a: int) -> str:
        """A readable name for agent a."""
        if a < 0:
            return ""
        return self.names[a] or f"{self.roles[a]} #{a}"

    def clock(self, t: float) -> str:
        """Story time as 'day D HH:MM'."""
        total = self.scenario.start_hour * 3600 + t
        rem = total % 86400
        return f"day {int(total // 86400) + 1} {int(rem // 3600):02d}:{int(rem % 3600 // 60):02d}"

    def counts(self) -> dict[str, int]:
        """Current number of agents of each kind."""
        return {k: int((self.agents.kind == i).sum()) for i, k in enumerate(KIND_NAMES)}

    @property
    def events(self) -> pd.DataFrame:
        """Every bite, turn, kill, death, escape, rescue (and door broken): time, who, where."""
        return self.events_since(0)

    @property
    def n_events(self) -> int:
        """How many events the log holds so far."""
        return int(self.ctr[Ctr.EV_N])

    def events_since(self, first: int) -> pd.DataFrame:
        """The events from number `first` on (as `events`): what a live view adds to its feed."""
        n = int(self.ctr[Ctr.EV_N])
        lg = self.log
        sl = slice(min(max(int(first), 0), n), n)
        t, k, a, b, cell = lg.ev_t[sl], lg.ev_k[sl], lg.ev_a[sl], lg.ev_b[sl], lg.ev_cell[sl]
        return pd.DataFrame(
            {
                "t": t,
                "clock": [self.clock(x) for x in t],
                "event": np.array(EVENT_NAMES, dtype=object)[k],
                "agent": a,
                "agent_name": [self.who(x) for x in a],
                "other": b,
                "other_name": [self.who(x) for x in b],
                **self._cell_info(cell),
            }
        )

    @property
    def timeline(self) -> pd.DataFrame:
        """Counts by kind and level over time (one row per record time and level)."""
        n = int(self.ctr[Ctr.TL_N])
        rows = []
        for i in range(n):
            for f, level in enumerate(self.building.levels):
                row = {"t": self.log.tl_t[i], "hours": self.log.tl_t[i] / 3600, "level": level}
                row.update({k: int(self.log.tl[i, f, j]) for j, k in enumerate(KIND_NAMES)})
                rows.append(row)
        return pd.DataFrame(rows)

    @property
    def fates(self) -> pd.DataFrame:
        """What became of each named character: fate, when, where, and who bit them."""
        ev = self.events
        rows = []
        ag = self.agents
        for a, name in enumerate(self.names):
            if not name:
                continue
            mine = ev[ev["agent"] == a]
            bite = mine[mine["event"] == "bite"]
            k = int(ag.kind[a])
            turned = mine[mine["event"].isin(["turn", "turn hybrid"])]
            if not turned.empty:
                fate = "hybrid" if turned.iloc[0]["event"] == "turn hybrid" else "turned"
                last = turned.iloc[0]
            elif k == Kind.DEAD:
                fate, last = "died", mine.iloc[-1] if not mine.empty else None
            elif k == Kind.ESCAPED:
                fate, last = "escaped", mine[mine["event"] == "escape"].iloc[-1]
            elif k == Kind.RESCUED:
                fate, last = "rescued", mine[mine["event"] == "rescue"].iloc[-1]
            else:
                fate, last = (
                    ("survived (bitten, not yet turned)" if ag.bitten_at[a] >= 0 else "survived"),
                    None,
                )
            if fate == "died" and last is not None:
                fate = f"died ({last['event']})"
            info = self._cell_info(np.array([ag.pos[a]]))
            rows.append(
                {
                    "name": name,
                    "fate": fate,
                    "when": last["clock"] if last is not None else self.clock(self.t),
                    "where": last["room"] if last is not None else info["room"][0],
                    "level": int(last["level"]) if last is not None else int(info["level"][0]),
                    "bitten_when": bite.iloc[0]["clock"] if not bite.empty else "",
                    "bitten_where": bite.iloc[0]["room"] if not bite.empty else "",
                    "bitten_by": (bite.iloc[0]["other_name"] or "the outbreak's first bite")
                    if not bite.empty
                    else ("bitten before the story begins (patient zero)" if ag.bitten_at[a] == 0.0 else ""),
                }
            )
        return pd.DataFrame(rows)


def read_checkpoint(path: str | Path) -> tuple[dict, dict]:
    """The metadata and arrays of a checkpoint written by `Sim.save` (the scenario in the metadata is
    validated by the scenario layer, `hyosan.scenario.resume`, which then calls `restore`)."""
    meta, data = checkpoint.read(path)
    check_version(meta, str(path))
    return meta, data


def check_version(meta: dict, where: str) -> None:
    """Refuse a checkpoint written by a hyosan whose state layout differs from this one's."""
    if meta.get("version") != CHECKPOINT_VERSION:
        raise HyosanError(
            f"{where}: checkpoint version {meta.get('version')} (this hyosan reads {CHECKPOINT_VERSION})"
        )


def restore(sc, meta: dict, data) -> Sim:
    """The simulation a checkpoint holds, for its validated scenario `sc`; running on gives exactly
    the events of an unbroken run."""
    folder = Path(meta["source"]).parent if meta["source"] else Path(".")
    building = load_building([folder / m for m in sc.maps], [meta["maps"][m] for m in sc.maps])
    sim = Sim(
        sc,
        building,
        seed=meta["seed"],
        source="",
        scenario_text=meta["scenario_text"],
        map_texts=meta["maps"],
    )
    sim.source = meta["source"]
    sim.set_state(meta, data)
    return sim
