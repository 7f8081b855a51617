"""Alemi et al.'s lattice model as a solver of a network: one person per site of a periodic
square lattice, 4 neighbours; events happen on active bonds (a zombie next to a human).

The network gives the events: every reaction must be a pair interaction S + Z -> (two
products), as in `alemi` (bite S + Z -> 2 Z, kill S + Z -> S + R). Each active bond fires at
the total rate of those reactions; the reaction that happens is chosen in proportion to its
rate constant (for `alemi`: a bite with probability 1 / (1 + alpha), otherwise a kill). A
product that names S stays on the human's site (the other goes to the zombie's site); a
product that names Z stays on the zombie's site. Removed sites (R) block.

Active bonds are counted exactly (that count sets the clock) and listed in a bond list whose
entries may go stale: a bond that stops being active stays listed until a pick lands on it,
is found inactive and is dropped, and the pick is drawn again. Every active bond is listed
once, so the accepted pick is uniform over active bonds, as the model asks. The bookkeeping
and the uniformity of picks are checked in tests/test_lattice.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from .. import stop
from ..errors import HyosanError
from ..limits import check_memory
from ..reactions.network import Network
from .schedule import refuse_schedule
from .trajectory import Trajectory

# A site's byte holds its species in the low 6 bits and two flags: bit 6 says the bond to its
# right neighbour is in the bond list, bit 7 the bond to the neighbour below. Bond 2i + d is the
# bond from site i in direction d (0 right, 1 down), so each bond has exactly one flag.
SPECIES = 63
FLAGS = 192
MAX_SPECIES = 64
# Memory a lattice site costs: its byte, two int32 bond slots, and the copies made for the result.
BYTES_PER_SITE = 12


@dataclass
class LatticeRules:
    """The network, read as lattice events."""

    s: int  # species index of the human
    z: int  # species index of the zombie
    prob: np.ndarray  # (R,) probability each reaction is the one that happens
    to_s: np.ndarray  # (R,) species the human's site becomes
    to_z: np.ndarray  # (R,) species the zombie's site becomes
    rate: float  # total rate per active bond


def rules(network: Network, params: dict[str, float] | None = None) -> LatticeRules:
    """Check that the network is a set of human + zombie pair events and read their outcomes.

    The human and zombie are the network's first species of each role (S and Z in Alemi's
    models); a network with a schedule is refused, since a lattice cannot apply one.
    """
    names = network.species_names
    refuse_schedule(network, "lattice")
    if not network.humans or not network.zombies:
        raise HyosanError(
            f"the lattice solver needs a human and a zombie species; model {network.name} has none"
        )
    h, z = network.humans[0], network.zombies[0]
    k = network.rate_constants(params)
    to_h, to_z = [], []
    for r in network.reactions:
        if sorted(r.reactants) != sorted([(h, 1), (z, 1)]):
            raise HyosanError(
                f"the lattice solver runs pair events {h} + {z} -> ...; reaction {r.name!r} of model "
                f"{network.name} is {r.scheme()} (use ode, ssa or tau for this model)"
            )
        split = r.pair_split()
        if split is None:
            raise HyosanError(
                f"reaction {r.name!r}: a lattice event needs exactly two products, one of them "
                f"staying {h} or {z} to tell which site changes"
            )
        a, _, to_a, to_b = split
        to_h.append(to_a if a == h else to_b)
        to_z.append(to_b if a == h else to_a)
    total = float(k.sum())
    if total <= 0:
        raise HyosanError(f"model {network.name}: every {h} + {z} rate is zero, nothing can happen")
    if len(names) > MAX_SPECIES:
        raise HyosanError(
            f"the lattice solver holds at most {MAX_SPECIES} species; model {network.name} has {len(names)}"
        )
    idx = network.index
    return LatticeRules(
        idx(h),
        idx(z),
        k / total,
        np.array([idx(s) for s in to_h], np.uint8),
        np.array([idx(s) for s in to_z], np.uint8),
        total,
    )


@njit(cache=True, inline="always")
def _row(i, inv_l):
    # a float multiply instead of an integer division, which costs more than the rest of an
    # event; exact since i + 0.5 keeps well clear of a multiple of L for i < 2^32
    return int((i + 0.5) * inv_l)


@njit(cache=True, inline="always")
def _other_end(b, L, N, inv_l):
    """The site at the far end of bond b from its owner b >> 1."""
    i = b >> 1
    if b & 1:
        return i + L - N * (i + L >= N)
    return i + 1 - L * (i - _row(i, inv_l) * L == L - 1)


@njit(cache=True, inline="always")
def _change(i, old, new, site, partner, bonds, m, n, L, N, inv_l):
    """Site i goes from species old to new: fix the active-bond count n and list new active bonds.

    partner[x] is the species that makes an active bond with x (255 for none). A bond that
    stops being active stays listed (stale); one listed and active again is not listed twice.
    Branch-free, since which bonds change is a coin toss the processor cannot predict.
    """
    r = _row(i, inv_l)
    c = i - r * L
    right = i + 1 - L * (c == L - 1)
    left = i - 1 + L * (c == 0)
    down = i + L - N * (r == L - 1)
    up = i - L + N * (r == 0)
    po = partner[old]
    pn = partner[new]
    si = site[i]
    sl = site[left]
    su = site[up]
    xr = site[right] & SPECIES
    xd = site[down] & SPECIES
    xl = sl & SPECIES
    xu = su & SPECIES
    wr, nr = np.int64(xr == po), np.int64(xr == pn)
    wd, nd = np.int64(xd == po), np.int64(xd == pn)
    wl, nl = np.int64(xl == po), np.int64(xl == pn)
    wu, nu = np.int64(xu == po), np.int64(xu == pn)
    n += nr + nd + nl + nu - wr - wd - wl - wu
    ar = nr & (1 - wr) & (1 - ((si >> 6) & 1))
    ad = nd & (1 - wd) & (1 - ((si >> 7) & 1))
    al = nl & (1 - wl) & (1 - ((sl >> 6) & 1))
    au = nu & (1 - wu) & (1 - ((su >> 7) & 1))
    site[i] = (si & FLAGS) | new | (ar << 6) | (ad << 7)
    site[left] = sl | (al << 6)
    site[up] = su | (au << 7)
    bonds[m] = 2 * i
    m += ar
    bonds[m] = 2 * i + 1
    m += ad
    bonds[m] = 2 * left
    m += al
    bonds[m] = 2 * up + 1
    m += au
    return m, n


@njit(cache=True)
def init_bonds(site, partner, bonds, L):
    """Flag and list every active bond from scratch (site holds bare species); returns (m, n)."""
    m = 0
    N = L * L
    for b in range(2 * N):
        i = b >> 1
        if site[_other_end(b, L, N, 1.0 / L)] & SPECIES == partner[site[i] & SPECIES]:
            site[i] |= np.uint8(64 << (b & 1))
            bonds[m] = b
            m += 1
    return m, m


@njit(cache=True, inline="always")
def _drop(p, b, site, bonds, m):
    """Take bond b, listed at p, off the list (the last entry fills its place) and clear its flag."""
    site[b >> 1] &= ~np.uint8(64 << (b & 1))
    m -= 1
    bonds[p] = bonds[m]
    return m


# slack of the look-ahead pick: one event lists at most 8 new bonds (4 around each site)
AHEAD = 8


@njit(cache=True, inline="always")
def _pick(p, lat, m, L, N, inv_l, U, iu, lim):
    """Draw list entries until one is an active bond, dropping stale ones; returns (b, j, p, m, iu).

    p is a first candidate drawn uniformly from [0, C) for some C >= m, used only if p < m;
    later candidates are uniform on [0, m). Every active bond is listed exactly once, so the
    accepted entry is uniform over active bonds: the law of a pick from an exact list, without
    the index map that an exact list needs to delete from its middle. b is -1 when a draw would
    pass U[lim]: the caller refills U and picks again with a fresh draw (dropping stale entries
    changes nothing the pick's law depends on), so the uniforms a run uses never depend on
    where a buffer happens to end.
    """
    site, partner, bonds = lat
    while True:
        if p < m:
            b = bonds[p]
            i = b >> 1
            j = _other_end(b, L, N, inv_l)
            if site[j] & SPECIES == partner[site[i] & SPECIES]:
                return b, j, p, m, iu
            m = _drop(p, b, site, bonds, m)
        if iu >= lim:
            return -1, 0, p, m, iu
        p = int(U[iu] * m)
        iu += 1


@njit(cache=True)
def pick_bond(site, partner, bonds, m, L, U):
    """One pick of an active bond as the event loop makes it, with uniforms U (for tests);
    returns (bond, m, uniforms used)."""
    b, _, _, m, iu = _pick(m, (site, partner, bonds), m, L, L * L, 1.0 / L, U, 0, U.shape[0])
    return b, m, iu


@njit(cache=True, inline="always")
def _distance(s, r0, c0, L, inv_l):
    """Periodic Chebyshev distance from site s to the site at row r0, column c0."""
    r = _row(s, inv_l)
    dr, dc = abs(r - r0), abs(s - r * L - c0)
    return max(min(dr, L - dr), min(dc, L - dc))


@njit(cache=True)
def events(lat, L, rule, counts, ist, fst, U, E, budget, t_stop, rec, track):
    """Fire up to `budget` events, or until t_stop, no active bond, a random buffer runs out, or a
    bite reaches the last of the tracked radii. Returns the number of events fired.

    lat = (site, partner, bonds); rule = (cum, to_s, to_z, S, Z, rate; rate 0: keep no clock and
    draw no exponentials); rec = (rec_t, rec_c, rec_every): counts every rec_every events (0 or less:
    never); track = (fired, touched, radii, fired_at): events of each reaction, the sites that
    changed (an empty array: not listed), and `fired` as it stood when a bite first reached each of
    `radii` (periodic Chebyshev distance from the centre; the last one ends the run). ist = [m list
    length, n active bonds, C look-ahead range (0: none drawn), U cursor, E cursor, records made,
    events to the next record, a sink for loads made early, sites listed in touched, reach,
    centre row, centre column], fst = [t, look-ahead uniform]; both are updated.

    The next event's first candidate is drawn before this event changes the lattice, so its
    site can be loaded while the changes are made (the random access into a big lattice is what
    bounds the speed); it is drawn on [0, m + AHEAD), which this event cannot outgrow, so it is
    still uniform on [0, m) when used and the pick stays exact. The event's body is written out
    here, not in helpers: numba's inlining of helpers that hold `_change` or write arrays made an
    event 1.5 to 2 x slower (measured at L = 128).
    """
    site, partner, bonds = lat
    cum, to_s, to_z, S, Z, rate = rule
    fired, touched, radii, fired_at = track
    rec_t, rec_c, rec_every = rec
    nlist, r0, c0 = touched.shape[0], ist[10], ist[11]
    m, n, cn, iu, ie = ist[0], ist[1], ist[2], ist[3], ist[4]
    rec_n, to_rec, warm, nt, reach = ist[5], ist[6], ist[7], ist[8], ist[9]
    t, un = fst[0], fst[1]
    N, inv_l, lim, ne, far = L * L, 1.0 / L, U.shape[0] - 2, E.shape[0], radii[-1] if radii.size else L
    done = 0
    while done < budget and n > 0 and iu <= lim and reach < far:
        dt = 0.0
        if rate > 0:
            if ie >= ne:
                break
            dt = E[ie] / (n * rate)
            if t + dt > t_stop:
                t = t_stop
                break
        p = int(un * cn) if m <= cn else m
        b, j, p, m, iu = _pick(p, lat, m, L, N, inv_l, U, iu, lim)
        if b < 0:  # out of uniforms: the caller refills and the pick starts afresh
            cn = 0
            break
        ie += rate > 0
        t += dt
        un, u = U[iu], U[iu + 1]
        iu += 2
        cn = m + AHEAD
        q = int(un * cn)
        if q < m:
            warm += site[bonds[q] >> 1]  # load it now; the value is not needed
        i = b >> 1
        k = 0
        for r in range(cum.shape[0] - 1):
            k += u >= cum[r]
        fired[k] += 1
        hum = site[i] & SPECIES == S
        hs = i if hum else j
        zs = j if hum else i
        a = to_s[k]
        if a != S:
            counts[S] -= 1
            counts[a] += 1
            m, n = _change(hs, S, a, site, partner, bonds, m, n, L, N, inv_l)
            if nt < nlist:
                touched[nt] = hs
                nt += 1
            if a == Z:
                d = _distance(hs, r0, c0, L, inv_l)
                if d > reach:
                    for x in range(radii.shape[0]):
                        if reach < radii[x] <= d:
                            fired_at[x] = fired
                    reach = d
        a = to_z[k]
        if a != Z:
            counts[Z] -= 1
            counts[a] += 1
            m, n = _change(zs, Z, a, site, partner, bonds, m, n, L, N, inv_l)
            if nt < nlist:
                touched[nt] = zs
                nt += 1
        if site[j] & SPECIES != partner[site[i] & SPECIES]:  # the bond that fired is spent: drop it now
            m = _drop(p, b, site, bonds, m)
        done += 1
        to_rec -= 1
        if to_rec == 0:
            to_rec = rec_every
            if rec_n < rec_t.shape[0]:
                rec_t[rec_n] = t
                rec_c[rec_n] = counts
                rec_n += 1
    ist[0], ist[1], ist[2], ist[3], ist[4] = m, n, cn, iu, ie
    ist[5], ist[6], ist[7], ist[8], ist[9] = rec_n, to_rec, warm, nt, reach
    fst[0], fst[1] = t, un
    return done


@njit(cache=True)
def clear(lat, m, touched, nt, S):
    """Put a lattice back to all humans after a run: clear the flags of every listed bond (only
    listed bonds carry flags) and the species of every touched site."""
    site, _, bonds = lat
    for p in range(m):
        b = bonds[p]
        site[b >> 1] &= ~np.uint8(64 << (b & 1))
    for k in range(nt):
        site[touched[k]] = S


@njit(cache=True)
def start_centre(lat, L, S, Z):
    """One zombie at the centre of an all-human lattice with no bond listed; lists its four bonds in
    the order `init_bonds` would (by bond number) and returns (m, n)."""
    site, _, bonds = lat
    c = (L // 2) * L + L // 2
    site[c] = Z
    for p, b in enumerate((2 * (c - L) + 1, 2 * (c - 1), 2 * c, 2 * c + 1)):
        bonds[p] = b
        site[b >> 1] |= np.uint8(64 << (b & 1))
    return 4, 4


class LatticeState:
    """A lattice in motion: sites with bond flags, the bond list, counts, clock and random streams."""

    def __init__(
        self, rl: LatticeRules, site: np.ndarray, seed: int, n_species: int, buffer: int | None = None
    ):
        self.rules = rl
        self.L = int(round(np.sqrt(site.size)))
        self.site = site
        self.partner = np.full(MAX_SPECIES, 255, np.int64)
        self.partner[rl.s], self.partner[rl.z] = rl.z, rl.s
        self.cum = np.cumsum(rl.prob)
        for r in range(
            self.cum.size
        ):  # exactly 1 once only zero-rate reactions follow, so none is ever drawn
            if not rl.prob[r + 1 :].any():
                self.cum[r] = 1.0
        self.bonds = np.empty(2 * site.size + AHEAD, np.int32)
        m, n = init_bonds(site, self.partner, self.bonds, self.L)
        self.counts = np.bincount(site & SPECIES, minlength=n_species).astype(np.int64)
        # two independent streams from one seed, uniforms and exponentials, drawn by numpy in
        # blocks (numpy fills a block several times faster than numba draws one by one). A run uses
        # each stream in order, without a gap where a block ends, so the block size is not part of
        # what a seed means: blocks start small (a run on a small lattice may fire a handful of
        # events) and double up to a size that makes calls into the kernel rare.
        self.cap = block_size(site.size) if buffer is None else buffer
        self._ru, self._re = stream(seed, 0), stream(seed, 1)
        self.U, self.E = np.empty(0), np.empty(0)
        self.ist = np.array([m, n, 0, 0, 0, 0, 0, 0, 0, 0, self.L // 2, self.L // 2], np.int64)
        self.fst = np.zeros(2)
        self.lat = (self.site, self.partner, self.bonds)
        self.rule = (self.cum, rl.to_s, rl.to_z, rl.s, rl.z, rl.rate)
        self.fired = np.zeros(rl.prob.size, np.int64)
        self.track = (
            self.fired,
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty((0, rl.prob.size), np.int64),
        )

    @property
    def n(self) -> int:
        """Active bonds now."""
        return int(self.ist[1])

    @property
    def m(self) -> int:
        """Length of the bond list (active bonds and stale ones)."""
        return int(self.ist[0])

    @property
    def t(self) -> float:
        """Time now, in the network's time unit."""
        return float(self.fst[0])

    def advance(
        self, max_events: int, t_stop: float, rec_t: np.ndarray, rec_c: np.ndarray, rec_every: int
    ) -> int:
        """Fire up to max_events events (fewer if t_stop or no active bond comes first); returns how many."""
        done = 0
        while done < max_events and self.n > 0 and self.t < t_stop:
            done += self.fire(max_events - done, t_stop, (rec_t, rec_c, rec_every))
        return done

    def fire(self, budget: int, t_stop: float, rec: tuple) -> int:
        """One call into the kernel, after topping up the random buffers; returns events fired."""
        if self.ist[3] + 8 > self.U.size:
            self.U, self.ist[3] = refill(self.U, int(self.ist[3]), self._ru.random, self.cap)
        if self.ist[4] + 1 > self.E.size:
            self.E, self.ist[4] = refill(self.E, int(self.ist[4]), self._re.standard_exponential, self.cap)
        return events(
            self.lat, self.L, self.rule, self.counts, self.ist, self.fst, self.U, self.E, budget, t_stop, rec,
            self.track,
        )  # fmt: skip


def stream(seed: int, k: int) -> np.random.Generator:
    """A run's k-th random stream (0: uniforms, 1: exponentials): child k of SeedSequence(seed)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=(k,))))


def refill(buf: np.ndarray, used: int, draw, cap: int) -> tuple[np.ndarray, int]:
    """The numbers of `buf` not yet used, followed by fresh ones from `draw` (a numpy Generator
    method taking out=): twice as many as before, at least 1,024 and at most `cap` (or what is left
    over, if more). Returns the new buffer and its cursor (0)."""
    left = buf[used:]
    out = np.empty(max(min(2 * buf.size, cap), min(1024, cap), 2 * left.size))
    out[: left.size] = left
    draw(out=out[left.size :])
    return out, 0


_compiled: list[bool] = []  # whether `events` was called once in this process (asking numba took 20 us)


def block_size(sites: int) -> int:
    """How many uniforms numpy draws at a time for a lattice of `sites` sites (a power of two)."""
    return int(min(1 << 17, max(1 << 12, 1 << int(sites - 1).bit_length())))


@dataclass
class LatticeRun:
    """Everything a lattice run produced: the final lattice, the trajectory, and events fired."""

    site: np.ndarray  # (L, L) species index of each site
    trajectory: Trajectory
    events: int
    species: tuple[str, ...]
    kernel_seconds: float = 0.0  # time spent firing events (set-up excluded)

    def counts(self) -> dict[str, int]:
        """Final number of sites of each species."""
        return {s: int((self.site == i).sum()) for i, s in enumerate(self.species)}


def start_lattice(size: int, network: Network, zombies: int = 1) -> np.ndarray:
    """All humans, with `zombies` zombies in a small square block at the centre."""
    if not 4 <= size <= 65536:
        raise HyosanError(f"lattice size must be between 4 and 65536, got {size}")
    if not 1 <= zombies <= size * size:
        raise HyosanError(f"zombies must be between 1 and size^2, got {zombies}")
    # a byte per site, two int32 bonds per site, and copies of the sites for the result and picture
    check_memory(size * size * BYTES_PER_SITE, f"a {size:,} x {size:,} lattice")
    S, Z = network.index(network.humans[0]), network.index(network.zombies[0])
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


def lattice(
    network: Network,
    size: int = 256,
    *,
    seed: int = 0,
    zombies: int = 1,
    t_end: float | None = None,
    max_events: int = 2**62,
    n_records: int = 1000,
    site: np.ndarray | None = None,
) -> LatticeRun:
    """Run the lattice model of a pair-event network (e.g. `alemi`) from one seeded start.

    Runs until no active bond is left (or t_end, or max_events). The trajectory records the
    counts every (sites / n_records) events, in the network's time unit.
    """
    rl = rules(network)
    if site is None:
        site = start_lattice(size, network, zombies)
    site = np.asarray(site).reshape(-1).astype(np.uint8)  # a copy: the caller's lattice is not touched
    L = int(round(np.sqrt(site.size)))
    if L * L != site.size or L < 4:
        raise HyosanError(f"a lattice must be square with a side of at least 4; got {site.size} sites")
    if site.max() >= len(network.species):
        raise HyosanError(
            f"lattice sites must hold species indices below {len(network.species)}; got {site.max()}"
        )
    state = LatticeState(rl, site, seed, len(network.species))
    counts = state.counts
    rec_every = max(1, (L * L) // n_records)
    cap = 4 * n_records + 16
    rec_t = np.zeros(cap)
    rec_c = np.zeros((cap, counts.size), np.int64)
    rec_t[0], rec_c[0] = 0.0, counts
    state.ist[5], state.ist[6] = 1, rec_every
    total = 0
    t_stop = np.inf if t_end is None else float(t_end)
    if not _compiled:  # compiled (or loaded from the cache) now, so timings exclude it
        state.fire(0, t_stop, (rec_t, rec_c, rec_every))
        _compiled.append(True)
    clock = time.perf_counter()

    def result() -> LatticeRun:
        return _lattice_run(network, state, site, L, rec_t, rec_c, total, seed, time.perf_counter() - clock)

    try:
        while state.n > 0 and total < max_events and state.t < t_stop:
            rec_n = int(state.ist[5])
            if rec_n >= cap - 1:  # recording buffer full: keep every other record and record half as often
                rec_t[: rec_n // 2] = rec_t[:rec_n:2][: rec_n // 2]
                rec_c[: rec_n // 2] = rec_c[:rec_n:2][: rec_n // 2]
                state.ist[5] = rec_n // 2
                rec_every *= 2
            total += state.advance(min(max_events - total, 10**7), t_stop, rec_t, rec_c, rec_every)
            stop.check()
    except stop.Interrupted as exc:
        exc.partial, exc.done = result(), f"{total:,} events, to time {state.t:.6g}"
        raise
    return result()


@dataclass
class LatticeRuns:
    """The ends of many lattice runs from one zombie at the centre (`lattice_runs`), one row a run."""

    seeds: np.ndarray  # (runs,)
    species: tuple[str, ...]
    reactions: tuple[str, ...]
    counts: np.ndarray  # (runs, species) sites of each species at the end
    fired: np.ndarray  # (runs, reactions) events of each reaction
    reach: np.ndarray  # (runs,) farthest (periodic Chebyshev) distance from the centre a bite reached
    radii: np.ndarray  # (levels,) the distances whose first reach is recorded; the last stops a run
    fired_at: np.ndarray  # (runs, levels, reactions) `fired` when the reach first got to radii[k]; -1: never
    seconds: float  # wall time of the batch, set-up included

    @property
    def events(self) -> np.ndarray:
        """Events fired in each run."""
        return self.fired.sum(axis=1)


def lattice_runs(network: Network, size: int, seeds, *, radii=(), progress=None) -> LatticeRuns:
    """Many runs of the lattice model, each from one zombie at the centre of a fresh size x size
    lattice, keeping only how each ended: what a study of outcomes needs, at the speed of one
    kernel that resets the lattice in place (only what a run touched) instead of building a
    lattice per run.

    A run of seed s ends exactly as `lattice(network, size, seed=s)` does (same final lattice and
    events; no clock is kept). With `radii` (increasing distances from the centre, each below
    size / 2), a run stops once a bite reaches the last of them, and records its reaction counts
    at the first reach of each: a run on a lattice larger than twice the last radius is then a
    run on an unbounded plane, up to that distance. `progress(done)` is called every few runs.
    """
    rl = rules(network)
    seeds = np.asarray(seeds, dtype=np.int64).reshape(-1)
    radii = np.asarray(radii, dtype=np.int64).reshape(-1)
    if np.any(np.diff(radii) <= 0) or (radii.size and (radii[0] < 1 or 2 * radii[-1] >= size)):
        raise HyosanError(
            f"radii must increase from 1 to below size / 2 = {size / 2:g}; got {radii.tolist()}"
        )
    site = start_lattice(size, network, 1)  # checks the size and the memory of the lattice itself
    L, S = size, rl.s
    site[site != S] = S  # all human: `start_centre` places each run's zombie
    check_memory(size * size * 16, f"the list of changed sites of a {size:,} x {size:,} lattice")
    state = LatticeState(rl, site, 0, len(network.species))  # partner, cumulative table, bond list
    lat, rule = state.lat, state.rule[:5] + (0.0,)  # rate 0: no clock
    touched = np.empty(2 * size * size + 2, np.int64)
    runs, n_species, n_reactions = seeds.size, len(network.species), rl.prob.size
    out = LatticeRuns(
        seeds,
        network.species_names,
        tuple(r.name for r in network.reactions),
        np.zeros((runs, n_species), np.int64),
        np.zeros((runs, n_reactions), np.int64),
        np.zeros(runs, np.int64),
        radii,
        np.full((runs, radii.size, n_reactions), -1, np.int64),
        0.0,
    )
    far = radii[-1] if radii.size else L
    ist, fst, U, E, rec = (
        state.ist,
        state.fst,
        np.empty(0),
        np.empty(0),
        (np.empty(0), np.empty((0, 1), np.int64), 0),
    )
    clock = time.perf_counter()
    for r, seed in enumerate(seeds):
        ru = stream(seed, 0)  # the uniforms of `lattice(seed=s)`; no clock, so no exponentials
        m, n = start_centre(lat, L, rl.s, rl.z)
        counts = out.counts[r]
        counts[S], counts[rl.z] = L * L - 1, 1
        U, _ = refill(U[:0], 0, ru.random, state.cap)
        ist[:10] = (m, n, 0, 0, 0, 0, 0, 0, 0, 0)
        track = (out.fired[r], touched, radii, out.fired_at[r])
        while ist[1] > 0 and ist[9] < far:
            if ist[3] + 8 > U.size:
                U, ist[3] = refill(U, int(ist[3]), ru.random, state.cap)
            events(lat, L, rule, counts, ist, fst, U, E, 1 << 62, np.inf, rec, track)
        out.reach[r] = ist[9]
        clear(lat, int(ist[0]), touched, int(ist[8]), S)
        if progress is not None and r % 64 == 63:
            progress(r + 1)
        stop.check()
    out.seconds = time.perf_counter() - clock
    return out


def _lattice_run(network, state, site, L, rec_t, rec_c, total, seed, kernel_seconds) -> LatticeRun:
    """The run as it stands: the records so far and the lattice now."""
    counts = state.counts
    rec_n = int(state.ist[5])
    traj = Trajectory(
        np.append(rec_t[:rec_n], state.t),
        np.vstack([rec_c[:rec_n], counts])[None].astype(float),
        network.species_names,
        network.name,
        "lattice",
        network.params(),
        seed=seed,
        events=np.array([total]),
        humans=network.humans,
        zombies=network.zombies,
        infected=network.infected,
        time_unit=network.time_unit,
        meta={"size": L},
    )
    return LatticeRun((site & SPECIES).reshape(L, L), traj, total, network.species_names, kernel_seconds)


def snapshot_png(run: LatticeRun, path, max_pixels: int = 2048) -> None:
    """Save the final lattice as a picture with a title and a key: humans light, zombies red,
    removed dark (every site shown up to max_pixels a side, then every n-th)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    tr = run.trajectory
    roles = [("human", (0.93, 0.93, 0.88)) if s in tr.humans else ("zombie", (0.85, 0.1, 0.1))
             if s in tr.zombies else ("removed", (0.15, 0.15, 0.15)) for s in run.species]  # fmt: skip
    palette = np.array([rgb for _, rgb in roles])
    site = run.site
    step = max(1, site.shape[0] // max_pixels)
    img = palette[site[::step, ::step]]
    L = site.shape[0]
    inches = min(14.0, max(6.0, img.shape[0] / 150))
    fig, ax = plt.subplots(figsize=(inches + 2.2, inches))
    ax.imshow(img, interpolation="nearest", extent=(0, L, L, 0))
    counts = run.counts()
    ax.set(xlabel="column (sites)", ylabel="row (sites)")
    alpha = tr.params.get("alpha")
    ax.set_title(
        f"{tr.model} on a {L} x {L} lattice"
        + (f", alpha {alpha:g}" if alpha is not None else "")
        + f", seed {tr.seed}: the end after {run.events:,} events"
        + ("" if step == 1 else f" (every {step}th site)")
    )
    keys = [
        Patch(color=rgb, label=f"{s} ({role}): {counts[s]:,}") for s, (role, rgb) in zip(run.species, roles)
    ]
    ax.legend(handles=keys, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="sites at the end")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
