"""Alemi et al.'s lattice model as a solver of a network: one person per site of a periodic
square lattice, 4 neighbours; events happen on active bonds (a zombie next to a human).

The network gives the events: every reaction must be a pair interaction S + Z -> (two
products), as in `alemi` (bite S + Z -> 2 Z, kill S + Z -> S + R). Each active bond fires at
the total rate of those reactions; the reaction that happens is chosen in proportion to its
rate constant (for `alemi`: a bite with probability 1 / (1 + alpha), otherwise a kill). A
product that names S stays on the human's site (the other goes to the zombie's site); a
product that names Z stays on the zombie's site. Removed sites (R) block.

Active bonds live in a list with an index map, so picking one uniformly, adding and removing
are O(1); the bookkeeping is checked against a brute-force count in tests/test_lattice.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..errors import HyosanError
from ..reactions.network import Network
from .trajectory import Trajectory

@dataclass
class LatticeRules:
    """The network, read as lattice events."""

    s: int                 # species index of the human
    z: int                 # species index of the zombie
    prob: np.ndarray       # (R,) probability each reaction is the one that happens
    to_s: np.ndarray       # (R,) species the human's site becomes
    to_z: np.ndarray       # (R,) species the zombie's site becomes
    rate: float            # total rate per active bond


def rules(network: Network, params: dict[str, float] | None = None) -> LatticeRules:
    """Check that the network is a set of S + Z pair events and read its outcomes."""
    names = network.species_names
    if "S" not in names or "Z" not in names:
        raise HyosanError(f"the lattice solver needs species S and Z; model {network.name} has {', '.join(names)}")
    k = network.rate_constants(params)
    to_s, to_z = [], []
    for r in network.reactions:
        if sorted(r.reactants) != [("S", 1), ("Z", 1)]:
            raise HyosanError(f"the lattice solver runs pair events S + Z -> ...; reaction {r.name!r} of model "
                              f"{network.name} is {r.scheme()} (use ode, ssa or tau for this model)")
        split = r.pair_split()
        if split is None:
            raise HyosanError(f"reaction {r.name!r}: a lattice event needs exactly two products, one of them "
                              "staying S or Z to tell which site changes")
        a, _, to_a, to_b = split
        to_s.append(to_a if a == "S" else to_b)
        to_z.append(to_b if a == "S" else to_a)
    total = float(k.sum())
    if total <= 0:
        raise HyosanError(f"model {network.name}: every S + Z rate is zero, nothing can happen")
    idx = network.index
    return LatticeRules(idx("S"), idx("Z"), k / total, np.array([idx(s) for s in to_s], np.uint8),
                        np.array([idx(s) for s in to_z], np.uint8), total)


@njit(cache=True, inline="always")
def _nbr(i, d, L):
    """Neighbour of site i in direction d: 0 right, 1 down, 2 left, 3 up (periodic)."""
    r, c = i // L, i % L
    if d == 0:
        return r * L + (c + 1 if c + 1 < L else 0)
    if d == 1:
        return (r + 1 if r + 1 < L else 0) * L + c
    if d == 2:
        return r * L + (c - 1 if c > 0 else L - 1)
    return (r - 1 if r > 0 else L - 1) * L + c


@njit(cache=True, inline="always")
def _add(b, active, where, n):
    if where[b] < 0:
        where[b] = n
        active[n] = b
        n += 1
    return n


@njit(cache=True, inline="always")
def _remove(b, active, where, n):
    p = where[b]
    if p >= 0:
        n -= 1
        last = active[n]
        active[p] = last
        where[last] = p
        where[b] = -1
    return n


@njit(cache=True)
def _refresh(i, site, S, Z, active, where, n, L):
    """Make the four bonds around site i right after it changed."""
    r, c = i // L, i % L
    right = r * L + (c + 1 if c + 1 < L else 0)
    down = (r + 1 if r + 1 < L else 0) * L + c
    left = r * L + (c - 1 if c > 0 else L - 1)
    up = (r - 1 if r > 0 else L - 1) * L + c
    si = site[i]
    for j, b in ((right, 2 * i), (down, 2 * i + 1), (left, 2 * left), (up, 2 * up + 1)):
        sj = site[j]
        if (si == S and sj == Z) or (si == Z and sj == S):
            n = _add(b, active, where, n)
        else:
            n = _remove(b, active, where, n)
    return n


@njit(cache=True, inline="always")
def _set(i, new, site, counts, S, Z, active, where, n, L):
    """Give site i a new species, keeping counts and bonds right."""
    old = site[i]
    if new != old:
        counts[old] -= 1
        counts[new] += 1
        site[i] = new
        n = _refresh(i, site, S, Z, active, where, n, L)
    return n


@njit(cache=True)
def init_bonds(site, S, Z, active, where, L):
    """Build the active bond list from scratch; returns its length."""
    where[:] = -1
    n = 0
    for i in range(L * L):
        for d in range(2):
            j = _nbr(i, d, L)
            if (site[i] == S and site[j] == Z) or (site[i] == Z and site[j] == S):
                n = _add(2 * i + d, active, where, n)
    return n


@njit(cache=True)
def events(site, L, S, Z, prob, to_s, to_z, rate, active, where, n, t, counts, max_events, t_stop, rng,
           rec_t, rec_c, rec_every, rec_n):
    """Run up to max_events events or until t_stop or no active bond; returns (n, t, events, rec_n)."""
    cum = np.cumsum(prob)
    done = 0
    while done < max_events and n > 0:
        dt = rng.standard_exponential() / (n * rate)
        if t + dt > t_stop:
            t = t_stop
            break
        t += dt
        b = active[int(rng.random() * n)]
        i = b // 2
        j = _nbr(i, b % 2, L)
        hs, zs = (i, j) if site[i] == S else (j, i)
        u = rng.random()
        k = 0
        while k < cum.shape[0] - 1 and u >= cum[k]:
            k += 1
        n = _set(hs, to_s[k], site, counts, S, Z, active, where, n, L)
        n = _set(zs, to_z[k], site, counts, S, Z, active, where, n, L)
        done += 1
        if rec_every > 0 and done % rec_every == 0 and rec_n < rec_t.shape[0]:
            rec_t[rec_n] = t
            rec_c[rec_n] = counts
            rec_n += 1
    return n, t, done, rec_n


@dataclass
class LatticeRun:
    """Everything a lattice run produced: the final lattice, the trajectory, and events fired."""

    site: np.ndarray          # (L, L) species index of each site
    trajectory: Trajectory
    events: int
    species: tuple[str, ...]
    kernel_seconds: float = 0.0   # time spent firing events (set-up excluded)

    def counts(self) -> dict[str, int]:
        """Final number of sites of each species."""
        return {s: int((self.site == i).sum()) for i, s in enumerate(self.species)}


def start_lattice(size: int, network: Network, zombies: int = 1) -> np.ndarray:
    """All humans, with `zombies` zombies in a small square block at the centre."""
    if not 4 <= size <= 65536:
        raise HyosanError(f"lattice size must be between 4 and 65536, got {size}")
    if not 1 <= zombies <= size * size:
        raise HyosanError(f"zombies must be between 1 and size^2, got {zombies}")
    S, Z = network.index("S"), network.index("Z")
    site = np.full(size * size, S, np.uint8)
    side = int(np.ceil(np.sqrt(zombies)))
    c0 = size // 2 - side // 2
    placed = 0
    for r in range(side):
        for c in range(side):
            if placed < zombies:
                site[(c0 + r) * size + c0 + c] = Z
                placed += 1
    return site


def lattice(network: Network, size: int = 256, *, seed: int = 0, zombies: int = 1, t_end: float | None = None,
            max_events: int = 2**62, n_records: int = 1000, site: np.ndarray | None = None) -> LatticeRun:
    """Run the lattice model of a pair-event network (e.g. `alemi`) from one seeded start.

    Runs until no active bond is left (or t_end, or max_events). The trajectory records the
    counts every (sites / n_records) events, in the network's time unit.
    """
    rl = rules(network)
    if site is None:
        site = start_lattice(size, network, zombies)
    site = site.reshape(-1).astype(np.uint8).copy()
    L = int(round(np.sqrt(site.size)))
    active = np.empty(2 * L * L, np.int32)
    where = np.empty(2 * L * L, np.int32)
    n = init_bonds(site, rl.s, rl.z, active, where, L)
    counts = np.bincount(site, minlength=len(network.species)).astype(np.int64)
    rng = np.random.default_rng(seed)
    rec_every = max(1, (L * L) // n_records)
    cap = 4 * n_records + 16
    rec_t = np.zeros(cap)
    rec_c = np.zeros((cap, counts.size), np.int64)
    rec_t[0], rec_c[0] = 0.0, counts
    rec_n, t, total = 1, 0.0, 0
    t_stop = np.inf if t_end is None else float(t_end)
    clock = time.perf_counter()
    while n > 0 and total < max_events and t < t_stop:
        if rec_n >= cap - 1:  # recording buffer full: keep every other record and record half as often
            rec_t[:rec_n // 2] = rec_t[:rec_n:2][:rec_n // 2]
            rec_c[:rec_n // 2] = rec_c[:rec_n:2][:rec_n // 2]
            rec_n //= 2
            rec_every *= 2
        n, t, done, rec_n = events(site, L, rl.s, rl.z, rl.prob, rl.to_s, rl.to_z, rl.rate, active, where, n, t,
                                   counts, min(max_events - total, 10**9), t_stop, rng, rec_t, rec_c, rec_every, rec_n)
        total += done
    kernel_seconds = time.perf_counter() - clock
    rec_t[rec_n], rec_c[rec_n] = t, counts
    rec_n += 1
    traj = Trajectory(rec_t[:rec_n].copy(), rec_c[None, :rec_n].astype(float), network.species_names, network.name,
                      "lattice", network.params(), seed=seed, events=np.array([total]), humans=network.humans,
                      zombies=network.zombies, time_unit=network.time_unit, meta={"size": L})
    return LatticeRun(site.reshape(L, L), traj, total, network.species_names, kernel_seconds)


def snapshot_png(run: LatticeRun, path, max_pixels: int = 2048) -> None:
    """Save the final lattice as an image: humans light, zombies red, removed dark."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"S": (0.93, 0.93, 0.88), "Z": (0.85, 0.1, 0.1), "R": (0.15, 0.15, 0.15), "E": (0.95, 0.6, 0.1)}
    palette = np.array([colors.get(s, (0.5, 0.5, 0.9)) for s in run.species])
    site = run.site
    step = max(1, site.shape[0] // max_pixels)
    img = palette[site[::step, ::step]]
    plt.imsave(path, img)
