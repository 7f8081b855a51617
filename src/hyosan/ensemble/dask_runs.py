"""The one layer that runs many simulations: Dask tasks that write their own Parquet parts.

Every study (ensemble, sweep, sensitivity, calibration) hands this layer a list of jobs. Jobs go
to the workers in small batches; a worker runs its batch and writes the rows itself, one Parquet
part per batch under `parts/`, first to a hidden temporary name and then renamed, so a part is
either whole or absent. The driver only counts finished runs; the table is read back from the
parts at the end. A part's rows are a function of its jobs alone, so a batch redone after a
worker died writes the same part again: nothing is lost or doubled. `done_runs` lists what a
folder already holds, which is how `--resume` runs only what is missing.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import stop
from ..errors import HyosanError
from ..limits import check_memory
from .targets import Job, Target

PARTS = "parts"
SERIES = "series"
# Batches handed to the cluster ahead of each worker: enough to keep it busy, few enough that a
# study of a million runs starts at once and stops at once (the scheduler holds only these)
IN_FLIGHT = 8
# A local worker process's own memory (Python, NumPy, Numba, Dask, compiled kernels): 329 MiB
# measured after a short school run
WORKER_BYTES = 320 << 20


def check_workers(workers: int | None) -> int:
    """The number of local worker processes (default: one per core), refused if below one or if
    their memory alone exceeds the machine's."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1:
        raise HyosanError(f"--workers must be >= 1, got {workers}")
    check_memory(workers * WORKER_BYTES, f"{workers:,} worker processes")
    return workers


@contextlib.contextmanager
def client(workers: int | None = None, scheduler: str | None = None, timeout: float = 10.0) -> Iterator:
    """A Dask client: on an existing cluster at `scheduler`, or on a local cluster of `workers`
    single-threaded worker processes (default: one per core)."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            c = Client(scheduler, timeout=f"{timeout}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise HyosanError(
                f"cannot reach the Dask scheduler at {scheduler!r} within {timeout:g} s "
                f"({exc.__class__.__name__})"
            ) from None
        try:
            yield c
        finally:
            c.close()
        return
    import dask

    workers = check_workers(workers)
    # Dask's default MALLOC_TRIM_THRESHOLD_=65536 made a school run 3-4 % slower in a worker than
    # in a plain loop (glibc handing pages back and faulting them in again); leave glibc's own.
    # The workers ignore Ctrl-C (a terminal sends it to the whole process group): this process
    # hears it, stops asking for runs and closes the cluster, without a traceback from each worker.
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}), _no_sigint():
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
    c = Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@contextlib.contextmanager
def _no_sigint():
    """SIGINT ignored while child processes are started (they inherit it); restored after."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def run_batch(target: Target, seed: int, jobs: list[Job], folder: str, series: bool) -> tuple[int, float]:
    """Run a batch of jobs on a worker and write its part (and its series part); returns the
    number of rows and the seconds the runs took."""
    rows, curves, seconds = [], [], 0.0
    for job in jobs:
        row, s, dt = target.run(job, seed, series)
        rows.append(row)
        seconds += dt
        if s is not None:
            curves.append({"run": job.run, **{k: v.tolist() for k, v in s.items()}})
    name = f"part-{jobs[0].run:08d}.parquet"
    write_atomic(pd.DataFrame(rows), Path(folder) / PARTS / name)
    if curves:
        write_atomic(pd.DataFrame(curves), Path(folder) / SERIES / name)
    return len(rows), seconds


def write_atomic(df: pd.DataFrame, path: Path) -> None:
    """Write a Parquet file whole or not at all: to a hidden name first, then renamed over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp)
    os.replace(tmp, path)


def done_runs(folder: Path, series: bool = False) -> set[int]:
    """The run numbers whose rows a folder's parts already hold (and, with `series`, whose curves
    its series parts hold too); leftover temporary files are removed."""
    for sub in (PARTS, SERIES):
        for tmp in (Path(folder) / sub).glob(".*.tmp"):  # none in a folder that is not there
            tmp.unlink(missing_ok=True)
    done = _runs_in(Path(folder) / PARTS)
    return done & _runs_in(Path(folder) / SERIES) if series else done


def _runs_in(sub: Path) -> set[int]:
    runs: set[int] = set()
    for p in sorted(sub.glob("part-*.parquet")):
        try:
            runs.update(pq.read_table(p, columns=["run"]).column("run").to_pylist())
        except (OSError, pa.ArrowException) as exc:
            raise HyosanError(
                f"{p}: a damaged part of the study ({exc.__class__.__name__}); delete it and --resume "
                "runs its runs again"
            ) from None
    return runs


def batches(jobs: list[Job], per_batch: int) -> list[list[Job]]:
    """Consecutive jobs grouped `per_batch` at a time."""
    return [jobs[i : i + per_batch] for i in range(0, len(jobs), per_batch)]


def per_batch_for(target: Target, todo: int, workers: int) -> int:
    """Runs per task: one for a scenario (seconds each), enough for a model that a task is not
    all overhead, few enough that every worker gets several tasks."""
    if target.kind != "model":
        return 1
    return int(max(1, min(64, math.ceil(todo / (8 * max(workers, 1))))))


def _finished(ac):
    """The futures of `ac` (distributed.as_completed) as they finish, checking for a stop request
    at least every 0.05 s while waiting."""
    while not ac.is_empty():
        stop.check()
        if not ac.has_ready():
            time.sleep(0.05)
            continue
        yield from ac.next_batch(block=False)


def run_jobs(
    c,
    target: Target,
    seed: int,
    jobs: list[Job],
    folder: Path,
    series: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Run the jobs whose rows the folder lacks, on the client's workers; returns counts and timing.

    progress(done, total) is called as batches finish (done counts rows already in the folder).
    """
    from distributed import as_completed

    folder = Path(folder)
    have = done_runs(folder, series and target.kind == "model")  # a run without its curve runs again
    todo = [j for j in jobs if j.run not in have]
    if todo:  # a setting every run would refuse is refused here, in one line, not by each worker
        target.check(todo[0], seed)
    total, done = len(jobs), len(jobs) - len(todo)
    if progress is not None:
        progress(done, total)
    workers = max(1, len(c.scheduler_info().get("workers", {})))
    t0, compute = time.perf_counter(), 0.0
    pending, live, ac = iter(batches(todo, per_batch_for(target, len(todo), workers))), set(), as_completed()

    def feed(k: int) -> None:
        for b in itertools.islice(pending, k):
            live.add(fut := c.submit(run_batch, target, seed, b, str(folder), series, pure=False))
            ac.add(fut)

    try:
        feed(IN_FLIGHT * workers)
        for fut in _finished(ac):
            live.discard(fut)
            feed(1)
            try:
                n, seconds = fut.result()
            except HyosanError:
                raise
            except Exception as exc:  # a worker lost too often, or a run that failed: one line
                raise HyosanError(
                    f"a batch of runs failed on the cluster: {exc.__class__.__name__}: {exc}"
                ) from None
            done += n
            compute += seconds
            if progress is not None:
                progress(done, total)
    except stop.Interrupted as exc:
        exc.runs_done = done  # counted here: reading the parts back takes seconds in a big study
        raise
    finally:
        c.cancel(list(live))
    return {
        "runs": total,
        "ran_now": len(todo),
        "resumed_from": total - len(todo),
        "wall_seconds": time.perf_counter() - t0,
        "compute_seconds": compute,
        "workers": workers,
    }


def _read_parts(folder: Path, sub: str, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of a folder's parts under `sub` (all columns, or `columns`), one per run, in run order."""
    parts = sorted((Path(folder) / sub).glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame()
    df = pd.concat([pq.read_table(p, columns=columns).to_pandas() for p in parts], ignore_index=True)
    return df.drop_duplicates("run", keep="last").sort_values("run", ignore_index=True)


def read_table(folder: Path, runs: set[int] | None = None) -> pd.DataFrame:
    """The outcome table of a folder's parts, one row per run, in run order (only `runs`, if given)."""
    df = _read_parts(folder, PARTS)
    if runs is not None and not df.empty:
        df = df[df["run"].isin(runs)].reset_index(drop=True)
    return df


def read_series(folder: Path, species: str) -> np.ndarray:
    """One species' coarse series of every run (rows in run order): read a column at a time, so
    the driver never holds all of a large ensemble's curves at once."""
    df = _read_parts(folder, SERIES, ["run", species])
    return np.array(df[species].tolist(), dtype=float) if not df.empty else np.empty((0, 0))
