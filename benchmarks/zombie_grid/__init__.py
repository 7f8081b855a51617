"""The zombie-grid benchmark model (../shared/bench/zombie-grid.md), on hyosan and on Mesa.

Both follow one reading of the specification, written out here so they agree exactly:
- steps are numbered 1, 2, ...; a human bitten in step s turns into a zombie at the start of
  step s + 3 (same cell), before anyone moves;
- phase 1: the zombies of that moment, in random order, each move once; phase 2: the humans
  (bitten ones too: they still move as humans), in random order; phase 3: the zombies, in a new
  random order, each pick one unbitten human in their 3 x 3 cells: with probability 0.5 a bite,
  otherwise with probability 0.2 the zombie is destroyed (removed at once);
- "nearest" and "farthest" are Chebyshev distances on the torus, ties broken at random; a
  chaser or a fleer also considers staying where it is;
- the zombie count at step 100 counts zombies only (the bitten who have not turned are humans).
"""

HUMAN, ZOMBIE = 0, 1
RADIUS = 5
DENSITY = 0.1
P_BITE, P_DESTROY = 0.5, 0.2
TURN_DELAY = 3


def initial_zombies(n: int) -> int:
    """1% of the agents, at least one."""
    return max(1, n // 100)
