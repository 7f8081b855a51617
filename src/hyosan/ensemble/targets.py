"""What an ensemble runs: a target (a model and method, or a scenario) and one seeded run of it.

A `Target` is a small value that travels to Dask workers: a model's name, or a scenario's files
as text (so a worker on another machine needs no copy of them), with the `--set` values common to
every run. `Target.run(seed, params)` builds, runs and measures one run anywhere.

Seeds: run i of an ensemble with seed S gets the integer `run_seed(S, i)`, drawn from
`SeedSequence(S).spawn(...)[i]`; that integer is the run's own seed (`hyosan run --seed`, `hyosan
solve --seed`), so run i is the same alone, in any ensemble, on any number of workers, and can be
rerun and watched by itself.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import HyosanError


def run_seed(seed: int, key: int) -> int:
    """The integer seed of replicate `key` of an ensemble seeded `seed`: 53 bits drawn from
    `SeedSequence(seed).spawn(key + 1)[key]` (53 so it is exact in JSON and in a float column)."""
    child = np.random.SeedSequence(int(seed), spawn_key=(int(key),))
    return int(child.generate_state(1, np.uint64)[0] >> np.uint64(11))


@dataclass(frozen=True)
class Job:
    """One run of a study: its row number, its replicate key (which seed) and its parameters."""

    run: int
    key: int
    params: tuple[tuple[str, float], ...] = ()


# Kinds and methods whose kernels this process has compiled (or loaded from the cache), and the
# story days of the short run that does it: enough to pass through every kernel, too short to matter.
_WARM: set[tuple[str, str]] = set()
WARM_DAYS = {"model": 1e-3, "school": 120 / 86400, "city": 2 / 24, "country": 2 / 24}


@dataclass(frozen=True)
class Target:
    """A model with its method, or a scenario carried as the text of its files."""

    kind: str  # "model", "school", "city" or "country"
    name: str
    method: str = "ode"
    files: tuple[tuple[str, str], ...] = ()  # scenario file first, then its maps: (relative name, text)
    sets: tuple[tuple[str, float], ...] = ()
    days: float | None = None  # story days (scenarios) or the model's end time
    points: int = 201
    data: str | None = None  # a country's folder, where workers read its population raster

    def describe(self) -> dict:
        """What identifies the target in a run folder's manifest (files by their hash)."""
        return {
            "kind": self.kind,
            "name": self.name,
            "method": self.method if self.kind == "model" else None,
            "sets": dict(self.sets),
            "days": self.days,
            "points": self.points if self.kind == "model" else None,
            "files_sha256": files_digest(self.files)[:16] if self.files else None,
            "data": self.data,
        }

    def configure(self, params: dict[str, float] | None = None):
        """The network (model) or read scenario (`scenario.Loaded`) with `params` over the target's
        sets: a wrong name or value is refused here, before anything runs."""
        values = {**dict(self.sets), **(params or {})}
        if self.kind == "model":
            from .. import reactions

            return reactions.get(self.name).with_values(**values)
        from ..scenario import read_scenario

        return read_scenario(materialize(self.files), values)

    def build(self, seed: int, params: dict[str, float] | None = None):
        """The run object (`results.runs`) of one seeded run with `params` over the target's sets."""
        from ..results.runs import SCENARIO_RUNS, ModelRun

        configured = self.configure(params)
        if self.kind == "model":
            return ModelRun(configured, self.method, self.days, self.points, seed=seed)
        from ..scenario import build

        base = Path(self.data) if self.data else None
        return SCENARIO_RUNS[self.kind](build(configured, seed, base), self.days)

    def check(self, job: Job, seed: int) -> None:
        """Build one job's run without running it: the errors of a bad setting, here and once."""
        from ..solvers.schedule import check_times

        run = self.build(run_seed(seed, job.key), dict(job.params))
        if self.kind == "model":
            check_times(run.network, run.t_end, run.points)

    def run(self, job: Job, seed: int, series: bool = True) -> tuple[dict, dict | None, float]:
        """Run one job: its outcome row, its coarse series (models) and the seconds it took (not
        counting the kernels' compiling, which a process does once, in a short run first)."""
        own = run_seed(seed, job.key)
        if (self.kind, self.method) not in _WARM:
            replace(self, days=WARM_DAYS[self.kind]).build(own, dict(job.params)).run()
            _WARM.add((self.kind, self.method))
        t0 = time.perf_counter()
        r = self.build(own, dict(job.params)).run()
        row = {"run": job.run, "key": job.key, "seed": own, **dict(job.params)}
        out = r.outcomes()
        clash = set(row) & set(out)
        if clash:
            raise HyosanError(f"parameter names clash with outcome names: {sorted(clash)}")
        row.update(out)
        s = r.series() if series and self.kind == "model" else None
        return row, s, time.perf_counter() - t0


_MATERIALIZED: dict[str, Path] = {}


def files_digest(files: tuple[tuple[str, str], ...]) -> str:
    """The SHA-256 (hex) of a scenario's files, names and texts."""
    return hashlib.sha256("\0".join(f"{n}\0{t}" for n, t in files).encode()).hexdigest()


def materialize(files: tuple[tuple[str, str], ...]) -> Path:
    """Write a scenario's files into a temporary folder of this process (once per content) and
    return the scenario file's path there; a worker on any machine can then read it."""
    digest = files_digest(files)
    if digest not in _MATERIALIZED or not _MATERIALIZED[digest].is_file():
        folder = Path(tempfile.mkdtemp(prefix="hyosan-scenario-"))
        for name, text in files:
            p = folder / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        _MATERIALIZED[digest] = folder / files[0][0]
    return _MATERIALIZED[digest]


def make_target(
    spec: str,
    method: str | None = None,
    sets: dict[str, float] | None = None,
    days: float | None = None,
    points: int = 201,
) -> Target:
    """The target named on the command line: a model of the library (with `method`, default ode)
    or a scenario (bundled name, folder or file); sets and days are checked here, once."""
    from .. import reactions
    from ..errors import read_text
    from ..scenario import bundled, read_scenario
    from ..solvers.registry import model_methods

    sets = dict(sets or {})
    if days is not None and not (np.isfinite(days) and days > 0):
        raise HyosanError(f"--days must be a positive number, got {days:g}")
    if spec in reactions.names():
        method = method or "ode"
        if method not in model_methods():
            raise HyosanError(f"unknown method {method!r}; accepted: {', '.join(model_methods())}")
        reactions.get(spec).with_values(**sets)  # a clear error for an unknown name or a bad value
        return Target("model", spec, method, (), tuple(sorted(sets.items())), days, points)
    if method is not None:
        raise HyosanError(
            f"--method applies to models; {spec!r} is not one of {', '.join(reactions.names())}"
        )
    p = Path(spec)
    if not (p.exists() or spec in bundled()):
        raise HyosanError(
            f"unknown target {spec!r}: not a model ({', '.join(reactions.names())}), "
            f"not a bundled scenario ({', '.join(bundled())}), and no such file or folder"
        )
    for name in sets:
        _not_overridden("scenario", name, days)
    loaded = read_scenario(spec, sets)
    files = [(loaded.path.name, loaded.text)]
    for m in loaded.map_files():
        mp = loaded.path.parent / m
        if not mp.is_file():
            raise HyosanError(f"{loaded.path}: no map file {m!r} beside the scenario (looked for {mp})")
        files.append((m, read_text(mp, "map")))
    # a country's raster is read by each worker from where it lies (a path all workers share)
    data = str(loaded.path.parent.resolve()) if loaded.kind == "country" else None
    return Target(loaded.kind, loaded.name, "", tuple(files), tuple(sorted(sets.items())), days, points, data)


def _not_overridden(kind: str, name: str, days: float | None) -> None:
    # a study's own seeds and --days would silently win over a scenario's seed or days
    if kind != "model" and name == "seed":
        raise HyosanError("a scenario's seed is not a study parameter: each run's seed comes from --seed")
    if kind != "model" and name == "days" and days is not None:
        raise HyosanError("days is given twice: drop --days to vary it, or stop varying it")


def check_box(target: Target, ranges: dict[str, tuple[float, ...]]) -> None:
    """Refuse, before any run starts, a parameter value the target would refuse: every corner of
    the box the ranges span (each parameter at each of its end values)."""
    import itertools

    names = list(ranges)
    for name in names:
        _not_overridden(target.kind, name, target.days)
    for corner in itertools.product(*([min(v), max(v)] for v in ranges.values())):
        target.configure(dict(zip(names, corner)))
