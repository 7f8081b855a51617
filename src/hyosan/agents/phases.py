"""The phases of one engine step, each a short Numba kernel over grouped state.

The step order is a table in docs/engine.md and in `engine.step`. Arguments follow one
convention: ag (Agents), w (World), fs (Fields), log (Log), par (Par), sw (switches),
ctr (counters), rng, then the phase's own values.
"""

from __future__ import annotations

import numpy as np
from numba.cpython.unsafe.numbers import trailing_zeros

from ..world.floorplan import Cell
from . import rules as R
from .codes import Action, Ctr, Event, Flag, Kind, Mode, Sw
from .fields import (
    BLOCK,
    BREAKABLE,
    FLOW_LIMITED,
    SEE_THROUGH,
    WALK,
    bfs_masked,
    cone,
    count_near,
    label_regions,
    line_of_sight,
    set_bit,
    sound_field,
    window_bits,
)
from .jit import kernel, prefetch, rule
from .rand import uniform

BIG = 1 << 30
HORDE = 32  # zombies in a person's sight region from which their view is kept per cell (`horde_in_view`)
NEAR = 2  # within this many moves, `nearest_seen` looks cell by cell
AHEAD = 8  # agents ahead whose state is fetched into cache (`fetch_ahead`)
# agents acting from which their state is fetched ahead: 180 bytes each, past about 2 MB (a core's cache);
# in the bundled school (968) the hint only costs its instructions: one story day 5.0 -> 5.5 s
FETCH_FROM = 10_000


def coords_of_cells(F, H, W):
    """Floor, row and column of every cell, looked up by the kernels instead of divided out (an integer
    division costs tens of cycles; the rules that measure distances ask for them many times a step)."""
    f, r, c = np.unravel_index(np.arange(F * H * W), (F, H, W))
    return f.astype(np.int16), r.astype(np.int16), c.astype(np.int16)


def block_of_cells(F, H, W):
    """Coarse block of every cell: (floor, row // BLOCK, col // BLOCK) flattened (looked up, not divided)."""
    f, r, c = np.unravel_index(np.arange(F * H * W), (F, H, W))
    return ((f * ((H + BLOCK - 1) // BLOCK) + r // BLOCK) * ((W + BLOCK - 1) // BLOCK) + c // BLOCK).astype(
        np.int32
    )


# ---- interventions and goals ---------------------------------------------------------------------


@kernel
def interventions(ag, w, sched, log, sw, ctr, t):
    """Fire the schedule rows due at this step (cordon, helicopter, bombing)."""
    q = ctr[Ctr.NEXT_ACTION]
    while q < sched.step.shape[0] and sched.step[q] <= ctr[Ctr.STEP]:
        act = sched.action[q]
        if act == Action.CORDON_ON or act == Action.CORDON_OFF:
            sw[Sw.CORDON] = 1.0 if act == Action.CORDON_ON else 0.0
        elif act == Action.HELI_ANNOUNCE:
            announce_helicopter(ag, w, sched, sw, ctr, t)
        elif act == Action.HELI_LAND:
            sw[Sw.HELI_ACTIVE] = 1.0
            sw[Sw.HELI_SEATS] = sched.arg[q]
        elif act == Action.HELI_LEAVE:
            sw[Sw.HELI_ACTIVE] = 0.0
            sw[Sw.HELI_SEATS] = 0.0
            sw[Sw.HELI_KNOWN] = 0.0
        elif act == Action.BOMB:
            bomb(ag, sched.bomb_mask[int(sched.arg[q])], log, ctr, t)
        q += 1
    ctr[Ctr.NEXT_ACTION] = q


@kernel
def announce_helicopter(ag, w, sched, sw, ctr, t):
    """Rescue is announced: everyone out in the open heads for the roof, whose locked door gives way (the
    fire); hiders go once it is quiet where they are (`rules.leaves_hide`)."""
    sw[Sw.HELI_KNOWN] = 1.0
    for a in range(ag.kind.shape[0]):
        if R.is_person(ag.kind[a]) and ag.mode[a] != Mode.HIDE:
            ag.mode[a] = Mode.SEEK
            ag.mode_t[a] = t
    for q in range(sched.roof_doors.shape[0]):
        R.set_cell(w, sw, ctr, sched.roof_doors[q], Cell.DOOR_OPEN)


@kernel
def bomb(ag, hit, log, ctr, t):
    """Bombing: everyone alive on a hit cell dies."""
    for a in range(ag.kind.shape[0]):
        if R.alive(ag.kind[a]) and hit[ag.pos[a]]:
            ag.kind[a] = Kind.DEAD
            R.log_event(log, ctr, t, Event.BOMBED, a, -1, ag.pos[a])


@kernel
def goal_field(w, fs, targets, out, stamp):
    """Path distance (through doors people can open or break) to the nearest target cell; BIG if none."""
    if targets.shape[0] > 0:
        bfs_masked(
            w.goal_mask,
            w.nbr,
            w.W,
            targets,
            targets.shape[0],
            BIG,
            fs.gdist,
            fs.gsrc,
            fs.gstamp,
            stamp,
            fs.queue,
        )
    for i in range(out.shape[0]):
        out[i] = fs.gdist[i] if targets.shape[0] > 0 and fs.gstamp[i] == stamp else BIG


@kernel
def refresh_goals(w, fs, sw, ctr):
    """Rebuild the exit, helipad and supply fields when a door changed the ways through."""
    if sw[Sw.GOALS_STALE] < 0.5:
        return
    ctr[Ctr.GOAL_GEN] += 1
    base = -3 * ctr[Ctr.GOAL_GEN]  # negative stamps never meet the positive perception generations
    goal_field(w, fs, w.exit_cells, w.goal_exit, base)
    goal_field(w, fs, w.heli_cells, w.goal_heli, base - 1)
    goal_field(w, fs, w.supply_cells, w.goal_supply, base - 2)
    sw[Sw.GOALS_STALE] = 0.0


@kernel
def build_masks(w):
    """Every cell's move masks (`rules.refresh_masks`); after that `set_cell` keeps them true."""
    for i in range(w.cells.shape[0]):
        R.refresh_masks(w, i)


@kernel
def mix(ag, w, fs, par, rng):
    """The well-mixed limit: everyone alive is reshuffled to a random open cell with room."""
    for a in range(ag.kind.shape[0]):
        fs.occ[fs.counted_at[a]] = 0
    for a in range(ag.kind.shape[0]):
        if not R.alive(ag.kind[a]):
            continue
        for _ in range(64):  # the scenario check leaves room for all, so a free cell is found at once
            j = w.mix_cells[int(uniform(rng) * w.mix_cells.shape[0])]
            if fs.occ[j] < par.cap:
                break
        ag.pos[a] = j
        fs.occ[j] += 1
        fs.counted_at[a] = j


# ---- perception ------------------------------------------------------------------------------------


def block_sums_size(F, H, W):
    """Length of the per-floor prefix sums of agents per block (`index_agents`)."""
    return F * ((H + BLOCK - 1) // BLOCK + 1) * ((W + BLOCK - 1) // BLOCK + 1)


@kernel
def prefix_sums(w, counts, sums):
    """Per floor, sums[r, c] = agents in the blocks above and left of block (r, c), for `box_count`."""
    bh, bw = (w.H + BLOCK - 1) // BLOCK, (w.W + BLOCK - 1) // BLOCK
    for f in range(w.F):
        for r in range(bh):
            q = (f * (bh + 1) + r + 1) * (bw + 1) + 1
            b = (f * bh + r) * bw
            row = 0  # a running sum along the row: the only chain from one block to the next
            for c in range(bw):
                row += counts[b + c]
                sums[q + c] = sums[q + c - bw - 1] + row


@rule
def add_to_index(head, nxt, per_block, per_cell, per_region, a, b, i, r):
    """Agent a, at cell i of block b and sight region r, into one side's index (`index_agents`)."""
    per_block[b] += 1
    per_cell[i] += 1
    if r >= 0:
        nxt[a] = head[r]
        head[r] = a
        per_region[r] += 1


@kernel
def index_agents(ag, w, fs, t, par, gen):
    """Where everyone stands at the start of the step (`seen_pos`, `here`), and where the zombies and the prey
    are, for `nearest_seen`: their counts per cell, prefix sums of their counts per block, and a list
    and a count of each per sight region (`fields.label_regions`; lists in agent order).
    The prey are also listed per cell (occ_head, occ_next) for `pick_victim`: nobody they could
    be moves before the encounters. The bodies on each cell are counted afresh (`occ`; moves keep
    it true through the step, `rules.move_body`)."""
    fs.zblock[:] = 0
    fs.pblock[:] = 0
    for a in range(ag.pos.shape[0]):
        if fs.zcell[fs.seen_pos[a]] > 0:
            j = fs.seen_pos[a]
            fs.zbits[bit_row(w, j), w.col_of[j] >> 6] = 0
        fs.zcell[fs.seen_pos[a]] = 0
        fs.pcell[fs.seen_pos[a]] = 0
        # the cells counted last step, and those walked onto since (`move_body` added them): a cell
        # entered from empty was counted twice when only its old count was cleared
        fs.occ[fs.counted_at[a]] = 0
        fs.occ[ag.pos[a]] = 0
    for a in range(ag.pos.shape[0] - 1, -1, -1):
        i = ag.pos[a]
        fs.seen_pos[a] = i
        fs.counted_at[a] = i
        if R.alive(ag.kind[a]):
            fs.here[i] = gen  # occupied cells, kept up to date as people move
            fs.occ[i] += 1  # bodies per cell: the dead leave it at the next step's count
        zombie = ag.kind[a] == Kind.ZOMBIE
        if not (zombie or R.is_prey(ag, a, t, par)):
            continue
        b = w.block_of[i]
        r = w.region[i]
        if r >= 0 and fs.rstamp[r] != gen:
            fs.rstamp[r] = gen
            fs.zcount[r] = 0
            fs.pcount[r] = 0
            fs.zhead[r] = -1
            fs.phead[r] = -1
        if zombie:
            fs.zfirst[i] = a  # agents are indexed from the last: the least index on the cell stays
            add_to_index(fs.zhead, fs.znext, fs.zblock, fs.zcell, fs.zcount, a, b, i, r)
            set_bit(fs.zbits, bit_row(w, i), np.int64(w.col_of[i]))
        else:
            fs.occ_next[a] = fs.occ_head[i] if fs.pcell[i] > 0 else -1
            fs.occ_head[i] = a
            add_to_index(fs.phead, fs.pnext, fs.pblock, fs.pcell, fs.pcount, a, b, i, r)
    prefix_sums(w, fs.zblock, fs.zsum)
    prefix_sums(w, fs.pblock, fs.psum)


@kernel
def perceive(ag, w, fs, par, ctr, sw, t):
    """What the senses work from: sight regions (relabelled when a door changed them), and where the
    zombies and the prey are. Each zombie and person then looks for itself (`nearest_seen`)."""
    ctr[Ctr.GEN] += 1
    R.new_view(w, ctr, -1)  # a new step: every look kept is stale
    gen = ctr[Ctr.GEN]
    if sw[Sw.REGIONS_STALE] > 0.5:
        label_regions(w.cells, w.nbr, SEE_THROUGH, w.region, fs.queue)
        sw[Sw.REGIONS_STALE] = 0.0
    index_agents(ag, w, fs, t, par, gen)


@rule
def cheb(w, i, j):
    """Moves between cells i and j of one floor in the open (the larger of the row and column gaps)."""
    return max(abs(np.int64(w.row_of[i]) - w.row_of[j]), abs(np.int64(w.col_of[i]) - w.col_of[j]))


@rule
def smell_path(w, fs, i, j, d, mask):
    """True when a path of d moves through cells `mask` lets a scent or a sound through leads from cell i to
    cell j."""
    if d == 0:
        return True
    # each cell is tried once: without the marks, a search around a wall tried every one of the
    # thousands of shortest paths (most of a hider's listening at its door)
    fs.visit[-1] += 1
    mark = fs.visit[-1]
    fs.queue[0] = i
    top = 1
    while top > 0:
        top -= 1
        c = fs.queue[top]
        dc = cheb(w, c, j)
        for k in range(8):
            n = c + w.step_off[k]
            if not R.can_step(mask, c, k) or cheb(w, n, j) != dc - 1 or fs.visit[n] == mark:
                continue
            if n == j:
                return True
            fs.visit[n] = mark
            fs.queue[top] = n
            top += 1
    return False


@rule
def senses(w, fs, i, j, d, reg, regional, sight, smell, mask):
    """Whether one at cell i senses one at cell j, d moves away on its floor (see `nearest_seen`).
    Sight is tried first: a straight line costs less than a search of the ways round."""
    seen = regional and d <= sight and w.region[j] == reg
    if seen and line_of_sight(w.cells, w.W, w.row_of, w.col_of, i, j):
        return True
    return d <= smell and smell_path(w, fs, i, j, d, mask)


@rule
def scan_cells(w, fs, i, d0, d1, cellcount, reg, regional, sight, smell, mask):
    """The first agent one at cell i senses on the cells d0..d1 moves away, nearest rings first (each
    ring in row order), counted in `cellcount`: (cell, distance), or (-1, BIG)."""
    HW = w.H * w.W
    f, row, col = np.int64(w.floor_of[i]), np.int64(w.row_of[i]), np.int64(w.col_of[i])
    for d in range(d0, d1 + 1):
        for rr in range(max(0, row - d), min(w.H, row + d + 1)):
            edge = rr == row - d or rr == row + d
            step = 1 if edge else 2 * d
            for cc in range(max(0, col - d) if edge else col - d, min(w.W, col + d + 1), step):
                if cc < 0:
                    continue
                j = f * HW + rr * w.W + cc
                if cellcount[j] > 0 and senses(w, fs, i, j, d, reg, regional, sight, smell, mask):
                    return j, d
    return -1, BIG


@rule
def crowd_scan(count, reach):
    """Whether `nearest_seen` scans the cells beyond NEAR ring by ring rather than walk the region's list:
    when the region holds more of the other side than a third of the cells in reach (a crowd)."""
    return 3 * count > (2 * reach + 1) * (2 * reach + 1)


@rule
def bit_row(w, i):
    """The row of cell i in a bitmap of the building by row (`Fields.zbits`): floor * H + row."""
    return np.int64(w.floor_of[i]) * w.H + w.row_of[i]


@rule
def nearest_seen(ag, w, fs, i, head, nxt, cellcount, sums, count, sight, smell, gen, mask, bits):
    """Sight and smell: the nearest of the agents listed per sight region in (head, nxt) that one at
    cell i senses, as (cell, distance in moves); (-1, BIG) if none. Others are where they stood at
    the step's start.

    Seen: in i's sight region (its `count` is above zero), within `sight` cells, on a clear line
    of sight. Smelt (or heard): within `smell` moves along cells `mask` lets through. Nobody in the
    blocks in reach: nothing.
    The cells within NEAR (or `smell`) moves are looked at one by one (`scan_cells`); beyond, only
    sight reaches, so only i's region counts: its list is walked, or, when it holds more than a
    third of the cells in reach (a crowd), the cells are scanned on out ring by ring. With `bits` (the
    zombies, whose cells are kept as bits, `zbits`) and more than a few rows' worth in the region, the
    same answer is read off the bits (`nearest_in_bits`).
    """
    reg = w.region[i]
    regional = reg >= 0 and fs.rstamp[reg] == gen and count[reg] > 0
    reach = int(sight) if regional else int(smell)
    if reach < 0:
        return -1, BIG
    if count_near(w, sums, i, reach) == 0:
        return -1, BIG
    near = min(reach, max(NEAR, int(smell)))
    j, d = scan_cells(w, fs, i, 0, near, cellcount, reg, regional, sight, smell, mask)
    if j >= 0 or reach <= near or not regional:
        return j, d
    if bits and count[reg] > 2 * reach + 1 and 2 * reach + 1 <= fs.rowbits.shape[0]:
        return nearest_in_bits(w, fs, i, near, reach, reg, sight, smell, mask, crowd_scan(count[reg], reach))
    if crowd_scan(count[reg], reach):
        return scan_cells(w, fs, i, near + 1, reach, cellcount, reg, regional, sight, smell, mask)
    best, best_d = -1, reach + 1
    b = head[reg]
    while b >= 0:
        j = fs.seen_pos[b]
        d = cheb(w, i, j)
        if near < d < best_d and senses(w, fs, i, j, d, reg, regional, sight, smell, mask):
            best, best_d = j, d
        b = nxt[b]
    return (best, best_d) if best >= 0 else (-1, BIG)


@rule
def nearest_in_bits(w, fs, i, near, reach, reg, sight, smell, mask, ring):
    """`nearest_seen` beyond `near` for the zombies of a region too many to walk its list: their cells in
    reach (`zbits`), taken ring by ring outward from cell i; in the nearest ring where one is sensed, the
    cell whose first zombie has the least index (`zfirst`: the one the list's walk keeps) or, for a crowd
    (`ring`), the first in row order (as `scan_cells` finds it). Each row's bits are read once
    (`Fields.rowbits`); only the cells of zombies are looked at."""
    f, row, col = np.int64(w.floor_of[i]), np.int64(w.row_of[i]), np.int64(w.col_of[i])
    n = 2 * reach + 1
    for q in range(n):
        fs.rowbits[q] = np.uint64(0)
        if 0 <= row - reach + q < w.H:
            fs.rowbits[q] = window_bits(fs.zbits, bit_row(w, i) - reach + q, col - reach, n)
    one = np.uint64(1)
    for d in range(near + 1, reach + 1):
        best, best_key = -1, BIG
        edge = ((one << np.uint64(2 * d + 1)) - one) << np.uint64(reach - d)
        sides = (one << np.uint64(reach - d)) | (one << np.uint64(reach + d))
        for q in range(reach - d, reach + d + 1):
            m = fs.rowbits[q] & (edge if q == reach - d or q == reach + d else sides)
            while m != 0:
                b = np.int64(trailing_zeros(m))
                m &= m - one
                j = (f * w.H + row - reach + q) * w.W + col - reach + b
                key = q * 64 + b if ring else np.int64(fs.zfirst[j])
                if key < best_key and senses(w, fs, i, j, d, reg, True, sight, smell, mask):
                    best, best_key = j, key
        if best >= 0:
            return best, d
    return -1, BIG


@rule
def no_prey_sensed(w, fs, sw, i, gen):
    """True when one at cell i surely senses no prey: the scent passes only where sight does
    (`World.scent_in_sight`: not through shut doors), the sight regions are as the cells are now (no door
    changed this step), and i's region holds no prey. A way of such steps never leaves the region."""
    reg = w.region[i]
    return (
        w.scent_in_sight[0]
        and sw[Sw.REGIONS_STALE] < 0.5
        and reg >= 0
        and not (fs.rstamp[reg] == gen and fs.pcount[reg] > 0)
    )


@rule
def prey_sensed(ag, w, fs, sw, i, sight, smell, gen):
    """`nearest_seen` for the prey (zombies' and hungry hybrids' senses): smell passes where the
    scenario lets a scent through (`World.scent_mask`)."""
    if no_prey_sensed(w, fs, sw, i, gen):
        return -1, BIG
    return nearest_seen(
        ag, w, fs, i, fs.phead, fs.pnext, fs.pcell, fs.psum, fs.pcount, sight, smell, gen, w.scent_mask, False
    )


@rule
def zombie_prey(ag, w, fs, sw, ctr, i, sight, smell):
    """The prey cell a zombie at cell i senses (`prey_sensed`), or -1: the same for every zombie on the
    cell, so worked out once a cell until the step ends or a door within reach changes (`look_kept`, as
    `zombie_in_sight`): a horde packed against a window looked as many times as it had bodies."""
    if no_prey_sensed(w, fs, sw, i, ctr[Ctr.GEN]):
        return -1  # most zombies most of the time: no look worth keeping
    if not look_kept(w, ctr, fs.pvstamp[i], i, max(int(sight), int(smell))):
        fs.pvcell[i], _ = prey_sensed(ag, w, fs, sw, i, sight, smell, ctr[Ctr.GEN])
    fs.pvstamp[i] = ctr[Ctr.VIEW]
    return fs.pvcell[i]


@rule
def look_kept(w, ctr, stamp, i, reach):
    """Whether a look from cell i worked out at view stamp `stamp` (`Ctr.VIEW`) still holds: worked out
    this step (its senses read where everyone stood at the step's start), and every cell changed since
    (`World.changed`, `rules.set_cell`) lies beyond `reach` + 1 on i's floor, so no line of sight or scent
    path within reach, nor the move masks they read, passed through it. A door opened in one corridor
    used to send the whole building of 10^5 looking again."""
    now = ctr[Ctr.VIEW]
    if stamp == now:
        return True
    L = w.changed.shape[0]
    if stamp <= 0 or now - stamp >= L:
        return False
    for v in range(stamp + 1, now + 1):
        c = w.changed[v % L]
        if c < 0 or (w.floor_of[c] == w.floor_of[i] and cheb(w, c, i) <= reach + 1):
            return False
    return True


@rule
def zombie_sensed(ag, w, fs, i, sight, reach, gen):
    """`nearest_seen` for the zombies (people's senses): sight, and within `reach` moves through doors
    (what a hider hears of the corridor, `heard_zombie`)."""
    return nearest_seen(
        ag, w, fs, i, fs.zhead, fs.znext, fs.zcell, fs.zsum, fs.zcount, sight, reach, gen, w.nose_mask, True
    )


@rule
def keep_least(best, best_s, ties, j, s, rng):
    """One candidate j with score s against the least so far (best, best_s, ties seen at it): the new
    (best, best_s, ties), ties broken at random so that each of them is kept with equal chance."""
    if s < best_s:
        return j, s, 1
    if s == best_s:
        ties += 1
        if uniform(rng) * ties < 1.0:
            best = j
    return best, best_s, ties


@rule
def toward(w, fs, par, rng, t, i, target, mask):
    """The neighbour of i (a step `mask` allows, with room) nearest to cell `target` on its floor, if
    nearer; else -1. Nearer is fewer moves, or as many moves and a shorter straight line: so one in a
    doorway steps into the room toward someone off to the side (a step that saves no move), instead of
    standing in the doorway for good. Ties go at random.
    """
    tr, tc = np.int64(w.row_of[target]), np.int64(w.col_of[target])
    dr0, dc0 = w.row_of[i] - tr, w.col_of[i] - tc
    here = max(abs(dr0), abs(dc0)) * 65536 + dr0 * dr0 + dc0 * dc0
    best, best_s, ties = -1, BIG, 0
    for k in range(8):
        j = i + w.step_off[k]
        if not R.can_step(mask, i, k) or not R.has_room(w, fs, par, j, t):
            continue
        dr, dc = w.row_of[j] - tr, w.col_of[j] - tc
        s = max(abs(dr), abs(dc)) * 65536 + dr * dr + dc * dc
        if s < here:
            best, best_s, ties = keep_least(best, best_s, ties, j, s, rng)
    return best


@kernel
def shuffle_alive(ag, fs, rng):
    """The agents still acting, in a fresh random order (Fisher-Yates) in fs.order; returns how many."""
    n = 0
    for a in range(ag.kind.shape[0]):
        if R.alive(ag.kind[a]):
            fs.order[n] = a
            n += 1
    for k in range(n - 1, 0, -1):
        j = int(uniform(rng) * (k + 1))
        fs.order[k], fs.order[j] = fs.order[j], fs.order[k]
    return n


@kernel
def hear(ag, w, fs, par, ctr, t):
    """The sound field, every `sound_every` seconds: panicking and loud people, and lures that are on."""
    every = max(1, int(round(par.sound_every / par.dt)))
    if ctr[Ctr.STEP] % every != 0:
        return
    ctr[Ctr.SGEN] += 1
    n = 0
    for a in range(ag.pos.shape[0]):
        m = ag.mode[a]
        if ag.kind[a] == Kind.HUMAN and (
            m == Mode.PANIC or (ag.loud[a] and m != Mode.HIDE and m != Mode.CALM)
        ):
            fs.snd_src[n] = ag.pos[a]
            fs.snd_lv[n] = par.h_loud
            n += 1
    for q in range(w.lure_cell.shape[0]):
        if w.lure_start[q] <= t < w.lure_end[q]:
            fs.snd_src[n] = w.lure_cell[q]
            fs.snd_lv[n] = w.lure_level[q]
            n += 1
    sound_field(
        w.cells,
        w.nbr,
        w.W,
        fs.snd_src,
        fs.snd_lv,
        n,
        fs.snd,
        fs.sstamp,
        ctr[Ctr.SGEN],
        fs.buckets,
        fs.bucket_len,
        w.sound_cost,
    )


# ---- zombies -------------------------------------------------------------------------------------------


@rule
def descend(w, fs, par, rng, t, i, field, mask):
    """Neighbour of i (a step `mask` allows, with room) that lowers a goal field most (random among ties),
    or -1 at a minimum or when every way down is full (a queue). Unreached cells hold BIG."""
    best, best_d, ties = -1, BIG, 0
    for k in range(10):
        j = i + w.step_off[k]
        if not R.can_step(mask, i, k) or not R.has_room(w, fs, par, j, t):
            continue
        best, best_d, ties = keep_least(best, best_d, ties, j, field[j], rng)
    if best >= 0 and best_d >= field[i]:
        return -1
    return best


@rule
def louder(i, w, fs, par, t, sgen):
    """Neighbour of i (with room) where the sound is loudest, if louder than here; else -1."""
    j, best = -1, fs.snd[i]
    for k in range(10):
        jj = i + w.step_off[k]
        if R.can_step(w.nose_mask, i, k) and fs.sstamp[jj] == sgen and fs.snd[jj] > best:
            if R.has_room(w, fs, par, jj, t):
                best, j = fs.snd[jj], jj
    return j


@rule
def zombie_moves(ag, w, fs, log, par, sw, ctr, rng, t, z_sight, a):
    """One zombie: chase the prey it senses, else follow the loudest sound, else wander; push doors."""
    i = ag.pos[a]
    sgen = ctr[Ctr.SGEN]
    prey = zombie_prey(ag, w, fs, sw, ctr, i, z_sight, par.z_smell)
    chase = prey >= 0
    follow = (not chase) and fs.sstamp[i] == sgen and fs.snd[i] >= par.z_hear
    ag.acc[a] += (par.z_speed if (chase or follow) else par.z_wander) * ag.speed[a] * par.dt
    moves = int(ag.acc[a])
    ag.acc[a] -= moves
    for _ in range(moves):
        i = ag.pos[a]
        if chase:
            j = toward(w, fs, par, rng, t, i, prey, w.nose_mask)
        elif follow:
            j = louder(i, w, fs, par, t, sgen)
        else:
            k = int(uniform(rng) * 8)
            j = i + w.step_off[k] if R.can_step(w.walk_mask, i, k) else -1
            if j >= 0 and not R.has_room(w, fs, par, j, t):
                j = -1
        if j < 0:
            break
        if WALK[w.cells[j]]:
            R.move_body(ag, w, fs, a, j, t, ctr[Ctr.GEN], par)
        else:
            if BREAKABLE[w.cells[j]]:
                R.push_door(w, sw, ctr, log, j, ag.strength[a] * par.dt, t, a)
            break


@kernel
def zombies_act(ag, w, fs, log, par, sw, ctr, rng, t, z_sight, order):
    """Every zombie in random order: starve, or move (unless held in a bite or a fight)."""
    for oi in range(order.shape[0]):
        a = order[oi]
        if ag.kind[a] == Kind.ZOMBIE and not R.starves(ag, log, ctr, a, t, par) and ag.busy_t[a] <= t:
            zombie_moves(ag, w, fs, log, par, sw, ctr, rng, t, z_sight, a)


# ---- encounters ------------------------------------------------------------------------------------------


@rule
def pick_victim(ag, w, fs, a, t, par, rng):
    """A random unbitten prey on the attacker's cell or a neighbouring one it can reach, not already held
    in a fight, or -1."""
    i = ag.pos[a]
    if count_near(w, fs.psum, i, 1) == 0:
        return -1  # most attackers: no prey in the blocks around them
    victim, seen = -1, 0
    for k in range(-1, 8):
        if k >= 0 and not R.can_step(w.walk_mask, i, k):
            continue
        c = i if k < 0 else i + w.step_off[k]
        if fs.pcell[c] == 0:
            continue
        b = fs.occ_head[c]
        while b >= 0:
            if ag.bitten_at[b] < 0.0 and ag.kind[b] == Kind.HUMAN and ag.busy_t[b] <= t:
                seen += 1
                if seen == 1 or uniform(rng) * seen < 1.0:
                    victim = b
            b = fs.occ_next[b]
    return victim


@kernel
def encounters(ag, w, fs, log, par, ctr, rng, t, order):
    """A zombie (or a starving hybrid) that reached someone attacks before they can react; the fight
    holds both for `bite_seconds`, so an attacker takes one victim at a time."""
    for oi in range(order.shape[0]):
        a = order[oi]
        k_a = ag.kind[a]
        if not (k_a == Kind.ZOMBIE or (R.is_hybrid(k_a) and ag.hunger[a] >= 1.0)) or ag.busy_t[a] > t:
            continue
        victim = pick_victim(ag, w, fs, a, t, par, rng)
        if victim < 0 or (k_a == Kind.ZOMBIE and uniform(rng) >= par.attack_rate * par.dt):
            continue
        ag.busy_t[a] = ag.busy_t[victim] = t + par.bite_s
        if k_a == Kind.ZOMBIE:
            R.fight(ag, log, ctr, a, victim, t, rng, par)
        else:
            R.feed_hybrid(ag, log, ctr, a, victim, t, rng, par)


# ---- people ----------------------------------------------------------------------------------------------


@rule
def react(ag, w, par, sw, rng, a, t, sees, z, near, hears):
    """How a person's mode changes: alarm (hide or panic, on meeting the outbreak or hearing of it:
    `rules.hears_news`), following the leader, calming, leaving a hide (`rules.leaves_hide`), taking
    cover by the water once drunk (`Flag.SETTLE`), running from a zombie inside one's hiding room, leaving
    the group's hiding place when bitten in their sight (`rules.cast_out`). Returns whom a follows (-1:
    nobody; `rules.group_leader`)."""
    i = ag.pos[a]
    ld = R.group_leader(ag, a)
    led = ld >= 0 and ld != a
    # a hider comes out on their own clock (`rules.leaves_hide`), so a leader going for water does not
    # lead the whole class out into the corridor; one at the water first makes way there (`next_cell`)
    own_way = ag.mode[a] == Mode.HIDE or w.at_water[i]
    # apart from their group's hiding place once settled: they go back to it (`next_cell`) rather than
    # hide where they are on the leader's word
    apart = led and ag.mode[ld] == Mode.HIDE and w.rooms[ag.pos[ld]] != w.rooms[i]
    takes_lead = not (apart and R.settled(ag, a, t, par))
    if ag.mode[a] == Mode.CALM and (sees or hears or R.hears_news(sw, par, rng)):
        if sees or hears:
            sw[Sw.ALARM] = 1.0  # met, not only heard of: word of it spreads from now
        if led and ag.mode[ld] != Mode.CALM and takes_lead:
            ag.mode[a] = ag.mode[ld]
        elif uniform(rng) < ag.calm[a] and w.rooms[i] >= 0:
            ag.mode[a] = Mode.HIDE
        else:
            ag.mode[a] = Mode.PANIC
        ag.mode_t[a] = t
    elif led and ag.mode[ld] != ag.mode[a] and ag.mode[ld] != Mode.PANIC and not own_way and takes_lead:
        ag.mode[a] = ag.mode[ld]
        ag.mode_t[a] = t
    if ag.flags[a] & Flag.SETTLE != 0:
        if ag.mode[a] != Mode.SEEK:
            ag.flags[a] -= Flag.SETTLE  # led or driven to something else
        elif not w.at_water[i] and w.rooms[i] >= 0:  # drank and stepped off the water: takes cover here
            ag.mode[a] = Mode.HIDE
            # on their own clock, as if hidden since before quiet_minutes: no fresh danger, so no barricade
            # against the others coming for the water (`rules.secure_doors` reads mode_t as danger just met)
            ag.mode_t[a] = t - par.quiet_s - par.dt
            ag.flags[a] -= Flag.SETTLE
    m = ag.mode[a]
    shut_out = ag.leader[a] >= 0 and R.cast_out(ag, a)
    if (
        (m == Mode.PANIC and t - ag.alarm_t[a] > par.panic_s)
        or (m == Mode.HIDE and (R.leaves_hide(ag, sw, a, t, par) or shut_out))
        or (m == Mode.CALM and R.goes_for_water(ag, a, t, par))
    ):
        ag.mode[a] = Mode.SEEK
        ag.mode_t[a] = t
    # a zombie inside one's own hiding place ends the hiding, however far across the room it is
    inside = sees and w.rooms[i] >= 0 and w.rooms[z] == w.rooms[i]
    if ag.mode[a] == Mode.HIDE and sees and (near <= par.flush or inside):
        ag.mode[a] = Mode.PANIC
        ag.mode_t[a] = t
    return ld if led else -1


@rule
def flee_step(w, fs, par, rng, t, i, z):
    """Away from the zombie at cell z, then toward the way out (random among ties), through cells with
    room; -1 if all are nearer or full.

    Distance is in moves: 8 neighbours on a floor, one more for each floor between (stairs).
    """
    here = cheb(w, i, z)
    best, best_d, best_s, ties = -1, -1, -1, 0
    for k in range(10):
        jj = i + w.step_off[k]
        if not R.can_step(w.human_mask, i, k) or not R.has_room(w, fs, par, jj, t):
            continue
        d = cheb(w, jj, z) + abs(np.int64(w.floor_of[jj]) - w.floor_of[z])
        score = min(d, 4095) * 4096 - min(w.goal_exit[jj], 4095)
        if score > best_s:
            best, best_d, best_s, ties = jj, d, score, 1
        elif score == best_s:
            ties += 1
            if uniform(rng) * ties < 1.0:
                best = jj
    if best >= 0 and best_d >= here:
        return best
    return -1


@rule
def toward_leader(w, fs, par, t, i, target, follow):
    """The neighbour (with room) closest to the leader at `target` when over `follow` cells away; else -1."""
    if w.floor_of[target] != w.floor_of[i] or cheb(w, i, target) <= follow:
        return -1
    j, bd = -1, BIG
    for k in range(8):
        jj = i + w.step_off[k]
        if not R.can_step(w.human_mask, i, k) or not R.has_room(w, fs, par, jj, t):
            continue
        dd = cheb(w, jj, target)
        if dd < bd:
            bd, j = dd, jj
    return j


@rule
def next_cell(ag, w, fs, par, sw, ctr, rng, t, a, threat, prey, ld):
    """Where a person steps next: flee, wander in the room, (a hungry hybrid) stalk its prey, go for
    water, keep up with the leader `ld` (-1: none), go back to the group's hiding place once settled
    (`rules.settled`), or head for a goal. Only cells with room (`rules.has_room`)."""
    i = ag.pos[a]
    m = ag.mode[a]
    if threat >= 0:
        return flee_step(w, fs, par, rng, t, i, threat)
    if prey >= 0:
        return toward(w, fs, par, rng, t, i, prey, w.human_mask)
    if m == Mode.CALM:
        k = int(uniform(rng) * 8)
        j = i + w.step_off[k]
        if R.can_step(w.walk_mask, i, k) and w.rooms[j] == w.rooms[i] and R.has_room(w, fs, par, j, t):
            return j
        return -1
    dry = R.thirsty(ag, a, par)
    if ag.flags[a] & Flag.SETTLE != 0 and not dry:  # drank: off the water (`react`)
        return spread_out(w, fs, par, rng, t, i, w.at_water) if w.at_water[i] else -1
    if dry:  # thirst beats loyalty: each goes for water when their own body says so
        j = descend(w, fs, par, rng, t, i, w.goal_supply, w.goal_mask)
    else:
        j = toward_leader(w, fs, par, t, i, ag.pos[ld], par.follow) if ld >= 0 and m == ag.mode[ld] else -1
        if j >= 0:
            return j
        # once turned back at the cordon (or told of the helicopter) the way out is up, to the roof;
        # not for hybrids, whom the helicopter does not take (`rules.board`)
        heli = sw[Sw.HELI_KNOWN] > 0.5 and ag.kind[a] == Kind.HUMAN
        roof = heli or ag.flags[a] & Flag.TURNED_BACK != 0
        goal = w.goal_heli if roof and m != Mode.PANIC else w.goal_exit
        home = w.rooms[ag.pos[ld]] if ld >= 0 and ag.mode[ld] == Mode.HIDE and m == Mode.SEEK else -1
        if home >= 0 and w.rooms[i] != home and not heli and R.settled(ag, a, t, par):
            goal = room_field(w, fs, ctr, home)  # regrouping: back to the group where it hides
        j = descend(w, fs, par, rng, t, i, goal, w.goal_mask)
    if j < 0 and w.at_water[i]:  # watered (`rules.drink_eat_or_die`), nowhere to go: make way for others
        return spread_out(w, fs, par, rng, t, i, w.at_water)
    return j if j >= 0 or fs.occ[i] < 2 else spread_out(w, fs, par, rng, t, i, w.by_door)


@rule
def room_field(w, fs, ctr, room):
    """The path distance to a room's cells (`goal_field`), for those going back to their group there. A few
    rooms' fields are kept (`Fields.rgoal`, one slot each, reused in turn) until a door changes the ways."""
    fresh = ctr[Ctr.GOAL_GEN] + 1
    S = fs.rslot.shape[0]
    for s in range(S):
        if fs.rslot[s] == room and fs.rslot_at[s] == fresh:
            return fs.rgoal[s]
    s = fs.rnext[0] % S
    fs.rnext[0] += 1
    n = 0
    for c in range(w.rooms.shape[0]):
        if w.rooms[c] == room:
            fs.rtarget[n] = c
            n += 1
    # stamps far below the goal fields' own (-3 x rebuilds), one per build
    goal_field(w, fs, fs.rtarget[:n], fs.rgoal[s], -(1 << 30) + fs.rnext[0])
    fs.rslot[s] = room
    fs.rslot_at[s] = fresh
    return fs.rgoal[s]


@rule
def spread_out(w, fs, par, rng, t, i, keep_clear):
    """A person held up in a crowd (at their goal, or queueing) steps to a neighbouring cell of the same
    room off the cells to `keep_clear` (beside its doorways, or its water), or holding at least two
    fewer (never into a doorway), so a crowd fills a room instead of blocking the way in; else -1."""
    best, best_n, ties = -1, BIG, 0
    for k in range(8):
        j = i + w.step_off[k]
        if not R.can_step(w.walk_mask, i, k) or w.rooms[j] != w.rooms[i] or FLOW_LIMITED[w.cells[j]]:
            continue  # never into a doorway or onto the stairs
        clear = keep_clear[i] and not keep_clear[j]
        if (clear or fs.occ[j] <= fs.occ[i] - 2) and R.has_room(w, fs, par, j, t):
            best, best_n, ties = keep_least(best, best_n, ties, j, fs.occ[j] - BIG * clear, rng)
    return best


def window_span(reach: float) -> int:
    """Rows (and bits a row) of a set of cells within `reach` kept per cell as bits (a hider's hearing,
    `heard_zombie`; a person's view, `horde_in_view`); 0, none kept, when over 64 wide."""
    n = 2 * int(reach) + 1
    return n if n <= 64 else 0


@rule
def heard_zombie(ag, w, fs, par, ctr, i, gen):
    """Whether a zombie is within `zombie_hearing` moves of cell i through doors and walls' gaps (what
    a hiding person hears of the corridor: enough to keep them hidden, not to make them run).

    The same answer as `zombie_sensed` with that reach, found faster: where no zombie is in i's sight
    region, it is whether a zombie's cell (`zbits`) lies in the cells i reaches without detour
    (`fields.cone`, kept per cell in `hset` until a change of what sound passes, `Ctr.NOSE_GEN`)."""
    r = int(par.h_hear_z)
    reg = w.region[i]
    kept = fs.hset.shape[0] == w.cells.shape[0] and fs.hset.shape[1] == 2 * r + 1
    if not kept or (reg >= 0 and fs.rstamp[reg] == gen and fs.zcount[reg] > 0):
        z, _ = zombie_sensed(ag, w, fs, i, par.h_hear_z, par.h_hear_z, gen)
        return z >= 0
    if count_near(w, fs.zsum, i, r) == 0:
        return False
    if fs.hstamp[i] != ctr[Ctr.NOSE_GEN] + 1:
        fs.hstamp[i] = ctr[Ctr.NOSE_GEN] + 1
        cone(w.nose_mask, w.step_off, w.row_of, w.col_of, i, r, fs.hset[i], fs.queue, fs.visit)
    rk, col = bit_row(w, i) - r, np.int64(w.col_of[i]) - r
    for q in range(2 * r + 1):
        if 0 <= w.row_of[i] - r + q < w.H and fs.hset[i, q] & window_bits(fs.zbits, rk + q, col, 2 * r + 1):
            return True
    return False


@rule
def zombie_in_sight(ag, w, fs, sw, ctr, i, sight, still):
    """The nearest zombie a person at cell i sees (`nearest_seen`, sight only): worked out once for a
    cell until the step ends or a door within sight changes (`look_kept`), since all who stand on it
    see the same (a crowd of ten on a cell looked ten times over, which dominated steps of 10^5 people).
    Facing a horde in its sight region, from the view kept for the cell (`horde_in_view`), if one is
    kept or the person stays there (`still`: hiding); drawing a view for a cell passed through costs
    more than it saves."""
    if not look_kept(w, ctr, fs.vstamp[i], i, int(sight)):
        reg, gen, R = w.region[i], ctr[Ctr.GEN], fs.vis.shape[1] // 2
        if (
            fs.vis.shape[0] == w.cells.shape[0]
            and int(sight) <= R
            and sw[Sw.REGIONS_STALE] < 0.5
            and reg >= 0
            and fs.rstamp[reg] == gen
            and fs.zcount[reg] >= HORDE
            and (still or view_fresh(w, fs, i, R))
        ):
            fs.vcell[i], fs.vdist[i] = horde_in_view(w, fs, ctr, i, sight)
        else:
            fs.vcell[i], fs.vdist[i] = zombie_sensed(ag, w, fs, i, sight, 0.0, gen)
    fs.vstamp[i] = ctr[Ctr.VIEW]
    return fs.vcell[i], fs.vdist[i]


@rule
def view_fresh(w, fs, i, R):
    """Whether the view kept for cell i (`draw_view`) still holds: no cell sight passes through changed in
    the blocks within R since it was drawn (`rules.set_cell` stamps `World.sight_at`)."""
    if fs.vis_at[i] == 0:
        return False
    f, row, col = np.int64(w.floor_of[i]), np.int64(w.row_of[i]), np.int64(w.col_of[i])
    bh, bw = (w.H + BLOCK - 1) // BLOCK, (w.W + BLOCK - 1) // BLOCK
    for br in range(max(0, row - R) // BLOCK, min(w.H - 1, row + R) // BLOCK + 1):
        for bc in range(max(0, col - R) // BLOCK, min(w.W - 1, col + R) // BLOCK + 1):
            if w.sight_at[(f * bh + br) * bw + bc] >= fs.vis_at[i]:
                return False
    return True


@rule
def draw_view(w, fs, ctr, i, R):
    """The cells within R of cell i on its floor that one there sees (a clear line of sight; i itself), as
    bits by row in fs.vis[i] (row q is R - q rows up, bit b is R - b columns left)."""
    f, row, col = np.int64(w.floor_of[i]), np.int64(w.row_of[i]), np.int64(w.col_of[i])
    for q in range(2 * R + 1):
        rr = row - R + q
        v = np.uint64(0)
        for b in range(2 * R + 1):
            cc = col - R + b
            if 0 <= rr < w.H and 0 <= cc < w.W:
                if line_of_sight(w.cells, w.W, w.row_of, w.col_of, i, (f * w.H + rr) * w.W + cc):
                    v |= np.uint64(1) << np.uint64(b)
        fs.vis[i, q] = v
    fs.vis_at[i] = ctr[Ctr.VIEW] + 1


@rule
def horde_in_view(w, fs, ctr, i, sight):
    """`zombie_sensed(i, sight, 0)` for a person in a sight region holding a horde, without a line of sight
    to each: the zombies' cells (`zbits`) met with the cells seen from i (`draw_view`, kept until a door
    near it changes). While the sight regions are as the cells are, a clear line never leaves its region.
    The same answer: the nearest seen, ties as `nearest_seen` breaks them (ring order within NEAR and
    when the region is a crowd, else the first in the region's list: the least index, `zfirst`)."""
    R = fs.vis.shape[1] // 2
    if not view_fresh(w, fs, i, R):
        draw_view(w, fs, ctr, i, R)
    reach = int(sight)
    near = min(reach, NEAR)
    ring = crowd_scan(fs.zcount[w.region[i]], reach)
    f, row, col = np.int64(w.floor_of[i]), np.int64(w.row_of[i]), np.int64(w.col_of[i])
    best, best_key = -1, np.int64(1) << 62
    for q in range(max(0, R - reach), min(2 * R + 1, R + reach + 1)):
        rr = row - R + q
        if rr < 0 or rr >= w.H:
            continue
        m = fs.vis[i, q] & window_bits(fs.zbits, bit_row(w, i) - R + q, col - R, 2 * R + 1)
        while m != 0:
            b = np.int64(trailing_zeros(m))
            m &= m - np.uint64(1)
            d = max(abs(q - R), abs(b - R))
            j = (f * w.H + rr) * w.W + col - R + b
            key = (d << 40) + (fs.zfirst[j] if d > near and not ring else rr * w.W + col - R + b)
            if d <= reach and key < best_key:
                best, best_key = j, key
    return (best, best_key >> 40) if best >= 0 else (-1, BIG)


@rule
def look_for_others(ag, w, fs, par, a, i, t, sight, gen):
    """Survivors out once it is quiet (`rules.settled`) look for others: one who leads a group, or is
    alone, and sees people of another group who would take them in (`rules.takes_in`: hiding; or, for one
    alone, out and settled themselves) joins them, their own group with them (`rules.join`): the nearest
    cell of people, where all stood at the step's start. Those on one's own cell are seen first."""
    ld = R.group_leader(ag, a)
    if ld >= 0 and ld != a:
        return  # a member: their leader looks
    if joins_one_on(ag, fs, par, a, ld < 0, i, t):
        return
    reg = w.region[i]
    if reg < 0 or fs.rstamp[reg] != gen or fs.pcount[reg] <= fs.pcell[i]:
        return  # nobody else in sight
    j, _ = scan_cells(w, fs, i, 1, int(sight), fs.pcell, reg, True, sight, 0.0, w.nose_mask)
    if j >= 0:
        joins_one_on(ag, fs, par, a, ld < 0, j, t)


@rule
def joins_one_on(ag, fs, par, a, alone, j, t):
    """`look_for_others`: a (`alone`, or leading a group) joins the group of the first one on cell j who
    will take them in."""
    b = fs.occ_head[j] if fs.pcell[j] > 0 else -1
    while b >= 0:
        if b != a and R.takes_in(ag, b, alone, t, par) and R.join(ag, a, b):
            return True
        b = fs.occ_next[b]
    return False


@rule
def person_moves(ag, w, fs, log, par, sw, ctr, rng, t, h_sight, a):
    """One person or hybrid: notice, change mode, hide or move; exits and the helipad end the way."""
    i = ag.pos[a]
    gen = ctr[Ctr.GEN]
    hybrid = R.is_hybrid(ag.kind[a])
    keen = par.hy_senses if hybrid else 1.0
    still = ag.mode[a] == Mode.HIDE
    z, near = zombie_in_sight(ag, w, fs, sw, ctr, i, h_sight, still) if not hybrid else (-1, BIG)
    prey = -1
    if hybrid and ag.hunger[a] >= 1.0:  # the hunger won: it stalks the nearest person it senses
        prey, _ = prey_sensed(ag, w, fs, sw, i, h_sight * keen, par.z_smell * keen, gen)
    sees = z >= 0
    hears = fs.sstamp[i] == ctr[Ctr.SGEN] and fs.snd[i] * keen >= par.h_hear
    hiding = ag.mode[a] == Mode.HIDE
    # groans and scratching behind the door, listened for on each one's own beat: hearing them any
    # more often changes nothing (they keep a hider hidden for minutes) and took most of a step
    listen = (ctr[Ctr.STEP] + a) % max(1, int(par.listen_s / par.dt)) == 0
    if hiding and listen and not (sees or hears or hybrid):
        hears = heard_zombie(ag, w, fs, par, ctr, i, gen)
    if sees or (hiding and hears):  # what keeps a hider hidden: not yet quiet (`rules.leaves_hide`)
        ag.alarm_t[a] = t
    if listen and ag.mode[a] == Mode.SEEK and not (sees or hybrid) and R.settled(ag, a, t, par):
        look_for_others(ag, w, fs, par, a, i, t, h_sight, gen)
    ld = react(ag, w, par, sw, rng, a, t, sees, z, near, hears)
    m = ag.mode[a]
    flee = sees and m != Mode.HIDE
    v = (
        0.0
        if ((m == Mode.HIDE or m == Mode.CALM) and prey < 0)
        else (par.h_run if (flee or m == Mode.PANIC or prey >= 0) else par.h_walk)
    )
    ag.acc[a] += v * ag.speed[a] * par.dt
    moves = int(ag.acc[a])
    ag.acc[a] -= moves
    if m == Mode.CALM and R.wanders(ag, a, t, par, rng):
        moves = 1
    if ag.busy_t[a] > t:  # held in a fight
        moves = 0
    if m == Mode.HIDE and w.rooms[i] >= 0:
        R.secure_doors(ag, w, fs, sw, ctr, log, a, w.rooms[i], gen, t, par, hears)
        if listen and ag.busy_t[a] <= t:
            # hiders fill their room, off its water and doorways and out of a crush: hiders sitting
            # on the way to a tap kept the thirsty from it until they died in its doorway
            keep = w.at_water if w.at_water[i] else w.by_door
            if keep[i] or fs.occ[i] >= 2:
                j = spread_out(w, fs, par, rng, t, i, keep)
                if j >= 0:
                    R.move_body(ag, w, fs, a, j, t, gen, par)
    for _ in range(moves):
        j = next_cell(ag, w, fs, par, sw, ctr, rng, t, a, z if flee else -1, prey, ld)
        if j < 0:
            break
        shut = w.cells[j] == Cell.DOOR_CLOSED or w.cells[j] == Cell.DOOR_BARRICADED
        if shut and R.horde_behind(w, fs, par, ag.pos[a], j):
            break  # nobody opens a door onto zombies beyond it: they wait, or go another way
        if w.cells[j] == Cell.DOOR_BARRICADED:
            R.clear_barricade(ag, w, sw, ctr, a, j, t, par)
            break
        R.step_to(ag, w, fs, sw, ctr, a, j, gen, t, par)
        if R.reach_exit(ag, w, sw, log, ctr, a, t) or R.board(ag, w, sw, log, ctr, a, t):
            break


@rule
def fetch_ahead(ag, fs, order, oi):
    """Ask for the state of the person AHEAD places on in `order` (and for their cell's look, half as
    far on), so that it is in cache when their turn comes (`jit.prefetch`; only a hint: no effect on
    what happens)."""
    if oi + AHEAD < order.shape[0]:
        b = np.int64(order[oi + AHEAD])
        prefetch(ag.pos, b), prefetch(ag.kind, b), prefetch(ag.mode, b), prefetch(ag.acc, b)
        prefetch(ag.speed, b), prefetch(ag.busy_t, b), prefetch(ag.alarm_t, b), prefetch(ag.mode_t, b)
        prefetch(ag.thirst, b), prefetch(ag.food, b), prefetch(ag.endure, b), prefetch(ag.leader, b)
        prefetch(ag.flags, b), prefetch(ag.wander_t, b), prefetch(ag.calm, b)
    if oi + AHEAD // 2 < order.shape[0]:
        i = np.int64(ag.pos[order[oi + AHEAD // 2]])
        prefetch(fs.vstamp, i), prefetch(fs.vcell, i), prefetch(fs.vdist, i)
        prefetch(fs.sstamp, i), prefetch(fs.snd, i), prefetch(fs.occ, i)


@kernel
def people_act(ag, w, fs, log, par, sw, ctr, rng, t, h_sight, order):
    """Every person and hybrid in random order: thirst and hunger, rescue, then notice and move."""
    far = order.shape[0] > FETCH_FROM
    for oi in range(order.shape[0]):
        if far:
            fetch_ahead(ag, fs, order, oi)
        a = order[oi]
        k_a = ag.kind[a]
        if not R.is_person(k_a):
            continue
        if R.drink_eat_or_die(ag, w, log, ctr, a, t, par) or R.board(ag, w, sw, log, ctr, a, t):
            continue
        person_moves(ag, w, fs, log, par, sw, ctr, rng, t, h_sight, a)
        if R.is_hybrid(k_a):
            R.grow_hunger(ag, a, par)


# ---- turning and recording -------------------------------------------------------------------------------


@kernel
def turning(ag, log, par, ctr, rng, t):
    """The bitten whose time has come turn."""
    for a in range(ag.kind.shape[0]):
        if ag.kind[a] == Kind.HUMAN and ag.bitten_at[a] >= 0.0 and t >= ag.turn_at[a]:
            R.turn(ag, log, ctr, a, t, rng, par)


@kernel
def record(ag, w, log, par, ctr, t):
    """A timeline row (counts by floor and kind) at the end of every `record_s` of story time."""
    every = max(1, int(round(par.record_s / par.dt)))
    if (ctr[Ctr.STEP] + 1) % every != 0:
        return
    n = ctr[Ctr.TL_N]
    log.tl_t[n] = t + par.dt
    for a in range(ag.pos.shape[0]):
        log.tl[n, w.floor_of[ag.pos[a]], ag.kind[a]] += 1
    ctr[Ctr.TL_N] = n + 1
