"""The viewer's web app (FastAPI): the page, its data, and live runs over a WebSocket.

It serves only the bundled scenarios and run folders under its runs folder: a run is named by
its path relative to that folder, and any name that would lead outside it is refused.
"""

from __future__ import annotations

import asyncio
import json
import re
import zipfile
from pathlib import Path

import numpy as np
from fastapi import FastAPI, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import HyosanError

STATIC = Path(__file__).parent / "static"
MAX_MESSAGE = 4096  # bytes: every command fits in far less
NAME = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")


class Command(BaseModel):
    """A message from the page on the live socket."""

    model_config = ConfigDict(extra="forbid")
    cmd: str = Field(pattern="^(start|watch|play|pause|step|speed|agent)$")
    scenario: str | None = Field(None, max_length=100)
    seed: int = Field(1, ge=0, le=2**53)
    speed: float | None = Field(None, ge=1.0, le=86400.0)
    seconds: float = Field(60.0, gt=0, le=3600.0)
    agent: int | None = Field(None, ge=0)
    session: int | None = Field(None, ge=0)


def readable(path: Path, read):
    """What `read(path)` gives, or an HTTP error the page shows: 404 for a file that is not there,
    422 for one that is damaged (a truncated array, a summary that is not JSON), never a 500."""
    if not path.is_file():
        raise HTTPException(404, f"{path.parent.name} has no {path.name}")
    try:
        return read(path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise HTTPException(
            422, f"{path.parent.name}/{path.name} is damaged ({exc.__class__.__name__})"
        ) from None


# The arrays a replay holds (`results.replay.Recorder`)
REPLAY_ARRAYS = ("t", "pos", "kind", "doors", "cells", "shape", "info")


def _load_replay(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in REPLAY_ARRAYS}


class Replays:
    """Replays read from run folders, kept in memory once read (the last few)."""

    def __init__(self, keep: int = 4):
        self.keep, self.cache = keep, {}

    def get(self, folder: Path) -> dict:
        """The replay arrays of a run folder (read once)."""
        key = str(folder)
        if key not in self.cache:
            self.cache[key] = readable(folder / "replay.npz", _load_replay)
            while len(self.cache) > self.keep:
                self.cache.pop(next(iter(self.cache)))
        return self.cache[key]


def create_app(runs: Path | str = "runs") -> FastAPI:
    """The viewer app over the run folders under `runs`."""
    from ..scenario import bundled, read_scenario
    from . import frames
    from .live import LiveRun
    from .models import model_curves, model_list

    runs_root = Path(runs).resolve()
    app = FastAPI(title="hyosan viewer", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    replays = Replays()
    sessions: dict[int, LiveRun] = {}
    app.state.sessions = sessions

    def run_folder(name: str) -> Path:
        if not NAME.match(name) or any(part in ("..", ".") for part in name.split("/")):
            raise HTTPException(404, f"no run {name!r}")
        folder = (runs_root / name).resolve()
        if not folder.is_relative_to(runs_root) or not (folder / "summary.json").is_file():
            raise HTTPException(404, f"no run {name!r}")
        return folder

    @app.get("/")
    def index():
        return FileResponse(STATIC / "index.html")

    @app.get("/favicon.ico")
    def favicon():
        return Response(status_code=204)

    @app.get("/api/scenarios")
    def scenarios():
        out = []
        for name in bundled():
            loaded = read_scenario(name)
            out.append({"name": name, "kind": loaded.kind, "seed": loaded.scenario.seed})
        return out

    @app.get("/api/models")
    def models():
        return model_list()

    @app.get("/api/model/{name}")
    def model(name: str, request: Request):
        q = dict(request.query_params)
        try:
            runs_n = int(q.pop("runs", 30))
            seed = int(q.pop("seed", 1))
            values = {k: float(v) for k, v in q.items()}
            return model_curves(name, values, runs=runs_n, seed=seed)
        except (ValueError, HyosanError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    @app.get("/api/runs")
    def run_list():
        out = []
        if runs_root.is_dir():
            for s in sorted(runs_root.rglob("summary.json")):
                folder = s.parent
                kind = (
                    "school" if (folder / "replay.npz").is_file()
                    else "map" if (folder / "arrival_hours.npy").is_file() else None
                )  # fmt: skip
                if kind:
                    out.append({"name": folder.relative_to(runs_root).as_posix(), "kind": kind})
        return out

    @app.get("/api/runs/{name:path}/replay")
    def replay_info(name: str):
        r = replays.get(run_folder(name))
        counts = [np.bincount(k, minlength=frames.KINDS)[: frames.KINDS].tolist() for k in r["kind"]]
        return json.loads(str(r["info"])) | {
            "frames": int(r["t"].size),
            "times": r["t"].tolist(),
            "counts": counts,
        }

    @app.get("/api/runs/{name:path}/plan")
    def replay_plan(name: str):
        r = replays.get(run_folder(name))
        return Response(
            frames.plan_bytes(r["cells"], tuple(r["shape"])), media_type="application/octet-stream"
        )

    @app.get("/api/runs/{name:path}/frame/{i}")
    def replay_frame(name: str, i: int):
        r = replays.get(run_folder(name))
        if not 0 <= i < r["t"].size:
            raise HTTPException(404, f"frame {i} out of range 0..{r['t'].size - 1}")
        body = frames.frame_bytes(float(r["t"][i]), r["pos"][i], r["kind"][i], r["doors"][i], False)
        return Response(body, media_type="application/octet-stream")

    @app.get("/api/runs/{name:path}/map")
    def map_info(name: str):
        folder = run_folder(name)
        if not (folder / "arrival_hours.npy").is_file():
            raise HTTPException(404, f"run {name!r} has no arrival map")
        s = readable(folder / "summary.json", lambda p: dict(json.loads(p.read_text())))
        return {
            "title": s.get("scenario", name),
            "hours": float(s.get("hours", 1.0)) or 1.0,
            "south_first": s.get("origin") == "south",
            "landmarks": s.get("landmarks", []),
        }

    @app.get("/api/runs/{name:path}/arrival")
    def arrival(name: str):
        a = readable(run_folder(name) / "arrival_hours.npy", lambda p: np.load(p, allow_pickle=False))
        a = a.astype("<f4")
        head = np.array(a.shape, "<u4").tobytes()
        return Response(head + a.tobytes(), media_type="application/octet-stream")

    @app.websocket("/ws/live")
    async def live(ws: WebSocket):
        await ws.accept()
        watching: LiveRun | None = None
        try:
            while True:
                msg = await ws.receive()
                if msg["type"] == "websocket.disconnect":
                    break
                text = msg.get("text")
                if text is None:
                    await ws.send_json({"type": "error", "error": "expected a JSON text message"})
                    continue
                if len(text.encode()) > MAX_MESSAGE:
                    await ws.send_json({"type": "error", "error": f"message over {MAX_MESSAGE} bytes"})
                    continue
                try:
                    c = Command.model_validate(json.loads(text))
                except (ValueError, ValidationError) as exc:
                    first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                    await ws.send_json({"type": "error", "error": f"bad command: {first}"[:300]})
                    continue
                watching = await handle(ws, c, watching)
        except WebSocketDisconnect:
            pass
        finally:
            if watching is not None:
                watching.viewers.discard(ws)

    async def join(ws: WebSocket, run: LiveRun) -> None:
        info, plan = run.plan()
        await ws.send_json(info | {"session": run.session})
        await ws.send_bytes(plan)
        run.viewers.add(ws)
        await ws.send_bytes(await run.run_in_thread(run.frame))
        if run.task is None or run.task.done():
            run.task = asyncio.create_task(run.loop())

    async def handle(ws: WebSocket, c: Command, run: LiveRun | None) -> LiveRun | None:
        if c.cmd == "start":
            if c.scenario not in bundled():
                await ws.send_json({"type": "error", "error": f"no bundled scenario {c.scenario!r}"})
                return run
            try:
                new = await asyncio.get_running_loop().run_in_executor(None, LiveRun, c.scenario, c.seed)
            except (ValueError, HyosanError) as exc:
                await ws.send_json({"type": "error", "error": str(exc)})
                return run
            if run is not None:
                run.viewers.discard(ws)
            for k in [k for k, v in sessions.items() if not v.viewers]:
                sessions.pop(k).close()  # nobody watches it any more
            new.session = max(sessions, default=0) + 1
            sessions[new.session] = new
            await join(ws, new)
            return new
        if c.cmd == "watch":
            if c.session not in sessions:
                await ws.send_json({"type": "error", "error": f"no live session {c.session}"})
                return run
            if run is not None:
                run.viewers.discard(ws)
            await join(ws, sessions[c.session])
            return sessions[c.session]
        if run is None:
            await ws.send_json({"type": "error", "error": "start or watch a run first"})
            return run
        if c.cmd == "play":
            run.playing = True
        elif c.cmd == "pause":
            run.playing = False
            await run.tick()
        elif c.cmd == "step":
            run.playing = False
            await run.run_in_thread(run.advance, c.seconds)
            await run.tick()
        elif c.cmd == "speed" and c.speed is not None:
            run.speed = c.speed
        elif c.cmd == "agent":
            try:
                await ws.send_json({"type": "agent", **(await run.run_in_thread(run.agent, c.agent or 0))})
            except HyosanError as exc:
                await ws.send_json({"type": "error", "error": str(exc)})
        return run

    return app


def serve(host: str = "127.0.0.1", port: int = 8000, runs: Path | str = "runs") -> None:
    """Run the viewer until interrupted."""
    import uvicorn

    uvicorn.run(create_app(runs), host=host, port=port, log_level="warning", ws_max_size=1 << 16)
