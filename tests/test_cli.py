"""The `hyosan` command: outputs, JSON, and one-line errors with exit code 2."""

import json
import re
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from hyosan.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_models_lists_the_library_as_text_and_json():
    res = run("models")
    assert res.exit_code == 0 and "munz-basic" in res.stdout and "jonas" in res.stdout
    data = json.loads(run("models", "--json").stdout)
    assert {m["name"] for m in data["models"]} >= {"alemi", "alemi-sezr", "munz-impulsive"}


def test_show_prints_network_and_parameters():
    res = run("show", "munz-basic")
    assert res.exit_code == 0
    assert "S + Z -> 2 Z" in res.stdout and "beta" in res.stdout and "/person/day" in res.stdout
    data = json.loads(run("show", "jonas", "--json").stdout)
    assert data["parameters"]["eta"]["unit"] == "/day"


def test_solve_writes_run_folder(tmp_path):
    out = tmp_path / "run"
    res = run(
        "solve",
        "alemi",
        "--method",
        "ssa",
        "--runs",
        "20",
        "--seed",
        "3",
        "--set",
        "S=499",
        "--t-end",
        "15",
        "--out",
        str(out),
        "--json",
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["runs"] == 20 and summary["method"] == "ssa"
    df = pd.read_parquet(out / "trajectory.parquet")
    assert list(df.columns) == ["run", "t", "S", "Z", "R"]
    assert df["run"].nunique() == 20 and df["t"].max() == 15
    assert (out / "trajectory.png").stat().st_size > 1000
    assert json.loads((out / "summary.json").read_text())["final"]["S"]["median"] >= 0


def test_solve_never_overwrites_without_force(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "mine.txt").write_text("user data")
    res = run("solve", "munz-basic", "--out", str(out))
    assert res.exit_code == 2 and "--force" in res.output
    assert run("solve", "munz-basic", "--out", str(out), "--force").exit_code == 0
    assert (out / "mine.txt").read_text() == "user data"


def test_force_replaces_a_school_run_whole(tmp_path):
    """An animated run, then --force without --animate: the old animation goes, the user's file stays."""
    out = tmp_path / "run"
    short = ["run", "hyosan-high", "--days", "0.002", "--out", str(out)]
    assert run(*short, "--seed", "1", "--animate").exit_code == 0
    assert (out / "animation.gif").exists() and (out / "maps" / "floor1.map").exists()
    (out / "mine.txt").write_text("user data")
    (out / "maps" / "notes.txt").write_text("mine too")
    assert run(*short, "--seed", "2", "--force").exit_code == 0
    assert not (out / "animation.gif").exists()
    assert (out / "mine.txt").read_text() == "user data"
    assert (out / "maps" / "notes.txt").read_text() == "mine too"
    assert "seed = 2" in (out / "scenario.toml").read_text()
    assert json.loads((out / "summary.json").read_text())["seed"] == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["solve", "zombieland"], "unknown model 'zombieland'; known models:"),
        (["solve", "alemi", "--set", "kappa=1"], "has no parameter or species 'kappa'; accepted:"),
        (["solve", "alemi", "--set", "beta=-0.1"], "must be >= 0"),
        (["solve", "alemi", "--set", "beta"], "malformed --set 'beta': expected NAME=VALUE"),
        (["solve", "alemi", "--set", "beta=fast"], "'fast' is not a number"),
        (["solve", "alemi", "--t-end", "0"], "--t-end must be a positive"),
        (["solve", "alemi", "--method", "euler"], "unknown method 'euler'; accepted: ode, ssa, tau, lattice"),
        (["show", "zombieland"], "unknown model"),
    ],
)
def test_bad_input_gives_one_clear_line_and_exit_2(args, message):
    proc = subprocess.run([sys.executable, "-m", "hyosan.cli", *args], capture_output=True, text=True)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_output_into_a_pipe_is_not_wrapped(tmp_path):
    """Without a terminal, the run's tables keep each row on one line, however long."""
    args = ["run", "hyosan-high", "--days", "0.01", "--out", str(tmp_path / "r")]
    proc = subprocess.run(
        [sys.executable, "-m", "hyosan.cli", *args],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("│ Hyeon-ju")]
    assert len(rows) == 1 and re.search(r"\(level \d+\)", rows[0]), proc.stdout
