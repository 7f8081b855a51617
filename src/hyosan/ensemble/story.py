"""The story's arc over many seeds: docs/story.md's figures, from an ensemble of the school.

    hyosan ensemble hyosan-high --runs 200 --days 5 --seed 1 --out runs/story --force
    python -m hyosan.ensemble.story runs/story docs/story.md

(`make story` runs both.) The second reads the ensemble's outcome table and rewrites the block
between the markers of docs/story.md; the rest of the page is written by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import HyosanError
from .summaries import distribution, proportion

BEGIN = "<!-- BEGIN STORY FIGURES (written by python -m hyosan.ensemble.story; do not edit) -->\n"
END = "<!-- END STORY FIGURES -->"
ALIVE = ("survived", "escaped", "rescued", "hybrid")  # a fate that leaves the character alive
HOLD_HOURS = 48.0  # "holds survivors for days, not hours"


def _p(k: int, n: int) -> str:
    p = proportion(k, n)
    return f"{100 * p['p']:.0f} % ({k} of {n}; 95 % interval {100 * p['lo']:.0f}-{100 * p['hi']:.0f} %)"


def _dist(x) -> str:
    d = distribution(np.asarray(x, float))
    if not d["runs_with_value"]:
        return "never"
    k = d["runs_with_value"]
    return f"median {d['p50']:.1f} (5-95 %: {d['p5']:.1f}-{d['p95']:.1f}; {k} runs with a value)"


def figures(df: pd.DataFrame) -> str:
    """The story's figures over the runs of one table, as Markdown."""
    n = len(df)
    if n == 0:
        raise HyosanError("the ensemble holds no runs")
    groups = [c[: -len(": some live, some not")] for c in df.columns if c.endswith(": some live, some not")]
    rows = [
        ("zombies outnumber the living within 3 hours", _p(int(df["overrun_3h"].sum()), n)),
        ("hours until they do", _dist(df["overrun_hours"])),
        (
            f"people still in the school (alive) after {HOLD_HOURS:.0f} hours",
            _p(int((df["people_left_hours"] >= HOLD_HOURS).sum()), n),
        ),
        ("hours until the last person in the school is gone", _dist(df["people_left_hours"])),
        ("survivors at the end (never bitten: in the school, escaped or rescued)", _dist(df["survivors"])),
        *(
            (f"{g}: some live and some do not", _p(int(df[f"{g}: some live, some not"].sum()), n))
            for g in groups
        ),
        *((f"{g}: how many live", _dist(df[f"{g}: alive"])) for g in groups),
        ("the helicopter rescues someone", _p(int((df["rescued"] > 0).sum()), n)),
        ("people rescued by the helicopter", _dist(df["rescued"])),
        ("the lure draws zombies into its room", _p(int((df["lured"] > 0).sum()), n)),
        ("zombies in the lure's room as it stops", _dist(df["lured"])),
        ("the bombing kills someone", _p(int((df["bombed"] > 0).sum()), n)),
        ("killed by the bombing", _dist(df["bombed"])),
    ]
    out = [
        f"Runs: {n}, {df['hours'].max() / 24:g} story days each.",
        "",
        "| figure | over the runs |",
        "|---|---|",
    ]
    out += [f"| {a} | {b} |" for a, b in rows]
    fates = [c for c in df.columns if c.startswith("fate: ")]
    out += [
        "",
        "| character | alive at the end (survived, escaped, rescued or hybrid) | most common fate |",
        "|---|---|---|",
    ]
    for c in fates:
        counts = df[c].value_counts()
        alive = int(df[c].isin(ALIVE).sum())
        out.append(f"| {c[6:]} | {_p(alive, n)} | {counts.index[0]} ({100 * counts.iloc[0] / n:.0f} %) |")
    return "\n".join(out) + "\n"


def update(folder: Path, doc: Path) -> None:
    """Rewrite docs/story.md's figures from an ensemble run folder."""
    parts = Path(folder) / "parts"
    if not parts.is_dir():
        raise HyosanError(f"{folder}: no parts/ folder: not an ensemble run folder")
    text = doc.read_text()
    if BEGIN not in text or END not in text:
        raise HyosanError(f"{doc}: the markers of the generated block are missing")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    doc.write_text(head + BEGIN + figures(pd.read_parquet(parts)) + END + tail)


if __name__ == "__main__":
    try:
        update(Path(sys.argv[1]), Path(sys.argv[2]))
    except (HyosanError, IndexError) as exc:
        print(f"error: {exc or 'usage: python -m hyosan.ensemble.story RUN_FOLDER DOC'}", file=sys.stderr)
        sys.exit(2)
