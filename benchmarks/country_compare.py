"""The authors' Zombietown USA JavaScript against `--preset zombietown-demo`, New York to 168 hours.

    python -m benchmarks country-compare            # to 168 h, 12 take-offs a side (docs/country.md)
    python -m benchmarks country-compare --quick    # to 24 h, 2 runs that take off a side (smoke test)
    ... [--json PATH]                               # also write every run's figures to PATH

Each side runs seeds 1, 2, 3, ... until 12 runs have taken off (over 100 cells reached by the
last hour) or 150 seeds were tried: their `js/simulation.js` under Node with their driver
`run_demo.js` (seeded; it writes each cell's arrival hour), and hyosan's exact mode with the
`zombietown-demo` preset. For each run that took off: cells reached by 24, 72 and 168 hours and
the arrival hour (first zombie) at Boston, Philadelphia, Washington and Chicago, a city being its
metro area as in hyosan's summary: the cells within METRO_CELLS of its densest cell. Both sides
index cells by (row, column) of the board file, row 0 at its south edge; `check_cells` checks it.
The Markdown table is written into docs/country.md (its country-compare section); --quick only prints.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import stats

from hyosan.scenario.country import LANDMARKS, METRO_CELLS, CountryScenario, CountrySim
from hyosan.world.raster import load_population

from .common import ROOT, write_section
from .country import NYC, USA, compile_kernels
from .peers import PEERS, run_zombietown

MARKS = (24, 72, 168)  # story hours at which cells reached are counted
TAKE_OFF = 100  # a run took off when it reached over this many cells by its last hour
# Densest cell of each metro area (row, col), as in hyosan's LANDMARKS; Philadelphia and Washington
# are not there: their cells are the densest within 8 cells of the city's latitude and longitude
# (39.95 N 75.17 W, 38.91 N 77.04 W) mapped through hyosan's `lat_lon` fit of the landmarks.
CITIES = {
    "Boston": LANDMARKS["Boston"][0],
    "Philadelphia": (558, 1286),
    "Washington": (521, 1238),
    "Chicago": LANDMARKS["Chicago"][0],
}
MIN_ARRIVALS = 5  # arrivals a side needs for a KS test of a city's arrival hours


def metro_masks(shape: tuple[int, int]) -> dict[str, np.ndarray]:
    """Each city's cells: within METRO_CELLS of its densest cell (hyosan's `regions_for` rule)."""
    rows, cols = np.indices(shape)
    return {name: (rows - r) ** 2 + (cols - c) ** 2 <= METRO_CELLS**2 for name, (r, c) in CITIES.items()}


def run_js(seed: int, hours: float, shape: tuple[int, int], tmp: Path) -> tuple[np.ndarray, int, float]:
    """One run of the authors' JavaScript: arrival hours as a grid (nan: not reached; their keys are
    "row,col" of the board file, `site.y + "," + site.x`), events, seconds of their loop."""
    out = tmp / f"js-{seed}.json"
    d = run_zombietown(USA, NYC, hours, seed, out)
    out.unlink()
    grid = np.full(shape, np.nan)
    if d["arrival"]:
        rc = np.array([k.split(",") for k in d["arrival"]], dtype=np.int64)
        grid[rc[:, 0], rc[:, 1]] = list(d["arrival"].values())
    return grid, d["events"], d["seconds"]


def run_hyosan(seed: int, hours: float) -> tuple[np.ndarray, int, float]:
    """One run of hyosan's preset: arrival hours, events, seconds of the run (board set-up included)."""
    sc = CountryScenario(
        population=str(USA),
        start=f"{NYC[0]},{NYC[1]}",
        days=hours / 24,
        seed=seed,
        preset="zombietown-demo",
    )
    sim = CountrySim(sc).run()
    return sim.arrival_hours(), sim.run_.events, sim.wall


def record(seed: int, arrival: np.ndarray, events: int, seconds: float, masks: dict, marks) -> dict:
    """A take-off run's figures: cells reached by each mark, each city's arrival hour (None: not reached)."""
    reached = np.isfinite(arrival)
    cities = {}
    for name, mask in masks.items():
        hit = arrival[mask & reached]
        cities[name] = float(hit.min()) if hit.size else None
    return {
        "seed": seed,
        "events": int(events),
        "seconds": float(seconds),
        "cells": {h: int((arrival[reached] <= h).sum()) for h in marks},
        "cities": cities,
    }


def side(run, want: int, max_seeds: int, masks: dict, marks) -> dict:
    """Seeds 1, 2, ... of one side until `want` runs took off or `max_seeds` were tried."""
    t0 = time.perf_counter()
    runs, first, tried = [], None, 0
    for seed in range(1, max_seeds + 1):
        tried = seed
        arrival, events, seconds = run(seed)
        if np.isfinite(arrival).sum() > TAKE_OFF:
            runs.append(record(seed, arrival, events, seconds, masks, marks))
            first = arrival if first is None else first
            if len(runs) >= want:
                break
    return {"tried": tried, "runs": runs, "first": first, "wall": time.perf_counter() - t0}


def check_cells(js: dict, hy: dict, counts: np.ndarray) -> str:
    """Check that both sides name cells alike: the start cell, the JS cells inhabited on hyosan's
    board, and the overlap of the first take-off runs' reached cells, as read and with rows flipped."""
    a, b = js["first"], hy["first"]
    if a is None or b is None:
        return "cell check: skipped (a side has no run that took off)"
    assert np.isfinite(a[NYC]) and np.isfinite(b[NYC]), "the start cell is not reached on both sides"
    ra, rb = np.isfinite(a), np.isfinite(b)
    inhabited = (counts[ra] > 0).mean()
    assert inhabited == 1.0, f"the JS reached cells empty on hyosan's board ({1 - inhabited:.1%})"
    jaccard = (ra & rb).sum() / (ra | rb).sum()
    flipped = (ra[::-1] & rb).sum() / (ra[::-1] | rb).sum()
    assert jaccard > 0.5 > flipped, f"reached cells disagree (overlap {jaccard:.2f}, flipped {flipped:.2f})"
    return (
        f"Cell check: the start cell {NYC} is reached on both sides, every cell the JavaScript reaches is "
        f"inhabited on hyosan's board, and the first take-off runs' reached cells overlap {jaccard:.2f} "
        f"(Jaccard; {flipped:.2f} with the rows flipped)."
    )


def spread(x) -> str:
    """Median [5-95 %] of a sample, or a dash when it is empty."""
    if not len(x):
        return "-"
    p5, p50, p95 = np.percentile(x, [5, 50, 95])
    return f"{p50:,.0f} [{p5:,.0f}-{p95:,.0f}]"


def ks(a, b, least: int = 2) -> str:
    """Two-sample KS p-value, or a dash when a side has fewer than `least` values."""
    return f"{stats.ks_2samp(a, b).pvalue:.2f}" if min(len(a), len(b)) >= least else "-"


def table(js: dict, hy: dict, hours: float, want: int, max_seeds: int, marks, wall: float) -> str:
    """The Markdown section for docs/country.md."""
    nj, nh = len(js["runs"]), len(hy["runs"])
    fisher = stats.fisher_exact([[nj, js["tried"] - nj], [nh, hy["tried"] - nh]]).pvalue
    lines = [
        f"**On the whole US board from New York, to {hours:g} hours.** Each side runs seeds 1, 2, ... until "
        f"{want} runs take off (over {TAKE_OFF} cells by {hours:g} h) or {max_seeds} seeds are tried. "
        "Both sides are seeded, so these figures repeat (`python -m benchmarks country-compare`).",
        "",
        "| | their JavaScript | hyosan, preset | test |",
        "|---|---|---|---|",
        f"| runs that took off | {nj} of {js['tried']} | {nh} of {hy['tried']} | Fisher p = {fisher:.2f} |",
    ]
    for h in marks:
        a = [r["cells"][h] for r in js["runs"]]
        b = [r["cells"][h] for r in hy["runs"]]
        lines.append(
            f"| cells reached by {h} h, median [5-95 %] | {spread(a)} | {spread(b)} | KS p = {ks(a, b)} |"
        )
    for name in CITIES:
        cells = []
        arrivals = []
        for s in (js, hy):
            hit = [r["cities"][name] for r in s["runs"] if r["cities"][name] is not None]
            arrivals.append(hit)
            share = f"{len(hit)} of {len(s['runs'])}"
            cells.append(f"{share}, at {np.median(hit):.0f} h" if hit else f"{share}")
        test = ks(*arrivals, least=MIN_ARRIVALS)
        lines.append(
            f"| {name} reached by {hours:g} h (runs; median arrival hour) | {cells[0]} | {cells[1]} "
            f"| {'-' if test == '-' else f'KS p = {test}'} |"
        )
    secs = [np.median([r["seconds"] for r in s["runs"]]) if s["runs"] else float("nan") for s in (js, hy)]
    lines += [
        f"| seconds per run that took off (median, one core) | {secs[0]:.1f} | {secs[1]:.1f} | |",
        f"| seconds for the side, all seeds tried | {js['wall']:.0f} | {hy['wall']:.0f} | |",
        "",
        "A city is its metro area (cells within 20 miles of its densest cell, as in the summary's regions) "
        "and is reached when any of its cells is; an arrival hour is that of the first zombie, so the start "
        "cell's own is its first person's turning time. KS tests of arrival hours need "
        f"{MIN_ARRIVALS} arrivals a side. Seconds: their simulation loop; hyosan's whole run, setting up "
        f"all cells included. Whole comparison: {wall:.0f} s.",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    """Run both sides (JavaScript first, then hyosan) and print the table for docs/country.md."""
    t0 = time.perf_counter()
    quick = "--quick" in argv
    hours, want, max_seeds = (24.0, 2, 40) if quick else (168.0, 12, 150)
    marks = tuple(h for h in MARKS if h <= hours)
    if not USA.is_file() or not (PEERS / "js" / "run_demo.js").is_file():
        sys.exit(f"error: the comparison needs {USA} and {PEERS / 'js' / 'run_demo.js'}")
    raster = load_population(USA)
    masks = metro_masks(raster.shape)
    compile_kernels("exact")
    with tempfile.TemporaryDirectory() as tmp:
        js = side(lambda s: run_js(s, hours, raster.shape, Path(tmp)), want, max_seeds, masks, marks)
    hy = side(lambda s: run_hyosan(s, hours), want, max_seeds, masks, marks)
    check = check_cells(js, hy, raster.counts)
    text = table(js, hy, hours, want, max_seeds, marks, time.perf_counter() - t0)
    print(text + "\n\n" + check)
    if not quick:
        write_section("country-compare", text + "\n\n" + check, ROOT / "docs" / "country.md")
    if "--json" in argv:
        path = Path(argv[argv.index("--json") + 1])
        keep = {
            k: {"tried": s["tried"], "wall": s["wall"], "runs": s["runs"]}
            for k, s in (("js", js), ("hyosan", hy))
        }
        path.write_text(json.dumps({"hours": hours, **keep}, indent=1))
