"""Numba kernels for the fields agents perceive: path distances, line of sight and sound.

The building is flattened: cell i = (floor * H + row) * W + col. Moves are to the 8
neighbours on a floor (a diagonal needs both orthogonal cells open, so nobody squeezes
between two walls) and up or down stairs (an S cell links to the S at the same row and
column on the next floor). Distance fields are stamped with a generation number instead of
being cleared, so a field only costs the cells it reaches.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..world.floorplan import DOORS, WALKABLE, Cell
from .jit import kernel, rule

DR = np.array([-1, -1, -1, 0, 0, 1, 1, 1], dtype=np.int64)
DC = np.array([-1, 0, 1, -1, 1, -1, 0, 1], dtype=np.int64)


def code_table(codes) -> np.ndarray:
    """A 256-entry boolean lookup table that is True for the given cell codes."""
    t = np.zeros(256, dtype=np.bool_)
    for c in codes:
        t[c] = True
    return t


WALK = code_table(WALKABLE)  # anyone walks here
HUMAN_PASS = code_table(WALKABLE | {Cell.DOOR_CLOSED})  # people open closed doors
NOSE_PASS = code_table(WALKABLE | DOORS)  # zombies sense through doors
SEE_THROUGH = code_table(WALKABLE | {Cell.WINDOW})
BREAKABLE = code_table({Cell.DOOR_CLOSED, Cell.DOOR_LOCKED, Cell.DOOR_BARRICADED, Cell.WINDOW})
# doorways and stairs: each 1 m cell passes at most `door_flow` people a second (`rules.has_room`)
FLOW_LIMITED = code_table(DOORS | {Cell.STAIRS, Cell.DOOR_BROKEN})
GOAL_PASS = code_table(WALKABLE | {Cell.DOOR_CLOSED, Cell.DOOR_BARRICADED})  # ways people plan through


BLOCK = 8  # side of the coarse blocks of per-block agent counts used to skip far-away agents


@rule
def box_count(w, sums, f, r0, r1, c0, c1):
    """Agents counted in the blocks r0..r1-1, c0..c1-1 of floor f (see `prefix_sums`)."""
    bh, bw = (w.H + BLOCK - 1) // BLOCK, (w.W + BLOCK - 1) // BLOCK
    base = f * (bh + 1)
    return (
        sums[(base + r1) * (bw + 1) + c1]
        - sums[(base + r0) * (bw + 1) + c1]
        - sums[(base + r1) * (bw + 1) + c0]
        + sums[(base + r0) * (bw + 1) + c0]
    )


@rule
def count_near(w, sums, i, reach):
    """Agents counted (in `sums`) in the blocks that hold the cells within `reach` moves of cell i on its
    floor: zero means nobody is that near (more may be counted: whole blocks)."""
    f, row, col = np.int64(w.floor_of[i]), np.int64(w.row_of[i]), np.int64(w.col_of[i])
    r0, r1 = max(0, row - reach) // BLOCK, min(w.H - 1, row + reach) // BLOCK + 1
    c0, c1 = max(0, col - reach) // BLOCK, min(w.W - 1, col + reach) // BLOCK + 1
    return box_count(w, sums, f, r0, r1, c0, c1)


def sound_costs(door: float, barricade: float, window: float, wall: float) -> np.ndarray:
    """Loss of loudness crossing each cell code (0 = none): 1 in the open, more through doors, walls."""
    cost = np.zeros(256, dtype=np.int64)
    for code in WALKABLE:
        cost[code] = 1
    cost[Cell.DOOR_CLOSED] = cost[Cell.DOOR_LOCKED] = round(door)
    cost[Cell.DOOR_BARRICADED] = round(barricade)
    cost[Cell.WINDOW] = round(window)
    cost[Cell.WALL] = round(wall)
    return cost


@kernel
def neighbour(i, k, cells, F, H, W):
    """Flat index of the k-th neighbour of cell i (k < 8 on the floor, 8 down, 9 up), or -1."""
    HW = H * W
    if k >= 8:
        if cells[i] != Cell.STAIRS:
            return -1
        j = i - HW if k == 8 else i + HW
        if j < 0 or j >= F * HW or cells[j] != Cell.STAIRS:
            return -1
        return j
    r = (i % HW) // W + DR[k]
    c = i % W + DC[k]
    if r < 0 or r >= H or c < 0 or c >= W:
        return -1
    return i - (i % HW) + r * W + c


@njit(cache=True)
def neighbour_table(cells, F, H, W):
    """(cells, 10) flat indices of each cell's neighbours (see `neighbour`), -1 where none.

    Geometry never changes during a run (doors change state, not place), so this is built
    once and saves the divisions in the hot loops.
    """
    n = cells.shape[0]
    out = np.empty((n, 10), dtype=np.int32)
    for i in range(n):
        for k in range(10):
            out[i, k] = neighbour(i, k, cells, F, H, W)
    return out


@kernel
def diagonal_ok(i, k, cells, W, table):
    """A diagonal step is allowed only when both orthogonal cells pass the table."""
    if k >= 8 or DR[k] == 0 or DC[k] == 0:
        return True
    return table[cells[i + DR[k] * W]] and table[cells[i + DC[k]]]


@kernel
def pass_mask_of(i, cells, nbr, W, table):
    """Bit k set when cell i's k-th neighbour exists and a step there passes `table` (diagonals too)."""
    m = 0
    for k in range(10):
        j = nbr[i, k]
        if j >= 0 and table[cells[j]] and diagonal_ok(i, k, cells, W, table):
            m |= 1 << k
    return m


@kernel
def bfs_masked(mask, nbr, W, sources, n_sources, radius, dist, src, stamp, gen, queue):
    """Multi-source path distance (in moves) up to `radius`, moving where `mask` allows (`pass_mask_of`).

    Writes dist[i] and src[i] (the nearest source cell) for reached cells and marks them with
    stamp[i] = gen; other cells are 'far'. Sources are reached even if their own cell does not
    pass.

    Moves on a floor are offsets of the flat index; only stairs read the neighbour table.
    """
    head = 0
    tail = 0
    for s in range(n_sources):
        i = sources[s]
        if stamp[i] != gen:
            stamp[i] = gen
            dist[i] = 0
            src[i] = i
            queue[tail] = i
            tail += 1
    while head < tail:
        i = queue[head]
        head += 1
        d = dist[i]
        m = mask[i]
        if d >= radius or m == 0:
            continue
        for k in range(10):
            if m & (1 << k) == 0:
                continue
            j = i + DR[k] * W + DC[k] if k < 8 else nbr[i, k]
            if stamp[j] == gen:
                continue
            stamp[j] = gen
            dist[j] = d + 1
            src[j] = src[i]
            queue[tail] = j
            tail += 1
    return tail


@kernel
def line_of_sight(cells, W, row_of, col_of, a, b):
    """True when nothing opaque lies on the straight line between cells a and b of the same floor
    (rows and columns looked up in row_of, col_of)."""
    r0, c0 = np.int64(row_of[a]), np.int64(col_of[a])
    r1, c1 = np.int64(row_of[b]), np.int64(col_of[b])
    base = a - (r0 * W + c0)
    dr, dc = abs(r1 - r0), abs(c1 - c0)
    sr = 1 if r1 > r0 else -1
    sc = 1 if c1 > c0 else -1
    err = dc - dr
    r, c = r0, c0
    while r != r1 or c != c1:
        e2 = 2 * err
        if e2 > -dr:
            err -= dr
            c += sc
        if e2 < dc:
            err += dc
            r += sr
        if (r != r1 or c != c1) and not SEE_THROUGH[cells[base + r * W + c]]:
            return False
    return True


@kernel
def sound_field(cells, nbr, W, src_cells, src_level, n_src, level, stamp, gen, buckets, bucket_len, cost):
    """Loudest sound at each cell: max over sources of (loudness - path cost), via Dial's buckets.

    Walls and doors carry sound at a high cost (cost table), so sound leaks through them
    damped; void carries none. Cells not reached have no sound (stamp != gen).
    """
    B = buckets.shape[0]
    cap = buckets.shape[1]
    for b in range(B):
        bucket_len[b] = 0
    for s in range(n_src):
        i = src_cells[s]
        lv = int(src_level[s])
        if lv <= 0:
            continue
        if lv >= B:
            lv = B - 1
        if stamp[i] == gen and level[i] >= lv:
            continue
        stamp[i] = gen
        level[i] = lv
        if bucket_len[lv] < cap:
            buckets[lv, bucket_len[lv]] = i
            bucket_len[lv] += 1
    for lv in range(B - 1, 0, -1):
        n = 0
        while n < bucket_len[lv]:
            i = buckets[lv, n]
            n += 1
            if level[i] != lv:
                continue  # superseded by a louder path
            for k in range(10):
                j = nbr[i, k]
                if j < 0:
                    continue
                c = cost[cells[j]]
                if c == 0:
                    continue
                if (
                    k < 8
                    and DR[k] != 0
                    and DC[k] != 0
                    and (cost[cells[i + DR[k] * W]] != 1 or cost[cells[i + DC[k]]] != 1)
                ):
                    continue  # sound turns corners the way people walk them, so its gradient can be followed
                nl = lv - c
                if nl <= 0:
                    continue
                if stamp[j] == gen and level[j] >= nl:
                    continue
                stamp[j] = gen
                level[j] = nl
                if bucket_len[nl] < cap:
                    buckets[nl, bucket_len[nl]] = j
                    bucket_len[nl] += 1
    return 0


@njit(cache=True)
def label_regions(cells, nbr, table, out, queue):
    """Connected parts of each floor through the cells `table` passes (8 neighbours, corners allowed).

    Writes the part's number to out (-1 for cells that do not pass) and returns how many parts
    there are. A line of sight never leaves its part (it only crosses passing cells, stepping to
    one of the 8 neighbours), so two cells in different parts cannot see each other.
    """
    out[:] = -1
    n = 0
    for s in range(cells.shape[0]):
        if out[s] >= 0 or not table[cells[s]]:
            continue
        out[s] = n
        queue[0] = s
        head, tail = 0, 1
        while head < tail:
            i = queue[head]
            head += 1
            for k in range(8):
                j = nbr[i, k]
                if j >= 0 and out[j] < 0 and table[cells[j]]:
                    out[j] = n
                    queue[tail] = j
                    tail += 1
        n += 1
    return n


@kernel
def bits_from(bits, rk, c):
    """The 64 bits of row rk of a bitmap (`Fields.zbits`: a bit a column, a zero word past the end) from
    column c >= 0 on, as one word (bit 0 = column c)."""
    q, s = c >> 6, np.uint64(c & 63)
    lo = bits[rk, q] >> s
    if s == 0:
        return lo
    return lo | (bits[rk, q + 1] << (np.uint64(64) - s))


@kernel
def window_bits(bits, rk, c0, n):
    """The n <= 64 bits of row rk of a bitmap for columns c0 .. c0 + n - 1 (columns before 0 are empty)."""
    v = bits_from(bits, rk, 0) << np.uint64(-c0) if c0 < 0 else bits_from(bits, rk, c0)
    return v if n >= 64 else v & ((np.uint64(1) << np.uint64(n)) - np.uint64(1))


@kernel
def set_bit(bits, rk, c):
    """Set column c of row rk of a bitmap."""
    bits[rk, c >> 6] |= np.uint64(1) << np.uint64(c & 63)


@kernel
def cone(mask, step_off, row_of, col_of, i, r, out, queue, visit):
    """The cells one at cell i reaches in exactly as many moves as they are away on its floor (the larger
    of the row and column gaps: no detour), within r, moving where `mask` allows: out[q] bit b is the
    cell q - r rows and b - r columns off. The same cells `phases.smell_path` finds a way to.

    Each step leads one move further out, so the search is a cone from i; `visit` holds its marks."""
    for q in range(out.shape[0]):
        out[q] = 0
    visit[-1] += 1
    mark = visit[-1]
    r0, c0 = np.int64(row_of[i]), np.int64(col_of[i])
    out[r] = np.uint64(1) << np.uint64(r)
    visit[i] = mark
    queue[0] = i
    head, tail = 0, 1
    while head < tail:
        c = queue[head]
        head += 1
        d = max(abs(row_of[c] - r0), abs(col_of[c] - c0))
        if d >= r:
            continue
        for k in range(8):
            n = c + step_off[k]
            if (mask[c] >> k) & 1 == 0 or visit[n] == mark:
                continue
            dr, dc = row_of[n] - r0, col_of[n] - c0
            if max(abs(dr), abs(dc)) != d + 1:
                continue
            visit[n] = mark
            queue[tail] = n
            tail += 1
            out[dr + r] |= np.uint64(1) << np.uint64(dc + r)
    return tail
