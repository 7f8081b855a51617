"""The phases of one engine step, each a short Numba kernel over grouped state.

The step order is a table in docs/engine.md and in `engine.step`. Arguments follow one
convention: ag (Agents), w (World), fs (Fields), log (Log), par (Par), sw (switches),
ctr (counters), rng, then the phase's own values.
"""

from __future__ import annotations

import numpy as np

from ..world.floorplan import Cell
from . import rules as R
from .codes import Action, Ctr, Event, Kind, Mode, Sw
from .fields import (
    BREAKABLE,
    GOAL_PASS,
    HUMAN_PASS,
    NOSE_PASS,
    WALK,
    bfs_masked,
    diagonal_ok,
    line_of_sight,
    pass_mask_of,
    sound_field,
)
from .jit import kernel, rule

BIG = 1 << 30
BLOCK = 8  # side of the coarse blocks used to skip far-away agents


def block_of_cells(F, H, W):
    """Coarse block of every cell: (floor, row // BLOCK, col // BLOCK) flattened (looked up, not divided)."""
    f, r, c = np.unravel_index(np.arange(F * H * W), (F, H, W))
    return ((f * ((H + BLOCK - 1) // BLOCK) + r // BLOCK) * ((W + BLOCK - 1) // BLOCK) + c // BLOCK).astype(
        np.int64
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
    """Rescue is announced: everyone heads for the roof, whose locked door gives way (the fire)."""
    sw[Sw.HELI_KNOWN] = 1.0
    for a in range(ag.kind.shape[0]):
        if R.is_person(ag.kind[a]):
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
            fs.tdist,
            fs.tsrc,
            fs.tstamp,
            stamp,
            fs.queue,
        )
    for i in range(out.shape[0]):
        out[i] = fs.tdist[i] if targets.shape[0] > 0 and fs.tstamp[i] == stamp else BIG


@kernel
def refresh_goals(w, fs, sw, ctr):
    """Rebuild the exit, helipad and supply fields when a door changed the ways through."""
    if sw[Sw.GOALS_STALE] < 0.5:
        return
    ctr[Ctr.GOAL_GEN] += 1
    for i in range(w.cells.shape[0]):  # the ways people plan through, as they are now
        w.goal_mask[i] = pass_mask_of(i, w.cells, w.nbr, w.W, GOAL_PASS)
    base = -3 * ctr[Ctr.GOAL_GEN]  # negative stamps never meet the positive perception generations
    goal_field(w, fs, w.exit_cells, w.goal_exit, base)
    goal_field(w, fs, w.heli_cells, w.goal_heli, base - 1)
    goal_field(w, fs, w.supply_cells, w.goal_supply, base - 2)
    sw[Sw.GOALS_STALE] = 0.0


@kernel
def mix(ag, w, rng):
    """The well-mixed limit: everyone alive is reshuffled to a random open cell."""
    for a in range(ag.kind.shape[0]):
        if R.alive(ag.kind[a]):
            ag.pos[a] = w.mix_cells[int(rng.random() * w.mix_cells.shape[0])]


# ---- perception ------------------------------------------------------------------------------------


@kernel
def mark_blocks(ag, w, fs, t, par, reach):
    """blocks bit 1: holds prey, bit 2: holds a zombie; bit 4: near prey, bit 8: near a zombie.

    'Near' is within `reach` cells on the same floor or one floor up or down (stairs).
    """
    F, H, W = w.F, w.H, w.W
    bh = (H + BLOCK - 1) // BLOCK
    bw = (W + BLOCK - 1) // BLOCK
    blocks = fs.blocks
    blocks[:] = 0
    for a in range(ag.pos.shape[0]):
        if ag.kind[a] == Kind.ZOMBIE:
            blocks[w.block_of[ag.pos[a]]] |= 2
        elif R.is_prey(ag, a, t, par):
            blocks[w.block_of[ag.pos[a]]] |= 1
    rb = (reach + BLOCK - 1) // BLOCK
    for b in range(blocks.shape[0]):
        own = blocks[b] & 3
        if own == 0:
            continue
        f, r, c = b // (bh * bw), (b % (bh * bw)) // bw, b % bw
        for ff in range(max(0, f - 1), min(F, f + 2)):
            for rr in range(max(0, r - rb), min(bh, r + rb + 1)):
                for cc in range(max(0, c - rb), min(bw, c + rb + 1)):
                    blocks[(ff * bh + rr) * bw + cc] |= own << 2


@kernel
def perceive(ag, w, fs, par, ctr, t, z_sight, h_sight):
    """Distance fields: to prey near a zombie (what zombies chase) and to zombies near prey (what people see).

    Only agents near the other side can matter, so the fields start from those alone. The prey
    field is kept while its sources, radius and the doors it senses through are unchanged.
    """
    ctr[Ctr.GEN] += 1
    gen = ctr[Ctr.GEN]
    mark_blocks(ag, w, fs, t, par, max(int(z_sight), int(h_sight)) + 2)
    n = 0
    radius = int(z_sight)  # a chaser needs the field where it stands and one step nearer
    key = (radius * 1000003 + ctr[Ctr.CELL_VERSION]) & 0x7FFFFFFFFFFF
    for a in range(ag.pos.shape[0]):
        if fs.blocks[w.block_of[ag.pos[a]]] & 8 and R.is_prey(ag, a, t, par):
            fs.sources[n] = ag.pos[a]
            n += 1
            key = (key * 1099511628211 + ag.pos[a] + 1) & 0x7FFFFFFFFFFF
    if key != ctr[Ctr.PREY_KEY] or ctr[Ctr.PGEN] == 0:
        ctr[Ctr.PREY_KEY] = key
        ctr[Ctr.PGEN] = gen
        bfs_masked(w.nose_mask, w.nbr, w.W, fs.sources, n, radius, fs.dist, fs.src, fs.stamp, gen, fs.queue)
    n = 0
    for a in range(ag.pos.shape[0]):
        if ag.kind[a] == Kind.ZOMBIE and fs.blocks[w.block_of[ag.pos[a]]] & 4:
            fs.sources[n] = ag.pos[a]
            n += 1
    bfs_masked(
        w.nose_mask, w.nbr, w.W, fs.sources, n, int(h_sight), fs.tdist, fs.tsrc, fs.tstamp, gen, fs.queue
    )
    for a in range(ag.pos.shape[0]):
        if R.alive(ag.kind[a]):
            fs.here[ag.pos[a]] = gen  # occupied cells, kept up to date as people move


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
def descend(i, field, stamp, gen, w, table, rng):
    """Neighbour of i that lowers a distance field most (random among ties), or -1 at a minimum.

    Cells whose stamp is not `gen` are unreached. With gen = 0 the field marks unreached cells
    with BIG itself (the goal fields) and `stamp` is not read.
    """
    best, best_d, ties = -1, BIG, 0
    for k in range(10):
        j = w.nbr[i, k]
        if j < 0 or (gen != 0 and stamp[j] != gen) or not table[w.cells[j]]:
            continue
        if not diagonal_ok(i, k, w.cells, w.W, table):
            continue
        d = field[j]
        if d < best_d:
            best, best_d, ties = j, d, 1
        elif d == best_d:
            ties += 1
            if rng.random() * ties < 1.0:
                best = j
    if best >= 0 and (gen == 0 or stamp[i] == gen) and best_d >= field[i]:
        return -1
    return best


@rule
def louder(i, w, fs, sgen):
    """Neighbour of i where the sound is loudest, if louder than here; else -1."""
    j, best = -1, fs.snd[i]
    for k in range(10):
        jj = w.nbr[i, k]
        if (
            jj >= 0
            and NOSE_PASS[w.cells[jj]]
            and fs.sstamp[jj] == sgen
            and fs.snd[jj] > best
            and diagonal_ok(i, k, w.cells, w.W, NOSE_PASS)
        ):
            best, j = fs.snd[jj], jj
    return j


@rule
def zombie_moves(ag, w, fs, log, par, sw, ctr, rng, t, z_sight, a):
    """One zombie: chase prey it senses, else follow the loudest sound, else wander; push doors in the way."""
    i = ag.pos[a]
    pgen, sgen = ctr[Ctr.PGEN], ctr[Ctr.SGEN]
    chase = fs.stamp[i] == pgen and (
        fs.dist[i] <= par.z_smell
        or (fs.dist[i] <= z_sight and line_of_sight(w.cells, w.H, w.W, i, fs.src[i]))
    )
    follow = (not chase) and fs.sstamp[i] == sgen and fs.snd[i] >= par.z_hear
    ag.acc[a] += (par.z_speed if (chase or follow) else par.z_wander) * ag.speed[a] * par.dt
    moves = int(ag.acc[a])
    ag.acc[a] -= moves
    for _ in range(moves):
        i = ag.pos[a]
        if chase:
            j = descend(i, fs.dist, fs.stamp, pgen, w, NOSE_PASS, rng)
        elif follow:
            j = louder(i, w, fs, sgen)
        else:
            k = int(rng.random() * 8)
            j = w.nbr[i, k]
            if j >= 0 and not (WALK[w.cells[j]] and diagonal_ok(i, k, w.cells, w.W, WALK)):
                j = -1
        if j < 0:
            break
        if WALK[w.cells[j]]:
            ag.pos[a] = j
            fs.here[j] = ctr[Ctr.GEN]
        else:
            if BREAKABLE[w.cells[j]]:
                R.push_door(w, sw, ctr, log, j, ag.strength[a] * par.dt, t, a)
            break


@kernel
def zombies_act(ag, w, fs, log, par, sw, ctr, rng, t, z_sight, order):
    """Every zombie in random order: starve, or move."""
    for oi in range(order.shape[0]):
        a = order[oi]
        if ag.kind[a] == Kind.ZOMBIE and not R.starves(ag, log, ctr, a, t, par):
            zombie_moves(ag, w, fs, log, par, sw, ctr, rng, t, z_sight, a)


# ---- encounters ------------------------------------------------------------------------------------------


@rule
def pick_victim(ag, w, fs, a, t, par, rng, gen):
    """A random unbitten prey on the attacker's cell or a neighbouring one it can reach, or -1."""
    i = ag.pos[a]
    victim, seen = -1, 0
    for k in range(-1, 8):
        c = i if k < 0 else w.nbr[i, k]
        if c < 0 or fs.occ_stamp[c] != gen:
            continue
        if k >= 0 and not (WALK[w.cells[c]] and diagonal_ok(i, k, w.cells, w.W, WALK)):
            continue
        b = fs.occ_head[c]
        while b >= 0:
            if b != a and R.is_prey(ag, b, t, par) and ag.bitten_at[b] < 0.0:
                seen += 1
                if rng.random() * seen < 1.0:
                    victim = b
            b = fs.occ_next[b]
    return victim


@kernel
def encounters(ag, w, fs, log, par, ctr, rng, t, order):
    """A zombie (or a starving hybrid) that reached someone attacks before they can react."""
    gen = ctr[Ctr.GEN]
    for a in range(ag.pos.shape[0]):
        if R.is_prey(ag, a, t, par):
            c = ag.pos[a]
            if fs.occ_stamp[c] != gen:
                fs.occ_stamp[c] = gen
                fs.occ_head[c] = -1
            fs.occ_next[a] = fs.occ_head[c]
            fs.occ_head[c] = a
    for oi in range(order.shape[0]):
        a = order[oi]
        k_a = ag.kind[a]
        if not (k_a == Kind.ZOMBIE or (R.is_hybrid(k_a) and ag.hunger[a] >= 1.0)):
            continue
        if k_a == Kind.ZOMBIE and rng.random() >= par.attack_rate * par.dt:
            continue
        victim = pick_victim(ag, w, fs, a, t, par, rng, gen)
        if victim < 0:
            continue
        if k_a == Kind.ZOMBIE:
            R.fight(ag, log, ctr, a, victim, t, rng, par)
        else:
            R.feed_hybrid(ag, log, ctr, a, victim, t, rng, par)


# ---- people ----------------------------------------------------------------------------------------------


@rule
def react(ag, w, fs, par, rng, a, t, sees, hears):
    """How a person's mode changes: alarm (hide or panic), following the leader, calming, leaving a hide."""
    i = ag.pos[a]
    ld = ag.leader[a]
    led = ld >= 0 and ld != a and R.is_person(ag.kind[ld])
    if ag.mode[a] == Mode.CALM and (sees or hears):
        if led and ag.mode[ld] != Mode.CALM:
            ag.mode[a] = ag.mode[ld]
        elif rng.random() < ag.calm[a] and w.rooms[i] >= 0:
            ag.mode[a] = Mode.HIDE
        else:
            ag.mode[a] = Mode.PANIC
        ag.mode_t[a] = t
    elif led and ag.mode[ld] != ag.mode[a] and ag.mode[ld] != Mode.PANIC:
        ag.mode[a] = ag.mode[ld]
        ag.mode_t[a] = t
    m = ag.mode[a]
    if (m == Mode.PANIC and t - ag.alarm_t[a] > par.panic_s) or (
        m == Mode.HIDE and (t - ag.mode_t[a] > par.hide_s or ag.thirst[a] > par.seek_water * par.water_s)
    ):
        ag.mode[a] = Mode.SEEK
        ag.mode_t[a] = t
    if ag.mode[a] == Mode.HIDE and sees and fs.tdist[i] <= par.flush:
        ag.mode[a] = Mode.PANIC
        ag.mode_t[a] = t
    return led


@rule
def flee_step(w, fs, rng, i, gen):
    """Away from the nearest zombie, then toward the way out (random among ties); -1 if no better cell."""
    best, best_d, ties = -1, -1, 0
    for k in range(10):
        jj = w.nbr[i, k]
        if jj < 0 or not HUMAN_PASS[w.cells[jj]] or not diagonal_ok(i, k, w.cells, w.W, HUMAN_PASS):
            continue
        d = fs.tdist[jj] if fs.tstamp[jj] == gen else BIG
        score = d * 4096 - min(w.goal_exit[jj], 4095)
        if score > best_d:
            best, best_d, ties = jj, score, 1
        elif score == best_d:
            ties += 1
            if rng.random() * ties < 1.0:
                best = jj
    if best >= 0 and (fs.tstamp[i] != gen or fs.tstamp[best] != gen or fs.tdist[best] >= fs.tdist[i]):
        return best
    return -1


@rule
def toward_leader(w, i, target, follow):
    """The neighbour closest to the leader at `target` when over `follow` cells away; else -1."""
    HW, W = w.H * w.W, w.W
    if target // HW != i // HW:
        return -1
    lr, lc = (target % HW) // W, target % W
    if max(abs(lr - (i % HW) // W), abs(lc - i % W)) <= follow:
        return -1
    j, bd = -1, BIG
    for k in range(8):
        jj = w.nbr[i, k]
        if jj < 0 or not HUMAN_PASS[w.cells[jj]] or not diagonal_ok(i, k, w.cells, w.W, HUMAN_PASS):
            continue
        dd = max(abs(lr - (jj % HW) // W), abs(lc - jj % W))
        if dd < bd:
            bd, j = dd, jj
    return j


@rule
def next_cell(ag, w, fs, par, sw, rng, a, flee, led, gen):
    """Where a person steps next: flee, wander in the room, keep up with the leader, or head for a goal."""
    i = ag.pos[a]
    m = ag.mode[a]
    if flee:
        return flee_step(w, fs, rng, i, gen)
    if m == Mode.CALM:
        k = int(rng.random() * 8)
        j = w.nbr[i, k]
        if j >= 0 and WALK[w.cells[j]] and w.rooms[j] == w.rooms[i] and diagonal_ok(i, k, w.cells, w.W, WALK):
            return j
        return -1
    ld = ag.leader[a]
    if led and m == ag.mode[ld]:
        j = toward_leader(w, i, ag.pos[ld], par.follow)
        if j >= 0:
            return j
    if ag.thirst[a] > par.seek_water * par.water_s:
        return descend(i, w.goal_supply, w.goal_supply, 0, w, HUMAN_PASS, rng)
    if sw[Sw.HELI_KNOWN] > 0.5 and m != Mode.PANIC:
        return descend(i, w.goal_heli, w.goal_heli, 0, w, HUMAN_PASS, rng)
    return descend(i, w.goal_exit, w.goal_exit, 0, w, HUMAN_PASS, rng)


@rule
def person_moves(ag, w, fs, log, par, sw, ctr, rng, t, h_sight, a):
    """One person or hybrid: notice, change mode, hide or move; exits and the helipad end the way."""
    i = ag.pos[a]
    gen = ctr[Ctr.GEN]
    sees = (
        ag.kind[a] == Kind.HUMAN
        and fs.tstamp[i] == gen
        and fs.tdist[i] <= h_sight
        and line_of_sight(w.cells, w.H, w.W, i, fs.tsrc[i])
    )
    hears = fs.sstamp[i] == ctr[Ctr.SGEN] and fs.snd[i] >= par.h_hear
    if sees:
        ag.alarm_t[a] = t
    led = react(ag, w, fs, par, rng, a, t, sees, hears)
    m = ag.mode[a]
    flee = sees and m != Mode.HIDE
    v = (
        0.0
        if (m == Mode.HIDE or m == Mode.CALM)
        else (par.h_run if (flee or m == Mode.PANIC) else par.h_walk)
    )
    ag.acc[a] += v * ag.speed[a] * par.dt
    moves = int(ag.acc[a])
    ag.acc[a] -= moves
    if m == Mode.CALM and rng.random() < par.wander * par.dt:
        moves = 1
    if m == Mode.HIDE and w.rooms[i] >= 0:
        R.secure_doors(ag, w, fs, sw, ctr, log, a, w.rooms[i], gen, t, par)
    for _ in range(moves):
        j = next_cell(ag, w, fs, par, sw, rng, a, flee, led, gen)
        if j < 0:
            break
        R.step_to(ag, w, fs, sw, ctr, a, j, gen)
        if R.reach_exit(ag, w, sw, log, ctr, a, t) or R.board(ag, w, sw, log, ctr, a, t):
            break


@kernel
def people_act(ag, w, fs, log, par, sw, ctr, rng, t, h_sight, order):
    """Every person and hybrid in random order: thirst and hunger, rescue, then notice and move."""
    for oi in range(order.shape[0]):
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
    HW = w.H * w.W
    for a in range(ag.pos.shape[0]):
        log.tl[n, ag.pos[a] // HW, ag.kind[a]] += 1
    ctr[Ctr.TL_N] = n + 1
