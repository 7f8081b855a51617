"""The one return type of every solver: counts of each species over time, for one or many runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass
class Trajectory:
    """Times and counts: `x[run, time, species]`, with what produced them.

    Attributes: t (n,), x (runs, n, species), species names, model name, method,
    parameter values, seed (None for the ODE), events fired per run (stochastic solvers),
    and the roles of species (which count as humans, as zombies and as infected) used by
    `summary` and `died_out`.
    """

    t: np.ndarray
    x: np.ndarray
    species: tuple[str, ...]
    model: str
    method: str
    params: dict[str, float]
    seed: int | None = None
    events: np.ndarray | None = None
    humans: tuple[str, ...] = ("S",)
    zombies: tuple[str, ...] = ("Z",)
    infected: tuple[str, ...] = ()
    time_unit: str = "day"
    meta: dict = field(default_factory=dict)

    @property
    def runs(self) -> int:
        """Number of runs (1 for the ODE)."""
        return self.x.shape[0]

    def __getitem__(self, species: str) -> np.ndarray:
        """Counts of one species, shape (runs, times)."""
        return self.x[:, :, self.species.index(species)]

    def total(self, names: tuple[str, ...]) -> np.ndarray:
        """Summed counts of several species, shape (runs, times)."""
        return sum(self[s] for s in names)

    def died_out(self) -> np.ndarray:
        """Per run: whether the outbreak died out, no zombie and nobody infected left at the end
        (fewer than half a person, for the ODE): the one rule for every picture and table."""
        return self.total(tuple(dict.fromkeys(self.zombies + self.infected)))[:, -1] < 0.5

    @property
    def final(self) -> np.ndarray:
        """Counts at the last time, shape (runs, species)."""
        return self.x[:, -1, :]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per run and time point: columns run, t, then one per species."""
        runs, n, _ = self.x.shape
        data = {"run": np.repeat(np.arange(runs), n), "t": np.tile(self.t, runs)}
        integer = self.method != "ode"
        for i, s in enumerate(self.species):
            col = self.x[:, :, i].reshape(-1)
            data[s] = col.astype(np.int64) if integer else col
        return pd.DataFrame(data)

    def to_parquet(self, path: str | Path) -> Path:
        """Write the DataFrame form to a Parquet file (with model, method and seed as metadata)."""
        import json

        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(self.to_dataframe(), preserve_index=False)
        meta = {
            b"hyosan": json.dumps(
                {
                    "model": self.model,
                    "method": self.method,
                    "seed": self.seed,
                    "params": self.params,
                    "time_unit": self.time_unit,
                }
            ).encode()
        }
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
        path = Path(path)
        pq.write_table(table, path)
        return path

    def crossing_times(self) -> dict[str, np.ndarray]:
        """Per run: first time humans fall below one, first time zombies outnumber humans (nan if never).

        Solvers that find them at full resolution leave them in meta["crossings"] (the ODE's root
        search, the stochastic kernels' event times); otherwise they are interpolated between output
        points.
        """
        if "crossings" in self.meta:
            return {k: np.atleast_1d(np.asarray(v, float)) for k, v in self.meta["crossings"].items()}
        humans, zombies = self.total(self.humans), self.total(self.zombies)
        return {
            "humans_below_one": _first_time(self.t, humans - 1.0, below=True),
            "zombies_outnumber_humans": _first_time(self.t, zombies - humans, below=False),
        }

    def summary(self) -> dict:
        """A short account: when humans fell below one, when zombies first outnumbered them, final counts."""
        cross = self.crossing_times()
        out = {
            "model": self.model,
            "method": self.method,
            "runs": self.runs,
            "seed": self.seed,
            "t_end": float(self.t[-1]),
            "time_unit": self.time_unit,
            "params": self.params,
        }
        for key, times in cross.items():
            hit = np.isfinite(times)
            entry = {"fraction_of_runs": float(hit.mean())}
            if hit.any():
                entry["median"] = float(np.median(times[hit]))
                if self.runs > 1:
                    entry["p5"], entry["p95"] = (float(v) for v in np.percentile(times[hit], [5, 95]))
            out[key] = entry
        final = {}
        for i, s in enumerate(self.species):
            v = self.final[:, i]
            final[s] = (
                float(v[0])
                if self.runs == 1
                else {
                    "median": float(np.median(v)),
                    "p5": float(np.percentile(v, 5)),
                    "p95": float(np.percentile(v, 95)),
                }
            )
        out["final"] = final
        if self.events is not None:
            out["events"] = int(self.events.sum())
        return out

    def plot(self, ax=None, species: tuple[str, ...] | None = None):
        """Plot counts over time: lines for one run, median and 5-95% band for ensembles."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(10, 4.5))
        else:
            fig = ax.figure
        # runs that died out early are drawn apart (thin lines), so the band shows the outbreaks
        # that took off rather than a muddy mix of both
        died = self.died_out() if self.runs > 1 else np.zeros(1, bool)
        took = ~died
        for name in species or self.species:
            y = self[name]
            if self.runs == 1:
                ax.plot(self.t, y[0], label=name)
                continue
            color = None
            if took.any():
                lo, med, hi = np.percentile(y[took], [5, 50, 95], axis=0)
                (line,) = ax.plot(self.t, med, label=f"{name}, median of {took.sum()} outbreaks")
                color = line.get_color()
                ax.fill_between(self.t, lo, hi, color=color, alpha=0.2, linewidth=0)
            if died.any():
                med = np.median(y[died], axis=0)
                ax.plot(
                    self.t, med, ls=":", lw=1.5, color=color, label=f"{name}, median of {died.sum()} die-outs"
                )
        runs = ""
        if self.runs > 1:
            runs = f", {self.runs} runs: {took.sum()} took off (5-95% band), {died.sum()} died out (dotted)"
        ax.set(
            xlabel=f"time ({self.time_unit}s)",
            ylabel="count (people)",
            title=f"{self.model} ({self.method}{runs})",
        )
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
        fig.tight_layout()
        return fig


def _first_time(t: np.ndarray, y: np.ndarray, below: bool) -> np.ndarray:
    """First time each row of y crosses zero (below: y < 0; else y > 0), linearly interpolated."""
    out = np.full(y.shape[0], np.nan)
    for r in range(y.shape[0]):
        cond = y[r] < 0 if below else y[r] > 0
        hits = np.flatnonzero(cond)
        if hits.size == 0:
            continue
        i = hits[0]
        if i == 0:
            out[r] = t[0]
        else:
            y0, y1 = y[r, i - 1], y[r, i]
            out[r] = t[i - 1] + (t[i] - t[i - 1]) * (y0 / (y0 - y1) if y0 != y1 else 1.0)
    return out
