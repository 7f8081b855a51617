"""Agents on a square torus grid: hyosan's general-purpose agent API for grid models.

State is struct-of-arrays (`TorusAgents`); a model's step is a user-written Numba function
that calls the helpers below. Agents are kept in linked lists per kind and per bucket (a
BUCKET x BUCKET square of cells), updated on every move, so agents always see positions as
they are when they act (sequential activation). Buckets keep the list heads small enough to
stay in cache, and per-kind lists mean a search walks only the kind it looks for.

Distances are Chebyshev on the torus (the Moore neighbourhood). Helpers:
    place / unplace / move / set_kind   keep the lists right
    nearest(...)                        nearest agent of a kind within a radius (ties at random)
    step_toward(...)                    the best of the 9 cells (8 neighbours or stay) to approach
                                        or flee a point (ties at random)
    random_neighbour(...)               one of the 8 neighbours at random
    pick_near(...)                      a random agent of a kind (and slot) within a radius
    shuffled(...)                       the agents of a kind, in random order
    shuffled_tiles(...)                 the same, tile by tile: tiles of TILE x TILE cells in random
                                        order, agents within a tile in random order; any two agents
                                        are still in either order with probability 1/2, and each
                                        tile's agents are processed together, so memory stays local
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

BUCKET = 4
TILE = 32
NONE = -1


@dataclass
class TorusAgents:
    """N agents on an L x L torus: positions, kinds, a per-agent integer slot, and bucket lists.

    A negative kind means removed (in no list). `slot` is free for the model (e.g. the step a
    bitten human turns). Memory: 21 bytes per agent plus 4 bytes per bucket and kind.
    Agents are numbered in Morton (Z) order of their starting bucket, so agents near in space
    are near in memory; placement itself is uniform.
    """

    L: int
    xy: np.ndarray  # int32 (n, 2): x and y side by side, one cache line per agent
    kind: np.ndarray  # int8
    slot: np.ndarray  # int32
    nxt: np.ndarray  # int32 list links
    prv: np.ndarray
    head: np.ndarray  # int32 (kinds, nb, nb)

    @classmethod
    def random(cls, L: int, kinds: np.ndarray, rng: np.random.Generator, n_kinds: int) -> "TorusAgents":
        """Place agents with the given kinds uniformly at random on an L x L torus."""
        n = kinds.size
        nb = (L + BUCKET - 1) // BUCKET
        xy = rng.integers(0, L, (n, 2)).astype(np.int32)
        xy = xy[np.argsort(morton(xy[:, 0] // BUCKET, xy[:, 1] // BUCKET), kind="stable")]
        self = cls(
            L,
            np.ascontiguousarray(xy),
            kinds.astype(np.int8),
            np.full(n, -1, np.int32),
            np.full(n, NONE, np.int32),
            np.full(n, NONE, np.int32),
            np.full((n_kinds, nb, nb), NONE, np.int32),
        )
        build_lists(self.xy, self.kind, self.nxt, self.prv, self.head)
        return self

    def arrays(self) -> tuple:
        """The arrays in the order the helpers take them: xy, kind, slot, nxt, prv, head, L."""
        return self.xy, self.kind, self.slot, self.nxt, self.prv, self.head, self.L

    def count(self, kind: int) -> int:
        """Number of agents of a kind."""
        return int((self.kind == kind).sum())

    @property
    def bytes_per_agent(self) -> float:
        """Memory of the whole state divided by the number of agents."""
        return (
            sum(a.nbytes for a in (self.xy, self.kind, self.slot, self.nxt, self.prv, self.head))
            / self.kind.size
        )


def morton(bx: np.ndarray, by: np.ndarray) -> np.ndarray:
    """Z-order key of bucket coordinates (up to 2^16 buckets a side)."""
    key = np.zeros(bx.shape, np.int64)
    for bit in range(16):
        key |= ((bx.astype(np.int64) >> bit) & 1) << (2 * bit)
        key |= ((by.astype(np.int64) >> bit) & 1) << (2 * bit + 1)
    return key


@njit(cache=True)
def build_lists(xy, kind, nxt, prv, head):
    """(Re)build the lists from positions and kinds."""
    head[:] = NONE
    for a in range(xy.shape[0]):
        if kind[a] >= 0:
            place(a, xy[a, 0], xy[a, 1], kind[a], nxt, prv, head)


@njit(cache=True, inline="always")
def place(a, cx, cy, k, nxt, prv, head):
    """Insert agent a, at cell (cx, cy), into the list of kind k."""
    by, bx = cy // BUCKET, cx // BUCKET
    h = head[k, by, bx]
    nxt[a] = h
    prv[a] = NONE
    if h != NONE:
        prv[h] = a
    head[k, by, bx] = a


@njit(cache=True, inline="always")
def unplace(a, cx, cy, k, nxt, prv, head):
    """Remove agent a (of kind k, at cell (cx, cy)) from its list."""
    n, p = nxt[a], prv[a]
    if p != NONE:
        nxt[p] = n
    else:
        head[k, cy // BUCKET, cx // BUCKET] = n
    if n != NONE:
        prv[n] = p


@njit(cache=True, inline="always")
def move(a, nx, ny, xy, kind, nxt, prv, head):
    """Move agent a to (nx, ny); lists change only when it leaves its bucket."""
    if nx // BUCKET != xy[a, 0] // BUCKET or ny // BUCKET != xy[a, 1] // BUCKET:
        unplace(a, xy[a, 0], xy[a, 1], kind[a], nxt, prv, head)
        place(a, nx, ny, kind[a], nxt, prv, head)
    xy[a, 0] = nx
    xy[a, 1] = ny


@njit(cache=True, inline="always")
def set_kind(a, k, xy, kind, nxt, prv, head):
    """Change agent a's kind (a negative kind removes it)."""
    if kind[a] >= 0:
        unplace(a, xy[a, 0], xy[a, 1], kind[a], nxt, prv, head)
    kind[a] = k
    if k >= 0:
        place(a, xy[a, 0], xy[a, 1], k, nxt, prv, head)


@njit(cache=True, inline="always")
def wrap(v, L):
    """v modulo L for v in [-L, 2L)."""
    if v < 0:
        return v + L
    if v >= L:
        return v - L
    return v


@njit(cache=True, inline="always")
def torus_dist(ax, ay, bx, by, L):
    """Chebyshev distance on the torus."""
    dx = abs(ax - bx)
    dy = abs(ay - by)
    return max(min(dx, L - dx), min(dy, L - dy))


@njit(cache=True, inline="always")
def _ranges(c, radius, L, nb):
    """Bucket indices covering cells c - radius .. c + radius on the torus, as up to two ranges."""
    lo, hi = c - radius, c + radius
    if hi - lo + 1 >= L:
        return 0, nb - 1, 1, 0
    if lo < 0:
        return 0, hi // BUCKET, (lo + L) // BUCKET, nb - 1
    if hi >= L:
        return lo // BUCKET, nb - 1, 0, (hi - L) // BUCKET
    return lo // BUCKET, hi // BUCKET, 1, 0


@njit(cache=True)
def nearest(cx, cy, radius, k, xy, nxt, head, L, rng):
    """Nearest agent of kind k within Chebyshev `radius` of (cx, cy), ties at random; -1 if none."""
    nb = head.shape[1]
    y0, y1, y2, y3 = _ranges(cy, radius, L, nb)
    x0, x1, x2, x3 = _ranges(cx, radius, L, nb)
    best = NONE
    best_d = radius + 1
    ties = 0
    for yr in range(2):
        ya, yb = (y0, y1) if yr == 0 else (y2, y3)
        for by in range(ya, yb + 1):
            for xr in range(2):
                xa, xb = (x0, x1) if xr == 0 else (x2, x3)
                for bx in range(xa, xb + 1):
                    b = head[k, by, bx]
                    while b != NONE:
                        d = torus_dist(cx, cy, xy[b, 0], xy[b, 1], L)
                        if d < best_d:
                            best, best_d, ties = b, d, 1
                        elif d == best_d:
                            ties += 1
                            if rng.random() * ties < 1.0:
                                best = b
                        b = nxt[b]
    return best


@njit(cache=True)
def pick_near(cx, cy, radius, k, want_slot, xy, slot, nxt, head, L, rng):
    """A random agent of kind k with slot == want_slot within `radius` of (cx, cy); -1 if none."""
    nb = head.shape[1]
    y0, y1, y2, y3 = _ranges(cy, radius, L, nb)
    x0, x1, x2, x3 = _ranges(cx, radius, L, nb)
    found = NONE
    seen = 0
    for yr in range(2):
        ya, yb = (y0, y1) if yr == 0 else (y2, y3)
        for by in range(ya, yb + 1):
            for xr in range(2):
                xa, xb = (x0, x1) if xr == 0 else (x2, x3)
                for bx in range(xa, xb + 1):
                    b = head[k, by, bx]
                    while b != NONE:
                        if slot[b] == want_slot and torus_dist(cx, cy, xy[b, 0], xy[b, 1], L) <= radius:
                            seen += 1
                            if rng.random() * seen < 1.0:
                                found = b
                        b = nxt[b]
    return found


@njit(cache=True)
def step_toward(cx, cy, tx, ty, L, rng, away):
    """Of the 9 cells around (cx, cy) (itself included), one nearest to (tx, ty), or farthest when
    `away`; ties at random. Returns the new (x, y)."""
    best = 0
    bx, by = cx, cy
    ties = 0
    for dy in range(-1, 2):
        for dx in range(-1, 2):
            nx, ny = wrap(cx + dx, L), wrap(cy + dy, L)
            d = torus_dist(nx, ny, tx, ty, L)
            score = d if away else -d
            if ties == 0 or score > best:
                best, bx, by, ties = score, nx, ny, 1
            elif score == best:
                ties += 1
                if rng.random() * ties < 1.0:
                    bx, by = nx, ny
    return bx, by


@njit(cache=True, inline="always")
def random_neighbour(cx, cy, L, rng):
    """One of the 8 neighbours of (cx, cy), uniformly."""
    k = int(rng.random() * 8)
    if k >= 4:
        k += 1  # skip the centre
    return wrap(cx + k % 3 - 1, L), wrap(cy + k // 3 - 1, L)


@njit(cache=True)
def shuffled(kind, k, rng):
    """Indices of the agents of kind k in random order (Fisher-Yates)."""
    n = 0
    for a in range(kind.shape[0]):
        if kind[a] == k:
            n += 1
    out = np.empty(n, np.int32)
    n = 0
    for a in range(kind.shape[0]):
        if kind[a] == k:
            out[n] = a
            n += 1
    for i in range(n - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        out[i], out[j] = out[j], out[i]
    return out


@njit(cache=True)
def shuffled_tiles(xy, kind, k, L, rng):
    """Indices of the agents of kind k, tile by tile in random tile order, shuffled within tiles."""
    nt = (L + TILE - 1) // TILE
    T = nt * nt
    counts = np.zeros(T, np.int64)
    for a in range(kind.shape[0]):
        if kind[a] == k:
            counts[(xy[a, 1] // TILE) * nt + xy[a, 0] // TILE] += 1
    order = np.arange(T)
    for i in range(T - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        order[i], order[j] = order[j], order[i]
    start = np.empty(T, np.int64)
    s = 0
    for r in range(T):
        start[order[r]] = s
        s += counts[order[r]]
    out = np.empty(s, np.int32)
    fill = start.copy()
    for a in range(kind.shape[0]):
        if kind[a] == k:
            t = (xy[a, 1] // TILE) * nt + xy[a, 0] // TILE
            out[fill[t]] = a
            fill[t] += 1
    for t in range(T):
        lo = start[t]
        for i in range(counts[t] - 1, 0, -1):
            j = int(rng.random() * (i + 1))
            out[lo + i], out[lo + j] = out[lo + j], out[lo + i]
    return out


def side_for(n: int, density: float) -> int:
    """Side of a square torus holding n agents at the given density."""
    return int(math.ceil(math.sqrt(n / density)))
