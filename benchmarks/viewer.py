"""The viewer's speed: server frames, the page's frame rate, the country map's animation, and
twenty viewers on one live run; screenshots of each view land in docs/viewer/.

python -m benchmarks viewer [--quick]

Targets (issue 13): a school frame of 1,000 people built in under 5 ms on the server; the page
at 30 frames per second or more during a live run; the country map (1500 x 900) animating at
10 frames per second or more. The peer, measured in the same run, is the picture the GIF
animation draws for one moment of the same school (`viz.animate.frame`).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from .common import ROOT, machine, write_section

SHOTS = ROOT / "docs" / "viewer"


def server_frames(reps: int) -> dict:
    """Median seconds to build a FRAME message of hyosan-high (968 people), and the GIF peer's."""
    from hyosan.viz.animate import frame, snapshot
    from hyosan.web.live import LiveRun

    run = LiveRun("hyosan-high", 1)
    run.advance(1800)
    ours, peer = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        msg = run.frame()
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        frame(run.sim, *snapshot(run.sim)[1:])
        peer.append(time.perf_counter() - t0)
    return {"people": int(run.sim.agents.pos.size), "bytes": len(msg),
            "ours_ms": 1e3 * float(np.median(ours)), "peer_ms": 1e3 * float(np.median(peer))}  # fmt: skip


def country_folder(root: Path) -> Path:
    """A run folder holding a 900 x 1500 arrival map (a front spreading from one point)."""
    folder = root / "country-map"
    folder.mkdir(parents=True)
    rows, cols = np.indices((900, 1500))
    hours = np.hypot(rows - 587, cols - 1317) * 1.2 + np.random.default_rng(1).gamma(2, 8, (900, 1500))
    hours[hours > 1440] = np.nan
    np.save(folder / "arrival_hours.npy", hours.astype(np.float32))
    (folder / "summary.json").write_text(
        json.dumps({"scenario": "a front across 900 x 1500 cells", "hours": 1440})
    )
    return folder


def browser(url: str, shots: bool) -> dict:
    """The page's frames per second during a live run, the map's draws per second, and screenshots."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import chromium

    out = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        pg = b.new_page(viewport={"width": 1360, "height": 760})
        pg.goto(f"http://{url}/")
        pg.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)
        pg.click("#live-start")
        pg.wait_for_function("window.hyosan.live.frames > 0", timeout=30_000)
        pg.select_option("#live-speed", "300")
        pg.click("#live-play")
        time.sleep(5)
        out["page_fps"] = pg.evaluate("window.hyosan.stats.fps")
        f0, t0 = pg.evaluate("window.hyosan.live.frames"), time.perf_counter()
        time.sleep(3)
        out["frames_per_s"] = (pg.evaluate("window.hyosan.live.frames") - f0) / (time.perf_counter() - t0)
        if shots:
            pg.screenshot(path=str(SHOTS / "live.png"))
        pg.click("#live-pause")
        pg.click("nav button[data-tab=replay]")
        pg.select_option("#replay-run", "school")
        pg.click("#replay-load")
        pg.wait_for_function("window.hyosan.rep.shown === 0", timeout=10_000)
        pg.locator("#replay-slider").fill("60")
        pg.wait_for_function("window.hyosan.rep.shown === 60", timeout=10_000)
        if shots:
            pg.screenshot(path=str(SHOTS / "replay.png"))
        pg.click("nav button[data-tab=maps]")
        pg.select_option("#map-run", "country-map")
        pg.click("#map-load")
        pg.wait_for_function("window.hyosan.map.drawn > 0", timeout=20_000)
        d0, t0 = pg.evaluate("window.hyosan.map.drawn"), time.perf_counter()
        pg.click("#map-play")
        time.sleep(4)
        out["map_fps"] = (pg.evaluate("window.hyosan.map.drawn") - d0) / (time.perf_counter() - t0)
        if shots:
            pg.click("#map-play")
            pg.select_option("#map-run", "city")
            pg.click("#map-load")
            pg.locator("#map-slider").fill("60")
            time.sleep(0.5)
            pg.screenshot(path=str(SHOTS / "city.png"))
        pg.click("nav button[data-tab=models]")
        pg.select_option("#model-name", "alemi")
        pg.wait_for_function("window.hyosan.models.curves && window.hyosan.models.curves.model === 'alemi'")
        time.sleep(0.5)
        if shots:
            pg.screenshot(path=str(SHOTS / "models.png"))
        b.close()
    return out


def main(argv: list[str]) -> None:
    """Measure and write the BENCHMARKS.md section (and docs/viewer/ screenshots unless --quick)."""
    from typer.testing import CliRunner

    from hyosan.cli import app
    from hyosan.web.loadtest import serve_in_thread, viewers_rate

    quick = "--quick" in argv
    frames = server_frames(50 if quick else 2000)
    print(f"frame of {frames['people']} people: {frames['ours_ms']:.3f} ms ({frames['bytes']} bytes); "
          f"GIF frame (peer) {frames['peer_ms']:.3f} ms")  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="hyosan-viewer-"))
    try:
        runs = tmp / "runs"
        cli = CliRunner()
        for args in (["run", "hyosan-high", "--days", "0.1", "--out", str(runs / "school")],
                     ["run", "hyosan-city", "--days", "4", "--out", str(runs / "city")]):  # fmt: skip
            res = cli.invoke(app, args)
            assert res.exit_code == 0, res.output
        country_folder(runs)
        url, stop = serve_in_thread(runs)
        try:
            if not quick:
                SHOTS.mkdir(parents=True, exist_ok=True)
            page = browser(url, shots=not quick)
            alone = asyncio.run(viewers_rate(url, 2.0 if quick else 6.0, 1))
            crowd = asyncio.run(viewers_rate(url, 2.0 if quick else 6.0, 20))
        finally:
            stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"page {page['page_fps']:.0f} fps ({page['frames_per_s']:.0f} server frames/s); "
          f"country map {page['map_fps']:.1f} fps; live run flat out: {alone:,.0f} story s/s alone, "
          f"{crowd:,.0f} with 20 viewers")  # fmt: skip
    if quick:
        return
    people, nbytes, ours = frames["people"], f"{frames['bytes']:,}", f"{frames['ours_ms']:.3f}"
    peer = f"{frames['peer_ms']:.3f} ms ({frames['peer_ms'] / frames['ours_ms']:.0f}x the frame)"
    text = f"""Machine: {machine()}. `python -m benchmarks viewer`: a live hyosan-high run (seed 1) in
headless Chromium (from the distribution's packages) driven by Playwright, against `hyosan serve`'s
app on the loopback.

| measure | result | target |
|---|---|---|
| server: FRAME message of {people} people ({nbytes} bytes), median of 2,000 | {ours} ms | < 5 ms |
| peer: the GIF animation's picture of the same moment (`viz.animate.frame`) | {peer} | |
| page: frames drawn per second during a live run at 5 story min/s | {page["page_fps"]:.0f} fps | >= 30 |
| server frames received per second by the page | {page["frames_per_s"]:.0f} | |
| country map, 1500 x 900 cells, redrawn per second while it plays | {page["map_fps"]:.1f} fps | >= 10 |
| a live run played flat out, story seconds per second, 1 viewer | {alone:,.0f} | |
| the same with 20 viewers | {crowd:,.0f} ({crowd / alone:.2f}x) | >= 0.5x (tested) |

Screenshots: docs/viewer/ (live.png, replay.png, city.png, models.png).
"""
    write_section("viewer", text)
