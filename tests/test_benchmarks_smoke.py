"""Each benchmark runs at tiny size so it cannot rot (no timing is asserted here)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ssa_benchmark_runs_quick():
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "ssa", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "events per second" in proc.stdout


def test_school_benchmark_runs_quick():
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "school", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    assert "agent-steps per second" in proc.stdout


def test_zombie_grid_benchmark_runs_quick():
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "zombie-grid", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    assert "agent-steps per second" in proc.stdout and "mesa" in proc.stdout


def test_lattice_benchmark_and_study_run_quick():
    for name in ("lattice", "lattice-study"):
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks", name, "--quick"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert proc.returncode == 0, proc.stderr
    assert "alpha_c" in proc.stdout


def test_country_and_city_benchmarks_run_quick():
    for name, expect in (("country", "events per second"), ("city-study", "got out through the checkpoints")):
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks", name, "--quick"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert proc.returncode == 0, proc.stderr
        assert expect in proc.stdout


def test_ensemble_benchmark_runs_quick():
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "ensemble", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "2 workers" in proc.stdout and "Dask overhead" in proc.stdout
