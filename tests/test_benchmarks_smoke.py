"""Each benchmark runs at tiny size so it cannot rot (no timing is asserted here)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick(name: str, timeout: int = 900) -> str:
    """Run `python -m benchmarks NAME --quick`; its output, once it has ended well."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", name, "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_ssa_benchmark_runs_quick():
    assert "events per second" in quick("ssa", timeout=600)


def test_school_benchmark_runs_quick():
    assert "agent-steps per second" in quick("school")


def test_zombie_grid_benchmark_runs_quick():
    out = quick("zombie-grid")
    assert "agent-steps per second" in out and "mesa" in out


def test_lattice_benchmark_and_study_run_quick():
    quick("lattice")
    assert "alpha_c" in quick("lattice-study")


def test_country_and_city_benchmarks_run_quick():
    assert "events per second" in quick("country")
    assert "got out through the checkpoints" in quick("city-study")


def test_ensemble_benchmark_runs_quick():
    out = quick("ensemble", timeout=600)
    assert "2 workers" in out and "Dask overhead" in out
