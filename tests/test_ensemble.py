"""Ensembles on a real Dask cluster: determinism across worker counts, resume, lost workers, bad input."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hyosan
from hyosan import ensemble as E
from hyosan.ensemble import dask_runs
from hyosan.ensemble.targets import run_seed

HYOSAN = [sys.executable, "-m", "hyosan.cli"]
SCHOOL = dict(days=0.02)  # half an hour of story: a run takes about a second


@pytest.fixture(scope="module")
def cluster():
    """One local cluster of two worker processes for the module's tests."""
    from distributed import LocalCluster

    c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    yield c
    c.close()


def table_without_ids(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values("run").reset_index(drop=True)


def test_run_seed_is_the_spawned_child():
    for n in (1, 5, 40):
        kids = np.random.SeedSequence(7).spawn(n)
        for i in (0, n - 1):
            want = int(kids[i].generate_state(1, np.uint64)[0] >> np.uint64(11))
            assert run_seed(7, i) == want
    assert len({run_seed(7, i) for i in range(1000)}) == 1000


def test_one_and_two_workers_give_identical_tables(cluster, tmp_path):
    a = E.ensemble("alemi", 60, seed=5, method="ssa", workers=1, out=tmp_path / "one")
    b = E.ensemble(
        "alemi", 60, seed=5, method="ssa", scheduler=cluster.scheduler_address, out=tmp_path / "two"
    )
    assert b.summary["timing"]["workers"] == 2
    pd.testing.assert_frame_equal(a.table, b.table)
    assert list(a.table["run"]) == list(range(60))
    sa = E.ensemble("hyosan-high", 3, seed=2, workers=1, out=tmp_path / "s1", **SCHOOL)
    sb = E.ensemble(
        "hyosan-high", 3, seed=2, scheduler=cluster.scheduler_address, out=tmp_path / "s2", **SCHOOL
    )
    pd.testing.assert_frame_equal(sa.table, sb.table)


def test_a_run_of_an_ensemble_is_the_same_run_alone(cluster, tmp_path):
    r = E.ensemble(
        "hyosan-high", 2, seed=9, scheduler=cluster.scheduler_address, out=tmp_path / "e", **SCHOOL
    )
    row = r.table.iloc[1]
    sim = hyosan.load("hyosan-high", seed=int(row["seed"]))
    sim.run(days=SCHOOL["days"])
    assert sim.counts()["zombie"] == row["zombie"]
    assert sim.counts()["human"] == row["human"]
    out = tmp_path / "alone"  # and from the command line: a run's seed is within --seed's range
    cmd = ["run", "hyosan-high", "--seed", str(int(row["seed"])), "--days", str(SCHOOL["days"])]
    subprocess.run(HYOSAN + cmd + ["--out", str(out)], check=True, capture_output=True)
    final = json.loads((out / "summary.json").read_text())["final_counts"]
    assert (final["zombie"], final["human"]) == (row["zombie"], row["human"])
    m = E.ensemble("alemi", 5, seed=9, method="ssa", scheduler=cluster.scheduler_address, out=tmp_path / "m")
    from hyosan import solvers

    alone = solvers.ssa(hyosan.model("alemi"), runs=1, seed=int(m.table["seed"][3]))
    assert alone.final[0].tolist() == [m.table[f"final {s}"][3] for s in ("S", "Z", "R")]


def test_country_and_lattice_are_ensemble_targets_too(cluster, tmp_path):
    """A country scenario's runs on the cluster equal the same seeds run alone; the lattice method
    of a model runs as an ensemble like the others."""
    from tests.test_run_interface import small_country

    path = small_country(tmp_path)
    r = E.ensemble(str(path), 4, seed=2, days=0.5, scheduler=cluster.scheduler_address, out=tmp_path / "c")
    assert r.summary["target"]["kind"] == "country"
    assert "final S" in r.summary["distributions"]
    alone = hyosan.load(path, seed=int(r.table["seed"][2])).run(days=0.5).summary()
    assert alone["final_counts"]["S"] == r.table["final S"][2]
    assert alone["cells_reached"] == r.table["cells_reached"][2]
    lat = E.ensemble(
        "alemi", 6, seed=1, method="lattice", sets={"alpha": 0.5}, days=None,
        scheduler=cluster.scheduler_address, out=tmp_path / "l",
    )  # fmt: skip
    assert (lat.table["final S"] + lat.table["final Z"] + lat.table["final R"] == 256 * 256).all()


def test_die_out_probability_matches_alemi(cluster, tmp_path):
    # Alemi et al.: from one zombie among many humans the outbreak dies out with probability alpha
    r = E.ensemble(
        "alemi",
        400,
        seed=1,
        method="ssa",
        sets={"alpha": 0.6},
        scheduler=cluster.scheduler_address,
        out=tmp_path / "d",
    )
    p = r.summary["probabilities"]["died_out"]
    assert p["lo"] <= 0.6 <= p["hi"], p
    assert (tmp_path / "d" / "ensemble.png").stat().st_size > 10_000
    saved = json.loads((tmp_path / "d" / "summary.json").read_text())
    assert saved["probabilities"]["died_out"]["k"] == p["k"]
    assert len(saved["bands"]["Z"]["p50"]) == 101
    # the band is of the outbreaks that took off; the die-outs are counted and drawn apart
    assert saved["bands"]["died_out"] == p["k"] and saved["bands"]["took_off"] == 400 - p["k"]
    assert saved["bands"]["Z"]["p5"][-1] > 0 and saved["bands"]["Z"]["died_out_p50"][-1] == 0


def test_school_summary_has_fates_with_intervals(cluster, tmp_path):
    r = E.ensemble(
        "hyosan-high", 4, seed=3, scheduler=cluster.scheduler_address, out=tmp_path / "f", **SCHOOL
    )
    fates = r.summary["fates"]
    assert "Cheong-san" in fates and len(fates) >= 10
    for name, fs in fates.items():
        assert abs(sum(v["p"] for v in fs.values()) - 1) < 1e-9, name
        for v in fs.values():
            assert v["lo"] <= v["p"] <= v["hi"]
    assert r.summary["distributions"]["survivors"]["runs"] == 4


def _wait_for_parts(folder: Path, n: int, proc=None, limit: float = 120) -> None:
    t0 = time.time()
    while len(list((folder / "parts").glob("part-*.parquet"))) < n:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"ensemble ended early: {proc.stderr.read()}")
        if time.time() - t0 > limit:
            raise AssertionError("no parts appeared")
        time.sleep(0.05)


def test_resume_after_a_killed_ensemble(tmp_path):
    folder = tmp_path / "killed"
    args = [
        *HYOSAN,
        "ensemble",
        "hyosan-high",
        "--runs",
        "8",
        "--seed",
        "4",
        "--days",
        "0.02",
        "--workers",
        "2",
        "--out",
        str(folder),
        "--json",
    ]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        _wait_for_parts(folder, 2, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, as a power cut would
        proc.wait()
    have = dask_runs.done_runs(folder)
    assert 2 <= len(have) < 8
    done = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout)
    assert s["timing"]["resumed_from"] == len(have) and s["timing"]["ran_now"] == 8 - len(have)
    whole = E.ensemble("hyosan-high", 8, seed=4, workers=2, out=tmp_path / "whole", **SCHOOL)
    pd.testing.assert_frame_equal(dask_runs.read_table(folder), whole.table)


def test_a_worker_that_dies_mid_run_loses_nothing(cluster, tmp_path):
    from distributed import Client

    folder = tmp_path / "lost"
    result = {}

    def go():
        result["r"] = E.ensemble(
            "hyosan-high", 8, seed=6, scheduler=cluster.scheduler_address, out=folder, days=0.03
        )

    th = threading.Thread(target=go)
    th.start()
    _wait_for_parts(folder, 1)
    with Client(cluster.scheduler_address) as c:
        pids = c.run(os.getpid)
    killed = next(iter(pids.values()))
    os.kill(killed, signal.SIGKILL)
    th.join(300)
    r = result["r"]
    with Client(cluster.scheduler_address) as c:
        assert killed not in c.run(os.getpid).values()  # the worker did die; its nanny started another
    assert list(r.table["run"]) == list(range(8))  # every run once: none lost, none doubled
    ref = E.ensemble("hyosan-high", 8, seed=6, workers=1, out=tmp_path / "ref", days=0.03)
    pd.testing.assert_frame_equal(r.table, ref.table)


def test_address_path_with_dask_scheduler_and_workers(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bindir = Path(sys.executable).parent
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    sched = subprocess.Popen(
        [str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    addr = f"tcp://127.0.0.1:{port}"
    work = subprocess.Popen(
        [str(bindir / "dask"), "worker", addr, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    try:
        from distributed import Client

        with Client(addr, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
        out = subprocess.run(
            [
                *HYOSAN,
                "ensemble",
                "alemi",
                "-m",
                "ssa",
                "--runs",
                "30",
                "--seed",
                "2",
                "--scheduler",
                addr,
                "--out",
                str(tmp_path / "a"),
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["timing"]["workers"] == 2
        local = E.ensemble("alemi", 30, seed=2, method="ssa", workers=1, out=tmp_path / "b")
        pd.testing.assert_frame_equal(dask_runs.read_table(tmp_path / "a"), local.table)
    finally:
        for p in (work, sched):
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(30)


def test_sweep_uses_the_same_seeds_at_every_point(cluster, tmp_path):
    r = E.sweep(
        "alemi",
        {"alpha": [0.4, 0.8, 1.2]},
        runs=20,
        seed=3,
        method="ssa",
        scheduler=cluster.scheduler_address,
        out=tmp_path / "sw",
    )
    t = r.table
    assert len(t) == 60
    assert (t.groupby("alpha")["seed"].apply(list).apply(tuple).nunique()) == 1
    surf = pd.read_csv(tmp_path / "sw" / "sweep.csv")
    # more kills per bite, fewer outbreaks that take off
    assert list(surf["alpha"]) == [0.4, 0.8, 1.2]
    assert surf["died_out"].is_monotonic_increasing and surf["died_out"].iloc[-1] > surf["died_out"].iloc[0]
    assert (tmp_path / "sw" / "sweep.png").is_file()


def test_sensitivity_ranks_the_parameter_that_matters(cluster, tmp_path):
    r = E.sensitivity(
        "alemi",
        {"alpha": (0.3, 1.5), "beta": (0.00179, 0.00181)},
        samples=32,
        seed=1,
        outcome="final S",
        scheduler=cluster.scheduler_address,
        out=tmp_path / "si",
    )
    ind = r.summary["indices"]["final S"]
    assert len(r.table) == 32 * 4
    assert ind["alpha"]["ST"] > 0.8 and ind["beta"]["ST"] < 0.05, ind
    assert (tmp_path / "si" / "sensitivity.png").is_file()


def test_calibration_finds_a_known_setting_and_resumes(cluster, tmp_path):
    from hyosan import solvers

    truth = solvers.ode(hyosan.model("alemi").with_values(alpha=0.9))
    final_s = float(truth.final[0][0])
    targets = {
        "runs": 1,
        "trials": 24,
        "batch": 4,
        "vary": {"alpha": [0.5, 1.5]},
        "target": [{"outcome": "final S", "value": final_s}],
    }
    r = E.calibrate("alemi", targets, seed=1, scheduler=cluster.scheduler_address, out=tmp_path / "c")
    assert abs(r.summary["best"]["params"]["alpha"] - 0.9) < 0.05, r.summary["best"]
    assert r.summary["trials"] == 24 and (tmp_path / "c" / "calibration.db").is_file()
    # a longer calibration resumes from the study stored in the folder: the 24 trials are kept
    study = json.loads((tmp_path / "c" / "study.json").read_text())
    study["targets"]["trials"] = 28
    (tmp_path / "c" / "study.json").write_text(json.dumps(study))
    r2 = E.calibrate(
        "alemi",
        {**targets, "trials": 28},
        seed=1,
        scheduler=cluster.scheduler_address,
        out=tmp_path / "c",
        resume=True,
    )
    assert r2.summary["trials"] == 28 and len(r2.table) == 28
    assert r2.summary["best"]["loss"] <= r.summary["best"]["loss"]


def run_cli(*args, timeout=120):
    return subprocess.run([*HYOSAN, *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    "args, words",
    [
        (["ensemble", "nosuch", "--runs", "2"], "unknown target 'nosuch'"),
        (["ensemble", "alemi", "--runs", "0"], "--runs must be >= 1"),
        (["ensemble", "alemi", "-m", "rk4", "--runs", "2"], "unknown method 'rk4'"),
        (["ensemble", "alemi", "--runs", "2", "--set", "gamma=1"], "gamma"),
        (
            ["ensemble", "hyosan-high", "--runs", "2", "--set", "virus.nope=1"],
            "--set virus.nope=1: no such field",
        ),
        (["ensemble", "hyosan-high", "--runs", "2", "--set", "humans.calm=2"], "--set humans.calm=2"),
        (["sweep", "alemi", "--grid", "alpha=0.1:0.5"], "malformed --grid 'alpha=0.1:0.5'"),
        (["sweep", "alemi", "--grid", "alpha=a:0.5:3"], "malformed --grid"),
        (["sweep", "alemi"], "at least one --grid"),
        (
            ["sensitivity", "alemi", "--vary", "alpha=1:0.5", "--vary", "beta=0.001:0.002"],
            "LO must be below HI",
        ),
        (
            [
                "sensitivity",
                "alemi",
                "--vary",
                "alpha=0.5:1",
                "--vary",
                "beta=0.001:0.002",
                "--samples",
                "10",
            ],
            "power of two",
        ),
        (
            ["ensemble", "alemi", "--runs", "2", "--scheduler", "tcp://127.0.0.1:9"],
            "cannot reach the Dask scheduler",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, words, tmp_path):
    r = run_cli(*args, "--out", str(tmp_path / "o"))
    assert r.returncode == 2, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_bad_targets_file_names_its_line(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text('runs = 2\n[vary]\nalpha = [1.5, 0.5]\n[[target]]\noutcome = "final S"\nvalue = 10\n')
    r = run_cli("calibrate", "alemi", "--targets", str(f), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and f"{f}:2: vary" in r.stderr, r.stderr
    f.write_text('runs = 2\n[vary]\nalpha = [0.5, 1.5]\n[[target]]\noutcome = "final S"\nvalu = 10\n')
    r = run_cli("calibrate", "alemi", "--targets", str(f), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and f"{f}:4: target.0.value: required field is missing" in r.stderr, r.stderr


def test_resume_refuses_another_study(tmp_path):
    E.ensemble("alemi", 4, seed=1, method="ssa", workers=1, out=tmp_path / "a")
    r = run_cli(
        "ensemble",
        "alemi",
        "-m",
        "ssa",
        "--runs",
        "4",
        "--seed",
        "2",
        "--out",
        str(tmp_path / "a"),
        "--resume",
    )
    assert r.returncode == 2 and "holds a different study (differs in: seed)" in r.stderr, r.stderr
    r = run_cli("ensemble", "alemi", "--runs", "4", "--out", str(tmp_path / "new"), "--resume")
    assert r.returncode == 2 and "holds no study" in r.stderr, r.stderr
