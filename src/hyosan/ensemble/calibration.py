"""Calibration: which parameter values reproduce observed figures (Optuna, resumable via SQLite).

A targets file (TOML) names the parameters to vary with their ranges, the figures to hit and how
many runs judge a trial:

    runs = 6          # seeded runs per trial (replicate r has the same seed in every trial)
    trials = 40       # trials in all (a resumed calibration runs only those it lacks)
    batch = 4         # trials asked of Optuna at a time, their runs sent to the workers together
    [vary]
    "virus.beta" = [0.008, 0.02]
    [start]           # optional: a setting to try first (say, the current defaults)
    "virus.beta" = 0.014
    [[target]]
    outcome = "got_out"
    value = 110000
    weight = 1.0        # optional
    statistic = "median" # or "mean"

A trial's loss is the sum of weight x |statistic of the outcome over its runs / value - 1|.
Optuna's TPE sampler (seeded) proposes the trials; the study lives in `calibration.db` in the
run folder, so `--resume` goes on from the trials already told. Why Optuna rather than pyABC: the
story gives three figures, not data with a noise model, so what is asked is the setting closest
to them, a minimisation; an ABC posterior would need a tolerance we could only make up.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import HyosanError, read_toml
from ..limits import check_memory
from ..results.report import jsonable
from . import dask_runs
from .studies import JOB_BYTES, Cluster, StudyResult, _check_seed, open_folder
from .summaries import measures
from .targets import Job, Target, check_box


class Figure(BaseModel):
    """One observed figure a calibration aims at."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    outcome: str
    value: float = Field(description="the observed figure (not zero: misses are relative)")
    weight: float = Field(1.0, gt=0)
    statistic: Literal["median", "mean"] = "median"

    @field_validator("value")
    @classmethod
    def _nonzero(cls, v):
        if v == 0:
            raise ValueError("must not be zero (the loss is a relative miss)")
        return v


class Targets(BaseModel):
    """A calibration's targets file."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    runs: int = Field(6, ge=1)
    trials: int = Field(40, ge=1)
    batch: int = Field(4, ge=1)
    vary: dict[str, Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        min_length=1, description="each varied parameter's [low, high]"
    )
    start: dict[str, float] = Field(
        default_factory=dict, description="a setting to try first (say, the current defaults)"
    )
    target: list[Figure] = Field(min_length=1)

    @field_validator("vary")
    @classmethod
    def _ranges(cls, v):
        for name, (lo, hi) in v.items():
            if not lo < hi:
                raise ValueError(f"{name}: the range [{lo:g}, {hi:g}] must have its low end first")
        return v

    @model_validator(mode="after")
    def _start_inside(self):
        for name, x in self.start.items():
            if name not in self.vary:
                raise ValueError(
                    f"start: {name!r} is not one of the varied parameters ({', '.join(self.vary)})"
                )
            lo, hi = self.vary[name]
            if not lo <= x <= hi:
                raise ValueError(f"start: {name} = {x:g} is outside its range [{lo:g}, {hi:g}]")
        return self


def read_targets(path: Path) -> Targets:
    """Read and check a targets file; errors name the file, line and field."""
    from ..scenario.schema import validation_error

    text, data = read_toml(path, "targets")
    try:
        return Targets.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, text, exc, docs="docs/ensembles.md") from None


def loss(table: pd.DataFrame, figures: list[Figure]) -> tuple[float, dict]:
    """A trial's loss over its runs, and the statistic of each figure."""
    total, got = 0.0, {}
    for f in figures:
        if f.outcome not in measures(table):
            raise HyosanError(
                f"targets: outcome {f.outcome!r} is not a measure; measures: {', '.join(measures(table))}"
            )
        x = table[f.outcome].to_numpy(dtype=float)
        v = float(np.median(x) if f.statistic == "median" else np.mean(x))
        got[f.outcome] = v
        total += f.weight * abs(v / f.value - 1) if math.isfinite(v) else math.inf
    return total, got


def calibrate(
    target: Target,
    targets: Targets,
    seed: int = 0,
    cluster: Cluster | None = None,
    out=None,
    force: bool = False,
    resume: bool = False,
    progress=None,
) -> StudyResult:
    """Search the `vary` ranges for the setting whose runs come closest to the figures; returns the
    table of every run (with its trial's parameters) and a summary with the best setting."""
    import optuna

    _check_seed(seed)
    T, R = targets.trials, targets.runs
    check_memory(T * R * JOB_BYTES, f"{T:,} trials x {R:,} runs")
    check_box(target, targets.vary)
    manifest = {
        "study": "calibration",
        "target": target.describe(),
        "seed": seed,
        "targets": targets.model_dump(),
    }
    folder = open_folder(out, f"{target.name}-calibration", manifest, force, resume)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name="calibration",
        storage=f"sqlite:///{(folder / 'calibration.db').resolve()}",
        sampler=optuna.samplers.TPESampler(seed=seed),
        direction="minimize",
        load_if_exists=True,
    )
    if targets.start and not study.get_trials(deepcopy=False):
        study.enqueue_trial(targets.start)  # the first trial, before the sampler proposes any
    names, R = list(targets.vary), targets.runs
    total_runs = targets.trials * R
    cl = cluster or Cluster()
    with dask_runs.client(cl.workers, cl.scheduler) as c:
        # trials a killed calibration left running are finished first: their runs are deterministic
        pending = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.RUNNING]
        pending = [optuna.trial.Trial(study, t._trial_id) for t in pending]
        while True:
            told = sum(t.state.is_finished() for t in study.get_trials(deepcopy=False))
            if not pending:
                k = min(targets.batch, targets.trials - told)
                if k <= 0:
                    break
                pending = [study.ask() for _ in range(k)]
                for t in pending:
                    for n, (lo, hi) in targets.vary.items():
                        t.suggest_float(n, lo, hi)
            jobs = [
                Job(t.number * R + r, r, tuple((n, float(t.params[n])) for n in names))
                for t in pending
                for r in range(R)
            ]
            done_before = told * R

            def report(done, total, base=done_before):
                if progress is not None:
                    progress(min(base + done, total_runs), total_runs)

            dask_runs.run_jobs(c, target, seed, jobs, folder, progress=report)
            table = dask_runs.read_table(folder, {j.run for j in jobs})
            for t in pending:
                rows = table[table["run"] // R == t.number]
                value, got = loss(rows, targets.target)
                for k, v in got.items():
                    t.set_user_attr(k, v)
                if math.isfinite(value):
                    study.tell(t, value)
                else:  # a figure with no value in these runs (never happened): no loss to tell
                    study.tell(t, state=optuna.trial.TrialState.FAIL)
            pending = []
    return _report(study, target, targets, folder, manifest)


def _report(study, target: Target, targets: Targets, folder: Path, manifest: dict) -> StudyResult:
    import optuna

    trials = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]
    if not trials:
        figures = ", ".join(f.outcome for f in targets.target)
        raise HyosanError(
            f"no trial gave a finite loss: in every trial a target figure ({figures}) had no value or an "
            "infinite distance; check the targets' outcomes and values"
        )
    rows = [{"trial": t.number, **t.params, "loss": t.value, **t.user_attrs} for t in trials]
    df = pd.DataFrame(rows).sort_values("trial")
    df.to_csv(folder / "calibration.csv", index=False)
    best = study.best_trial
    s = {
        **manifest,
        "trials": len(trials),
        "best": {"trial": best.number, "params": best.params, "loss": best.value, "figures": best.user_attrs},
        "folder": str(folder),
    }
    (folder / "summary.json").write_text(json.dumps(s, indent=2, default=jsonable) + "\n")
    calibration_png(df, list(targets.vary), folder / "calibration.png", f"{target.name}: calibration")
    return StudyResult(dask_runs.read_table(folder), s, folder)


def calibration_png(df: pd.DataFrame, names: list[str], path, title: str) -> None:
    """The loss of each trial with the best so far, and where the trials went in each parameter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 1 + len(names), figsize=(4.5 * (1 + len(names)), 4))
    axes[0].plot(df["trial"], df["loss"], "o", color="tab:gray", ms=4, label="trial")
    axes[0].plot(df["trial"], df["loss"].cummin(), color="tab:red", label="best so far")
    axes[0].set(xlabel="trial", ylabel="loss", yscale="log", title=title)
    axes[0].legend()
    best = df.loc[df["loss"].idxmin()]
    for ax, n in zip(axes[1:], names):
        ax.scatter(df[n], df["loss"], c=df["trial"], cmap="viridis", s=14)
        ax.axvline(best[n], color="tab:red", lw=1)
        ax.set(xlabel=n, ylabel="loss", yscale="log")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
