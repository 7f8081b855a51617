"""Ensembles, sweeps, sensitivity and calibration: each a list of jobs for the one Dask layer.

Every study writes a run folder holding `study.json` (what was asked: target, seed, jobs' shape),
`parts/` (the outcome table, one row per run, as a Parquet dataset written by the workers),
`series/` (models: each run's coarse curves), its answers (`summary.json` and a picture) and, for
a calibration, Optuna's SQLite study. `resume=True` checks that the folder holds the same study
and runs only the rows it lacks.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import stop
from ..errors import HyosanError
from ..limits import MAX_SEED, check_memory
from ..results.folders import prepare_run_folder
from ..results.report import jsonable
from . import dask_runs, summaries
from .targets import Job, Target, check_box

STUDY_FILES = (
    "study.json",
    "parts/*.parquet",
    "series/*.parquet",
    "summary.json",
    "ensemble.png",
    "sweep.csv",
    "sweep.png",
    "sensitivity.json",
    "sensitivity.png",
    "calibration.db",
    "calibration.csv",
    "calibration.png",
)

# The measure a sweep plots (and a sensitivity prints first) when none is named.
HEADLINE = {"school": "survivors", "city": "bombing_killed_infected", "country": "final S"}


def headline(target: Target) -> str:
    """The default measure of a target: survivors (school), infected bombed (city), humans left
    (country), the final count of the first zombie species (model)."""
    if target.kind in HEADLINE:
        return HEADLINE[target.kind]
    from .. import reactions

    return f"final {reactions.get(target.name).zombies[0]}"


@dataclass
class StudyResult:
    """What a study returns: the outcome table (one row per run), its summary and its folder."""

    table: pd.DataFrame
    summary: dict
    folder: Path


@dataclass
class Cluster:
    """Where runs go: `workers` local processes, or the Dask scheduler at `scheduler`."""

    workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self):
        if self.scheduler is None:
            dask_runs.check_workers(self.workers)  # before a study makes its folder


def open_folder(out, default: str, manifest: dict, force: bool, resume: bool) -> Path:
    """The study's run folder: new (or replaced with force), or, with resume, the existing folder
    of the same study (refused if it holds another)."""
    if resume:
        if out is None:
            raise HyosanError("--resume needs --out: the folder of the study to resume")
        folder = Path(out)
        path = folder / "study.json"
        if not path.is_file():
            raise HyosanError(f"--resume: {folder} holds no study (no study.json); run without --resume")
        try:
            before = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise HyosanError(f"--resume: cannot read {path} ({exc})") from None
        if not isinstance(before, dict):
            raise HyosanError(f"--resume: {path} is not a study's description (expected a JSON object)")
        now = json.loads(json.dumps(manifest))  # as it reads back from the file
        if before != now:
            diff = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
            raise HyosanError(
                f"--resume: {folder} holds a different study (differs in: {', '.join(diff)}); "
                "give the same target and options, or another --out"
            )
        return folder
    folder = prepare_run_folder(
        None if out is None else Path(out), Path("runs") / default, force, STUDY_FILES
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return folder


# Memory a planned run takes before it runs (its job, its row of outcomes, the bookkeeping).
JOB_BYTES = 2048


def _run(target, seed, jobs, folder, cluster: Cluster, progress) -> dict:
    """Run the jobs the folder lacks; a stop request leaves the runs done in `parts/` and a
    summary.json marked incomplete, and re-raises (`--resume` runs only the rest)."""
    from .. import stop
    from ..results.folders import write_run_folder

    with dask_runs.client(cluster.workers, cluster.scheduler) as c:
        try:
            return dask_runs.run_jobs(c, target, seed, jobs, folder, progress=progress)
        except stop.Interrupted as exc:
            have = getattr(exc, "runs_done", None)
            have = len(dask_runs.done_runs(folder)) if have is None else have
            exc.folder, exc.done = folder, f"{have} of {len(jobs)} runs"
            write_run_folder(
                folder,
                {"target": target.name, "runs": len(jobs), "runs_done": have},
                incomplete={"reason": str(exc), "done": exc.done},
            )
            raise


def _model_bands(folder: Path, target: Target, table) -> dict | None:
    """Bands over time of a model's runs that took off, and the median of those that died out
    (`died_out` of the outcome table), kept apart so the band is not a muddy mix of both."""
    if target.kind != "model":
        return None
    import pyarrow.parquet as pq

    parts = sorted((folder / dask_runs.SERIES).glob("part-*.parquet"))
    if not parts:
        return None
    names = [n for n in pq.read_schema(parts[0]).names if n not in ("run", "t")]
    t = dask_runs.read_series(folder, "t")[0]
    died = table.sort_values("run")["died_out"].to_numpy(bool)  # series rows are in run order too
    took = ~died if (~died).any() else died  # all died out: the band is of those
    out = {"t": t.tolist(), "took_off": int((~died).sum()), "died_out": int(died.sum())}
    for name in names:
        curves = dask_runs.read_series(folder, name)
        out[name] = summaries.bands(curves[took])
        if died.any() and (~died).any():
            out[name]["died_out_p50"] = np.median(curves[died], axis=0).tolist()
    return out


def ensemble(
    target: Target,
    runs: int,
    seed: int = 0,
    cluster: Cluster | None = None,
    out=None,
    force: bool = False,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> StudyResult:
    """Run `runs` seeded runs of a target on Dask; return the outcome table and its summary.

    Run i has the seed `run_seed(seed, i)` whatever the number of workers; the folder gets
    parts/ (the table), summary.json and ensemble.png.
    """
    if runs < 1:
        raise HyosanError(f"--runs must be >= 1, got {runs}")
    _check_seed(seed)
    manifest = {"study": "ensemble", "target": target.describe(), "seed": seed, "runs": runs}
    folder = open_folder(out, f"{target.name}-ensemble", manifest, force, resume)
    check_memory(runs * JOB_BYTES, f"{runs:,} runs")
    jobs = [Job(i, i) for i in range(runs)]
    timing = _run(target, seed, jobs, folder, cluster or Cluster(), progress)
    table = dask_runs.read_table(folder)
    s = {**manifest, **summaries.summarize(table, target.kind), "timing": timing, "folder": str(folder)}
    bands = _model_bands(folder, target, table)
    if bands is not None:
        s["bands"] = bands
    (folder / "summary.json").write_text(json.dumps(s, indent=2, default=jsonable) + "\n")
    summaries.ensemble_png(
        table,
        s,
        target.kind,
        folder / "ensemble.png",
        dict(bands) if bands else None,
        f"{target.name}: {runs} runs, seed {seed}",
    )
    return StudyResult(table, s, folder)


def _check_seed(seed: int) -> None:
    if not 0 <= int(seed) <= MAX_SEED:
        raise HyosanError(f"--seed must be 0 to {MAX_SEED}, got {seed}")


def parse_grid(items: list[str]) -> dict[str, list[float]]:
    """Turn ['beta=0.01:0.03:5'] into {'beta': [0.01, 0.015, ...]} (NAME=LO:HI:N, N points)."""
    grid: dict[str, list[float]] = {}
    for item in items:
        name, sep, text = item.partition("=")
        parts = text.split(":")
        if not sep or not name.strip() or len(parts) != 3:
            raise HyosanError(
                f"malformed --grid {item!r}: expected NAME=LO:HI:N, e.g. --grid beta=0.01:0.03:5"
            )
        try:
            lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise HyosanError(
                f"malformed --grid {item!r}: LO and HI must be numbers and N a whole number"
            ) from None
        if n < 1 or not (math.isfinite(lo) and math.isfinite(hi)):
            raise HyosanError(f"malformed --grid {item!r}: N must be >= 1 and LO, HI finite")
        if n == 1 and lo != hi:
            raise HyosanError(f"malformed --grid {item!r}: one point (N = 1) needs LO = HI")
        if lo > hi:
            raise HyosanError(f"malformed --grid {item!r}: LO must not be above HI")
        if name.strip() in grid:
            raise HyosanError(f"--grid {name.strip()} is given twice")
        grid[name.strip()] = np.linspace(lo, hi, n).tolist()
    if not grid:
        raise HyosanError("a sweep needs at least one --grid NAME=LO:HI:N")
    return grid


def sweep(
    target: Target,
    grid: dict[str, list[float]],
    runs: int = 1,
    seed: int = 0,
    outcome: str | None = None,
    cluster: Cluster | None = None,
    out=None,
    force: bool = False,
    resume: bool = False,
    progress=None,
) -> StudyResult:
    """Run `runs` seeded runs at every point of a grid; the surface is each measure's mean (and
    each yes/no measure's probability) per point. Replicate r has the same seed at every point
    (common random numbers), so differences between points are the parameters' doing."""
    if runs < 1:
        raise HyosanError(f"--runs must be >= 1, got {runs}")
    _check_seed(seed)
    names = list(grid)
    n_points = math.prod(map(len, grid.values()))
    check_memory(n_points * runs * JOB_BYTES, f"{n_points:,} points x {runs:,} runs")
    check_box(target, grid)  # a model's parameters are checked by range alone: the corners do
    first = {n: v[0] for n, v in grid.items()}
    for n, values in grid.items() if target.kind != "model" else ():
        for v in values:  # each value once: a whole-number field refuses 2.5 between 1 and 4
            stop.check()
            target.configure({**first, n: v})
    points = list(itertools.product(*grid.values()))
    manifest = {"study": "sweep", "target": target.describe(), "seed": seed, "runs": runs, "grid": grid}
    folder = open_folder(out, f"{target.name}-sweep", manifest, force, resume)
    jobs = [Job(g * runs + r, r, tuple(zip(names, p))) for g, p in enumerate(points) for r in range(runs)]
    timing = _run(target, seed, jobs, folder, cluster or Cluster(), progress)
    table = dask_runs.read_table(folder)
    measures = summaries.measures(table, names)
    surface = table.groupby(names, sort=True)[measures].mean().reset_index()
    surface.to_csv(folder / "sweep.csv", index=False)
    outcome = outcome or headline(target)
    if outcome not in measures:
        raise HyosanError(
            f"--outcome {outcome!r} is not a measure of {target.name}; measures: {', '.join(measures)}"
        )
    sweep_png(
        surface,
        table,
        names,
        outcome,
        folder / "sweep.png",
        f"{target.name}: {outcome}, {runs} runs per point",
    )
    s = {
        **manifest,
        "outcome": outcome,
        "surface": surface.to_dict(orient="records"),
        "timing": timing,
        "folder": str(folder),
    }
    (folder / "summary.json").write_text(json.dumps(s, indent=2, default=jsonable) + "\n")
    return StudyResult(table, s, folder)


def sweep_png(surface: pd.DataFrame, table: pd.DataFrame, names: list[str], outcome: str, path, title: str):
    """One parameter: the measure's mean with the 5-95 % of runs; two: a heat map of the mean."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 5))
    if len(names) == 1:
        x = names[0]
        q = table.groupby(x)[outcome].quantile([0.05, 0.95]).unstack()
        ax.fill_between(q.index, q[0.05], q[0.95], color="tab:blue", alpha=0.2, label="5-95 % of runs")
        ax.plot(surface[x], surface[outcome], "o-", color="tab:blue", label="mean")
        ax.set(xlabel=x, ylabel=outcome)
        ax.legend()
    else:
        a, b = names[:2]
        piv = surface.groupby([b, a])[outcome].mean().unstack()
        im = ax.imshow(
            piv.to_numpy(),
            origin="lower",
            aspect="auto",
            cmap="viridis",
            extent=(piv.columns.min(), piv.columns.max(), piv.index.min(), piv.index.max()),
        )
        fig.colorbar(im, ax=ax, label=f"mean {outcome}")
        ax.set(xlabel=a, ylabel=b)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def parse_vary(items: list[str]) -> dict[str, tuple[float, float]]:
    """Turn ['beta=0.01:0.03'] into {'beta': (0.01, 0.03)} (NAME=LO:HI, LO < HI)."""
    out: dict[str, tuple[float, float]] = {}
    for item in items:
        name, sep, text = item.partition("=")
        parts = text.split(":")
        try:
            lo, hi = float(parts[0]), float(parts[1])
            ok = sep and name.strip() and len(parts) == 2 and math.isfinite(lo) and math.isfinite(hi)
        except (ValueError, IndexError):
            ok = False
        if not ok:
            raise HyosanError(f"malformed --vary {item!r}: expected NAME=LO:HI, e.g. --vary beta=0.01:0.03")
        if not lo < hi:
            raise HyosanError(f"--vary {item!r}: LO must be below HI")
        out[name.strip()] = (lo, hi)
    if len(out) < 2:
        raise HyosanError("a sensitivity analysis needs at least two --vary NAME=LO:HI")
    return out


def sensitivity(
    target: Target,
    vary: dict[str, tuple[float, float]],
    samples: int = 64,
    seed: int = 0,
    outcome: str | None = None,
    cluster: Cluster | None = None,
    out=None,
    force: bool = False,
    resume: bool = False,
    progress=None,
) -> StudyResult:
    """Sobol' indices (first order and total, with 95 % intervals, SALib) of every measure over
    the varied parameters: samples x (parameters + 2) runs of Saltelli's design, each with its
    own seed, so the indices include the run-to-run noise as part of no parameter."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if samples < 2 or samples & (samples - 1):
        raise HyosanError(f"--samples must be a power of two >= 2 (Sobol' sequence), got {samples}")
    _check_seed(seed)
    names = list(vary)
    check_memory(samples * (len(names) + 2) * JOB_BYTES, f"{samples * (len(names) + 2):,} runs")
    problem = {"num_vars": len(names), "names": names, "bounds": [list(vary[n]) for n in names]}
    X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    check_box(target, vary)
    manifest = {
        "study": "sensitivity",
        "target": target.describe(),
        "seed": seed,
        "samples": samples,
        "vary": {n: list(v) for n, v in vary.items()},
    }
    folder = open_folder(out, f"{target.name}-sensitivity", manifest, force, resume)
    jobs = [Job(j, j, tuple(zip(names, map(float, x)))) for j, x in enumerate(X)]
    timing = _run(target, seed, jobs, folder, cluster or Cluster(), progress)
    table = dask_runs.read_table(folder)
    indices, skipped = {}, {}
    for col in summaries.measures(table, names):
        y = table[col].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            skipped[col] = "has no value in some runs (never happened)"
            continue
        if y.std() == 0:
            skipped[col] = "the same in every run"
            continue
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        indices[col] = {
            n: {k: float(si[k][i]) for k in ("S1", "S1_conf", "ST", "ST_conf")} for i, n in enumerate(names)
        }
    outcome = outcome or headline(target)
    if outcome not in indices:
        raise HyosanError(
            f"no Sobol' indices for {outcome!r}: "
            + (skipped.get(outcome, "not a measure") + f"; measures with indices: {', '.join(indices)}")
        )
    s = {
        **manifest,
        "runs": len(jobs),
        "outcome": outcome,
        "indices": indices,
        "skipped": skipped,
        "timing": timing,
        "folder": str(folder),
    }
    (folder / "sensitivity.json").write_text(json.dumps(s, indent=2, default=jsonable) + "\n")
    (folder / "summary.json").write_text(json.dumps(s, indent=2, default=jsonable) + "\n")
    sensitivity_png(
        indices[outcome], folder / "sensitivity.png", f"{target.name}: Sobol' indices of {outcome}"
    )
    return StudyResult(table, s, folder)


def sensitivity_png(ind: dict, path, title: str) -> None:
    """First-order and total indices of one measure, with their 95 % intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(ind)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(5, 1.6 * len(names)), 4.5))
    for off, k, label in ((-0.18, "S1", "first order"), (0.18, "ST", "total")):
        ax.bar(
            x + off,
            [ind[n][k] for n in names],
            0.36,
            yerr=[ind[n][k + "_conf"] for n in names],
            capsize=4,
            label=label,
        )
    ax.set_xticks(x, names)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(ylabel="Sobol' index", title=title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
