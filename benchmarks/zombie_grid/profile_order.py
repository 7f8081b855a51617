"""Why the visiting order matters at N = 10^6: time the human phase in random and in memory order.

    python -m benchmarks.zombie_grid.profile_order [N]

Runs the model 50 steps, then times one human phase (search for the nearest zombie, step) over
the same agents visited in a random order and in index (memory) order.
"""

import sys
import time

import numpy as np

from hyosan.agents import grid as G

from . import HUMAN, ZOMBIE
from .hyosan_model import ZombieGrid, move_phase


def main() -> None:
    """Print the seconds one human phase takes in each order."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    model = ZombieGrid(n, 1).run(50)
    xy, kind, slot, nxt, prv, head, L = model.state.arrays()
    humans = G.shuffled(kind, HUMAN, model.rng)
    move_phase(humans[:5], ZOMBIE, True, xy, kind, nxt, prv, head, L, model.rng)
    for name, order in (("random order", humans), ("memory order", np.sort(humans))):
        t0 = time.perf_counter()
        move_phase(order, ZOMBIE, True, xy, kind, nxt, prv, head, L, model.rng)
        print(
            f"N = {n:,}, {model.zombies():,} zombies: human phase in {name}: {time.perf_counter() - t0:.3f} s"
        )


if __name__ == "__main__":
    main()
