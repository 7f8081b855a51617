"""Many runs: ensembles, sweeps, Sobol' sensitivity and calibration, all on Dask.

The Python API mirrors the commands: each function takes a target (a model name with `method`,
or a scenario: bundled name, folder or file), runs its simulations on a local cluster of
`workers` processes or on the Dask cluster at `scheduler`, writes a run folder and returns a
`StudyResult` (the outcome table, one row per run, its summary and the folder).

    >>> r = hyosan.ensemble("alemi", method="ssa", runs=200, seed=1, sets={"alpha": 0.8}, workers=2)
    >>> r.summary["probabilities"]["died_out"]["p"]

`hyosan.ensemble(...)` is `hyosan.ensemble.ensemble(...)`: the package can be called.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

from . import calibration as _calibrate
from . import studies
from .studies import Cluster, StudyResult
from .targets import Job, Target, make_target, run_seed


def _target(target, method, sets, days) -> Target:
    return target if isinstance(target, Target) else make_target(str(target), method, sets, days)


def ensemble(
    target,
    runs: int,
    seed: int = 0,
    *,
    method: str | None = None,
    sets: dict | None = None,
    days: float | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    out=None,
    force: bool = False,
    resume: bool = False,
    progress=None,
) -> StudyResult:
    """`runs` seeded runs of a target (`hyosan ensemble`): outcome table, summary, folder."""
    return studies.ensemble(
        _target(target, method, sets, days),
        runs,
        seed,
        Cluster(workers, scheduler),
        out,
        force,
        resume,
        progress,
    )


def sweep(
    target,
    grid: dict,
    runs: int = 1,
    seed: int = 0,
    *,
    outcome: str | None = None,
    method: str | None = None,
    sets: dict | None = None,
    days: float | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    out=None,
    force: bool = False,
    resume: bool = False,
    progress=None,
) -> StudyResult:
    """Runs at every point of a grid ({"alpha": [0.5, 0.8, 1.1]}; `hyosan sweep`)."""
    grid = {k: [float(x) for x in v] for k, v in grid.items()}
    return studies.sweep(
        _target(target, method, sets, days),
        grid,
        runs,
        seed,
        outcome,
        Cluster(workers, scheduler),
        out,
        force,
        resume,
        progress,
    )


def sensitivity(
    target,
    vary: dict,
    samples: int = 64,
    seed: int = 0,
    *,
    outcome: str | None = None,
    method: str | None = None,
    sets: dict | None = None,
    days: float | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    out=None,
    force: bool = False,
    resume: bool = False,
    progress=None,
) -> StudyResult:
    """Sobol' indices over parameter ranges ({"alpha": (0.5, 1.0), ...}; `hyosan sensitivity`)."""
    vary = {k: (float(v[0]), float(v[1])) for k, v in vary.items()}
    return studies.sensitivity(
        _target(target, method, sets, days),
        vary,
        samples,
        seed,
        outcome,
        Cluster(workers, scheduler),
        out,
        force,
        resume,
        progress,
    )


def calibrate(
    target,
    targets,
    seed: int = 0,
    *,
    method: str | None = None,
    sets: dict | None = None,
    days: float | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    out=None,
    force: bool = False,
    resume: bool = False,
    progress=None,
) -> StudyResult:
    """Optuna search for the setting closest to observed figures (`targets`: a file or a dict in the
    targets-file format; `hyosan calibrate`)."""
    t = (
        _calibrate.read_targets(Path(targets))
        if isinstance(targets, (str, Path))
        else _calibrate.Targets.model_validate(targets)
    )
    return _calibrate.calibrate(
        _target(target, method, sets, days),
        t,
        seed,
        Cluster(workers, scheduler),
        out,
        force,
        resume,
        progress,
    )


__all__ = [
    "Cluster",
    "Job",
    "StudyResult",
    "Target",
    "calibrate",
    "ensemble",
    "make_target",
    "run_seed",
    "sensitivity",
    "sweep",
]


class _CallableModule(types.ModuleType):
    """The package itself runs an ensemble when called: `hyosan.ensemble(target, runs, ...)`."""

    def __call__(self, *args, **kwargs) -> StudyResult:
        """Run an ensemble (see `ensemble`)."""
        return ensemble(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
