"""Alemi's lattice: speed at 2048 x 2048, and against the authors' C code.

python -m benchmarks lattice          # events per second (BENCHMARKS.md)

The critical alpha is studied in benchmarks/lattice_study.py (`python -m benchmarks lattice-study`).
"""

from __future__ import annotations

import time

import numpy as np

import hyosan
from hyosan.solvers.lattice import lattice, lattice_runs

from .common import machine, peak_rss_mib, write_section

REPEATS = 3


def speed(argv: list[str]) -> None:
    """Events per second on one core at L = 2048 (L = 128 with --quick)."""
    quick = "--quick" in argv
    L = 128 if quick else 2048
    lattice(hyosan.model("alemi").with_values(alpha=0.25), 16, seed=0)  # compile
    lattice_runs(hyosan.model("alemi").with_values(alpha=0.25), 16, [0])
    rows = []
    for alpha in (0.25, 0.3):
        times = []
        for _ in range(REPEATS):  # the same seeded run again: the median damps a noisy shared machine
            t0 = time.perf_counter()
            run = lattice(hyosan.model("alemi").with_values(alpha=alpha), L, seed=1)
            times.append((time.perf_counter() - t0, run.kernel_seconds))
        secs, kern = (float(np.median(x)) for x in zip(*times))
        rows.append((alpha, run.events, secs, kern, run.counts()))
    lines = [
        f"## Alemi lattice, {L:,} x {L:,}",
        "",
        f"Command: `python -m benchmarks lattice` (`make bench`). Machine: {machine()}. One zombie at the "
        "centre, run until no zombie is next to a human; one process, one core, kernel compiled first; "
        f"times are the median of {REPEATS} repeats of the same seeded run.",
        "",
        "| alpha | events | whole run (s) | of which firing events (s) | events per second (firing) "
        "| final S, Z, R |",
        "|---|---|---|---|---|---|",
    ]
    for alpha, ev, secs, kern, c in rows:
        lines.append(
            f"| {alpha:g} | {ev:,} | {secs:.2f} | {kern:.2f} | {ev / kern:,.0f} "
            f"| {c['S']:,}, {c['Z']:,}, {c['R']:,} |"
        )
    worst = min(ev / kern for _, ev, _, kern, _ in rows)
    lines += [
        "",
        f"Target (issue 4): >= 10,000,000 events per second at 2048 x 2048: "
        f"{'met' if worst >= 1e7 else 'MISSED'} (slowest run {worst:,.0f}; "
        "set-up, the bond list of 4 million sites, is "
        "timed apart). Peak memory: "
        f"{peak_rss_mib():.0f} MiB.",
    ]
    text = "\n".join(lines + [""] + side_by_side(quick))
    print(text)
    if not quick:
        write_section("lattice", text)


def side_by_side(quick: bool) -> list[str]:
    """hyosan's lattice and the authors' C code (built from ../shared/peers) on the same work: one
    run at L = 2048, and 1,000 runs at L = 128; events are bites and kills on both sides."""
    from .peers import c_events, run_clattice

    net = hyosan.model("alemi").with_values(alpha=0.25)
    lines = [
        "### Against the authors' C code, same machine, same run",
        "",
        "Their `clattice` (built from `../shared/peers/zombies-usa` with their Makefile's flags) and hyosan, "
        "alpha 0.25, one zombie at the centre, run to the end. Events: bites and kills (for C, "
        "Z + 2R - 1, as their driver notes). C seconds: its own timer around the runs; hyosan seconds: "
        "the whole call, set-up included, kernel compiled first: `lattice()` for one run, "
        "`lattice_runs()` for many (one lattice reset in place between runs, as their driver does; "
        "each run ends exactly as `lattice()` with its seed would).",
        "",
        "| work | C events/s | hyosan events/s | hyosan / C |",
        "|---|---|---|---|",
    ]
    ratios = []
    for L, runs in ((128, 20), (32, 200)) if quick else ((2048, 1), (128, 1000)):
        rows, c_secs = run_clattice(L, 0.25, runs, 1)
        t0 = time.perf_counter()
        if runs == 1:
            events = lattice(net, L, seed=0).events
        else:  # many runs in one call, as their driver makes them: the lattice is reset in place
            events = int(lattice_runs(net, L, range(runs)).events.sum())
        hy_secs = time.perf_counter() - t0
        c_rate, hy_rate = c_events(rows).sum() / c_secs, events / hy_secs
        lines.append(
            f"| {runs:,} run{'s' if runs > 1 else ''} at L = {L:,} | {c_rate:,.0f} | {hy_rate:,.0f} "
            f"| {hy_rate / c_rate:.2f} |"
        )
        ratios.append((L, runs, hy_rate / c_rate))
    lines.append("")
    for L, runs, r in ratios:
        lines.append(
            f"Target (issue 14): at least the C code's events per second, {runs:,} run(s) at L = {L:,}: "
            f"{'met' if r >= 1 else 'MISSED'} ({r:.2f} x)."
        )
    return lines
