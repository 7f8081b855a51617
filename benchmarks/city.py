"""Hyosan city across seeds: the calibration table of docs/city.md.

python -m benchmarks city-study            # 40 seeds of the bundled defaults -> docs/city.md
python -m benchmarks city-study --search   # the calibration grid (prints medians, writes nothing)
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


GRID = {
    "virus.alpha": (0.05, 0.1),
    "virus.beta": (0.008, 0.01, 0.012, 0.013, 0.014),
    "evacuation.per_hour": (440, 455, 460),
    "bombing.radius_cells": (8, 12, 14),
    "patient_zero": (3, 6),
}
KEYS = ("got_out", "bombing_killed_infected", "bombing_killed_uninfected")


def search(seeds: int = 6, finalists: int = 8, final_seeds: int = 40) -> None:
    """The calibration of docs/city.md: the grid on a few seeds, then its best settings on many."""
    import itertools
    import tomllib

    from hyosan.scenario.city import CitySim, parse_city

    path = resolve("hyosan-city")
    text = path.read_text()

    def medians(values, n):
        data = tomllib.loads(text)
        for key, value in zip(GRID, values):
            table, _, field = key.rpartition(".")
            (data[table] if table else data)[field] = value
        sc = parse_city(path, text, data)
        runs = [CitySim(sc, path, seed=s).run().summary() for s in range(n)]
        med = [float(np.median([r[k] for r in runs])) for k in KEYS]
        # distance to the story: the sum of the three relative misses of the medians
        return med, sum(abs(m / STORY[k] - 1) for m, k in zip(med, KEYS))

    def show(values, med, distance):
        print(
            " | ".join([f"{v:g}" for v in values] + [f"{m:,.0f}" for m in med] + [f"{distance:.3f}"]),
            flush=True,
        )

    print(" | ".join(list(GRID) + ["median " + k for k in KEYS] + ["distance"]))
    print(f"-- the grid, seeds 0-{seeds - 1}")
    scored = []
    for values in itertools.product(*GRID.values()):
        med, distance = medians(values, seeds)
        show(values, med, distance)
        scored.append((distance, values))
    print(f"-- the best {finalists}, seeds 0-{final_seeds - 1}")
    final = []
    for _, values in sorted(scored)[:finalists]:
        med, distance = medians(values, final_seeds)
        show(values, med, distance)
        final.append((distance, values))
    print("-- chosen: " + ", ".join(f"{k} = {v:g}" for k, v in zip(GRID, min(final)[1])))


def study(argv: list[str]) -> None:
    """Run the bundled hyosan-city for 40 seeds (3 with --quick) and tabulate the story's figures."""
    if "--search" in argv:
        return search()
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
