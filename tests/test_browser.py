"""The viewer in a real browser: Chromium (from the distribution's packages, installed by `make
test`) driven by Playwright, against a real server on the loopback."""

from __future__ import annotations

import shutil
import time

import pytest
from typer.testing import CliRunner

from hyosan.cli import app
from hyosan.web.loadtest import serve_in_thread


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "no chromium on PATH: `make test` installs it (apt-get install chromium)"
    return path


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    runs = tmp_path_factory.mktemp("browser") / "runs"
    cli = CliRunner()
    for args in (["run", "hyosan-high", "--days", "0.02", "--out", str(runs / "school")],
                 ["run", "hyosan-city", "--days", "1", "--out", str(runs / "city")]):  # fmt: skip
        res = cli.invoke(app, args)
        assert res.exit_code == 0, res.output
    url, stop = serve_in_thread(runs)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        pg = browser.new_page(viewport={"width": 1360, "height": 900})
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(f"http://{url}/")
        pg.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)
        pg.errors = errors
        yield pg
        browser.close()
    stop()
    assert not errors, errors


def pixels(pg, canvas: str) -> str:
    """A digest of a canvas's pixels (to see that the picture changed)."""
    return pg.evaluate(
        f"""(() => {{ const c = document.getElementById('{canvas}');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let h = 0; for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0; return String(h); }})()"""
    )


def tab(pg, name: str) -> None:
    pg.click(f"nav button[data-tab={name}]")


def test_a_live_run_advances_pauses_and_shows_a_person(page):
    tab(page, "live")
    page.click("#live-start")
    page.wait_for_function("window.hyosan.live.frames > 0", timeout=30_000)
    page.select_option("#live-speed", "300")
    clock0, pic0 = page.inner_text("#live-clock"), pixels(page, "live-canvas")
    page.click("#live-play")
    page.wait_for_function(
        f"document.getElementById('live-clock').textContent !== '{clock0}'", timeout=15_000
    )
    time.sleep(1.0)
    assert pixels(page, "live-canvas") != pic0  # people moved
    page.click("#live-pause")
    page.wait_for_function(
        "window.hyosan.live.lastFrame && !window.hyosan.live.lastFrame.playing", timeout=5000
    )
    paused = page.inner_text("#live-clock")
    time.sleep(1.5)
    assert page.inner_text("#live-clock") == paused  # pausing stops it
    named = page.evaluate(
        """(() => { const v = window.hyosan.liveView;
        const a = Object.keys(v.info.named).find(a => v.frame.kind[a] < 4);
        return [Number(a), v.info.named[a], v.screenOf(Number(a))]; })()"""
    )
    agent, name, (x, y) = named
    box = page.locator("#live-canvas").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function(
        f"document.getElementById('live-person').textContent.includes('name: {name}')", timeout=5000
    )
    assert page.locator("#live-feed li").count() > 0  # the event feed has lines


def test_a_replay_slider_moves_the_run(page):
    tab(page, "replay")
    page.select_option("#replay-run", "school")
    page.click("#replay-load")
    page.wait_for_function("window.hyosan.rep.shown === 0", timeout=10_000)
    clock0, pic0 = page.inner_text("#replay-clock"), pixels(page, "replay-canvas")
    page.locator("#replay-slider").fill("20")
    page.wait_for_function("window.hyosan.rep.shown === 20", timeout=10_000)
    time.sleep(0.3)
    assert page.inner_text("#replay-clock") != clock0
    assert pixels(page, "replay-canvas") != pic0


def test_a_model_slider_changes_the_curve(page):
    tab(page, "models")
    page.select_option("#model-name", "alemi")
    page.wait_for_function("window.hyosan.models.curves && window.hyosan.models.curves.model === 'alemi'")
    v0, pic0 = page.evaluate("window.hyosan.models.version"), pixels(page, "model-canvas")
    page.locator("#model-sliders input[data-name=alpha]").fill("2.5")
    page.wait_for_function(f"window.hyosan.models.version > {v0}", timeout=15_000)
    assert pixels(page, "model-canvas") != pic0
    assert "runs died out early" in page.inner_text("#model-note")


def test_the_city_map_shows_the_spread_over_time(page):
    tab(page, "maps")
    page.select_option("#map-run", "city")
    page.click("#map-load")
    page.wait_for_function("window.hyosan.map.drawn > 0", timeout=10_000)
    late = pixels(page, "map-canvas")
    page.locator("#map-slider").fill("10")
    assert page.inner_text("#map-clock") != "hour 24"
    assert pixels(page, "map-canvas") != late
