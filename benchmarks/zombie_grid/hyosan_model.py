"""zombie-grid on hyosan's public grid API (hyosan.agents.grid): one Numba step function."""

from __future__ import annotations

import numpy as np
from numba import njit

from hyosan.agents import grid as G

from . import DENSITY, HUMAN, P_BITE, P_DESTROY, RADIUS, TURN_DELAY, ZOMBIE, initial_zombies

NOT_BITTEN = -1


class ZombieGrid:
    """The model: build with `ZombieGrid(n, seed)`, advance with `.run(steps)`, read `.zombies()`.

    order="random" activates each phase's agents in a uniformly random order, exactly as the
    specification reads; order="tiles" uses hyosan.agents.grid.shuffled_tiles (random tiles,
    random order within each), which keeps memory local and is shown to give the same outcomes
    in distribution (tests/test_zombie_grid.py).
    """

    def __init__(self, n: int, seed: int, order: str = "random"):
        if order not in ("random", "tiles"):
            raise ValueError(f"order must be 'random' or 'tiles', got {order!r}")
        self.tiles = order == "tiles"
        self.rng = np.random.default_rng(seed)
        kinds = np.full(n, HUMAN, np.int8)
        kinds[self.rng.choice(n, initial_zombies(n), replace=False)] = ZOMBIE
        self.state = G.TorusAgents.random(G.side_for(n, DENSITY), kinds, self.rng, n_kinds=2)
        self.t = 0

    def run(self, steps: int) -> "ZombieGrid":
        """Advance `steps` steps."""
        for _ in range(steps):
            self.t += 1
            step(self.t, *self.state.arrays(), self.rng, self.tiles)
        return self

    def zombies(self) -> int:
        """Number of zombies now."""
        return self.state.count(ZOMBIE)


@njit(cache=True)
def order(xy, kind, k, L, rng, tiles):
    """The agents of kind k in the activation order the model was built with."""
    return G.shuffled_tiles(xy, kind, k, L, rng) if tiles else G.shuffled(kind, k, rng)


@njit(cache=True)
def move_phase(agents, other, away, xy, kind, nxt, prv, head, L, rng):
    """Phases 1 and 2: each agent in turn steps toward (or away from) the nearest agent of kind
    `other` within RADIUS, or to a random neighbour when there is none."""
    for a in agents:
        x, y = xy[a, 0], xy[a, 1]
        b = G.nearest(x, y, RADIUS, other, xy, nxt, head, L, rng)
        if b != G.NONE:
            nx, ny = G.step_toward(x, y, xy[b, 0], xy[b, 1], L, rng, away)
        else:
            nx, ny = G.random_neighbour(x, y, L, rng)
        G.move(a, nx, ny, xy, kind, nxt, prv, head)


@njit(cache=True)
def step(t, xy, kind, slot, nxt, prv, head, L, rng, tiles):
    """One step of the three phases (see the package docstring for the exact reading)."""
    for a in range(kind.shape[0]):  # the bitten of step t - 3 turn now
        if kind[a] == HUMAN and slot[a] == t:
            G.set_kind(a, ZOMBIE, xy, kind, nxt, prv, head)
    move_phase(order(xy, kind, ZOMBIE, L, rng, tiles), HUMAN, False, xy, kind, nxt, prv, head, L, rng)
    move_phase(order(xy, kind, HUMAN, L, rng, tiles), ZOMBIE, True, xy, kind, nxt, prv, head, L, rng)
    for a in order(xy, kind, ZOMBIE, L, rng, tiles):
        victim = G.pick_near(xy[a, 0], xy[a, 1], 1, HUMAN, NOT_BITTEN, xy, slot, nxt, head, L, rng)
        if victim == G.NONE:
            continue
        if rng.random() < P_BITE:
            slot[victim] = t + TURN_DELAY
        elif rng.random() < P_DESTROY:
            G.set_kind(a, -1, xy, kind, nxt, prv, head)
