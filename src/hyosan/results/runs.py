"""Run objects: one small interface for every kind of run.

A school, city or country scenario and a model solved by a method each give a run object with
    run(progress=None)  advance to the end (progress gets the story time reached)
    summary()           a JSON-ready account of the run
    outcomes()          one flat row of named measures (numbers, and strings for fates)
    write(folder)       its run folder; returns the summary with the folder's name
so that a single run (`hyosan run`, `hyosan solve`) and an ensemble of thousands (`hyosan
ensemble`) measure a run the same way.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .. import checkpoint, stop
from ..errors import HyosanError

# How a named character's fate is counted in an ensemble (the words of `Sim.fates`, simplified).
FATES = ("survived", "bitten", "escaped", "rescued", "hybrid", "turned", "died")


def fate_class(fate: str) -> str:
    """The ensemble category of a fate as `Sim.fates` words it ('died (bombed)' -> 'died')."""
    if fate.startswith("survived (bitten"):
        return "bitten"
    return fate.split(" ", 1)[0]


# The file a stopped or long run keeps its state in, in its run folder (removed once it is done).
CHECKPOINT = "checkpoint.npz"


class Resumable:
    """What the scenario runs share: checkpoints that a run goes on from exactly, and the mark of a
    run that stopped early (`incomplete`, written into summary.json)."""

    incomplete: dict | None = None

    def state(self) -> tuple[dict, dict]:
        """The run's mutable state as checkpoint metadata and arrays."""
        return self.sim.state()

    def set_state(self, meta: dict, arrays: dict) -> None:
        """Go back to a state taken by `state`."""
        self.sim.set_state(meta, arrays)

    def save_checkpoint(self, path: Path, request: dict) -> Path:
        """Write the state to `path`, with the request (scenario, seed, options) it belongs to."""
        meta, arrays = self.state()
        return checkpoint.write(path, meta | {"request": request}, arrays)

    def load_checkpoint(self, path: Path, request: dict) -> None:
        """Go back to the state in `path`, refusing a checkpoint of another request."""
        meta, arrays = checkpoint.read(path)
        old = meta.get("request") or {}
        differ = [k for k in sorted(set(old) | set(request)) if old.get(k) != request.get(k)]
        if differ:
            verb = "differs" if len(differ) == 1 else "differ"
            raise HyosanError(
                f"{path}: the checkpoint is of another run (its {', '.join(differ)} {verb} from this "
                "command's); run the command that made it with --resume, or start afresh with --force"
            )
        try:
            self.set_state(meta, arrays)
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            raise HyosanError(
                f"{path}: a damaged checkpoint ({exc.__class__.__name__}: {exc}); start afresh with --force"
            ) from None


def _one_step_at_least(days: float, step_seconds: float, what: str) -> None:
    if days * 86400 < step_seconds * (1 - 1e-9):
        raise HyosanError(f"days = {days:g} is shorter than {what} ({step_seconds:g} s)")


def drive(run, folder: Path, request: dict, progress=None, every_seconds: float = 300.0) -> None:
    """Run to the end, writing a checkpoint into `folder` every `every_seconds` of wall time (0:
    never) at a moment the state is whole; a stop request (`hyosan.stop`) leaves a last checkpoint
    and re-raises. Progress gets the story time reached, as `run.run` gives it."""
    path = Path(folder) / CHECKPOINT
    last = [time.monotonic()]

    def tick(t):
        if progress is not None:
            progress(t)
        if every_seconds and time.monotonic() - last[0] >= every_seconds:
            run.save_checkpoint(path, request)
            last[0] = time.monotonic()

    try:
        run.run(progress=tick)
    except stop.Interrupted:
        run.save_checkpoint(path, request)
        raise


class SchoolRun(Resumable):
    """A school scenario's run (an agent `Sim`)."""

    kind = "school"

    def __init__(
        self, sim, days: float | None = None, animate: bool = False, replay_seconds: float | None = None
    ):
        self.sim = sim
        self.days = sim.scenario.days if days is None else float(days)
        _one_step_at_least(self.days, sim.par.dt, "the school's step")
        self.frames = None
        self.animate = animate
        self.replay_seconds = replay_seconds
        self.replay = None
        self.target_steps: int | None = None
        self.lured: list[int] = []  # zombies in each lure's room as it stopped

    def run(self, progress=None, chunk_seconds: float = 600.0) -> "SchoolRun":
        """Advance the simulation to its end (animation frames every 5 story minutes if asked, and
        the replay's positions every `replay_seconds`)."""
        from ..viz.animate import snapshot
        from .replay import Recorder

        sim = self.sim
        if self.target_steps is None:  # a new run (a resumed one has its target, frames and replay)
            self.target_steps = sim.steps + max(1, int(round(self.days * 86400 / sim.par.dt)))
            self.frames = [snapshot(sim)] if self.animate else None
            if self.replay_seconds:
                self.replay = Recorder(sim)
        every = [chunk_seconds]
        if self.animate:
            every.append(300.0)
        if self.replay_seconds:
            every.append(float(self.replay_seconds))

        def advance(t):
            if self.frames is not None and t - self.frames[-1][0] >= 300 - 1e-6:
                self.frames.append(snapshot(sim))
            if self.replay is not None:
                self.replay.add(sim)
            if progress is not None:  # last: a checkpoint taken here holds this moment's records
                progress(t)

        # a lure's pull is measured as it stops (a seed is a story: stopping there changes nothing)
        stops = [(s, room) for s, room in lure_ends(sim) if sim.steps < s <= self.target_steps]
        for stop_at, room in [*stops, (self.target_steps, None)]:
            left = stop_at - sim.steps
            if left > 0:
                sim.run(days=left * sim.par.dt / 86400, progress=advance, chunk_seconds=min(every))
            if room is not None:
                self.lured.append(zombies_in(sim, room))
        return self

    def state(self) -> tuple[dict, dict]:
        """The run's mutable state (the simulation's, the frames and replay so far), for a checkpoint."""
        meta, arrays = self.sim.state()
        meta["run"] = {
            "target_steps": self.target_steps,
            "frames": self.frames is not None,
            "lured": self.lured,
        }
        for i, (t, *parts) in enumerate(self.frames or []):
            meta["run"].setdefault("frame_t", []).append(t)
            arrays |= {f"frame.{i}.{j}": p for j, p in enumerate(parts)}
        if self.replay is not None:
            arrays |= {f"replay.{k}": np.stack(getattr(self.replay, k)) for k in ("pos", "kind", "doors")}
            arrays |= {"replay.t": np.array(self.replay.t), "replay.cells": self.replay.cells}
        return meta, arrays

    def set_state(self, meta: dict, arrays: dict) -> None:
        """Go back to a checkpointed state (of a run of the same scenario and seed)."""
        from .replay import Recorder

        self.sim.set_state(meta, arrays)
        self.target_steps = meta["run"]["target_steps"]
        self.lured = list(meta["run"].get("lured", []))
        if meta["run"]["frames"]:
            self.frames = [
                (t, *(arrays[f"frame.{i}.{j}"] for j in range(3)))
                for i, t in enumerate(meta["run"].get("frame_t", []))
            ]
        if "replay.t" in arrays:
            self.replay = Recorder(self.sim)
            self.replay.cells = arrays["replay.cells"]
            self.replay.t = arrays["replay.t"].tolist()
            for k in ("pos", "kind", "doors"):
                setattr(self.replay, k, list(arrays[f"replay.{k}"]))

    def estimate_bytes(self) -> float:
        """Memory the run's records will take at its end (timeline, replay, animation frames), with
        room for the copies made when they are grown and written."""
        sim, seconds = self.sim, self.days * 86400
        n, cells = len(sim.agents.pos), sim.world.cells.size
        rows = seconds / sim.par.record_s * (8 + 8 * len(sim.counts())) * 4
        moment = 5 * n + len(sim.door_cells)
        replay = seconds / self.replay_seconds * moment * 2 if self.replay_seconds else 0
        frames = seconds / 300 * (9 * n + cells) if self.animate else 0
        return rows + replay + frames + n * sim.bytes_per_agent

    def summary(self) -> dict:
        """The run's account: counts over time, fates, key events (`results.report.summary`)."""
        from .report import summary

        return summary(self.sim)

    def outcomes(self) -> dict:
        """Counts by kind at the end, survivors, the time the school is overrun, the story's arc
        (`report.story_measures`), each named fate."""
        from ..agents.codes import Kind
        from .report import overrun_seconds, story_measures

        sim, ag = self.sim, self.sim.agents
        row: dict = {"hours": sim.t / 3600, "people": int(ag.kind.size), **sim.counts()}
        alive = np.isin(ag.kind, (Kind.HUMAN, Kind.ESCAPED, Kind.RESCUED)) & (ag.bitten_at < 0)
        row["survivors"] = int(alive.sum())
        row["overrun_hours"] = overrun_seconds(sim) / 3600
        turning = (ag.kind == Kind.HUMAN) & (ag.bitten_at >= 0)
        row["outbreak_over"] = bool(row["zombie"] == 0 and not turning.any())
        row.update(story_measures(sim, self.lured))
        for f in self.sim.fates.itertuples():
            row[f"fate: {f.name}"] = fate_class(f.fate)
        return row

    def write(self, folder: Path) -> dict:
        """Write the run folder (timeline, events, fates, summary, scenario and maps as run, plots)."""
        from .report import write_run

        return write_run(self.sim, Path(folder), self.frames, self.replay, self.incomplete)


def lure_ends(sim) -> list[tuple[int, str]]:
    """The step at which each lure of the scenario stops, with its room (in time order)."""
    ends = [
        (sim.step_of(iv.start_hours + iv.minutes / 60), iv.room)
        for iv in sim.scenario.interventions
        if iv.kind == "lure"
    ]
    return sorted(ends)


def zombies_in(sim, room: str) -> int:
    """Zombies standing in a room now."""
    from ..agents.codes import Kind

    cells = sim.cell_index(sim.building.room_cells(room))  # its floor, doorways excluded
    here = np.zeros(sim.world.cells.size, bool)
    here[cells] = True
    return int(((sim.agents.kind == Kind.ZOMBIE) & here[sim.agents.pos]).sum())


class CityRun(Resumable):
    """A city scenario's run (a `CitySim`)."""

    kind = "city"

    def __init__(self, sim, days: float | None = None, animate: bool = False):
        self.sim = sim
        self.days = sim.sc.days if days is None else float(days)
        _one_step_at_least(self.days, 3600.0, "the city's step of an hour")
        self.animate = animate

    def estimate_bytes(self) -> float:
        """Memory the run's records will take: a timeline row an hour, a map every 2 hours animated."""
        hours, cells = self.days * 24, self.sim.grid.size
        return hours * 2048 + (hours / 2 * cells if self.animate else 0)

    def run(self, progress=None) -> "CityRun":
        """Advance hour by hour to the end (progress gets story seconds)."""
        self.sim.run(
            self.days,
            progress=None if progress is None else (lambda h: progress(h * 3600.0)),
            frames_every=2 if self.animate else None,
        )
        return self

    def summary(self) -> dict:
        """The story's figures for this run."""
        return self.sim.summary()

    def outcomes(self) -> dict:
        """The story's figures as one flat row."""
        s = self.summary()
        row = {k: v for k, v in s.items() if isinstance(v, (int, float)) and k != "seed"}
        for part in ("left_in_city", "yangdong"):
            row.update({f"{part} {k}": v for k, v in s[part].items()})
        return row

    def write(self, folder: Path) -> dict:
        """Write the run folder (timeline, maps, summary, scenario and map as run)."""
        return self.sim.write(Path(folder), animate=self.animate, incomplete=self.incomplete)


class CountryRun(Resumable):
    """A country scenario's run (a `CountrySim`: the metapopulation method on a raster)."""

    kind = "country"

    def __init__(self, sim, days: float | None = None, animate: bool = False):
        self.sim = sim
        self.days = sim.sc.days if days is None else float(days)

    def estimate_bytes(self) -> float:
        """Memory the run needs: the engine's cells, totals every hour (all regions), daily frames."""
        sim, hours = self.sim, self.days * 24
        cells, grid = int((sim.raster.counts > 0).sum()), sim.raster.counts.size
        frames = min(hours / 24, 41) if self.days >= 10 else 41
        return cells * 200 + hours * 8 * 4 * (2 + 10) + frames * grid + 3 * grid * 4 * 8

    def run(self, progress=None) -> "CountryRun":
        """Advance to the end (progress gets story seconds)."""
        self.sim.run(self.days, progress=None if progress is None else (lambda h: progress(h * 3600.0)))
        return self

    def summary(self) -> dict:
        """Final counts, how each region fell, where the zombies came last or never."""
        return self.sim.summary()

    def outcomes(self) -> dict:
        """Final counts, reach and each region's half-fallen hour (nan if never) as one flat row."""
        s = self.summary()
        row = {f"final {k}": v for k, v in s["final_counts"].items()}
        row |= {k: s[k] for k in ("hours", "outbreak_died_out", "cells_reached", "people_in_reached_cells")}
        row["people_in_unreached_cells"] = s["last_places"]["people_in_unreached_cells"]
        for name, r in s["regions"].items():
            h = r["half_fallen_hours"]
            row[f"half fallen hours: {name}"] = float("nan") if h is None else h
        return row

    def write(self, folder: Path) -> dict:
        """Write the run folder (time series, regions, arrival and zombie maps, animation, summary)."""
        return self.sim.write(Path(folder), incomplete=self.incomplete)


class ModelRun:
    """A model (reaction network) solved by one method of `solvers.METHODS` (ode, ssa, tau, lattice)."""

    kind = "model"
    incomplete: dict | None = None  # what a run stopped early reached (summary.json's mark)

    def __init__(
        self,
        network,
        method: str = "ode",
        t_end: float | None = None,
        points: int = 1001,
        seed: int = 0,
        runs: int = 1,
    ):
        self.network, self.method = network, method
        self.t_end, self.points, self.seed, self.runs = t_end, points, seed, runs
        self.trajectory = None

    def run(self, progress=None) -> "ModelRun":
        """Solve; progress gets the number of runs done (stochastic methods)."""
        from ..solvers import solve

        self.trajectory = solve(
            self.network,
            self.method,
            self.t_end,
            self.points,
            runs=self.runs,
            seed=self.seed,
            progress=progress,
        )
        return self

    def summary(self) -> dict:
        """Crossing times and final counts (`Trajectory.summary`)."""
        return self.trajectory.summary()

    def outcomes(self) -> dict:
        """Final counts, crossing times (nan if never) and whether the outbreak died out (run 0)."""
        tr = self.trajectory
        row = {f"final {s}": float(v) for s, v in zip(tr.species, tr.final[0])}
        for key, times in tr.crossing_times().items():
            row[key] = float(times[0])
        row["died_out"] = bool(tr.died_out()[0])
        if tr.events is not None:
            row["events"] = int(tr.events[0])
        return row

    def series(self, points: int = 101) -> dict[str, np.ndarray]:
        """The times `t` and each species (run 0) on `points` equally spaced times, for bands."""
        tr = self.trajectory
        grid = np.linspace(tr.t[0], tr.t[-1], points)
        # stochastic counts hold between events: take the last output point at or before each time
        idx = np.clip(np.searchsorted(tr.t, grid, side="right") - 1, 0, tr.t.size - 1)
        return {"t": grid, **{s: tr.x[0, idx, i].astype(float) for i, s in enumerate(tr.species)}}

    def write(self, folder: Path) -> dict:
        """Write trajectory.parquet, trajectory.png and summary.json."""
        from .folders import write_run_folder

        def draw(path):
            import matplotlib.pyplot as plt

            fig = self.trajectory.plot()
            if self.incomplete:
                ax = fig.axes[0]
                ax.set_title(f"{ax.get_title()}: stopped early, {self.incomplete['done']}", color="firebrick")
            fig.savefig(path, dpi=120)
            plt.close(fig)

        return write_run_folder(
            folder,
            self.summary(),
            tables={"trajectory.parquet": self.trajectory},
            pictures={"trajectory.png": draw},
            incomplete=self.incomplete,
        )


# The run object of each scenario kind (`hyosan run`, ensembles).
SCENARIO_RUNS = {"school": SchoolRun, "city": CityRun, "country": CountryRun}
