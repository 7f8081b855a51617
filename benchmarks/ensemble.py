"""Ensembles on Dask: runs per second on 1 and 2 workers, and Dask's overhead against a plain loop.

python -m benchmarks ensemble [--quick]

The peer is the plainest way to run an ensemble: a Python loop calling the same run function
in one process. Workers are warmed (imports, compiled kernels loaded) before timing, and the
clusters' start-up is reported apart. The runs of a second or more, where the overhead target
of 5 % applies, are 8 six-hour runs of hyosan-high; then 8 full runs of hyosan-city (a fifth of
a second each) and 2,000 SSA runs of alemi (a fifth of a millisecond each, batched 64 to a
task), where Dask's fixed cost per task shows.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from hyosan.ensemble import dask_runs
from hyosan.ensemble.targets import Job, make_target

from .common import machine, write_section


def plain_loop(target, jobs, seed) -> float:
    t0 = time.perf_counter()
    for j in jobs:
        target.run(j, seed)
    return time.perf_counter() - t0


def on_dask(target, jobs, seed, workers: int, tmp: Path) -> tuple[float, float]:
    """Seconds for the jobs on a warmed local cluster of `workers`, and the cluster's start-up."""
    t0 = time.perf_counter()
    with dask_runs.client(workers) as c:
        started = time.perf_counter() - t0
        warm = [Job(10**6 + i, 10**6 + i) for i in range(workers)]
        dask_runs.run_jobs(c, target, seed, warm, tmp / f"warm{workers}")
        timing = dask_runs.run_jobs(c, target, seed, jobs, tmp / f"w{workers}")
    return timing["wall_seconds"], started


def main(argv: list[str]) -> None:
    """Measure and write the `ensemble` section of BENCHMARKS.md (prints only, with --quick)."""
    quick = "--quick" in argv
    cases = [
        (
            "hyosan-high, 6-hour runs",
            make_target("hyosan-high", days=0.02 if quick else 0.25),
            2 if quick else 8,
        ),
        (
            "hyosan-city, full 5-day runs",
            make_target("hyosan-city", days=0.5 if quick else None),
            2 if quick else 8,
        ),
        ("alemi by SSA, 20-day runs", make_target("alemi", "ssa"), 50 if quick else 2000),
    ]
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="hyosan-bench-"))
    try:
        for k, (label, target, n) in enumerate(cases):
            jobs = [Job(i, i) for i in range(n)]
            folder = tmp / str(k)  # each case its own folders: a folder's runs count as done
            target.run(Job(10**7, 10**7), 0)  # this process warmed like the workers
            loop = plain_loop(target, jobs, 0)
            one, start1 = on_dask(target, jobs, 0, 1, folder)
            two, start2 = on_dask(target, jobs, 0, 2, folder)
            rows.append((label, n, loop, one, two, start1, start2))
            print(
                f"{label}: {n} runs; loop {loop:.2f} s, 1 worker {one:.2f} s, 2 workers {two:.2f} s; "
                f"runs per second {n / one:.2f} and {n / two:.2f}; 2 workers {one / two:.2f} x one; "
                f"Dask overhead on 1 worker {100 * (one / loop - 1):+.1f} % of the loop",
                flush=True,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if quick:
        return
    lines = [
        "Written by `python -m benchmarks ensemble` on " + machine() + ".",
        "",
        "Runs go through `hyosan.ensemble`'s Dask layer (`dask_runs.run_jobs`: tasks that write their own "
        "Parquet parts) on a local cluster of single-threaded worker processes. The peer is a plain "
        "Python loop over the same run function in one process. Workers are warmed first; cluster "
        "start-up is shown apart. Targets: 2 workers at least 1.8 x one; Dask's overhead under 5 % for "
        "runs of a second or more.",
        "",
        "| runs | plain loop | 1 worker | 2 workers | runs/s, 1 worker | runs/s, 2 workers "
        "| 2 workers vs one "
        "| overhead on 1 worker vs loop | cluster start-up (1, 2 workers) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, n, loop, one, two, s1, s2 in rows:
        lines.append(
            f"| {label} ({n}) | {loop:.2f} s | {one:.2f} s | {two:.2f} s | {n / one:.2f} | {n / two:.2f} "
            f"| **{one / two:.2f} x** | **{100 * (one / loop - 1):+.1f} %** | {s1:.1f} s, {s2:.1f} s |"
        )
    write_section("ensemble", "\n".join(lines))
