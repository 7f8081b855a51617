"""Hyosan city across seeds: the calibration table of docs/city.md.

python -m benchmarks city-study   # 40 seeds of the bundled defaults -> docs/city.md

The defaults themselves come from `hyosan calibrate hyosan-city --targets docs/city-targets.toml`
(docs/city.md), which replaced the hand-written grid search that lived here.
"""

from __future__ import annotations

import numpy as np

from hyosan.scenario import resolve
from hyosan.scenario.city import load_city

from .common import ROOT, write_section

STORY = {"got_out": 110_000, "bombing_killed_infected": 50_000, "bombing_killed_uninfected": 10_000}
LABELS = {
    "got_out": "got out through the checkpoints",
    "bombing_killed_infected": "infected killed in the bombing",
    "bombing_killed_uninfected": "uninfected killed in the bombing",
    "zombies_destroyed_before_bombing": "zombies destroyed by residents before the bombing",
    "left_uninfected": "uninfected left in the city at the end",
}


def study(argv: list[str]) -> None:
    """Run the bundled hyosan-city for 40 seeds (3 with --quick) and tabulate the story's figures."""
    seeds = range(3 if "--quick" in argv else 40)
    rows = []
    for seed in seeds:
        s = load_city(resolve("hyosan-city"), seed=seed).run().summary()
        s["left_uninfected"] = s["left_in_city"]["uninfected"]
        rows.append(s)
    lines = [
        f"Measured by `python -m benchmarks city-study`: the bundled defaults, seeds 0-{len(rows) - 1}.",
        "",
        "| figure | story | median | 5 % | 95 % | seeds within 20 % of the story |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in LABELS.items():
        v = np.array([r[key] for r in rows])
        story = f"about {STORY[key]:,}" if key in STORY else ""
        near = f"{int((abs(v - STORY[key]) <= 0.2 * STORY[key]).sum())} of {v.size}" if key in STORY else ""
        lines.append(
            f"| {label} | {story} | {int(np.median(v)):,} | {int(np.percentile(v, 5)):,} | "
            f"{int(np.percentile(v, 95)):,} | {near} |"
        )
    near = [all(abs(r[k] / v - 1) <= 0.2 for k, v in STORY.items()) for r in rows]
    miss = [sum(abs(r[k] / v - 1) for k, v in STORY.items()) for r in rows]
    best = rows[int(np.argmin(miss))]
    lines += [
        "",
        f"Seeds within 20 % of the story on all three figures: {sum(near)} of {len(rows)}. Closest to the "
        f"story: seed {best['seed']} ({best['got_out']:,} out, "
        f"{best['bombing_killed_infected']:,} infected and "
        f"{best['bombing_killed_uninfected']:,} uninfected killed in the bombing).",
    ]
    text = "\n".join(lines)
    print(text)
    if "--quick" not in argv:
        write_section("city-seeds", text, ROOT / "docs" / "city.md")
