"""Numba kernels of the metapopulation solver: cell propensities, the exact next-reaction
method over an indexed binary heap of cells, and per-cell tau-leaping with frozen borders.

State: x[cell, species] (int32). A cell's channels are, in this order: the network's own
reactions inside the cell (R), each pair reaction with each of the 4 neighbours (4 P), and
each walking species to each of the 4 neighbours (4 W). Missing neighbours (edge of the
raster or nobody living there) have index -1 and give zero rates.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .kernels import _pick, propensity, ssa_segment, tau_segment


@njit(cache=True)
def neighbours(index, rows, cols, out):
    """out[i] = the numbers of cell i's right, lower, left and upper neighbours on the grid of cell
    numbers `index` (-1: off the grid or nobody living there)."""
    R, C = index.shape
    for i in range(rows.shape[0]):
        r, c = rows[i], cols[i]
        out[i, 0] = index[r, c + 1] if c + 1 < C else -1
        out[i, 1] = index[r + 1, c] if r + 1 < R else -1
        out[i, 2] = index[r, c - 1] if c > 0 else -1
        out[i, 3] = index[r - 1, c] if r > 0 else -1


@njit(cache=True)
def column_sums(x, rows, out):
    """out[s] = the sum of x[r, s] over the given rows (numpy's x.sum(axis=0) over 551,275 cells of 4
    species took 5 ms, as long as the exact kernel's time between two output hours)."""
    out[:] = 0
    for r in rows:
        for s in range(x.shape[1]):
            out[s] += x[r, s]


# error_model="numpy": a division by zero would give inf instead of raising (i_k > 0, so none is);
# Python's check of it, in the inhibition term of every propensity, cost 3.5 x the rest of the call
@njit(cache=True, error_model="numpy")
def cell_rates(c, x, nbr, k, r_idx, r_ord, i_idx, i_k, pa, pb, pk, walkers, walk, buf):
    """Fill buf with the propensity of each channel of cell c; return their sum."""
    R = k.shape[0]
    tot = 0.0
    for j in range(R):  # kernels.propensity at row c, written out: called on a view of the row, 2 x slower
        a = k[j]
        for m in range(r_idx.shape[1]):
            s = r_idx[j, m]
            if s < 0:
                break
            v = x[c, s]
            for q in range(r_ord[j, m]):
                a *= v - q
        for m in range(i_idx.shape[1]):
            s = i_idx[j, m]
            if s < 0:
                break
            a *= i_k[j, m] / (i_k[j, m] + x[c, s])
        buf[j] = a
        tot += a
    n = R
    for p in range(pa.shape[0]):  # most cells near a front have none of the owner: no neighbour is read
        own = pk[p] * x[c, pa[p]]
        for d in range(4):
            a = 0.0
            if own > 0.0:
                q = nbr[c, d]
                if q >= 0:
                    a = own * x[q, pb[p]]
                    tot += a
            buf[n + d] = a
        n += 4
    for w in range(walkers.shape[0]):
        own = walk * x[c, walkers[w]]
        for d in range(4):
            a = own if own > 0.0 and nbr[c, d] >= 0 else 0.0
            buf[n] = a
            n += 1
            tot += a
    return tot


@njit(cache=True)
def all_rates(x, nbr, k, r_idx, r_ord, i_idx, i_k, pa, pb, pk, walkers, walk, out):
    """Total propensity of every cell into out."""
    buf = np.empty(k.shape[0] + 4 * pa.shape[0] + 4 * walkers.shape[0])
    for c in range(x.shape[0]):
        out[c] = cell_rates(c, x, nbr, k, r_idx, r_ord, i_idx, i_k, pa, pb, pk, walkers, walk, buf)


@njit(cache=True)
def sift(heap, hk, hpos, key, i):
    """Give heap[i] the key `key` and restore heap order around position i. hk[i] holds the key of
    heap[i] (the clock T of that cell), beside it, so that a sift reads contiguous memory instead of
    T[heap[i]] at random (a quarter of an event's time on the US board)."""
    n = heap.shape[0]
    c = heap[i]
    moved = False
    while i > 0:
        up = (i - 1) >> 1
        if hk[up] <= key:
            break
        uc = heap[up]
        heap[i], hk[i] = uc, hk[up]
        hpos[uc] = i
        i = up
        moved = True
    if not moved:
        while True:
            lo = 2 * i + 1
            if lo >= n:
                break
            m = lo
            if lo + 1 < n and hk[lo + 1] < hk[lo]:
                m = lo + 1
            if hk[m] >= key:
                break
            mc = heap[m]
            heap[i], hk[i] = mc, hk[m]
            hpos[mc] = i
            i = m
    heap[i], hk[i] = c, key
    hpos[c] = i


@njit(cache=True)
def _owns(x, g, pa):
    """Whether cell g holds any owner of a border event (only then do its rates read a neighbour)."""
    for p in range(pa.shape[0]):
        if x[g, pa[p]] > 0:
            return True
    return False


@njit(cache=True)
def _has_zombie(x, c, zmask):
    for s in range(x.shape[1]):
        if zmask[s] and x[c, s] > 0:
            return True
    return False


@njit(cache=True, error_model="numpy")
def exact_run(
    x,
    A,
    T,
    heap,
    hk,
    hpos,
    nbr,
    k,
    r_idx,
    r_ord,
    i_idx,
    i_k,
    nu_ptr,
    nu_s,
    nu_v,
    field_r,
    pa,
    pb,
    pk,
    d_own,
    d_part,
    field_own,
    field_part,
    walkers,
    walk,
    field_walk,
    zmask,
    arrival,
    acc,
    t,
    t_stop,
    rng,
    max_events,
):
    """Next-reaction method (Gibson-Bruck) over cells until t_stop; returns (t, events fired).

    T[c] is the absolute time of cell c's next event (hk holds the same times in heap order) and
    A[c] its total propensity. After an
    event only the cells whose rates read a changed count are updated: the cell itself, the
    partner cell, and their neighbours when a count that neighbours read (a partner species
    of a pair reaction, or a walker) changed. Other cells keep their scaled clocks, which
    keeps the method exact. acc gathers every change of the counts, so that the totals over all
    cells need no sweep of them.
    """
    R = k.shape[0]
    P = pa.shape[0]
    S = x.shape[1]
    buf = np.empty(R + 4 * P + 4 * walkers.shape[0])
    aff = np.empty(16, np.int64)
    n = 0
    while n < max_events:
        c = heap[0]
        tc = T[c]
        if tc >= t_stop:
            break
        t = tc
        tot = cell_rates(c, x, nbr, k, r_idx, r_ord, i_idx, i_k, pa, pb, pk, walkers, walk, buf)
        ch = _pick(buf, tot, rng.random())
        q = -1
        fc = False
        fq = False
        if ch < R:
            for m in range(nu_ptr[ch], nu_ptr[ch + 1]):
                x[c, nu_s[m]] += nu_v[m]
                acc[nu_s[m]] += nu_v[m]
            fc = field_r[ch]
        elif ch < R + 4 * P:
            p = (ch - R) // 4
            q = nbr[c, (ch - R) % 4]
            for s in range(S):
                x[c, s] += d_own[p, s]
                x[q, s] += d_part[p, s]
                acc[s] += d_own[p, s] + d_part[p, s]
            fc = field_own[p]
            fq = field_part[p]
        else:
            w = (ch - R - 4 * P) // 4
            q = nbr[c, (ch - R - 4 * P) % 4]
            x[c, walkers[w]] -= 1
            x[q, walkers[w]] += 1
            fc = field_walk[w]
            fq = fc
        na = 1
        aff[0] = c
        for e, f in ((c, fc), (q, fq)):
            if e < 0:
                continue
            for d in range(-1, 4 if f else 0):
                g = e if d < 0 else nbr[e, d]
                if g < 0 or (d >= 0 and g != q and not _owns(x, g, pa)):
                    continue  # a neighbour with none of the owners reads nothing across the border
                seen = False
                for i in range(na):
                    if aff[i] == g:
                        seen = True
                        break
                if not seen:
                    aff[na] = g
                    na += 1
        for i in range(na):
            e = aff[i]
            a_new = cell_rates(e, x, nbr, k, r_idx, r_ord, i_idx, i_k, pa, pb, pk, walkers, walk, buf)
            if e != c and a_new == A[e]:
                continue  # its rate did not change: its clock stands
            if a_new <= 0.0:
                T[e] = np.inf
            elif e != c and A[e] > 0.0 and T[e] < np.inf:
                T[e] = t + (A[e] / a_new) * (T[e] - t)
            else:
                T[e] = t + rng.standard_exponential() / a_new
            A[e] = a_new
            sift(heap, hk, hpos, T[e], hpos[e])
        for e in (c, q):
            if e >= 0 and arrival[e] == -1.0 and _has_zombie(x, e, zmask):
                arrival[e] = t
        n += 1
    return t, n


@njit(cache=True)
def _field(j, s, x, snap, apos):
    """Count of species s in cell j as it was at the start of the leap."""
    i = apos[j]
    return snap[i, s] if i >= 0 else x[j, s]


@njit(cache=True)
def _mark(j, touched, is_touched, n_t):
    if not is_touched[j]:
        is_touched[j] = True
        touched[n_t] = j
        n_t += 1
    return n_t


@njit(cache=True)
def tau_run(
    x,
    nbr,
    act,
    n_act,
    inlist,
    apos,
    pend,
    pend_w,
    touched,
    is_touched,
    budget,
    k,
    r_idx,
    r_ord,
    i_idx,
    i_k,
    pa,
    pb,
    pk,
    d_part,
    walkers,
    walk,
    zmask,
    arrival,
    vk,
    vr_idx,
    vr_ord,
    vi_idx,
    vi_k,
    vnu,
    vnu_ptr,
    vnu_s,
    vnu_v,
    vdep_ptr,
    vdep_idx,
    t,
    t_stop,
    dt,
    quiet,
    rng,
    eps,
    n_critical,
    stats,
):
    """Leap every active cell over steps of dt until t_stop; returns (t, active count).

    Within a step each active cell runs the tau-leaping kernel on its own counts (the cell
    view of the network: its own reactions, each pair reaction as a first-order reaction of
    the owner species at rate mu * k * (partners in the neighbours at the step's start), and
    walking out of the cell), with tallies of border events. A quiet cell, expecting fewer
    than `quiet` events in the step, skips the kernel: it spends a unit exponential budget
    at its current total rate and fires one event when the budget runs out (exact for
    rates held over the step); a cell expecting fewer than 50 * quiet takes exact steps. At
    the end of the step the tallies are dealt to the neighbours (in proportion to the
    partners each held, walkers uniformly) and applied; a partner-side change that would
    make a count negative is cut and counted in stats[1].
    stats[0] counts firings, stats[2] cell steps, stats[3] kernel leaps.
    """
    S = x.shape[1]
    P = pa.shape[0]
    W = walkers.shape[0]
    V = vnu.shape[1]
    R = k.shape[0]
    RV = vk.shape[0]
    xl = np.zeros(V, np.int64)
    kl = vk.copy()
    av = np.empty(RV)
    grid = np.empty(0)
    out = np.empty((0, V), np.int64)
    # kl is this cell's view of the rates (borders), rewritten in place before each use
    net = (kl, vr_idx, vr_ord, vi_idx, vi_k, vnu, vnu_ptr, vnu_s, vnu_v, vdep_ptr, vdep_idx)
    unwatched = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    buf = np.empty(R + 4 * P + 4 * W)
    snap = np.empty((n_act if n_act > 0 else 1, S), np.int64)
    act2 = np.empty_like(act)
    weights = np.empty(4)
    while t < t_stop and n_act > 0:
        h = min(dt, t_stop - t)
        stats[2] += n_act
        if snap.shape[0] < n_act:
            snap = np.empty((2 * n_act, S), np.int64)
        for i in range(n_act):
            c = act[i]
            apos[c] = i
            for s in range(S):
                snap[i, s] = x[c, s]
        n_t = 0
        for i in range(n_act):
            c = act[i]
            for s in range(S):
                xl[s] = x[c, s]
            for s in range(S, V):
                xl[s] = 0
            for p in range(P):
                f = 0
                for d in range(4):
                    j = nbr[c, d]
                    if j >= 0:
                        f += _field(j, pb[p], x, snap, apos)
                kl[R + p] = pk[p] * f
            deg = 0
            for d in range(4):
                if nbr[c, d] >= 0:
                    deg += 1
            for w in range(W):
                kl[R + P + w] = walk * deg
            a0 = 0.0
            for j in range(RV):
                av[j] = propensity(j, xl, kl, vr_idx, vr_ord, vi_idx, vi_k)
                a0 += av[j]
            if a0 * h < quiet:
                if budget[c] < 0.0:
                    budget[c] = rng.standard_exponential()
                budget[c] -= a0 * h
                if budget[c] > 0.0:
                    continue
                j = _pick(av, a0, rng.random())
                for m in range(vnu_ptr[j], vnu_ptr[j + 1]):
                    xl[vnu_s[m]] += vnu_v[m]
                budget[c] = -1.0
                stats[0] += 1
            elif a0 * h < 50.0 * quiet:
                # few events: exact steps with the step's border rates cost less than a leap
                budget[c] = -1.0
                _, _, fired = ssa_segment(xl, t, t + h, grid, 0, out, net, rng, 1 << 62, unwatched)
                stats[0] += fired
            else:
                budget[c] = -1.0
                _, _, fired = tau_segment(
                    xl, t, t + h, grid, 0, out, net, rng, eps, n_critical, 1 << 62, unwatched
                )
                stats[0] += fired
                stats[3] += 1
            changed = False
            for s in range(S):
                if x[c, s] != xl[s]:
                    changed = True
                x[c, s] = xl[s]
            if changed:
                n_t = _mark(c, touched, is_touched, n_t)
            for p in range(P):
                m = xl[S + p]
                if m == 0:
                    continue
                tot = 0.0
                for d in range(4):
                    j = nbr[c, d]
                    weights[d] = float(_field(j, pb[p], x, snap, apos)) if j >= 0 else 0.0
                    tot += weights[d]
                for d in range(4):
                    j = nbr[c, d]
                    if m == 0 or weights[d] <= 0.0:
                        continue
                    share = m if weights[d] >= tot else rng.binomial(m, weights[d] / tot)
                    tot -= weights[d]
                    m -= share
                    pend[j, p] += share
                    n_t = _mark(j, touched, is_touched, n_t)
            for w in range(W):
                m = xl[S + P + w]
                left = deg
                for d in range(4):
                    j = nbr[c, d]
                    if j < 0 or m == 0:
                        continue
                    share = m if left == 1 else rng.binomial(m, 1.0 / left)
                    left -= 1
                    m -= share
                    pend_w[j, w] += share
                    n_t = _mark(j, touched, is_touched, n_t)
        t += h
        for i in range(n_act):
            apos[act[i]] = -1
        for i in range(n_t):
            j = touched[i]
            for p in range(P):
                m = pend[j, p]
                if m == 0:
                    continue
                ok = m
                for s in range(S):
                    if d_part[p, s] < 0:
                        ok = min(ok, x[j, s] // (-d_part[p, s]))
                for s in range(S):
                    x[j, s] += ok * d_part[p, s]
                stats[1] += m - ok
                pend[j, p] = 0
            for w in range(W):
                x[j, walkers[w]] += pend_w[j, w]
                pend_w[j, w] = 0
            if arrival[j] == -1.0 and _has_zombie(x, j, zmask):
                arrival[j] = t
        # next step's active cells: unchanged cells with unchanged neighbours keep their
        # (non-zero) rates; around every changed cell the rates are looked at afresh
        m_act = 0
        for i in range(n_act):
            c = act[i]
            inlist[c] = False
            near = is_touched[c]
            for d in range(4):
                j = nbr[c, d]
                if j >= 0 and is_touched[j]:
                    near = True
            if not near:
                act2[m_act] = c
                inlist[c] = True
                m_act += 1
        for i in range(n_t):
            j = touched[i]
            for d in range(-1, 4):
                g = j if d < 0 else nbr[j, d]
                if g < 0 or inlist[g]:
                    continue
                if cell_rates(g, x, nbr, k, r_idx, r_ord, i_idx, i_k, pa, pb, pk, walkers, walk, buf) > 0.0:
                    inlist[g] = True
                    act2[m_act] = g
                    m_act += 1
        for i in range(n_t):
            is_touched[touched[i]] = False
        for i in range(m_act):
            act[i] = act2[i]
        n_act = m_act
    return t, n_act
