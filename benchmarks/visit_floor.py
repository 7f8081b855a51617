"""The floor under a step of the agent engine: visiting every acting agent once, in a fresh random order.

The engine updates agents one by one in a new random order each step (random sequential update, as
the model is written), and keeps their state as one array per variable. `visit_seconds` times a step
that does nothing but that: the engine's own shuffle (`phases.shuffle_alive`), then one pass reading the
state a person's turn reads (the fields `phases.fetch_ahead` names: fifteen of the agent, six of the
cell it stands on). No decision, no move. The same pass in agent order is timed beside it, to show
what the random order alone costs. What a step of the engine costs above this floor is its work.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from hyosan.agents import phases as P
from hyosan.agents import rand


@njit(cache=True)
def visit(ag, fs, order):
    """Read the state of each agent in `order` (a checksum, so the compiler keeps the reads)."""
    s = 0.0
    for oi in range(order.shape[0]):
        a = order[oi]
        i = ag.pos[a]
        s += ag.kind[a] + ag.mode[a] + ag.acc[a] + ag.speed[a] + ag.busy_t[a] + ag.alarm_t[a]
        s += ag.mode_t[a] + ag.thirst[a] + ag.food[a] + ag.endure[a] + ag.leader[a] + ag.flags[a]
        s += ag.wander_t[a] + ag.calm[a]
        s += fs.vstamp[i] + fs.vcell[i] + fs.vdist[i] + fs.sstamp[i] + fs.snd[i] + fs.occ[i]
    return s


def visit_seconds(sim, steps: int = 60) -> tuple[float, float, int]:
    """Wall seconds a step of the floor takes on `sim`'s agents as they are now: (in a fresh random order
    each step, in agent order, agents acting). Leaves the run as it was: the shuffles draw from a copy of
    its random generator, and the order is scratch the next step rewrites."""
    rng = rand.stream_of(sim.rng)  # a copy: the run's generator does not move
    ag, fs = sim.agents, sim.fields
    n = P.shuffle_alive(ag, fs, rng)
    visit(ag, fs, fs.order[:n])  # compile, and warm the caches as a step before would
    t0 = time.perf_counter()
    for _ in range(steps):
        n = P.shuffle_alive(ag, fs, rng)
        visit(ag, fs, fs.order[:n])
    shuffled = (time.perf_counter() - t0) / steps
    in_order = np.sort(fs.order[:n])
    t0 = time.perf_counter()
    for _ in range(steps):
        visit(ag, fs, in_order)
    return shuffled, (time.perf_counter() - t0) / steps, n
