"""Numba kernels shared by the stochastic solvers: propensities, the direct method, tau-leaping.

Each kernel advances one run over one schedule segment [t, t_stop) and writes the state at
the output grid times it passes. Randomness comes from a numpy Generator passed in, so a run
is a pure function of its seed.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def propensity(j, x, k, r_idx, r_ord, i_idx, i_k):
    """Propensity of reaction j at integer state x (mass action, falling factorials)."""
    a = k[j]
    for m in range(r_idx.shape[1]):
        s = r_idx[j, m]
        if s < 0:
            break
        v = x[s]
        for q in range(r_ord[j, m]):
            a *= v - q
    for m in range(i_idx.shape[1]):
        s = i_idx[j, m]
        if s < 0:
            break
        a *= i_k[j, m] / (i_k[j, m] + x[s])
    return a


@njit(cache=True)
def _record(out, grid, gi, t_until, x):
    """Write x at every grid time before t_until; return the next grid index."""
    while gi < grid.shape[0] and grid[gi] < t_until:
        out[gi, :] = x
        gi += 1
    return gi


@njit(cache=True)
def _pick(a, a0, u):
    """Index of the reaction chosen by u in [0, a0) over propensities a."""
    target = u * a0
    acc = 0.0
    last = -1
    for j in range(a.shape[0]):
        if a[j] > 0.0:
            last = j
            acc += a[j]
            if acc > target:
                return j
    return last  # rounding pushed target past the sum: take the last possible reaction


def watch_of(network, times=None):
    """What the kernels watch for milestones: (human species, zombie species, times) where times
    (humans below one, zombies outnumber humans; NaN until it happens) is filled in place at the
    exact event. An empty `times` watches nothing (the metapopulation kernels' cells)."""
    idx = lambda names: np.array([network.index(s) for s in names], np.int64)  # noqa: E731
    times = np.full(2, np.nan) if times is None else times
    return idx(network.humans), idx(network.zombies), times


@njit(cache=True, inline="always")
def milestones(x, t, watch):
    """Note the time t of the first state x with humans below one and with zombies outnumbering them."""
    hum, zom, times = watch
    if times.shape[0] == 0 or (times[0] == times[0] and times[1] == times[1]):
        return
    h = 0
    for s in hum:
        h += x[s]
    z = 0
    for s in zom:
        z += x[s]
    if times[0] != times[0] and h < 1:
        times[0] = t
    if times[1] != times[1] and z > h:
        times[1] = t


@njit(cache=True)
def ssa_segment(x, t, t_stop, grid, gi, out, net, rng, max_events, watch):
    """Gillespie direct method from t to t_stop; returns (t, next grid index, events fired).

    `net` is `Compiled.arrays()`; `watch` is `watch_of`'s (milestone times, kept exactly). Stops
    early, at an event, after max_events: called again it goes on as if it had never stopped.
    """
    k, r_idx, r_ord, i_idx, i_k, _, nu_ptr, nu_s, nu_v, dep_ptr, dep_idx = net
    R = k.shape[0]
    a = np.empty(R)
    for j in range(R):
        a[j] = propensity(j, x, k, r_idx, r_ord, i_idx, i_k)
    n = 0
    while n < max_events:
        a0 = 0.0
        for j in range(R):
            a0 += a[j]
        if a0 <= 0.0:
            break  # absorbing state: nothing can happen any more
        t_next = t + rng.standard_exponential() / a0
        if t_next >= t_stop:
            break  # memoryless: the pending event is discarded at the segment end
        gi = _record(out, grid, gi, t_next, x)
        t = t_next
        j = _pick(a, a0, rng.random())
        for m in range(nu_ptr[j], nu_ptr[j + 1]):
            x[nu_s[m]] += nu_v[m]
        for m in range(dep_ptr[j], dep_ptr[j + 1]):
            i = dep_idx[m]
            a[i] = propensity(i, x, k, r_idx, r_ord, i_idx, i_k)
        milestones(x, t, watch)
        n += 1
    if n >= max_events:
        return t, gi, n
    gi = _record(out, grid, gi, t_stop, x)
    return t_stop, gi, n


@njit(cache=True)
def _g(x, total, mult):
    """Cao-Gillespie-Petzold g_i for a reactant in a reaction of the given order."""
    if total == 1:
        return 1.0
    if total == 2:
        return 2.0 if mult == 1 else 2.0 + 1.0 / max(x - 1.0, 1.0)
    if mult == 1:
        return float(total)
    if mult == 2:
        return 1.5 * (2.0 + 1.0 / max(x - 1.0, 1.0))
    return 3.0 + 1.0 / max(x - 1.0, 1.0) + 2.0 / max(x - 2.0, 1.0)


@njit(cache=True)
def tau_segment(x, t, t_stop, grid, gi, out, net, rng, eps, n_critical, max_events, watch):
    """Tau-leaping (Cao, Gillespie, Petzold 2006) from t to t_stop; returns (t, grid index, firings).

    Step size: the largest tau for which each reactant's expected change and standard
    deviation stay below eps * x_i / g_i (at least 1). Reactions within n_critical firings of
    exhausting a reactant are critical: at most one of them fires per leap, exactly. When the
    leap would be shorter than 10 / a0, the kernel takes 100 exact SSA steps instead. A leap
    that would make any count negative is rejected and retried with half the step, so counts
    never go negative.
    """
    k, r_idx, r_ord, i_idx, i_k, nu, nu_ptr, nu_s, nu_v, dep_ptr, dep_idx = net
    R, S = nu.shape
    a = np.empty(R)
    crit = np.zeros(R, dtype=np.bool_)
    fire = np.zeros(R, dtype=np.int64)
    xn = np.empty(S, dtype=np.int64)
    mu = np.empty(S)
    var = np.empty(S)
    g = np.empty(S)
    is_reactant = np.zeros(S, dtype=np.bool_)
    for j in range(R):
        for m in range(r_idx.shape[1]):
            if r_idx[j, m] >= 0:
                is_reactant[r_idx[j, m]] = True
        for m in range(i_idx.shape[1]):
            if i_idx[j, m] >= 0:
                is_reactant[i_idx[j, m]] = True
    n = 0
    while n < max_events:
        a0 = 0.0
        for j in range(R):
            a[j] = propensity(j, x, k, r_idx, r_ord, i_idx, i_k)
            a0 += a[j]
        if a0 <= 0.0:
            break
        # critical reactions: few firings away from exhausting a reactant
        a0c = 0.0
        for j in range(R):
            crit[j] = False
            if a[j] > 0.0:
                L = 1 << 62
                for m in range(nu_ptr[j], nu_ptr[j + 1]):
                    if nu_v[m] < 0:
                        L = min(L, x[nu_s[m]] // (-nu_v[m]))
                if L < n_critical:
                    crit[j] = True
                    a0c += a[j]
        # species-based step bound over non-critical reactions
        for s in range(S):
            mu[s] = 0.0
            var[s] = 0.0
            g[s] = 1.0
        for j in range(R):
            total = 0
            for m in range(r_idx.shape[1]):
                if r_idx[j, m] >= 0:
                    total += r_ord[j, m]
            for m in range(r_idx.shape[1]):
                s = r_idx[j, m]
                if s >= 0:
                    g[s] = max(g[s], _g(float(x[s]), total, r_ord[j, m]))
            if not crit[j]:
                for m in range(nu_ptr[j], nu_ptr[j + 1]):
                    mu[nu_s[m]] += nu_v[m] * a[j]
                    var[nu_s[m]] += nu_v[m] * nu_v[m] * a[j]
        tau1 = np.inf
        for s in range(S):
            if is_reactant[s]:
                bound = max(eps * x[s] / g[s], 1.0)
                if mu[s] != 0.0:
                    tau1 = min(tau1, bound / abs(mu[s]))
                if var[s] > 0.0:
                    tau1 = min(tau1, bound * bound / var[s])
        if tau1 < 10.0 / a0:
            # leaping would not pay: take exact steps for a while
            t, gi, fired = ssa_segment(x, t, t_stop, grid, gi, out, net, rng, 100, watch)
            n += fired
            if t >= t_stop or fired < 100:
                return t, gi, n
            continue
        while True:
            tau2 = rng.standard_exponential() / a0c if a0c > 0.0 else np.inf
            if tau1 < tau2:
                tau, jc = tau1, -1
            else:
                tau = tau2
                jc = _pick(a * crit, a0c, rng.random())
            if t + tau >= t_stop:
                tau, jc = t_stop - t, -1
            for s in range(S):
                xn[s] = x[s]
            fired = 0
            for j in range(R):
                fire[j] = 0
                if not crit[j] and a[j] > 0.0:
                    fire[j] = rng.poisson(a[j] * tau)
                if j == jc:
                    fire[j] = 1
                if fire[j] > 0:
                    fired += fire[j]
                    for m in range(nu_ptr[j], nu_ptr[j + 1]):
                        xn[nu_s[m]] += fire[j] * nu_v[m]
            ok = True
            for s in range(S):
                if xn[s] < 0:
                    ok = False
            if ok:
                break
            tau1 = tau1 / 2.0
        gi = _record(out, grid, gi, t + tau, x)
        t = t + tau
        for s in range(S):
            x[s] = xn[s]
        milestones(x, t, watch)
        n += fired
        if t >= t_stop:
            break
    if n >= max_events:
        return t, gi, n
    gi = _record(out, grid, gi, t_stop, x)
    return t_stop, gi, n
