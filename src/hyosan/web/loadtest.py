"""Load tests of the viewer: a real server in a thread, and a live run watched by many viewers
(the suite's bounded load test and `python -m benchmarks viewer` both use them)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from pathlib import Path

from .app import create_app
from .frames import read_frame


def free_port() -> int:
    """A free TCP port on the loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_in_thread(runs: Path):
    """A real uvicorn server of the viewer on the loopback, in a thread; returns (host:port, stop)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(runs), host="127.0.0.1", port=port, log_level="warning")
    )
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started

    def stop():
        """Ask the server to exit and wait for it."""
        server.should_exit = True
        th.join(10)

    return f"127.0.0.1:{port}", stop


async def viewers_rate(url: str, seconds: float, viewers: int) -> float:
    """Story seconds per wall second of one live run played flat out, with `viewers` watching."""
    import websockets

    async with websockets.connect(f"ws://{url}/ws/live", max_size=None) as main:
        await main.send(json.dumps({"cmd": "start", "scenario": "hyosan-high", "seed": 1}))
        plan = json.loads(await main.recv())
        others = []
        for _ in range(viewers - 1):
            w = await websockets.connect(f"ws://{url}/ws/live", max_size=None)
            await w.send(json.dumps({"cmd": "watch", "session": plan["session"]}))
            others.append(w)

        async def drain(w):
            try:
                while True:
                    await w.recv()
            except Exception:
                pass

        tasks = [asyncio.create_task(drain(w)) for w in others]
        await main.send(json.dumps({"cmd": "speed", "speed": 86400}))
        await main.send(json.dumps({"cmd": "play"}))
        t_first = t_last = None
        clock0 = time.perf_counter()
        while time.perf_counter() - clock0 < seconds:
            m = await main.recv()
            if isinstance(m, bytes) and m[0] == 2:
                t = read_frame(m)["t"]
                if t_first is None:
                    t_first, wall0 = t, time.perf_counter()
                t_last, wall1 = t, time.perf_counter()
        await main.send(json.dumps({"cmd": "pause"}))
        for w in others:
            await w.close()
        for t in tasks:
            t.cancel()
        return (t_last - t_first) / (wall1 - wall0)
