"""The viewer's server without a browser: the wire format, what it refuses, and many viewers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from hyosan.web.app import create_app
from hyosan.web.frames import frame_bytes, read_frame
from hyosan.web.loadtest import serve_in_thread, viewers_rate


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """A runs folder with one short school run (with its replay) and a file outside it."""
    from typer.testing import CliRunner

    from hyosan.cli import app

    root = tmp_path_factory.mktemp("web")
    runs = root / "runs"
    res = CliRunner().invoke(app, ["run", "hyosan-high", "--days", "0.01", "--out", str(runs / "school")])
    assert res.exit_code == 0, res.output
    (root / "secret").mkdir()
    (root / "secret" / "summary.json").write_text("{}")
    (runs / "link").symlink_to(root / "secret")
    return runs


@pytest.fixture(scope="module")
def client(runs):
    with TestClient(create_app(runs)) as c:
        yield c


def test_frames_round_trip():
    pos = np.array([5, 70000, 3], np.uint32)
    kind = np.array([0, 1, 4], np.uint8)
    doors = np.array([3, 12], np.uint8)
    f = read_frame(frame_bytes(12.5, pos, kind, doors, True))
    assert f["t"] == 12.5 and f["playing"]
    assert f["pos"].tolist() == pos.tolist() and f["kind"].tolist() == kind.tolist()
    assert f["doors"].tolist() == [3, 12] and f["counts"][:5].tolist() == [1, 1, 0, 0, 1]


def test_replay_serves_frames_of_the_run(client, runs):
    assert {"name": "school", "kind": "school"} in client.get("/api/runs").json()
    info = client.get("/api/runs/school/replay").json()
    assert info["frames"] >= 10 and info["scenario"] == "hyosan-high"
    first = read_frame(client.get("/api/runs/school/frame/0").content)
    last = read_frame(client.get(f"/api/runs/school/frame/{info['frames'] - 1}").content)
    assert first["t"] == 0 and last["t"] == pytest.approx(0.01 * 86400)
    assert not np.array_equal(first["pos"], last["pos"])
    assert client.get(f"/api/runs/school/frame/{info['frames']}").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/runs/../secret/replay",
        "/api/runs/%2e%2e/secret/replay",
        "/api/runs/school/../../secret/map",
        "/api/runs//etc/passwd/arrival",
        "/api/runs/link/map",  # a link out of the runs folder
        "/static/../app.py",
        "/static/%2e%2e/app.py",
    ],
)
def test_paths_outside_the_runs_folder_are_refused(client, url):
    r = client.get(url)
    assert r.status_code == 404, (url, r.status_code)
    assert "summary" not in r.text and "import" not in r.text


def test_damaged_run_folders_get_a_clear_error_not_a_500(runs, tmp_path):
    """A truncated replay or arrival map, a summary that is not JSON, a run without a replay."""
    import shutil

    root = tmp_path / "runs"
    shutil.copytree(runs / "school", root / "cut")
    data = (root / "cut" / "replay.npz").read_bytes()
    (root / "cut" / "replay.npz").write_bytes(data[: len(data) // 2])
    (root / "map").mkdir()
    (root / "map" / "summary.json").write_text("{garb")
    (root / "map" / "arrival_hours.npy").write_bytes(b"\x93NUMPY truncated")
    (root / "bare").mkdir()
    (root / "bare" / "summary.json").write_text("{}")
    with TestClient(create_app(root), raise_server_exceptions=False) as c:
        for url, status in [
            ("/api/runs/cut/replay", 422),
            ("/api/runs/cut/frame/0", 422),
            ("/api/runs/map/map", 422),
            ("/api/runs/map/arrival", 422),
            ("/api/runs/bare/plan", 404),
            ("/api/runs/bare/frame/0", 404),
        ]:
            r = c.get(url)
            assert r.status_code == status, (url, r.status_code, r.text)
            assert "damaged" in r.json()["detail"] or "has no" in r.json()["detail"]


def test_models_page_data_and_bad_values(client):
    ok = client.get("/api/model/alemi", params={"alpha": 0.5, "runs": 20}).json()
    assert len(ok["t"]) == len(ok["ode"]["S"]) and 0 <= ok["died_out"] <= 20
    assert ok["bands"]["Z"]["p5"][-1] <= ok["bands"]["Z"]["p95"][-1]
    for params in ({"alpha": -1}, {"alpha": "nan"}, {"nope": 1}, {"runs": 10_000}, {"alpha": "x"}):
        r = client.get("/api/model/alemi", params=params)
        assert r.status_code == 400 and r.json()["error"], params
    assert client.get("/api/model/no-such-model").status_code == 400


def test_bad_websocket_messages_get_an_error_reply_and_the_server_goes_on(client):
    with client.websocket_connect("/ws/live") as ws:
        for bad in ("{not json", json.dumps({"cmd": "explode"}), json.dumps({"cmd": "start", "seed": -1}),
                    json.dumps({"cmd": "play"}), "x" * 5000,
                    json.dumps({"cmd": "start", "scenario": "../../etc/passwd"}),
                    json.dumps({"cmd": "start", "scenario": "hyosan-city"})):  # fmt: skip
            ws.send_text(bad)
            reply = ws.receive_json()
            assert reply["type"] == "error" and reply["error"], bad
        ws.send_bytes(b"\x00" * 100)
        assert ws.receive_json()["type"] == "error"
        ws.send_text(json.dumps({"cmd": "start", "scenario": "hyosan-high", "seed": 3}))
        plan = ws.receive_json()
        assert plan["type"] == "plan" and plan["seed"] == 3
        assert ws.receive_bytes()[0] == 1  # the plan's cells
        f0 = read_frame(ws.receive_bytes())
        ws.send_text(json.dumps({"cmd": "step", "seconds": 120}))
        f1 = read_frame(ws.receive_bytes())
        assert f1["t"] == f0["t"] + 120
        ws.send_text(json.dumps({"cmd": "agent", "agent": 0}))
        while True:
            m = ws.receive()
            if m.get("text") and json.loads(m["text"])["type"] == "agent":
                break
        ws.send_text(json.dumps({"cmd": "agent", "agent": 10**9}))
        while True:
            m = ws.receive()
            if m.get("text"):
                err = json.loads(m["text"])
                if err["type"] == "error":
                    break
        assert "no agent" in err["error"]


def test_twenty_viewers_neither_crash_the_server_nor_slow_a_run_by_more_than_half(runs):
    """One run played flat out: its story rate with twenty viewers is at least half its rate with one
    (the frame is encoded once per tick and the same bytes go to every viewer)."""
    url, stop = serve_in_thread(runs)
    try:
        alone = asyncio.run(viewers_rate(url, 4.0, 1))
        crowd = asyncio.run(viewers_rate(url, 4.0, 20))
        import urllib.request

        assert urllib.request.urlopen(f"http://{url}/api/scenarios").status == 200  # still serving
    finally:
        stop()
    assert alone > 0 and crowd >= 0.5 * alone, (alone, crowd)
