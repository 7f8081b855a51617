"""Hyosan city and `hyosan country`: people conserved, determinism, clear errors, run folders."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hyosan.cli import app
from hyosan.errors import HyosanError
from hyosan.scenario import resolve
from hyosan.scenario.city import load_city, read_map

runner = CliRunner()
CITY = resolve("hyosan-city")
USA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "usa-population-2mi.json.gz"


def test_city_run_keeps_everyone_accounted_for_and_repeats_per_seed():
    a = load_city(CITY, seed=2).run(days=4.5)
    b = load_city(CITY, seed=2).run(days=4.5)
    assert a.rows == b.rows
    s = a.summary()
    assert s["residents"] == 170_000
    for row in a.rows:  # nobody appears or vanishes (zombies may cross the hill road before the cordon)
        everyone = sum(row[f"{p}_{k}"] for p in ("city", "yangdong") for k in "SEZR") + row["evacuated"]
        assert everyone == 170_000 + s["yangdong_people"]
    assert s["bombing_killed_infected"] > 0 and s["got_out"] > 0
    c = load_city(CITY, seed=5).run(days=4.5)
    assert c.rows != a.rows


def test_city_map_errors_name_the_place(tmp_path):
    bad = tmp_path / "city.map"
    bad.write_text("..rr\n.rQr\n")
    with pytest.raises(HyosanError, match=r"city.map:2:3: unknown map character 'Q'"):
        read_map(bad)
    bad.write_text("..rr\n.rr\n")
    with pytest.raises(HyosanError, match=r"city.map:2: ragged map"):
        read_map(bad)
    bad.write_text("rrSr\nrr1r\n")
    with pytest.raises(HyosanError, match=r"has no checkpoint \(X\)"):
        read_map(bad)


def test_city_scenario_errors_name_file_line_and_field(tmp_path):
    text = CITY.read_text().replace("per_hour = 442", "per_hour = 442\nper_hours = 3")
    (tmp_path / "scenario.toml").write_text(text)
    (tmp_path / "city.map").write_text((CITY.parent / "city.map").read_text())
    result = runner.invoke(app, ["run", str(tmp_path / "scenario.toml")])
    assert result.exit_code == 2
    assert "scenario.toml:" in result.output and "evacuation.per_hours: unknown field" in result.output


def test_city_evacuation_must_end_after_it_starts(tmp_path):
    import re

    text = re.sub(r"(?m)^end_hour = .*$", "end_hour = 1", CITY.read_text(), count=1)
    assert "end_hour = 1" in text
    (tmp_path / "scenario.toml").write_text(text)
    (tmp_path / "city.map").write_text((CITY.parent / "city.map").read_text())
    result = runner.invoke(app, ["run", str(tmp_path / "scenario.toml")])
    assert result.exit_code == 2
    assert "evacuation: end_hour (1) must be after start_hour" in result.output


def test_run_hyosan_city_writes_its_folder(tmp_path):
    out = tmp_path / "city"
    result = runner.invoke(app, ["run", "hyosan-city", "--days", "1", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    s = json.loads(result.output)
    for f in (
        "timeline.parquet",
        "summary.json",
        "scenario.toml",
        "city.map",
        "timeline.png",
        "population.png",
    ):
        assert (out / f).is_file(), f
    assert s["got_out"] == 442 * 4  # checkpoints open at hour 24: one hour of evacuation by the end of day 1


def test_country_on_a_small_raster_writes_maps_series_and_animation(tmp_path):
    grid = np.random.default_rng(0).integers(0, 3000, size=(30, 40))
    grid[15, 20] = 40000
    np.save(tmp_path / "pop.npy", grid)
    out = tmp_path / "run"
    args = [
        "country",
        "--population",
        str(tmp_path / "pop.npy"),
        "--start",
        "15,20",
        "--days",
        "1.5",
        "--zombies",
        "20",
        "--out",
        str(out),
        "--json",
    ]
    for mode in ("exact", "tau"):
        result = runner.invoke(app, args + ["--mode", mode, "--force"])
        assert result.exit_code == 0, result.output
        s = json.loads(result.output)
        assert sum(s["final_counts"].values()) == grid.sum()
        for f in (
            "summary.json",
            "timeseries.parquet",
            "arrival_hours.npy",
            "arrival.png",
            "zombies_day1.png",
            "timeseries.png",
            "animation.gif",
        ):
            assert (out / f).is_file(), f
        arrival = np.load(out / "arrival_hours.npy")
        assert arrival[15, 20] == 0 and np.isnan(arrival[grid == 0]).all()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--start", "0,0"], "has no people"),
        (["--start", "999,0"], "outside"),
        (["--start", "15,20", "--mode", "fast"], "--mode: Input should be 'exact' or 'tau'"),
        (["--start", "15,20", "--days", "0"], "--days: Input should be greater than 0"),
        (["--start", "15,20", "--alpha", "-1"], "--alpha: Input should be greater than or equal to 0"),
        (["--start", "15,20", "--alpha", "inf"], "--alpha: Input should be a finite number"),
    ],
)
def test_country_bad_input_gives_one_line_and_exit_2(tmp_path, args, message):
    grid = np.ones((30, 40), np.int64)
    grid[0, 0] = 0
    np.save(tmp_path / "pop.npy", grid)
    result = runner.invoke(
        app, ["country", "--population", str(tmp_path / "pop.npy"), "--out", str(tmp_path / "o")] + args
    )
    assert result.exit_code == 2 and message in result.output


def test_country_accepts_alpha_zero_like_solve_and_lattice(tmp_path):
    grid = np.ones((8, 8), np.int64)
    np.save(tmp_path / "pop.npy", grid)
    args = ["--population", str(tmp_path / "pop.npy"), "--start", "4,4", "--days", "0.01", "--alpha", "0"]
    result = runner.invoke(app, ["country", *args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    lattice = runner.invoke(app, ["lattice", "--alpha", "0", "--size", "32", "--out", str(tmp_path / "l")])
    assert lattice.exit_code == 0, lattice.output


def test_a_folder_given_as_population_is_named_a_folder(tmp_path):
    result = runner.invoke(app, ["country", "--population", str(tmp_path), "--start", "0,0"])
    assert result.exit_code == 2 and "is a folder; expected a population file" in result.output


def test_country_refuses_a_bad_raster(tmp_path):
    (tmp_path / "pop.csv").write_text("1,2\n3,-4\n")
    result = runner.invoke(app, ["country", "--population", str(tmp_path / "pop.csv"), "--start", "0,0"])
    assert result.exit_code == 2 and "cell at row 1, column 1 is negative" in result.output


@pytest.mark.skipif(
    not USA.is_file(), reason=f"shared data absent: {USA} (tests that need it run where it is)"
)
def test_whole_usa_population_for_six_hours_in_tau_mode(tmp_path):
    result = runner.invoke(
        app,
        [
            "country",
            "--population",
            str(USA),
            "--start",
            "587,1317",
            "--days",
            "0.25",
            "--mode",
            "tau",
            "--zombies",
            "10",
            "--out",
            str(tmp_path / "usa"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    s = json.loads(result.output)
    assert s["people"] == 306_675_005 and sum(s["final_counts"].values()) == 306_675_005
    assert s["cells_inhabited"] == 551_275 and "New York" in s["regions"]
