"""Live school runs for the viewer: one simulation advanced in its own thread, watched by any
number of pages, each sent the same encoded frame (built once per tick)."""

from __future__ import annotations

import asyncio
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..results.replay import plan_info
from . import frames

TICK_HZ = 30  # frames sent per second while playing
SPEEDS = (1.0, 86400.0)  # story seconds per real second, lowest and highest


VERBS = {
    "turn": "turned into a zombie",
    "turn hybrid": "became a hybrid",
    "escape": "escaped",
    "rescue": "was rescued",
    "door broken": "broke through a door",
    "turned back at cordon": "was turned back at the cordon",
    "bombed": "died in the bombing",
    "barricade": "barricaded a door",
}


def event_text(row) -> str:
    """One line of the feed: '19:07 Ha-ri bitten by student #113 in classroom 2-5'."""
    clock = row.clock.split(" ", 2)[-1]
    who, other, what = row.agent_name, row.other_name, row.event
    if what == "bite":
        line = f"{who} bitten by {other}" if other else f"{who} bitten"
    elif what in ("zombie destroyed", "killed by hybrid"):
        verb = "destroyed" if what == "zombie destroyed" else "killed"
        line = f"{who} {verb}" + (f" by {other}" if other else "")
    else:
        line = f"{who} {VERBS.get(what, what)}" + (f" ({other})" if other else "")
    return f"{clock} {line} in {row.room}"


class LiveRun:
    """A school simulation that viewers play, pause, step and speed up together."""

    def __init__(self, scenario: str, seed: int):
        from ..scenario import build, read_scenario

        loaded = read_scenario(scenario)
        if loaded.kind != "school":
            raise ValueError(f"{scenario} is a {loaded.kind} scenario; live runs are of schools")
        self.sim = build(loaded, seed)
        self.door_cells = self.sim.door_cells
        self.session = 0  # its number among the app's live sessions (set by the app)
        self.playing = False
        self.speed = 60.0
        self.seen = 0  # events already sent
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hyosan-live")
        self.viewers: set = set()
        self.task: asyncio.Task | None = None
        self.frames_sent = 0

    def plan(self) -> tuple[dict, bytes]:
        """The plan's JSON and binary messages."""
        sim = self.sim
        return (
            plan_info(sim, self.door_cells),
            frames.plan_bytes(sim.world.cells, (sim.F, sim.H, sim.W)),
        )

    def frame(self) -> bytes:
        """The current moment as a FRAME message."""
        sim = self.sim
        doors = sim.world.cells[self.door_cells]
        return frames.frame_bytes(sim.t, sim.agents.pos, sim.agents.kind, doors, self.playing)

    def new_events(self, limit: int = 200) -> list[dict]:
        """Events since the last call, as feed lines (the newest `limit` if there are more)."""
        n = self.sim.n_events
        if n == self.seen:
            return []
        df = self.sim.events_since(max(self.seen, n - limit))
        self.seen = n
        return [{"t": float(r.t), "text": event_text(r), "agent": int(r.agent)} for r in df.itertuples()]

    def advance(self, seconds: float) -> None:
        """Advance the story by `seconds` (at least one step)."""
        self.sim.run(days=max(seconds, self.sim.par.dt) / 86400)

    def agent(self, a: int) -> dict:
        """One person's state, JSON-ready (what a click on them shows)."""
        d = self.sim.agent(a)
        out = {}
        for k, v in d.items():
            if isinstance(v, (np.floating, float)):
                v = None if not math.isfinite(float(v)) else round(float(v), 3)
            elif isinstance(v, np.integer):
                v = int(v)
            out[k] = v
        out["clock"] = self.sim.clock(self.sim.t)
        return out

    async def run_in_thread(self, fn, *args):
        """Call fn in this run's own thread (the simulation is never touched from two at once)."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    async def broadcast(self, messages: list) -> None:
        """Send each message to every viewer; a viewer that has gone is dropped."""
        gone = []
        for ws in list(self.viewers):
            try:
                for m in messages:
                    await (ws.send_bytes(m) if isinstance(m, bytes) else ws.send_json(m))
            except Exception:  # a closed socket: the viewer left
                gone.append(ws)
        for ws in gone:
            self.viewers.discard(ws)

    async def tick(self) -> None:
        """Send the current frame and any new events to every viewer."""
        frame = await self.run_in_thread(self.frame)
        events = await self.run_in_thread(self.new_events)
        msgs: list = [frame]
        if events:
            msgs.append({"type": "events", "items": events})
        self.frames_sent += 1
        await self.broadcast(msgs)

    async def loop(self) -> None:
        """While anyone watches: advance by speed / TICK_HZ story seconds per tick when playing."""
        loop = asyncio.get_running_loop()
        while self.viewers:
            t0 = loop.time()
            if self.playing:
                await self.run_in_thread(self.advance, self.speed / TICK_HZ)
                await self.tick()
            await asyncio.sleep(max(0.0, 1 / TICK_HZ - (loop.time() - t0)))

    def close(self) -> None:
        """Let the run's thread go (when nobody watches it any more)."""
        self.pool.shutdown(wait=False)
