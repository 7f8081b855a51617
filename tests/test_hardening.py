"""Hardening: --force replaces a run whole, milestones come from the solution at full resolution,
requests are sized before allocating, errors are printed literally, output is never wrapped."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from typer.testing import CliRunner

import hyosan
from hyosan import solvers
from hyosan.cli import app

runner = CliRunner()


def test_force_replaces_a_run_whole_and_keeps_the_users_own_files(tmp_path):
    out = tmp_path / "run"
    first = ["run", "hyosan-high", "--days", "0.01", "--seed", "1", "--animate", "--out", str(out)]
    assert runner.invoke(app, first).exit_code == 0
    assert (out / "animation.gif").exists()
    (out / "my notes.txt").write_text("mine")
    (out / "maps").joinpath("my sketch.txt").write_text("mine too")
    second = ["run", "hyosan-high", "--days", "0.01", "--seed", "2", "--out", str(out), "--force"]
    result = runner.invoke(app, second)
    assert result.exit_code == 0, result.output
    s = json.loads((out / "summary.json").read_text())
    assert s["seed"] == 2
    on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert "animation.gif" not in on_disk  # seed 1's animation is not left beside seed 2's results
    assert on_disk == sorted([*s["files"], "my notes.txt", "maps/my sketch.txt"])


def test_force_removes_what_another_kind_of_run_wrote_there(tmp_path):
    """A city run's files, listed in its summary.json, go when a school run replaces it."""
    out = tmp_path / "run"
    assert runner.invoke(app, ["run", "hyosan-city", "--days", "0.25", "--out", str(out)]).exit_code == 0
    city_files = set(json.loads((out / "summary.json").read_text())["files"])
    result = runner.invoke(app, ["run", "hyosan-high", "--days", "0.01", "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    school_files = set(json.loads((out / "summary.json").read_text())["files"])
    left = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert left == school_files and not (city_files - school_files) & left


def test_ode_milestones_on_a_long_horizon_match_a_fine_solution():
    """On a 100,000-day horizon the output grid is 100 days apart; the milestones must still be the
    solution's own (a root search), not read off the grid."""
    net = hyosan.model("alemi")
    tr = solvers.solve(net, "ode", 100_000, 1001)
    c = {k: float(v[0]) for k, v in tr.crossing_times().items()}
    c_net = net.compile()
    fine = solve_ivp(
        lambda t, y: net.rhs(c_net, y),
        (0, 60),
        net.x0(),
        method="LSODA",
        rtol=1e-10,
        atol=1e-10,
        dense_output=True,
        max_step=0.01,
    )
    t = np.linspace(0, 60, 600_001)
    y = fine.sol(t)
    s, z = net.index("S"), net.index("Z")
    assert c["humans_below_one"] == pytest.approx(t[np.argmax(y[s] < 1)], abs=2e-3)
    assert c["zombies_outnumber_humans"] == pytest.approx(t[np.argmax(y[z] > y[s])], abs=2e-3)
    assert 30 < c["humans_below_one"] < 40  # and not day 99.90, the first grid point after it


@pytest.mark.parametrize("method", ["ssa", "tau"])
def test_stochastic_milestones_are_event_times_whatever_the_output_grid(method):
    net = hyosan.model("munz-basic")
    coarse = solvers.solve(net, method, None, 3, runs=3, seed=4)
    fine = solvers.solve(net, method, None, 20_001, runs=3, seed=4)
    for key, times in coarse.crossing_times().items():
        np.testing.assert_array_equal(times, fine.crossing_times()[key])
    # on the fine grid the milestone lies between the last point before it and the first after
    t, h = fine.t, fine.total(fine.humans)
    z = fine.total(fine.zombies)
    for r, when in enumerate(fine.crossing_times()["zombies_outnumber_humans"]):
        if np.isfinite(when):
            i = np.searchsorted(t, when)
            assert z[r, i - 1] <= h[r, i - 1] and z[r, i] > h[r, i]


def test_lattice_timer_excludes_compilation(tmp_path):
    result = runner.invoke(
        app, ["lattice", "--alpha", "0.5", "--size", "16", "--out", str(tmp_path / "l"), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["kernel_seconds"] < 0.5  # compiling or loading takes seconds


@pytest.mark.parametrize(
    "args,says",
    [
        (["solve", "alemi", "--method", "ssa", "--runs", "1000000000"], "1,000,000,000 runs x 1,001 points"),
        (["lattice", "--alpha", "0.5", "--size", "65536"], "a 65,536 x 65,536 lattice needs about"),
        (
            [
                "sensitivity",
                "alemi",
                "-m",
                "ssa",
                "--samples",
                "1099511627776",
                "--vary",
                "alpha=0.1:0.9",
                "--vary",
                "beta=0.001:0.01",
            ],
            "4,398,046,511,104 runs needs about",
        ),
        (
            ["sweep", "alemi", "--grid", "alpha=0.1:0.9:10000", "--grid", "beta=0.001:0.01:1000"],
            "10,000,000 points",
        ),
        (["ensemble", "alemi", "--runs", "2", "--workers", "100"], "100 worker processes needs about"),
    ],
)
def test_requests_are_sized_before_anything_is_allocated(tmp_path, args, says, monkeypatch):
    monkeypatch.setenv("HYOSAN_MEMORY", "4G")
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert says in result.output and "this machine has 4 GiB to give" in result.output
    assert not (tmp_path / "o").exists()  # refused before a folder was made


def test_error_text_is_printed_literally(tmp_path):
    """Square brackets are TOML section names, not terminal markup: they are printed as written."""
    sc = tmp_path / "s"
    sc.mkdir()
    (sc / "scenario.toml").write_text('name = "x"\nmaps = ["f.map"]\n')
    (sc / "f.map").write_text("[key]\na = room\n")
    result = runner.invoke(app, ["run", str(sc / "scenario.toml"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "[grid]" in result.output, result.output


def test_a_damaged_checkpoint_or_study_part_gives_one_line(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "checkpoint.npz").write_bytes(b"not a zip at all")
    result = runner.invoke(app, ["run", "hyosan-city", "--days", "0.25", "--out", str(out), "--resume"])
    assert result.exit_code == 2 and "not a hyosan checkpoint" in result.output, result.output

    study = tmp_path / "study"
    args = ["ensemble", "alemi", "-m", "ssa", "--runs", "2", "--workers", "1", "--out", str(study)]
    assert runner.invoke(app, args).exit_code == 0
    part = next((study / "parts").glob("part-*.parquet"))
    part.write_bytes(b"PAR1 damaged")
    result = runner.invoke(app, [*args, "--resume"])
    assert result.exit_code == 2 and "a damaged part of the study" in result.output, result.output


@pytest.mark.parametrize("name", ["../../evil", "a/b", ".hidden", ""])
def test_a_scenario_name_cannot_climb_out_of_the_runs_folder(tmp_path, name):
    from hyosan.scenario import read_scenario

    sc = tmp_path / "sc"
    sc.mkdir()
    example = Path(__file__).parents[1] / "docs" / "example"
    for f in example.iterdir():
        (sc / f.name).write_text(f.read_text())
    text = (sc / "scenario.toml").read_text()
    (sc / "scenario.toml").write_text(text.replace('name = "annex"', f"name = {json.dumps(name)}", 1))
    with pytest.raises(hyosan.HyosanError, match="cannot name a run folder"):
        read_scenario(sc / "scenario.toml")


@pytest.mark.parametrize("host,says", [("", "--host is empty"), ("999.999.999.999", "is not an address")])
def test_serve_refuses_a_host_it_cannot_listen_on(host, says):
    result = runner.invoke(app, ["serve", "--host", host, "--port", "18999"])
    assert result.exit_code == 2 and says in result.output, result.output


def test_a_checkpoint_lacking_an_array_is_refused(tmp_path):
    from hyosan import checkpoint

    path = checkpoint.write(tmp_path / "c.npz", {"t": 1}, {"ag.pos": np.arange(3), "ag.kind": np.zeros(3)})
    assert checkpoint.read(path)[0] == {"t": 1}
    with np.load(path) as z:  # the same file without one of its arrays
        kept = {k: z[k] for k in z.files if k != "ag.pos"}
    np.savez(path, **kept)
    with pytest.raises(hyosan.HyosanError, match="a damaged checkpoint: it lacks ag.pos"):
        checkpoint.read(path)


@pytest.mark.parametrize(
    "args, says",
    [
        (["sweep", "alemi", "--grid", "alpha=0.9:0.1:3"], "LO must not be above HI"),
        (["sweep", "hyosan-high", "--grid", "seed=1:2:2"], "a scenario's seed is not a study parameter"),
        (["sweep", "hyosan-high", "--days", "0.01", "--grid", "days=0.01:0.02:2"], "days is given twice"),
        (["solve", "alemi", "-m", "lattice", "--set", "S=5000"], "initial counts (S) do not apply"),
        (["solve", "alemi", "--set", "beta=0"], "parameter beta must be > 0"),
        (["ensemble", "alemi", "--runs", "2", "--workers", "0"], "'--workers': Input should be greater than"),
        (
            ["ensemble", "hyosan-city", "--runs", "1", "--set", "population.weights.r=-3"],
            "--set population.weights.r=-3: Input should be greater than or equal to 0",
        ),
    ],
)
def test_inputs_that_would_be_ignored_or_mean_nothing_are_refused(tmp_path, args, says):
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and says in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


def test_country_refuses_a_step_in_the_exact_mode(tmp_path):
    np.save(tmp_path / "pop.npy", np.full((4, 4), 100))
    args = ["country", "--population", str(tmp_path / "pop.npy"), "--start", "1,1", "--days", "0.1"]
    result = runner.invoke(app, [*args, "--dt", "0.5", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "dt is the tau mode's step" in result.output, result.output
    result = runner.invoke(app, [*args, "--dt", "0.5", "--mode", "tau", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output


def test_city_weights_merge_over_the_defaults_and_maps_take_any_line_ending(tmp_path):
    from hyosan.scenario import BUNDLED, read_scenario

    src = BUNDLED / "hyosan-city"
    (tmp_path / "scenario.toml").write_text((src / "scenario.toml").read_text())
    (tmp_path / "city.map").write_bytes((src / "city.map").read_text().replace("\n", "\r\n").encode())
    sc = read_scenario(tmp_path, {"population.weights.C": 12}).scenario
    assert sc.population.weights["C"] == 12 and sc.population.weights["Y"] == 4.0
    result = runner.invoke(app, ["run", str(tmp_path), "--days", "0.1", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
