"""The agent step kernel: perceive, move, fight, bite, turn, starve, for all agents at once.

State is struct-of-arrays (see `hyosan.agents.state`). One call of `run_steps` advances
`n_steps` steps of `dt` seconds; the Python driver (`hyosan.agents.sim`) handles schedule
edges (interventions), buffers and progress between calls.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..world import floorplan as fp
from .fields import (BREAKABLE, HUMAN_PASS, NOSE_PASS, SOUND_COST, WALK, bfs, diagonal_ok, line_of_sight,
                     sound_field)

# kinds
HUMAN, ZOMBIE, HYBRID_IMMUNE, HYBRID_IMMORTAL, DEAD, ESCAPED, RESCUED = range(7)
KIND_NAMES = ("human", "zombie", "hybrid (immune)", "hybrid (immortal)", "dead", "escaped", "rescued")
# modes of people
CALM, PANIC, HIDE, SEEK = range(4)
MODE_NAMES = ("calm", "panic", "hide", "seek")
# events
(BITE, TURN_ZOMBIE, TURN_HYBRID, ZOMBIE_KILLED, KILLED_BY_HYBRID, THIRST, ESCAPE, RESCUE, STARVED,
 DOOR_BROKEN, TURNED_BACK, BOMBED, BARRICADE, HUNGER) = range(14)
EVENT_NAMES = ("bite", "turn", "turn hybrid", "zombie destroyed", "killed by hybrid", "died of thirst",
               "escape", "rescue", "starved", "door broken", "turned back at cordon", "bombed", "barricade",
               "died of hunger")

# parameter vector layout (seconds, cells, cells per second)
P_NAMES = ("h_walk", "h_run", "h_sight_day", "h_sight_night", "h_hear", "h_loud", "fight_odds", "panic_s",
           "barricade_s", "hide_s", "water_s", "z_speed", "z_wander", "z_sight_day", "z_sight_night", "z_smell",
           "z_hear", "z_strength", "attack_rate", "starve_s", "turn_median", "turn_spread", "hidden_frac",
           "hidden_factor", "hybrid_frac", "immortal_frac", "hunger_s", "far_gone", "start_hour",
           "cordon", "heli_known", "heli_active", "heli_capacity", "record_s", "sound_every", "food_s", "mixing")
P = {n: i for i, n in enumerate(P_NAMES)}
(H_WALK, H_RUN, H_SIGHT_DAY, H_SIGHT_NIGHT, H_HEAR, H_LOUD, FIGHT_ODDS, PANIC_S, BARRICADE_S, HIDE_S, WATER_S,
 Z_SPEED, Z_WANDER, Z_SIGHT_DAY, Z_SIGHT_NIGHT, Z_SMELL, Z_HEAR, Z_STRENGTH, ATTACK_RATE, STARVE_S, TURN_MEDIAN,
 TURN_SPREAD, HIDDEN_FRAC, HIDDEN_FACTOR, HYBRID_FRAC, IMMORTAL_FRAC, HUNGER_S, FAR_GONE, START_HOUR, CORDON,
 HELI_KNOWN, HELI_ACTIVE, HELI_CAPACITY, RECORD_S, SOUND_EVERY, FOOD_S, MIXING) = range(len(P_NAMES))

BIG = 1 << 30
BLOCK = 8  # side of the coarse blocks used to skip far-away agents


@njit(cache=True, inline="always")
def _block(i, H, W):
    """Coarse block of cell i: (floor, row // BLOCK, col // BLOCK) flattened."""
    HW = H * W
    bh = (H + BLOCK - 1) // BLOCK
    bw = (W + BLOCK - 1) // BLOCK
    return ((i // HW) * bh + (i % HW) // W // BLOCK) * bw + (i % W) // BLOCK


def n_blocks(F, H, W):
    """Number of coarse blocks in a building."""
    return F * ((H + BLOCK - 1) // BLOCK) * ((W + BLOCK - 1) // BLOCK)


@njit(cache=True)
def _mark_blocks(pos, kind, bitten_at, turn_at, t, far_gone, H, W, F, reach, blocks):
    """blocks bit 1: holds prey, bit 2: holds a zombie; bit 4: near prey, bit 8: near a zombie.

    'Near' is within `reach` cells on the same floor or one floor up or down (stairs).
    """
    bh = (H + BLOCK - 1) // BLOCK
    bw = (W + BLOCK - 1) // BLOCK
    blocks[:] = 0
    for a in range(pos.shape[0]):
        if kind[a] == ZOMBIE:
            blocks[_block(pos[a], H, W)] |= 2
        elif _is_prey(kind, bitten_at, turn_at, a, t, far_gone):
            blocks[_block(pos[a], H, W)] |= 1
    rb = (reach + BLOCK - 1) // BLOCK
    for b in range(blocks.shape[0]):
        own = blocks[b] & 3
        if own == 0:
            continue
        f = b // (bh * bw)
        r = (b % (bh * bw)) // bw
        c = b % bw
        for ff in range(max(0, f - 1), min(F, f + 2)):
            for rr in range(max(0, r - rb), min(bh, r + rb + 1)):
                for cc in range(max(0, c - rb), min(bw, c + rb + 1)):
                    blocks[(ff * bh + rr) * bw + cc] |= own << 2


@njit(cache=True)
def _event(ev_t, ev_k, ev_a, ev_b, ev_cell, n, t, kind, a, b, cell):
    ev_t[n] = t
    ev_k[n] = kind
    ev_a[n] = a
    ev_b[n] = b
    ev_cell[n] = cell
    return n + 1


@njit(cache=True)
def _is_prey(kind, bitten_at, turn_at, a, t, far_gone):
    """People zombies want: humans not yet far gone in turning (hybrids are ignored)."""
    if kind[a] != HUMAN:
        return False
    if bitten_at[a] >= 0.0 and t - bitten_at[a] > far_gone * (turn_at[a] - bitten_at[a]):
        return False
    return True


@njit(cache=True)
def _bite(victim, biter, t, rng, p, bitten_at, turn_at, bit_by):
    """Infect: draw the turning time (worse bites turn faster; some hide a bite and turn late)."""
    severity = rng.random()
    delay = p[TURN_MEDIAN] * math.exp(p[TURN_SPREAD] * rng.standard_normal()) * (1.5 - severity)
    if rng.random() < p[HIDDEN_FRAC]:
        delay *= p[HIDDEN_FACTOR]
    bitten_at[victim] = t
    turn_at[victim] = t + max(delay, 1.0)
    bit_by[victim] = biter


@njit(cache=True)
def _goal_step(i, field, fstamp, fgen, cells, nbr, W, table, rng):
    """Neighbour of i that lowers a distance field most (random among ties), or -1."""
    best = -1
    best_d = BIG
    ties = 0
    for k in range(10):
        j = nbr[i, k]
        if j < 0 or fstamp[j] != fgen or not table[cells[j]] or not diagonal_ok(i, k, cells, W, table):
            continue
        d = field[j]
        if d < best_d:
            best, best_d, ties = j, d, 1
        elif d == best_d:
            ties += 1
            if rng.random() * ties < 1.0:
                best = j
    if best >= 0 and fstamp[i] == fgen and best_d >= field[i]:
        return -1  # already at a local minimum
    return best


@njit(cache=True)
def run_steps(t0, n_steps, dt, p, rng,
              pos, kind, mode, strength, speed, calm, weapon, loud, resolve, leader, acc,
              bitten_at, turn_at, bit_by, last_fed, hunger, thirst, food, alarm_t, mode_t, flags,
              cells, nbr, rooms, door_hp, F, H, W,
              goal_exit, goal_heli, goal_supply, goal_stamp, goal_gen,
              dist, src, stamp, queue, sources, tdist, tsrc, tstamp,
              snd, sstamp, sgen, buckets, bucket_len, gen, door_full,
              lure_cell, lure_level, lure_start, lure_end,
              occ_head, occ_next, occ_stamp, blocks, mix_cells, door_ptr, door_cells, here,
              ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, ev_cap,
              tl_t, tl, tl_n, next_record):
    """Advance n_steps; returns (steps done, events written, timeline rows, gen, next_record, doors_changed)."""
    N = pos.shape[0]
    n_cells = cells.shape[0]
    doors_changed = False
    snd_src = np.empty(N + lure_cell.shape[0], dtype=np.int64)
    snd_lv = np.empty(N + lure_cell.shape[0])
    for step in range(n_steps):
        if ev_n > ev_cap - 4 * N - 16:
            return step, ev_n, tl_n, gen, next_record, doors_changed
        t = t0 + step * dt
        if p[MIXING] > 0.5:
            # the well-mixed limit: everyone alive is reshuffled to a random open cell
            for a in range(N):
                if kind[a] <= HYBRID_IMMORTAL:
                    pos[a] = mix_cells[int(rng.random() * mix_cells.shape[0])]
        hour = (p[START_HOUR] + t / 3600.0) % 24.0
        night = hour >= 19.0 or hour < 6.0
        z_sight = p[Z_SIGHT_NIGHT] if night else p[Z_SIGHT_DAY]
        h_sight = p[H_SIGHT_NIGHT] if night else p[H_SIGHT_DAY]
        # ---- perception fields -------------------------------------------------
        # Only prey near some zombie (and zombies near some prey) can matter this step: mark
        # coarse blocks holding each, dilate them by the perception radius, and seed the
        # distance fields from the agents near the other side only.
        gen += 1
        reach = max(int(z_sight), int(h_sight)) + 2
        _mark_blocks(pos, kind, bitten_at, turn_at, t, p[FAR_GONE], H, W, F, reach, blocks)
        n_prey = 0
        n_z = 0
        for a in range(N):
            b = _block(pos[a], H, W)
            if blocks[b] & 8 and _is_prey(kind, bitten_at, turn_at, a, t, p[FAR_GONE]):
                sources[n_prey] = pos[a]
                n_prey += 1
        bfs(cells, nbr, W, sources, n_prey, int(z_sight) + 1, NOSE_PASS, dist, src, stamp, gen, queue)
        for a in range(N):
            b = _block(pos[a], H, W)
            if kind[a] == ZOMBIE and blocks[b] & 4:
                sources[n_z] = pos[a]
                n_z += 1
        bfs(cells, nbr, W, sources, n_z, int(h_sight) + 1, NOSE_PASS, tdist, tsrc, tstamp, gen, queue)
        every = int(p[SOUND_EVERY])
        if every < 1:
            every = 1
        if step % every == 0 or step == 0:
            sgen[0] += 1
            n_snd = 0
            for a in range(N):
                if kind[a] == HUMAN and (mode[a] == PANIC or (loud[a] and mode[a] != HIDE and mode[a] != CALM)):
                    snd_src[n_snd] = pos[a]
                    snd_lv[n_snd] = p[H_LOUD]
                    n_snd += 1
            for q in range(lure_cell.shape[0]):
                if lure_start[q] <= t < lure_end[q]:
                    snd_src[n_snd] = lure_cell[q]
                    snd_lv[n_snd] = lure_level[q]
                    n_snd += 1
            sound_field(cells, nbr, W, snd_src, snd_lv, n_snd, snd, sstamp, sgen[0], buckets, bucket_len, SOUND_COST)
        order = rng.permutation(N)
        for a in range(N):
            if kind[a] <= HYBRID_IMMORTAL:
                here[pos[a]] = gen  # occupied cells, kept up to date as people move
        # ---- zombies -----------------------------------------------------------------
        for oi in range(N):
            a = order[oi]
            if kind[a] != ZOMBIE:
                continue
            if t - last_fed[a] > p[STARVE_S]:
                kind[a] = DEAD
                ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, STARVED, a, -1, pos[a])
                continue
            i = pos[a]
            chase = False
            if stamp[i] == gen:
                d = dist[i]
                if d <= p[Z_SMELL] or (d <= z_sight and line_of_sight(cells, H, W, i, src[i])):
                    chase = True
            follow = (not chase) and sstamp[i] == sgen[0] and snd[i] >= p[Z_HEAR]
            v = p[Z_SPEED] * speed[a] if (chase or follow) else p[Z_WANDER] * speed[a]
            acc[a] += v * dt
            moves = int(acc[a])
            acc[a] -= moves
            for m in range(moves):
                i = pos[a]
                if chase:
                    j = _goal_step(i, dist, stamp, gen, cells, nbr, W, NOSE_PASS, rng)
                elif follow:
                    j = -1
                    best = snd[i]
                    for k in range(10):
                        jj = nbr[i, k]
                        if jj >= 0 and NOSE_PASS[cells[jj]] and sstamp[jj] == sgen[0] and snd[jj] > best \
                                and diagonal_ok(i, k, cells, W, NOSE_PASS):
                            best = snd[jj]
                            j = jj
                else:
                    k = int(rng.random() * 8)
                    j = nbr[i, k]
                    if j >= 0 and not (WALK[cells[j]] and diagonal_ok(i, k, cells, W, WALK)):
                        j = -1
                if j < 0:
                    break
                if WALK[cells[j]]:
                    pos[a] = j
                    here[j] = gen
                elif BREAKABLE[cells[j]]:
                    door_hp[j] -= strength[a] * dt
                    if door_hp[j] <= 0.0:
                        cells[j] = fp.DOOR_BROKEN
                        doors_changed = True
                        ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, DOOR_BROKEN, a, -1, j)
                    break
                else:
                    break
        # ---- encounters: a zombie that reached someone attacks before they can react ----
        for a in range(N):
            if _is_prey(kind, bitten_at, turn_at, a, t, p[FAR_GONE]):
                c = pos[a]
                if occ_stamp[c] != gen:
                    occ_stamp[c] = gen
                    occ_head[c] = -1
                occ_next[a] = occ_head[c]
                occ_head[c] = a
        for oi in range(N):
            a = order[oi]
            k_a = kind[a]
            attacker = k_a == ZOMBIE or ((k_a == HYBRID_IMMUNE or k_a == HYBRID_IMMORTAL) and hunger[a] >= 1.0)
            if not attacker:
                continue
            if k_a == ZOMBIE and rng.random() >= p[ATTACK_RATE] * dt:
                continue
            i = pos[a]
            victim = -1
            seen = 0
            for k in range(-1, 8):
                c = i if k < 0 else nbr[i, k]
                if c < 0 or occ_stamp[c] != gen or (k >= 0 and not diagonal_ok(i, k, cells, W, WALK)):
                    continue
                if k >= 0 and not WALK[cells[c]]:
                    continue
                b = occ_head[c]
                while b >= 0:
                    if b != a and _is_prey(kind, bitten_at, turn_at, b, t, p[FAR_GONE]) and bitten_at[b] < 0.0:
                        seen += 1
                        if rng.random() * seen < 1.0:
                            victim = b
                    b = occ_next[b]
            if victim < 0:
                continue
            if k_a == ZOMBIE:
                power = strength[victim] * weapon[victim]
                p_win = p[FIGHT_ODDS] * power / (power + strength[a])
                if rng.random() < p_win:
                    kind[a] = DEAD
                    ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, ZOMBIE_KILLED, a, victim, pos[a])
                    continue
                _bite(victim, a, t, rng, p, bitten_at, turn_at, bit_by)
                last_fed[a] = t
                ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, BITE, victim, a, pos[victim])
            else:
                hunger[a] = 0.0
                if k_a == HYBRID_IMMORTAL:
                    _bite(victim, a, t, rng, p, bitten_at, turn_at, bit_by)
                    ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, BITE, victim, a, pos[victim])
                else:
                    kind[victim] = DEAD
                    ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, KILLED_BY_HYBRID, victim, a, pos[victim])
        # ---- people and hybrids --------------------------------------------------------
        for oi in range(N):
            a = order[oi]
            k_a = kind[a]
            if k_a != HUMAN and k_a != HYBRID_IMMUNE and k_a != HYBRID_IMMORTAL:
                continue
            i = pos[a]
            thirst[a] += dt
            food[a] += dt
            if cells[i] == fp.SUPPLY:
                thirst[a] = 0.0
                food[a] = 0.0
            if thirst[a] > p[WATER_S] or food[a] > p[FOOD_S]:
                kind[a] = DEAD
                ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t,
                              THIRST if thirst[a] > p[WATER_S] else HUNGER, a, -1, i)
                continue
            if cells[i] == fp.HELIPAD and p[HELI_ACTIVE] > 0.5 and p[HELI_CAPACITY] >= 1.0:
                p[HELI_CAPACITY] -= 1.0  # waiting on the pad when it lands
                kind[a] = RESCUED
                ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, RESCUE, a, -1, i)
                continue
            human = k_a == HUMAN
            sees = human and tstamp[i] == gen and tdist[i] <= h_sight and line_of_sight(cells, H, W, i, tsrc[i])
            hears = sstamp[i] == sgen[0] and snd[i] >= p[H_HEAR]
            if sees:
                alarm_t[a] = t
            ld = leader[a]
            led = ld >= 0 and ld != a and (kind[ld] == HUMAN or kind[ld] == HYBRID_IMMUNE or kind[ld] == HYBRID_IMMORTAL)
            if mode[a] == CALM and (sees or hears):
                if led and mode[ld] != CALM:
                    mode[a] = mode[ld]
                elif rng.random() < calm[a] and rooms[i] >= 0:
                    mode[a] = HIDE
                else:
                    mode[a] = PANIC
                mode_t[a] = t
            elif led and mode[ld] != mode[a] and mode[ld] != PANIC:
                mode[a] = mode[ld]
                mode_t[a] = t
            if mode[a] == PANIC and t - alarm_t[a] > p[PANIC_S]:
                mode[a] = SEEK
                mode_t[a] = t
            if mode[a] == HIDE and (t - mode_t[a] > p[HIDE_S] or thirst[a] > 0.5 * p[WATER_S]):
                mode[a] = SEEK
                mode_t[a] = t
            if mode[a] == HIDE and sees and tdist[i] <= 3:
                mode[a] = PANIC
                mode_t[a] = t
            # choose how to move
            flee = sees and (mode[a] != HIDE)
            v = p[H_RUN] if (flee or mode[a] == PANIC) else p[H_WALK]
            if mode[a] == HIDE or mode[a] == CALM:
                v = 0.0
            acc[a] += v * speed[a] * dt
            moves = int(acc[a])
            acc[a] -= moves
            if mode[a] == CALM and rng.random() < 0.02:
                moves = 1
            if mode[a] == HIDE and rooms[i] >= 0:
                # close the doors of the room we hide in, then barricade them; never on someone
                for q in range(door_ptr[rooms[i]], door_ptr[rooms[i] + 1]):
                    j = door_cells[q]
                    if here[j] == gen:
                        continue
                    if cells[j] == fp.DOOR_OPEN:
                        cells[j] = fp.DOOR_CLOSED
                    elif cells[j] == fp.DOOR_CLOSED and t - mode_t[a] > p[BARRICADE_S]:
                        cells[j] = fp.DOOR_BARRICADED
                        door_hp[j] = max(door_hp[j], door_full[fp.DOOR_BARRICADED])
                        doors_changed = True
                        ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, BARRICADE, a, -1, j)
            heli = p[HELI_KNOWN] > 0.5
            for m in range(moves):
                i = pos[a]
                j = -1
                if flee:
                    best = -1
                    best_d = -1
                    ties = 0
                    for k in range(10):
                        jj = nbr[i, k]
                        if jj < 0 or not HUMAN_PASS[cells[jj]] or not diagonal_ok(i, k, cells, W, HUMAN_PASS):
                            continue
                        d = tdist[jj] if tstamp[jj] == gen else BIG
                        # prefer cells farther from zombies, then nearer the way out
                        score = d * 4096 - min(goal_exit[jj] if goal_stamp[jj] == goal_gen else 4095, 4095)
                        if score > best_d:
                            best, best_d, ties = jj, score, 1
                        elif score == best_d:
                            ties += 1
                            if rng.random() * ties < 1.0:
                                best = jj
                    if best >= 0 and (tstamp[i] != gen or tdist[best] >= tdist[i] or tstamp[best] != gen):
                        j = best
                elif mode[a] == CALM:
                    k = int(rng.random() * 8)
                    jj = nbr[i, k]
                    if jj >= 0 and WALK[cells[jj]] and rooms[jj] == rooms[i] and diagonal_ok(i, k, cells, W, WALK):
                        j = jj
                else:
                    if led and pos[ld] // (H * W) == i // (H * W) and mode[a] == mode[ld]:
                        lr, lc = (pos[ld] % (H * W)) // W, pos[ld] % W
                        r0, c0 = (i % (H * W)) // W, i % W
                        if max(abs(lr - r0), abs(lc - c0)) > 2:
                            # keep up with the leader: the neighbour closest to them
                            bd = BIG
                            for k in range(8):
                                jj = nbr[i, k]
                                if jj < 0 or not HUMAN_PASS[cells[jj]] or not diagonal_ok(i, k, cells, W, HUMAN_PASS):
                                    continue
                                rr, cc = (jj % (H * W)) // W, jj % W
                                dd = max(abs(lr - rr), abs(lc - cc))
                                if dd < bd:
                                    bd, j = dd, jj
                            if j >= 0:
                                pos[a] = j
                                here[j] = gen
                                if cells[j] == fp.DOOR_CLOSED:
                                    cells[j] = fp.DOOR_OPEN
                                continue
                    if thirst[a] > 0.5 * p[WATER_S]:
                        j = _goal_step(i, goal_supply, goal_stamp, goal_gen, cells, nbr, W, HUMAN_PASS, rng)
                    elif heli and mode[a] != PANIC:
                        j = _goal_step(i, goal_heli, goal_stamp, goal_gen, cells, nbr, W, HUMAN_PASS, rng)
                    else:
                        j = _goal_step(i, goal_exit, goal_stamp, goal_gen, cells, nbr, W, HUMAN_PASS, rng)
                if j < 0:
                    break
                if cells[j] == fp.DOOR_CLOSED:
                    cells[j] = fp.DOOR_OPEN  # people open doors as they pass
                pos[a] = j
                here[j] = gen
                if cells[j] == fp.EXIT:
                    if p[CORDON] > 0.5:
                        if flags[a] & 1 == 0:
                            flags[a] |= 1
                            ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, TURNED_BACK, a, -1, j)
                        mode[a] = HIDE if rooms[j] >= 0 else SEEK
                        mode_t[a] = t
                    elif k_a == HUMAN or k_a == HYBRID_IMMUNE or k_a == HYBRID_IMMORTAL:
                        kind[a] = ESCAPED
                        ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, ESCAPE, a, -1, j)
                    break
                if cells[j] == fp.HELIPAD and p[HELI_ACTIVE] > 0.5 and p[HELI_CAPACITY] >= 1.0:
                    p[HELI_CAPACITY] -= 1.0
                    kind[a] = RESCUED
                    ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, RESCUE, a, -1, j)
                    break
            # hybrids: hunger grows until it beats their resolve
            if k_a == HYBRID_IMMUNE or k_a == HYBRID_IMMORTAL:
                hunger[a] += dt / (p[HUNGER_S] * resolve[a])
        # ---- turning ----------------------------------------------------------------------
        for a in range(N):
            if kind[a] == HUMAN and bitten_at[a] >= 0.0 and t >= turn_at[a]:
                if rng.random() < p[HYBRID_FRAC]:
                    kind[a] = HYBRID_IMMORTAL if rng.random() < p[IMMORTAL_FRAC] else HYBRID_IMMUNE
                    hunger[a] = 0.0
                    ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, TURN_HYBRID, a, bit_by[a], pos[a])
                else:
                    kind[a] = ZOMBIE
                    strength[a] = strength[a] * p[Z_STRENGTH]
                    last_fed[a] = t
                    acc[a] = 0.0
                    ev_n = _event(ev_t, ev_k, ev_a, ev_b, ev_cell, ev_n, t, TURN_ZOMBIE, a, bit_by[a], pos[a])
        # ---- timeline ------------------------------------------------------------------------
        if t + dt > next_record and tl_n < tl_t.shape[0]:
            tl_t[tl_n] = t + dt
            for a in range(N):
                tl[tl_n, pos[a] // (H * W), kind[a]] += 1
            tl_n += 1
            next_record += p[RECORD_S]
    return n_steps, ev_n, tl_n, gen, next_record, doors_changed
