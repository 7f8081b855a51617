"""Why the visiting order matters at N = 10^6: time the human phase in random and in memory order.

    python -m benchmarks.zombie_grid.profile_order [N]

Runs the model 50 steps, then times one human phase (search for the nearest zombie, step) over
the same agents visited in a random order and in index (memory) order.
"""

import sys
import time

import numpy as np
from numba import njit

from hyosan.agents import grid as G

from . import HUMAN, RADIUS, ZOMBIE
from .hyosan_model import ZombieGrid


@njit(cache=True)
def human_phase(order, xy, kind, nxt, prv, head, L, rng):
    """The model's phase 2 over a given visiting order."""
    for a in order:
        x, y = xy[a, 0], xy[a, 1]
        threat = G.nearest(x, y, RADIUS, ZOMBIE, xy, nxt, head, L, rng)
        if threat != G.NONE:
            nx, ny = G.step_toward(x, y, xy[threat, 0], xy[threat, 1], L, rng, True)
        else:
            nx, ny = G.random_neighbour(x, y, L, rng)
        G.move(a, nx, ny, xy, kind, nxt, prv, head)


def main() -> None:
    """Print the seconds one human phase takes in each order."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    model = ZombieGrid(n, 1).run(50)
    xy, kind, slot, nxt, prv, head, L = model.state.arrays()
    humans = G.shuffled(kind, HUMAN, model.rng)
    human_phase(humans[:5], xy, kind, nxt, prv, head, L, model.rng)
    for name, order in (("random order", humans), ("memory order", np.sort(humans))):
        t0 = time.perf_counter()
        human_phase(order, xy, kind, nxt, prv, head, L, model.rng)
        print(f"N = {n:,}, {model.zombies():,} zombies: human phase in {name}: {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
