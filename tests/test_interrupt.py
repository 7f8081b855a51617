"""Interruption is safe: a real `hyosan` process stopped by SIGINT or SIGTERM keeps what it computed
(marked incomplete), says how to go on, exits 130/143, and `--resume` gives exactly the result of
the run that was never stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.test_run_interface import small_country

HYOSAN = [sys.executable, "-m", "hyosan.cli"]


def start(args: list[str], cwd: Path, **env) -> subprocess.Popen:
    """A hyosan process with stderr captured (not a terminal: progress comes as lines)."""
    return subprocess.Popen(
        [*HYOSAN, *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {k: str(v) for k, v in env.items()},
    )


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Wait until `path` exists (the run is under way), failing if the process ends first."""
    t0 = time.monotonic()
    while not path.exists():
        assert proc.poll() is None, f"the run ended before {path.name} appeared: {proc.stderr.read()}"
        assert time.monotonic() - t0 < timeout
        time.sleep(0.02)


def stop_it(proc: subprocess.Popen, sig: int) -> tuple[int, str, float]:
    """Send a signal; return the exit code, stderr and seconds until the process ended."""
    t0 = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err, time.monotonic() - t0


def same_tables(a: Path, b: Path, names: tuple[str, ...]) -> None:
    for name in names:
        if name.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name))
        elif name.endswith(".npy"):
            np.testing.assert_array_equal(np.load(a / name), np.load(b / name))
        elif name.endswith(".npz"):
            x, y = np.load(a / name), np.load(b / name)
            assert x.files == y.files
            for k in x.files:
                np.testing.assert_array_equal(x[k], y[k])
        else:
            assert (a / name).read_text() == (b / name).read_text(), name


CASES = {
    "school": (
        ["run", "hyosan-high", "--days", "0.3", "--animate"],
        signal.SIGINT,
        ("events.parquet", "timeline.parquet", "fates.csv", "replay.npz"),
    ),
    "city": (
        ["run", "hyosan-city", "--days", "20"],
        signal.SIGTERM,
        ("timeline.parquet", "arrival_hours.npy"),
    ),
    "country": (
        ["run", "COUNTRY", "--days", "30"],
        signal.SIGINT,
        ("timeseries.parquet", "arrival_hours.npy"),
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_a_killed_run_keeps_its_part_and_resumes_to_the_unbroken_result(tmp_path, kind):
    args, sig, files = CASES[kind]
    if args[1] == "COUNTRY":
        args = ["run", str(small_country(tmp_path)), *args[2:]]
    whole = subprocess.run([*HYOSAN, *args, "--out", "whole"], cwd=tmp_path, capture_output=True, text=True)
    assert whole.returncode == 0, whole.stderr

    proc = start([*args, "--out", "cut", "--checkpoint-minutes", "0.0005"], tmp_path)
    wait_for(tmp_path / "cut" / "checkpoint.npz", proc)
    code, err, took = stop_it(proc, sig)
    assert code == 128 + sig, err
    assert took < 10, f"took {took:.1f} s to stop"
    summary = json.loads((tmp_path / "cut" / "summary.json").read_text())
    mark = summary["incomplete"]
    assert mark["reason"] == f"interrupted by {sig.name}"
    assert mark["resume"].endswith("--out cut --resume") and "Go on with: " + mark["resume"] in err
    assert all((tmp_path / "cut" / f).exists() for f in files)  # the part computed is on disk

    go_on = mark["resume"].split()[1:]  # the command it says, run as it says
    res = subprocess.run([*HYOSAN, *go_on], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    done = json.loads((tmp_path / "cut" / "summary.json").read_text())
    assert "incomplete" not in done and not (tmp_path / "cut" / "checkpoint.npz").exists()
    same_tables(tmp_path / "cut", tmp_path / "whole", files)


def test_resume_refuses_a_checkpoint_of_another_run(tmp_path):
    proc = start(
        ["run", "hyosan-city", "--days", "20", "--out", "cut", "--checkpoint-minutes", "0.0005"], tmp_path
    )
    wait_for(tmp_path / "cut" / "checkpoint.npz", proc)
    stop_it(proc, signal.SIGTERM)
    res = subprocess.run(
        [*HYOSAN, "run", "hyosan-city", "--days", "20", "--seed", "9", "--out", "cut", "--resume"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2
    assert "the checkpoint is of another run (its seed differs from" in res.stderr
    assert "Traceback" not in res.stderr


def test_an_exact_ssa_run_stops_within_seconds_and_keeps_its_part(tmp_path):
    """Two hundred million people: the compiled loop would run for minutes, but it checks back."""
    args = ["solve", "alemi", "--method", "ssa", "--set", "S=200000000", "--seed", "1", "--out", "ssa"]
    proc = start(args, tmp_path, HYOSAN_PROGRESS_SECONDS=0.2)
    line = proc.stderr.readline()  # a progress line: the kernel is running
    assert "alemi by ssa:" in line and "left" in line
    code, err, took = stop_it(proc, signal.SIGINT)
    assert code == 130, err
    assert took < 5, f"took {took:.1f} s to stop"
    s = json.loads((tmp_path / "ssa" / "summary.json").read_text())
    assert s["incomplete"]["done"].startswith("0 of 1 runs, run 0 to day ")
    assert (tmp_path / "ssa" / "trajectory.parquet").exists()
