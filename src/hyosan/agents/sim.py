"""The agent-based simulation: build agents from a scenario, step them, report what happened.

    sim = hyosan.load("hyosan-high", seed=1)
    sim.run(days=1)
    sim.timeline, sim.events, sim.fates      # pandas DataFrames
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import HyosanError
from ..scenario.schema import Bombing, Cordon, Helicopter, Lure, Scenario
from ..world import floorplan as fp
from ..world.floorplan import Building
from . import engine as E
from .fields import bfs, code_table, neighbour_table

GOAL_PASS = code_table(fp.WALKABLE | {fp.DOOR_CLOSED, fp.DOOR_BARRICADED})
ROLE_STRENGTH = {"student": 1.0, "teacher": 1.1, "staff": 1.05}


@dataclass
class Agents:
    """Struct-of-arrays state of every person (and what they become)."""

    pos: np.ndarray
    kind: np.ndarray
    mode: np.ndarray
    strength: np.ndarray
    speed: np.ndarray
    calm: np.ndarray
    weapon: np.ndarray
    loud: np.ndarray
    resolve: np.ndarray
    leader: np.ndarray
    acc: np.ndarray
    bitten_at: np.ndarray
    turn_at: np.ndarray
    bit_by: np.ndarray
    last_fed: np.ndarray
    hunger: np.ndarray
    thirst: np.ndarray
    food: np.ndarray
    alarm_t: np.ndarray
    mode_t: np.ndarray
    flags: np.ndarray
    names: list[str] = field(default_factory=list)   # "" for unnamed people
    roles: list[str] = field(default_factory=list)

    @classmethod
    def empty(cls, n: int) -> "Agents":
        """n agents, all calm humans with neutral traits, at cell 0."""
        f = lambda v=0.0: np.full(n, v, dtype=np.float64)  # noqa: E731
        return cls(pos=np.zeros(n, np.int64), kind=np.zeros(n, np.int8), mode=np.zeros(n, np.int8),
                   strength=f(1.0), speed=f(1.0), calm=f(0.5), weapon=f(1.0), loud=np.zeros(n, np.bool_),
                   resolve=f(1.0), leader=np.full(n, -1, np.int64), acc=f(), bitten_at=f(-1.0), turn_at=f(np.inf),
                   bit_by=np.full(n, -1, np.int64), last_fed=f(), hunger=f(), thirst=f(), food=f(), alarm_t=f(-1e9),
                   mode_t=f(), flags=np.zeros(n, np.int64), names=[""] * n, roles=["student"] * n)

    def arrays(self) -> tuple:
        """The arrays in the order the kernel takes them."""
        return (self.pos, self.kind, self.mode, self.strength, self.speed, self.calm, self.weapon, self.loud,
                self.resolve, self.leader, self.acc, self.bitten_at, self.turn_at, self.bit_by, self.last_fed,
                self.hunger, self.thirst, self.food, self.alarm_t, self.mode_t, self.flags)

    @property
    def bytes_per_agent(self) -> int:
        """State size per agent (the arrays only)."""
        return sum(a.itemsize for a in self.arrays())


def parameters(sc: Scenario) -> np.ndarray:
    """The kernel's parameter vector from a validated scenario (units: s, m, m/s)."""
    h, z, v = sc.humans, sc.zombies, sc.virus
    values = dict(h_walk=h.walk_speed, h_run=h.run_speed, h_sight_day=h.sight_day, h_sight_night=h.sight_night,
                  h_hear=h.hearing_threshold, h_loud=h.panic_loudness, fight_odds=h.fight_odds,
                  panic_s=h.panic_seconds, barricade_s=h.barricade_seconds, hide_s=h.hide_hours * 3600,
                  water_s=h.water_days * 86400, z_speed=z.speed, z_wander=z.wander_speed, z_sight_day=z.sight_day,
                  z_sight_night=z.sight_night, z_smell=z.smell, z_hear=z.hearing_threshold, z_strength=z.strength,
                  attack_rate=z.attack_rate, starve_s=z.starve_days * 86400, turn_median=v.turn_median_seconds,
                  turn_spread=v.turn_spread, hidden_frac=v.hidden_bite_fraction, hidden_factor=v.hidden_bite_factor,
                  hybrid_frac=v.hybrid_fraction, immortal_frac=v.immortal_fraction, hunger_s=v.hunger_hours * 3600,
                  far_gone=v.far_gone, start_hour=sc.start_hour, cordon=0.0, heli_known=0.0, heli_active=0.0,
                  heli_capacity=0.0, record_s=sc.record_seconds, sound_every=5.0, food_s=h.food_days * 86400,
                  mixing=1.0 if sc.well_mixed else 0.0)
    return np.array([values[n] for n in E.P_NAMES], dtype=np.float64)


def door_strengths(sc: Scenario) -> np.ndarray:
    """Zombie-seconds of pushing each breakable cell code withstands."""
    t = np.zeros(256)
    t[fp.DOOR_CLOSED] = sc.zombies.door_seconds
    t[fp.DOOR_LOCKED] = sc.zombies.locked_door_seconds
    t[fp.DOOR_BARRICADED] = sc.zombies.barricade_seconds
    t[fp.WINDOW] = sc.zombies.window_seconds
    return t


class Sim:
    """One seeded simulation of a scenario on its building."""

    def __init__(self, scenario: Scenario, building: Building, seed: int | None = None, source: str = ""):
        self.scenario = scenario
        self.building = building
        self.seed = scenario.seed if seed is None else int(seed)
        self.source = source
        self.rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, 0x48594F53])))
        F, H, W = building.shape
        self.F, self.H, self.W = F, H, W
        self.cells = building.cells.reshape(-1).copy()
        self.rooms = building.rooms.reshape(-1).astype(np.int64)
        self.nbr = neighbour_table(self.cells, F, H, W)
        self.door_full = door_strengths(scenario)
        self.door_hp = self.door_full[self.cells].copy()
        self.p = parameters(scenario)
        self.agents = self._populate()
        self.t = 0.0
        n = self.cells.size
        N = len(self.agents.pos)
        self._dist = np.zeros(n, np.int64)
        self._src = np.zeros(n, np.int64)
        self._stamp = np.zeros(n, np.int64)
        self._tdist = np.zeros(n, np.int64)
        self._tsrc = np.zeros(n, np.int64)
        self._tstamp = np.zeros(n, np.int64)
        self._queue = np.zeros(n + 1, np.int64)
        self._sources = np.zeros(max(N, 1), np.int64)
        self._snd = np.zeros(n, np.int64)
        self._sstamp = np.zeros(n, np.int64)
        self._sgen = np.zeros(1, np.int64)
        self._buckets = np.zeros((128, n), np.int32)
        self._bucket_len = np.zeros(128, np.int64)
        self._gen = 0
        self._occ_head = np.zeros(n, np.int64)
        self._occ_next = np.zeros(max(N, 1), np.int64)
        self._occ_stamp = np.zeros(n, np.int64)
        self._blocks = np.zeros(E.n_blocks(F, H, W), np.int64)
        self._door_ptr, self._door_cells = self._room_doors()
        self._here = np.zeros(n, np.int64)
        self._mix_cells = np.flatnonzero(np.isin(self.cells, [fp.FLOOR, fp.DOOR_OPEN, fp.DOOR_BROKEN])).astype(np.int64)
        self._ev = {k: np.zeros(0, d) for k, d in (("t", np.float64), ("k", np.int8), ("a", np.int64),
                                                   ("b", np.int64), ("cell", np.int64))}
        self._ev_n = 0
        self._tl_t = np.zeros(0)
        self._tl = np.zeros((0, F, len(E.KIND_NAMES)), np.int64)
        self._tl_n = 0
        self._next_record = 0.0
        self._goal_ones = np.ones(n, np.int64)
        self._lures = self._lure_arrays()
        self._record_initial()
        self._update_goals()

    # ----- set-up ----------------------------------------------------------------------
    def _random_cells(self, room: str, k: int) -> np.ndarray:
        cells = self.building.room_cells(room)
        if len(cells) == 0:
            raise HyosanError(f"scenario {self.scenario.name}: room {room!r} has no floor cells to stand on")
        pick = self.rng.integers(0, len(cells), size=k)
        f, r, c = cells[pick].T
        return (f * self.H + r) * self.W + c

    def _populate(self) -> Agents:
        sc = self.scenario
        total = len(sc.characters) + sum(g.count for g in sc.population)
        if total == 0:
            raise HyosanError(f"scenario {sc.name}: nobody in it (no characters and no population)")
        ag = Agents.empty(total)
        groups: dict[str, list[int]] = {}
        i = 0
        for ch in sc.characters:
            ag.pos[i] = self._random_cells(ch.room, 1)[0]
            ag.strength[i] = ch.strength * ROLE_STRENGTH[ch.role]
            ag.speed[i], ag.calm[i], ag.weapon[i] = ch.speed, ch.calm, ch.weapon
            ag.loud[i], ag.resolve[i] = ch.loud, ch.resolve
            ag.names[i], ag.roles[i] = ch.name, ch.role
            if ch.group:
                members = groups.setdefault(ch.group, [])
                (members.insert(0, i) if ch.leader else members.append(i))
            i += 1
        for g in sc.population:
            n = g.count
            if n == 0:
                continue
            sl = slice(i, i + n)
            ag.pos[sl] = self._random_cells(g.room, n)
            ag.strength[sl] = (g.strength if g.strength is not None
                               else np.clip(self.rng.normal(ROLE_STRENGTH[g.role], 0.15, n), 0.3, None))
            ag.speed[sl] = np.clip(self.rng.normal(1.0, 0.1, n), 0.5, None)
            ag.calm[sl] = np.clip(self.rng.normal(sc.humans.calm, 0.15, n), 0, 1)
            ag.resolve[sl] = np.clip(self.rng.normal(1.0, 0.3, n), 0.2, None)
            for j in range(i, i + n):
                ag.roles[j] = g.role
            if g.group:
                groups.setdefault(g.group, []).extend(range(i, i + n))
            i += n
        for members in groups.values():
            ag.leader[members] = members[0]
        for j, ch in enumerate(sc.characters):
            if ch.patient_zero:
                ag.bitten_at[j] = 0.0
                delay = sc.virus.turn_median_seconds * math.exp(sc.virus.turn_spread * self.rng.standard_normal())
                ag.turn_at[j] = max(delay, 1.0)
        return ag

    def _room_doors(self) -> tuple[np.ndarray, np.ndarray]:
        """For each room, its door cells (doors take the room they open into), as CSR arrays."""
        doors = np.flatnonzero(np.isin(self.cells, [fp.DOOR_OPEN, fp.DOOR_CLOSED, fp.DOOR_LOCKED,
                                                    fp.DOOR_BARRICADED]) & (self.rooms >= 0))
        order = np.argsort(self.rooms[doors], kind="stable")
        doors = doors[order]
        counts = np.bincount(self.rooms[doors], minlength=len(self.building.room_names))
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return ptr, doors.astype(np.int64)

    def _lure_arrays(self):
        cells, levels, starts, ends = [], [], [], []
        for iv in self.scenario.interventions:
            if isinstance(iv, Lure):
                for f, r, c in self.building.room_cells(iv.room)[::7]:
                    cells.append((f * self.H + r) * self.W + c)
                    levels.append(iv.loudness)
                    starts.append(iv.start_hours * 3600)
                    ends.append(iv.start_hours * 3600 + iv.minutes * 60)
        return (np.array(cells, np.int64), np.array(levels, np.float64), np.array(starts, np.float64),
                np.array(ends, np.float64))

    def _goal_field(self, code_set) -> np.ndarray:
        sources = np.flatnonzero(np.isin(self.cells, list(code_set))).astype(np.int64)
        out = np.full(self.cells.size, E.BIG, np.int64)
        if sources.size == 0:
            return out
        stamp = np.zeros(self.cells.size, np.int64)
        dist = np.zeros(self.cells.size, np.int64)
        src = np.zeros(self.cells.size, np.int64)
        bfs(self.cells, self.nbr, self.W, sources, sources.size, E.BIG, GOAL_PASS, dist, src, stamp, 1, self._queue)
        reached = stamp == 1
        out[reached] = dist[reached]
        return out

    def _update_goals(self) -> None:
        self._goal_exit = self._goal_field({fp.EXIT})
        self._goal_heli = self._goal_field({fp.HELIPAD})
        self._goal_supply = self._goal_field({fp.SUPPLY})

    def _record_initial(self) -> None:
        self._grow_timeline(1)
        np.add.at(self._tl[0], (self.agents.pos // (self.H * self.W), self.agents.kind), 1)
        self._tl_t[0] = 0.0
        self._tl_n = 1
        self._next_record = self.scenario.record_seconds

    def _grow_timeline(self, extra: int) -> None:
        need = self._tl_n + extra
        if need > self._tl_t.size:
            size = max(need, 2 * self._tl_t.size)
            tl_t = np.zeros(size)
            tl = np.zeros((size,) + self._tl.shape[1:], np.int64)
            tl_t[:self._tl_n], tl[:self._tl_n] = self._tl_t[:self._tl_n], self._tl[:self._tl_n]
            self._tl_t, self._tl = tl_t, tl

    def _grow_events(self) -> None:
        N = len(self.agents.pos)
        need = self._ev_n + 8 * N + 1024
        if need > self._ev["t"].size:
            size = max(need, 2 * self._ev["t"].size)
            for k, arr in self._ev.items():
                new = np.zeros(size, arr.dtype)
                new[:self._ev_n] = arr[:self._ev_n]
                self._ev[k] = new

    def _add_event(self, kind: int, a: int, b: int, cell: int) -> None:
        self._grow_events()
        for k, v in (("t", self.t), ("k", kind), ("a", a), ("b", b), ("cell", cell)):
            self._ev[k][self._ev_n] = v
        self._ev_n += 1

    # ----- schedule ------------------------------------------------------------------
    def _edges(self) -> list[tuple[float, Callable[[], None]]]:
        """(time in seconds, action) of every intervention edge."""
        P = E.P
        out = []
        for iv in self.scenario.interventions:
            if isinstance(iv, Cordon):
                out.append((iv.start_hours * 3600, lambda: self.p.__setitem__(P["cordon"], 1.0)))
                if iv.end_hours is not None:
                    out.append((iv.end_hours * 3600, lambda: self.p.__setitem__(P["cordon"], 0.0)))
            elif isinstance(iv, Helicopter):
                land = iv.at_hours * 3600
                out.append((max(land - iv.announce_hours * 3600, 0.0), self._announce_helicopter))
                out.append((land, lambda cap=iv.capacity: self._helicopter(True, cap)))
                out.append((land + iv.minutes * 60, lambda: self._helicopter(False, 0)))
            elif isinstance(iv, Bombing):
                out.append((iv.at_hours * 3600, lambda iv=iv: self._bomb(iv)))
        return sorted(out, key=lambda e: e[0])

    def _announce_helicopter(self) -> None:
        """People learn of the rescue; the rooftop door's lock gives way (the fire in the story)."""
        self.p[E.P["heli_known"]] = 1.0
        ag = self.agents
        aware = np.isin(ag.kind, [E.HUMAN, E.HYBRID_IMMUNE, E.HYBRID_IMMORTAL])
        ag.mode[aware] = E.SEEK  # everyone who hears of the rescue heads for the roof
        ag.mode_t[aware] = self.t
        roof = max(range(self.F), key=lambda f: self.building.levels[f])
        sl = slice(roof * self.H * self.W, (roof + 1) * self.H * self.W)
        locked = np.flatnonzero(self.cells[sl] == fp.DOOR_LOCKED) + sl.start
        self.cells[locked] = fp.DOOR_OPEN
        self._update_goals()

    def _helicopter(self, active: bool, capacity: int) -> None:
        self.p[E.P["heli_active"]] = 1.0 if active else 0.0
        self.p[E.P["heli_capacity"]] = float(capacity)
        if not active:
            self.p[E.P["heli_known"]] = 0.0

    def _bomb(self, iv: Bombing) -> None:
        hit = np.zeros(self.cells.size, bool)
        for room in iv.rooms:
            hit |= self.rooms == self.building.room_index(room)
        for level in iv.levels:
            if level not in self.building.levels:
                raise HyosanError(f"bombing at hour {iv.at_hours:g}: no level {level} (levels: {self.building.levels})")
            f = self.building.levels.index(level)
            hit[f * self.H * self.W:(f + 1) * self.H * self.W] = True
        ag = self.agents
        live = np.isin(ag.kind, [E.HUMAN, E.ZOMBIE, E.HYBRID_IMMUNE, E.HYBRID_IMMORTAL])
        for a in np.flatnonzero(live & hit[ag.pos]):
            ag.kind[a] = E.DEAD
            self._add_event(E.BOMBED, int(a), -1, int(ag.pos[a]))

    # ----- running -----------------------------------------------------------------------
    def run(self, days: float | None = None, dt: float = 1.0, progress: Callable[[float], None] | None = None,
            chunk_seconds: float = 60.0) -> "Sim":
        """Advance the simulation by `days` (default: the scenario's) in steps of dt seconds."""
        days = self.scenario.days if days is None else days
        if not (isinstance(days, (int, float)) and days > 0 and math.isfinite(days)):
            raise HyosanError(f"days must be a positive number, got {days!r}")
        if not 0 < dt <= 1.0:
            raise HyosanError(f"a step is at most one second of story time; got dt = {dt}")
        t_end = self.t + days * 86400
        edges = [(t, act) for t, act in self._edges() if t >= self.t]
        k = 0
        while self.t < t_end - 1e-9:
            while k < len(edges) and edges[k][0] <= self.t + 1e-9:
                edges[k][1]()
                k += 1
            stop = min(t_end, self.t + chunk_seconds, edges[k][0] if k < len(edges) else np.inf)
            n = max(1, int(round((stop - self.t) / dt)))
            self._grow_events()
            self._grow_timeline(int(n * dt / self.scenario.record_seconds) + 2)
            done, self._ev_n, self._tl_n, self._gen, self._next_record, doors = E.run_steps(
                self.t, n, dt, self.p, self.rng, *self.agents.arrays(),
                self.cells, self.nbr, self.rooms, self.door_hp, self.F, self.H, self.W,
                self._goal_exit, self._goal_heli, self._goal_supply, self._goal_ones, 1,
                self._dist, self._src, self._stamp, self._queue, self._sources, self._tdist, self._tsrc,
                self._tstamp, self._snd, self._sstamp, self._sgen, self._buckets, self._bucket_len, self._gen,
                self.door_full, *self._lures, self._occ_head, self._occ_next, self._occ_stamp,
                self._blocks, self._mix_cells, self._door_ptr, self._door_cells, self._here, self._ev["t"], self._ev["k"], self._ev["a"], self._ev["b"], self._ev["cell"], self._ev_n,
                self._ev["t"].size, self._tl_t, self._tl, self._tl_n, self._next_record)
            self.t += done * dt
            if doors:
                self._update_goals()
            if progress is not None:
                progress(self.t)
        while k < len(edges) and edges[k][0] <= self.t + 1e-9:
            edges[k][1]()
            k += 1
        return self

    def cell(self, level: int, row: int, col: int) -> int:
        """Flat cell index of (level, row, col), as stored in `agents.pos`."""
        if level not in self.building.levels:
            raise HyosanError(f"no level {level}; levels: {self.building.levels}")
        return (self.building.levels.index(level) * self.H + row) * self.W + col

    def make(self, agent: int, kind: int) -> None:
        """Turn an agent into another kind now (tests and what-if experiments)."""
        self.agents.kind[agent] = kind
        if kind == E.ZOMBIE:
            self.agents.last_fed[agent] = self.t
            self.agents.strength[agent] *= self.scenario.zombies.strength

    # ----- results ------------------------------------------------------------------------
    def _cell_info(self, cells: np.ndarray) -> dict[str, np.ndarray]:
        HW = self.H * self.W
        f = cells // HW
        rooms = self.rooms[cells]
        names = np.array(self.building.room_names + ["corridor or outdoors"], dtype=object)
        return {"level": np.array(self.building.levels)[f], "y": (cells % HW) // self.W, "x": cells % self.W,
                "room": names[np.where(rooms >= 0, rooms, len(self.building.room_names))]}

    def who(self, a: int) -> str:
        """A readable name for agent a."""
        if a < 0:
            return ""
        name = self.agents.names[a]
        return name if name else f"{self.agents.roles[a]} #{a}"

    @property
    def events(self) -> pd.DataFrame:
        """Every bite, turn, kill, death, escape, rescue (and door broken): time, who, where."""
        n = self._ev_n
        ev = {k: v[:n] for k, v in self._ev.items()}
        info = self._cell_info(ev["cell"])
        return pd.DataFrame({"t": ev["t"], "clock": [self.clock(t) for t in ev["t"]],
                             "event": np.array(E.EVENT_NAMES, dtype=object)[ev["k"]],
                             "agent": ev["a"], "agent_name": [self.who(a) for a in ev["a"]],
                             "other": ev["b"], "other_name": [self.who(b) for b in ev["b"]], **info})

    @property
    def timeline(self) -> pd.DataFrame:
        """Counts by kind and level over time (one row per record time and level)."""
        n = self._tl_n
        rows = []
        for i in range(n):
            for f, level in enumerate(self.building.levels):
                row = {"t": self._tl_t[i], "hours": self._tl_t[i] / 3600, "level": level}
                row.update({k: int(self._tl[i, f, j]) for j, k in enumerate(E.KIND_NAMES)})
                rows.append(row)
        return pd.DataFrame(rows)

    def clock(self, t: float) -> str:
        """Story time as 'day D HH:MM'."""
        total = self.scenario.start_hour * 3600 + t
        day = int(total // 86400) + 1
        rem = total % 86400
        return f"day {day} {int(rem // 3600):02d}:{int(rem % 3600 // 60):02d}"

    @property
    def fates(self) -> pd.DataFrame:
        """What became of each named character: fate, when, where, and who bit them."""
        ev = self.events
        rows = []
        ag = self.agents
        for a, name in enumerate(ag.names):
            if not name:
                continue
            mine = ev[ev["agent"] == a]
            bite = mine[mine["event"] == "bite"]
            k = int(ag.kind[a])
            turned = mine[mine["event"].isin(["turn", "turn hybrid"])]
            if not turned.empty:
                fate = "hybrid" if turned.iloc[0]["event"] == "turn hybrid" else "turned"
                last = turned.iloc[0]
            elif k == E.DEAD:
                fate, last = "died", mine.iloc[-1] if not mine.empty else None
            elif k == E.ESCAPED:
                fate, last = "escaped", mine[mine["event"] == "escape"].iloc[-1]
            elif k == E.RESCUED:
                fate, last = "rescued", mine[mine["event"] == "rescue"].iloc[-1]
            else:
                fate, last = ("survived (bitten, not yet turned)" if ag.bitten_at[a] >= 0 else "survived"), None
            if fate == "died" and last is not None:
                fate = f"died ({last['event']})"
            info = self._cell_info(np.array([ag.pos[a]]))
            rows.append({"name": name, "fate": fate,
                         "when": last["clock"] if last is not None else self.clock(self.t),
                         "where": last["room"] if last is not None else info["room"][0],
                         "level": int(last["level"]) if last is not None else int(info["level"][0]),
                         "bitten_when": bite.iloc[0]["clock"] if not bite.empty else "",
                         "bitten_where": bite.iloc[0]["room"] if not bite.empty else "",
                         "bitten_by": (bite.iloc[0]["other_name"] or "the outbreak's first bite") if not bite.empty
                         else ("bitten before the story begins (patient zero)" if ag.bitten_at[a] == 0.0 else "")})
        return pd.DataFrame(rows)

    def counts(self) -> dict[str, int]:
        """Current number of agents of each kind."""
        return {k: int((self.agents.kind == i).sum()) for i, k in enumerate(E.KIND_NAMES)}
