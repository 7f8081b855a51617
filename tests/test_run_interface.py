"""One run interface: every kind of scenario read once and dispatched on its kind, every run
object with run / summary / outcomes / write, and one writer for every run folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import hyosan
from hyosan.cli import app
from hyosan.results.runs import SCENARIO_RUNS, CountryRun, ModelRun

runner = CliRunner()

COUNTRY = """kind = "country"
name = "little-country"
population = "pop.npy"
start = "15,20"
days = 1.0
zombies = 20
seed = 3

[virus]
alpha = 0.8
beta = 0.0018
"""


def small_country(folder: Path, text: str = COUNTRY) -> Path:
    """A 30 x 40 raster with a dense cell at 15,20, and a country scenario beside it."""
    grid = np.random.default_rng(0).integers(0, 3000, size=(30, 40))
    grid[15, 20] = 40000
    np.save(folder / "pop.npy", grid)
    (folder / "country.toml").write_text(text)
    return folder / "country.toml"


def test_a_country_scenario_is_a_toml_file_run_by_hyosan_run(tmp_path):
    path = small_country(tmp_path)
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", str(path), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    s = json.loads(result.output)
    assert s["scenario"] == "little-country" and s["seed"] == 3 and s["start"] == [15, 20]
    assert sum(s["final_counts"].values()) == np.load(tmp_path / "pop.npy").sum()
    # the same scenario from options gives the same run
    again = runner.invoke(
        app,
        ["country", "--population", str(tmp_path / "pop.npy"), "--start", "15,20", "--days", "1",
         "--zombies", "20", "--seed", "3", "--out", str(tmp_path / "opts"), "--json"],
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["final_counts"] == s["final_counts"]


@pytest.mark.parametrize(
    "change,message",
    [
        (
            ("alpha = 0.8", "alpha = -1"),
            "country.toml:10: virus.alpha: Input should be greater than or equal to 0",
        ),
        (('start = "15,20"', 'start = "15;20"'), "start cell '15;20': expected ROW,COL"),
        (("days = 1.0", "dayz = 1.0"), "country.toml:5: dayz: unknown field"),
        (('population = "pop.npy"\n', ""), "population: required field is missing"),
        (('population = "pop.npy"', 'population = "nowhere.npy"'), "nowhere.npy: no such population file"),
    ],
)
def test_country_scenario_errors_name_file_line_and_field(tmp_path, change, message):
    path = small_country(tmp_path, COUNTRY.replace(*change))
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_every_run_object_has_the_same_small_interface(tmp_path):
    path = small_country(tmp_path)
    for kind, cls in SCENARIO_RUNS.items():
        assert cls.kind == kind
    runs = [
        ModelRun(hyosan.model("alemi"), "ssa", 5.0, 51, seed=2),
        CountryRun(hyosan.load(path, seed=4), days=0.5),
        SCENARIO_RUNS["school"](hyosan.load("hyosan-high", seed=1), days=0.005),
    ]
    for i, r in enumerate(runs):
        assert r.run() is r
        row = r.outcomes()
        assert row and all(isinstance(v, (int, float, str, bool, np.bool_)) for v in row.values()), row
        s = r.write(tmp_path / f"f{i}")
        assert json.loads((tmp_path / f"f{i}" / "summary.json").read_text()) == json.loads(json.dumps(s))


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "alemi", "--method", "ssa"],
        ["solve", "alemi", "--method", "lattice"],
        ["lattice", "--alpha", "0.5", "--size", "32"],
        ["run", "hyosan-high", "--days", "0.005"],
        ["run", "hyosan-city", "--days", "0.25"],
        ["run", "COUNTRY"],
    ],
)
def test_one_writer_lists_what_it_wrote_and_leaves_no_partial_file(tmp_path, args):
    """Every run folder is made by results.folders.write_run_folder: summary.json names each file,
    each named file is there, and no temporary part is left behind."""
    if args[-1] == "COUNTRY":
        args = ["run", str(small_country(tmp_path))]
    out = tmp_path / "out"
    result = runner.invoke(app, [*args, "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    s = json.loads((out / "summary.json").read_text())
    on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert s["files"] == on_disk
    assert s["folder"] == str(out)
    assert not any(".part" in f for f in on_disk)
