"""Property tests: generated scenario files, maps, rasters and command lines meet either success or a
`HyosanError` (one clear line, exit code 2 from the command), never another exception."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hyosan import HyosanError
from hyosan.cli import app
from hyosan.scenario import build, read_scenario
from hyosan.world.raster import load_population

BUNDLED = Path(__file__).parents[1] / "src" / "hyosan" / "scenario" / "bundled"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every machine: a failure here is a failure everywhere
)
runner = CliRunner()

# Values a careless or hostile user writes where a number, flag or name is expected.
ODD_VALUES = st.sampled_from(
    ["nan", "inf", "-inf", "-1", "0", "1e300", "-1e300", "1e-300", '"yes"', '"3"', "true", "[]", "{}",
     '""', "1.5", "99999999999999999999", "-0.0", '"nan"', "[1, 2]", '"\\u0000"']
)  # fmt: skip


def mutate(text: str, data) -> str:
    """Change a few lines of a TOML text: a value replaced by an odd one, a line dropped or
    duplicated, bytes inserted."""
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        how = data.draw(st.sampled_from(["value", "drop", "dup", "junk"]))
        if how == "value" and "=" in lines[i]:
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {data.draw(ODD_VALUES)}"
        elif how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, lines[i])
        else:
            lines.insert(i, data.draw(st.text(max_size=20)))
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


def check(call) -> None:
    """Success or a HyosanError, nothing else."""
    try:
        call()
    except HyosanError as exc:
        assert str(exc) and "\n" not in str(exc).strip(), repr(exc)


@pytest.mark.parametrize("name", ["hyosan-high", "hyosan-city"])
@FUZZ
@given(data=st.data())
def test_generated_scenario_files_meet_success_or_a_clear_error(tmp_path, name, data):
    folder = tmp_path / "sc"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(BUNDLED / name, folder)
    path = folder / "scenario.toml"
    path.write_text(mutate(path.read_text(), data))
    check(lambda: build(read_scenario(path), seed=1))


@FUZZ
@given(data=st.data())
def test_generated_maps_meet_success_or_a_clear_error(tmp_path, data):
    folder = tmp_path / "sc"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(BUNDLED / "hyosan-high", folder)
    maps = sorted((folder / "maps").glob("*.map"))
    victim = maps[data.draw(st.integers(0, len(maps) - 1))]
    lines = victim.read_text().splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        how = data.draw(st.sampled_from(["chars", "drop", "dup", "cut", "bytes"]))
        if how == "chars":
            line = lines[i]
            j = data.draw(st.integers(0, max(len(line) - 1, 0)))
            lines[i] = line[:j] + data.draw(st.text(min_size=1, max_size=5)) + line[j + 1 :]
        elif how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, lines[i])
        elif how == "cut":
            lines = lines[:i]
        if not lines:
            lines = [""]
    text = "\n".join(lines)
    if data.draw(st.booleans()) and data.draw(st.booleans()):
        cut = text.encode()[: data.draw(st.integers(0, 200))]
        victim.write_bytes(cut + data.draw(st.binary(max_size=20)))
    else:
        victim.write_text(text)
    check(lambda: build(read_scenario(folder / "scenario.toml"), seed=1))


@st.composite
def rasters(draw):
    """A population raster in one of the accepted formats, possibly broken."""
    rows, cols = draw(st.integers(0, 6)), draw(st.integers(0, 6))
    values = draw(
        st.lists(
            st.one_of(st.integers(-5, 10**6), st.sampled_from([float("nan"), float("inf"), 1e300, 0.5])),
            min_size=rows * cols,
            max_size=rows * cols,
        )
    )
    grid = np.array(values, dtype=float).reshape(rows, cols)
    fmt = draw(st.sampled_from(["npy", "csv", "json", "json.gz", "gz-cut", "bytes"]))
    return fmt, grid, draw(st.binary(max_size=64))


@FUZZ
@given(r=rasters())
def test_generated_rasters_meet_success_or_a_clear_error(tmp_path, r):
    fmt, grid, junk = r
    if fmt == "npy":
        path = tmp_path / "p.npy"
        np.save(path, grid)
    elif fmt == "csv":
        path = tmp_path / "p.csv"
        path.write_text("\n".join(",".join(f"{v:g}" for v in row) for row in grid))
    elif fmt in ("json", "json.gz", "gz-cut"):
        text = json.dumps({"data": grid.tolist(), "rows": grid.shape[0], "cols": grid.shape[1]})
        path = tmp_path / ("p.json" if fmt == "json" else "p.json.gz")
        blob = text.encode() if fmt == "json" else gzip.compress(text.encode())
        path.write_bytes(blob[: len(blob) // 2] if fmt == "gz-cut" else blob)
    else:
        path = tmp_path / "p.npy"
        path.write_bytes(junk)
    check(lambda: load_population(path))


# Command lines: each option of each command given an odd value, the rest small and valid.
COMMANDS = {
    "solve": (["solve", "alemi", "--method", "ssa", "--t-end", "2", "--points", "11"],
              ["--t-end", "--points", "--runs", "--seed", "--method", "--set"]),
    "lattice": (["lattice", "--alpha", "0.5", "--size", "8"], ["--alpha", "--size", "--seed", "--zombies"]),
    "run": (["run", "hyosan-city", "--days", "0.1"], ["--days", "--seed", "--replay-seconds",
                                                      "--checkpoint-minutes"]),
    "country": (["country", "--population", "POP", "--start", "1,1", "--days", "0.05"],
                ["--days", "--alpha", "--beta", "--mu", "--walk", "--dt", "--zombies", "--seed", "--start",
                 "--origin", "--mode", "--population"]),
}  # fmt: skip
ODD_ARGS = st.sampled_from(
    ["nan", "inf", "-inf", "-1", "0", "1e300", "abc", "", "1.5", "99999999999999999999", "S=nan", "S=-5",
     "beta=inf", "=", "1,2,3", "-0", "1e-300", "north", "/", "."]
)  # fmt: skip


@pytest.mark.parametrize("command", list(COMMANDS))
@FUZZ
@given(data=st.data())
def test_generated_command_lines_meet_success_or_exit_code_2(tmp_path, monkeypatch, command, data):
    monkeypatch.setenv("HYOSAN_MEMORY", "2G")  # a huge request is refused, not tried
    pop = tmp_path / "pop.npy"
    if not pop.exists():
        np.save(pop, np.full((4, 4), 50))
    base, options = COMMANDS[command]
    args = [str(pop) if a == "POP" else a for a in base]
    option = data.draw(st.sampled_from(options))
    value = data.draw(ODD_ARGS)
    out = tmp_path / f"o{data.draw(st.integers(0, 10**9))}"
    result = runner.invoke(app, [*args, option, value, "--out", str(out), "--force"])
    assert result.exit_code in (0, 2), (option, value, result.output, result.exception)
    if result.exit_code == 2:
        assert "Traceback" not in result.output and result.output.strip(), (option, value, result.output)
