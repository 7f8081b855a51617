"""From an outcome table to answers: probabilities with intervals, distributions, bands, plots."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..results.runs import FATES

ID_COLUMNS = ("run", "key", "seed")
QUANTILES = (5, 25, 50, 75, 95)


def measures(df: pd.DataFrame, params=()) -> list[str]:
    """The columns of a table of runs that are numbers or yes/no (bool is numeric to pandas), less
    the run's identity and its parameters: what a sweep averages and a Sobol' analysis explains."""
    return [c for c in df.columns if c not in (*ID_COLUMNS, *params) and pd.api.types.is_numeric_dtype(df[c])]


def proportion(k: int, n: int) -> dict:
    """k of n as a probability with its 95 % Wilson interval (scipy)."""
    from scipy.stats import binomtest

    if n == 0:
        return {"p": math.nan, "lo": math.nan, "hi": math.nan, "k": 0, "n": 0}
    ci = binomtest(int(k), int(n)).proportion_ci(0.95, method="wilson")
    return {"p": k / n, "lo": float(ci.low), "hi": float(ci.high), "k": int(k), "n": int(n)}


def distribution(x: np.ndarray) -> dict:
    """Mean, spread and quantiles of a measure over runs (nan values, 'never', counted apart)."""
    x = np.asarray(x, dtype=float)
    ok = x[np.isfinite(x)]
    out = {"runs": int(x.size), "runs_with_value": int(ok.size)}
    if ok.size:
        out.update(mean=float(ok.mean()), sd=float(ok.std(ddof=1)) if ok.size > 1 else 0.0)
        out.update({f"p{q}": float(v) for q, v in zip(QUANTILES, np.percentile(ok, QUANTILES))})
    return out


def summarize(df: pd.DataFrame, kind: str, params: tuple[str, ...] = ()) -> dict:
    """The answers for a table of runs: every yes/no measure as a probability with its interval,
    every number as a distribution, and (schools) each named character's fate probabilities."""
    n = len(df)
    out: dict = {"runs": n, "probabilities": {}, "distributions": {}}
    for col in df.columns:
        if col in ID_COLUMNS or col in params:
            continue
        s = df[col]
        if col.startswith("fate: "):
            counts = s.value_counts()
            out.setdefault("fates", {})[col[6:]] = {
                f: proportion(int(counts.get(f, 0)), n)
                for f in FATES
                if counts.get(f, 0) or f in ("survived",)
            }
        elif s.dtype == bool:
            out["probabilities"][col] = proportion(int(s.sum()), n)
        elif pd.api.types.is_numeric_dtype(s):
            out["distributions"][col] = distribution(s.to_numpy())
    if kind == "school" and "overrun_hours" in df:
        out["probabilities"]["overrun"] = proportion(int(np.isfinite(df["overrun_hours"]).sum()), n)
    return out


def bands(curves: np.ndarray) -> dict[str, list[float]]:
    """Quantile bands over runs at each time point of a (runs, times) array."""
    q = np.percentile(curves, QUANTILES, axis=0)
    return {f"p{p}": row.tolist() for p, row in zip(QUANTILES, q)}


def summary_lines(s: dict, kind: str, top: int = 12) -> list[str]:
    """The summary as a few printed lines: fates (schools), probabilities, key distributions."""
    lines = []
    if "fates" in s:
        lines.append("named characters: chance of each fate (95 % interval)")
        for name, fates in s["fates"].items():
            parts = [f"{f} {v['p']:.0%} [{v['lo']:.0%}-{v['hi']:.0%}]" for f, v in fates.items() if v["k"]]
            lines.append(f"  {name}: " + ", ".join(parts))
    for name, v in s["probabilities"].items():
        lines.append(f"  P({name}) = {v['p']:.3f} [{v['lo']:.3f}-{v['hi']:.3f}] ({v['k']} of {v['n']} runs)")
    for name, d in list(s["distributions"].items())[:top]:
        if "p50" not in d:
            lines.append(f"  {name}: never, in all {d['runs']} runs")
            continue
        never = (
            f"; no value in {d['runs'] - d['runs_with_value']} runs"
            if d["runs_with_value"] < d["runs"]
            else ""
        )
        lines.append(
            f"  {name}: median {d['p50']:.4g} [5-95 %: {d['p5']:.4g}-{d['p95']:.4g}], "
            f"mean {d['mean']:.4g}{never}"
        )
    return lines


def ensemble_png(df: pd.DataFrame, s: dict, kind: str, path, curves: dict | None = None, title: str = ""):
    """The picture of an ensemble: fates and the survivors and overrun distributions (school),
    bands over time and final sizes (model), the headline figures' distributions (city)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if kind == "school":
        fig, axes = plt.subplots(1, 3, figsize=(15, 5.5), gridspec_kw={"width_ratios": [1.6, 1, 1]})
        _fates_panel(axes[0], s.get("fates", {}))
        _hist(axes[1], df["survivors"], "survivors at the end (people)", f"{len(df)} runs")
        over = df["overrun_hours"].to_numpy(dtype=float)
        _hist(
            axes[2],
            over[np.isfinite(over)],
            "hours until zombies outnumber humans",
            f"overrun in {np.isfinite(over).sum()} of {len(df)} runs",
        )
    elif kind == "model" and curves:
        fig, axes = plt.subplots(1, 2, figsize=(13, 5))
        t = np.asarray(curves.pop("t"))
        took, died = curves.pop("took_off", len(df)), curves.pop("died_out", 0)
        for i, (sp, b) in enumerate(curves.items()):
            color = f"C{i}"
            axes[0].fill_between(t, b["p5"], b["p95"], color=color, alpha=0.15)
            axes[0].fill_between(t, b["p25"], b["p75"], color=color, alpha=0.3)
            axes[0].plot(t, b["p50"], color=color, label=f"{sp}, median")
            if "died_out_p50" in b:
                axes[0].plot(t, b["died_out_p50"], color=color, ls=":", label=f"{sp}, median of die-outs")
        which = f"the {took} runs that took off" if took else f"all {died} runs (every one died out)"
        axes[0].set(
            xlabel="time (the model's units)",
            ylabel="count (people)",
            title=f"median, 25-75 % and 5-95 % of {which}"
            + (f"; {died} died out (dotted)" if took and died else ""),
        )
        axes[0].legend(fontsize=8)
        finals = [c for c in df.columns if c.startswith("final ")]
        axes[1].boxplot([df[c] for c in finals], tick_labels=[c[6:] for c in finals])
        axes[1].set(title="final counts over all runs", ylabel="count (people)")
    else:
        cols = [c for c, d in s["distributions"].items() if "p50" in d and d["p95"] > d["p5"]][:6]
        fig, axes = plt.subplots(1, max(1, len(cols)), figsize=(4 * max(1, len(cols)), 4.5), squeeze=False)
        for ax, c in zip(axes[0], cols):
            _hist(ax, df[c], c, "")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _hist(ax, x, xlabel: str, title: str) -> None:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size:
        ax.hist(x, bins=min(30, max(5, int(np.sqrt(x.size)))), color="tab:gray", edgecolor="white")
    ax.set(xlabel=xlabel, ylabel="runs", title=title)


FATE_COLORS = {
    "survived": "tab:green",
    "bitten": "gold",
    "escaped": "tab:cyan",
    "rescued": "tab:blue",
    "hybrid": "tab:purple",
    "turned": "tab:red",
    "died": "black",
}


def _fates_panel(ax, fates: dict) -> None:
    names = list(fates)
    left = np.zeros(len(names))
    for f in FATES:
        p = np.array([fates[n].get(f, {"p": 0.0})["p"] for n in names])
        if p.any():
            ax.barh(names, p, left=left, color=FATE_COLORS[f], label=f)
            left += p
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="share of runs", title="what becomes of each named character")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8)
