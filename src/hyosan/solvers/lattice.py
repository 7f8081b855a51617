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


@njit(cache=True, inline="always")
def _uniform(U, iu, rng):
    """Next uniform: from the buffer numpy filled (fast), else from the generator itself."""
    if iu < U.shape[0]:
        return U[iu], iu + 1
    return rng.random(), iu


@njit(cache=True, inline="always")
def _pick(p, site, partner, bonds, m, L, N, inv_l, U, iu, rng):
    """Draw list entries until one is an active bond, dropping stale ones; returns (b, j, p, m, iu).

    p is a first candidate drawn uniformly from [0, C) for some C >= m, used only if p < m;
    later candidates are uniform on [0, m). Every active bond is listed exactly once, so the
    accepted entry is uniform over active bonds: the law of a pick from an exact list, without
    the index map that an exact list needs to delete from its middle.
    """
    while True:
        if p < m:
            b = bonds[p]
            i = b >> 1
            j = _other_end(b, L, N, inv_l)
            if site[j] & SPECIES == partner[site[i] & SPECIES]:
                return b, j, p, m, iu
            m = _drop(p, b, site, bonds, m)
        u, iu = _uniform(U, iu, rng)
        p = int(u * m)


@njit(cache=True)
def pick_bond(site, partner, bonds, m, L, rng):
    """One pick of an active bond, as the event loop makes it (for tests); returns (bond, m)."""
    U = np.empty(0)
    b, _, _, m, _ = _pick(m, site, partner, bonds, m, L, L * L, 1.0 / L, U, 0, rng)
    return b, m


# slack of the look-ahead pick: one event lists at most 8 new bonds (4 around each site)
AHEAD = 8


@njit(cache=True)
def events(
    site,
    L,
    S,
    Z,
    partner,
    cum,
    to_s,
    to_z,
    rate,
    bonds,
    counts,
    ist,
    fst,
    U,
    E,
    rng,
    max_events,
    t_stop,
    rec_t,
    rec_c,
    rec_every,
):
    """Fire up to max_events events, or until t_stop, no active bond, or a random buffer runs low.

    ist = [m list length, n active bonds, C look-ahead range, U cursor, E cursor, records made,
    events to the next record (counting down; 0 or less: never), a sink for loads made early],
    fst = [t, look-ahead uniform]; both are updated. Returns the number of events fired.

    The next event's first candidate is drawn before this event changes the lattice, so its
    site can be loaded while the changes are made (the random access into a big lattice is what
    bounds the speed); it is drawn on [0, m + AHEAD), which this event cannot outgrow, so it is
    still uniform on [0, m) when used and the pick stays exact.
    """
    m, n, cn, iu, ie, rec_n = ist[0], ist[1], ist[2], ist[3], ist[4], ist[5]
    t, un = fst[0], fst[1]
    N = L * L
    inv_l = 1.0 / L
    last = cum.shape[0] - 1
    nu, ne = U.shape[0], E.shape[0]
    done = 0
    warm = 0
    to_rec = ist[6]
    while done < max_events and n > 0 and iu + 4 <= nu and ie < ne:
        dt = E[ie] / (n * rate)
        ie += 1
        if t + dt > t_stop:
            t = t_stop
            break
        t += dt
        p = int(un * cn) if m <= cn else m
        b, j, p, m, iu = _pick(p, site, partner, bonds, m, L, N, inv_l, U, iu, rng)
        i = b >> 1
        un, iu = _uniform(U, iu, rng)
        cn = m + AHEAD
        q = int(un * cn)
        if q < m:
            warm += site[bonds[q] >> 1]  # load it now; the value is not needed
        u, iu = _uniform(U, iu, rng)
        k = 0
        for r in range(last):
            k += u >= cum[r]
        hum = site[i] & SPECIES == S
        hs = i if hum else j
        zs = j if hum else i
        a = to_s[k]
        if a != S:
            counts[S] -= 1
            counts[a] += 1
            m, n = _change(hs, S, a, site, partner, bonds, m, n, L, N, inv_l)
        a = to_z[k]
        if a != Z:
            counts[Z] -= 1
            counts[a] += 1
            m, n = _change(zs, Z, a, site, partner, bonds, m, n, L, N, inv_l)
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
    ist[0], ist[1], ist[2], ist[3], ist[4], ist[5], ist[6], ist[7] = m, n, cn, iu, ie, rec_n, to_rec, warm
    fst[0], fst[1] = t, un
    return done


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
        # three independent streams from one seed: uniforms and exponentials come from numpy in
        # blocks (numpy fills a block several times faster than numba draws one by one), the
        # third backs the rare pick that outruns its block. The block size is part of what a seed
        # means (a different size draws other numbers), so it is fixed by the lattice's size: large
        # enough that calls into the kernel (microseconds each) are rare, and no larger than a run
        # on a small lattice uses (filling 2^17 numbers took longer than a whole L = 128 run).
        if buffer is None:
            buffer = block_size(site.size)
        streams = np.random.SeedSequence(seed).spawn(3)
        self._ru, self._re = np.random.default_rng(streams[0]), np.random.default_rng(streams[1])
        self.rng = np.random.default_rng(streams[2])
        self.U, self.E = np.empty(buffer), np.empty(buffer)
        self.ist = np.array([m, n, 0, buffer, buffer, 0, 0, 0], np.int64)
        self.fst = np.zeros(2)

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
            if self.ist[3] + 4 > self.U.size:
                self._ru.random(out=self.U)
                self.ist[3] = 0
                if self.ist[2] == 0:  # the very first look-ahead pick
                    self.fst[1], self.ist[2], self.ist[3] = self.U[0], self.m, 1
            if self.ist[4] >= self.E.size:
                self._re.standard_exponential(out=self.E)
                self.ist[4] = 0
            done += self._fire(max_events - done, t_stop, rec_t, rec_c, rec_every)
        return done

    def _fire(self, budget: int, t_stop: float, rec_t, rec_c, rec_every: int) -> int:
        return events(
            self.site,
            self.L,
            self.rules.s,
            self.rules.z,
            self.partner,
            self.cum,
            self.rules.to_s,
            self.rules.to_z,
            self.rules.rate,
            self.bonds,
            self.counts,
            self.ist,
            self.fst,
            self.U,
            self.E,
            self.rng,
            budget,
            t_stop,
            rec_t,
            rec_c,
            rec_every,
        )


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
        state._fire(0, t_stop, rec_t, rec_c, rec_every)
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
