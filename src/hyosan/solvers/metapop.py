"""Metapopulation solver: a network (e.g. `alemi-sezr`) run in every cell of a population raster.

Each inhabited cell holds counts of the network's species. Three kinds of events:
  * inside a cell, every reaction of the network at its own rate (mass action on the cell's counts);
  * across a border, every pair reaction A + B -> ... (read by `Reaction.pair_split`) between
    A in a cell and B in one of its 4 neighbours, at mu times the reaction's rate: for
    Zombietown, bites S_i + Z_j -> E_i + Z_j and kills S_i + Z_j -> S_i + R_j;
  * zombies (the network's zombie species) walking to each neighbour at rate `walk` per zombie.
Cells where nobody lives are not part of the system: no one there to bite, and zombies do not
walk into them (as in Alemi et al.'s Zombietown, where empty cells block).

Two modes:
  exact  Gibson and Bruck's next-reaction method with one clock per cell in an indexed
         binary heap (a next-subvolume method): exact, O(log cells) per event.
  tau    every active cell leaps with the tau-leaping kernel of `tau` over steps of dt, reading
         its neighbours' counts as they were at the step's start; border events are dealt out
         at the step's end. Its error (the lag dt, and rare cut border events) is measured
         against exact in tests/test_metapop.py and docs/country.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from .. import checkpoint, stop
from ..errors import HyosanError
from ..reactions.network import Network, Parameter, Reaction, Species
from . import meta_kernels as mk
from .schedule import refuse_schedule
from .stochastic import integer_state
from .trajectory import Trajectory

MODES = ("exact", "tau")


@dataclass(frozen=True)
class SpatialRules:
    """A network read as the events of one cell, its borders and its walkers."""

    network: Network
    local: object  # Compiled: the network's reactions inside a cell
    pa: np.ndarray  # (P,) owner species of each pair reaction (the cell whose clock fires it)
    pb: np.ndarray  # (P,) partner species, read in the 4 neighbours
    pk: np.ndarray  # (P,) mu * rate constant
    d_own: np.ndarray  # (P, S) change of the owner's cell
    d_part: np.ndarray  # (P, S) change of the partner's cell
    walkers: np.ndarray  # (W,) species that walk
    walk: float
    field: np.ndarray  # (S,) species that a neighbour's rates read
    view: object  # Compiled: the cell view for tau (own reactions, border tallies)


def spatial_rules(network: Network, mu: float, walk: float = 0.0, owner: str = "first") -> SpatialRules:
    """Read the network's pair reactions as border events slowed by mu; zombies walk at `walk`.

    owner: which cell carries a border event. 'first': the first reactant's; 'zombie': the cell
    of the reactant that is one of the network's zombie species. Both modes use 'zombie'. Tau
    mode: a zombie's border bites and deaths then leap with the zombie's own, fast-changing
    count, and only the slowly changing human counts of the neighbours are read frozen over a
    step. Exact mode: a cell's neighbours must be updated when a count they read changes, and
    zombie counts change more often (turnings, kills, walks) than human ones (bites): on the
    Zombietown demo board an event took 21 % less time than with 'first'.
    """
    for name, v in (("mu", mu), ("walk", walk)):
        if not (math.isfinite(v) and v >= 0):
            raise HyosanError(f"{name} must be a finite number >= 0, got {v}")
    params = network.params()
    local = network.compile(params)
    k = local.k
    idx = network.index
    S = len(network.species)
    pa, pb, pk, d_own, d_part, tallies = [], [], [], [], [], []
    for j, r in enumerate(network.reactions):
        split = r.pair_split()
        if split is None:
            continue
        a, b, to_a, to_b = split
        if owner == "zombie" and b in network.zombies and a not in network.zombies:
            a, b, to_a, to_b = b, a, to_b, to_a
        own, part = np.zeros(S, np.int64), np.zeros(S, np.int64)
        own[idx(a)] -= 1
        own[idx(to_a)] += 1
        part[idx(b)] -= 1
        part[idx(to_b)] += 1
        pa.append(idx(a)), pb.append(idx(b)), pk.append(mu * k[j]), d_own.append(own), d_part.append(part)
        tallies.append(
            Reaction(f"{r.name} across a border", ((a, 1),), ((to_a, 1), (f"_x{j}", 1)), f"_kx{j}")
        )
    walkers = np.array([idx(z) for z in network.zombies], np.int64)
    for i, z in enumerate(network.zombies):
        tallies.append(Reaction(f"{z} walks out", ((z, 1),), ((f"_w{i}", 1),), f"_kw{i}"))
    field = np.zeros(S, np.bool_)
    field[np.array(pb, np.int64)] = True
    if walk > 0:
        field[walkers] = True
    # the cell view: the network's own reactions plus border and walking tallies, for tau_segment
    view = replace(
        network,
        name=f"{network.name} (cell view)",
        schedule=(),
        initial={},
        species=network.species + tuple(Species(r.products[-1][0], "tally") for r in tallies),
        parameters=network.parameters + tuple(Parameter(r.rate, 0.0, "", "") for r in tallies),
        reactions=network.reactions + tuple(tallies),
    )
    vparams = params | {r.rate: 0.0 for r in tallies}
    as_f = lambda v: np.asarray(v, np.float64)  # noqa: E731
    P = len(pa)
    return SpatialRules(
        network,
        local,
        np.array(pa, np.int64),
        np.array(pb, np.int64),
        as_f(pk),
        np.array(d_own, np.int64).reshape(P, S),
        np.array(d_part, np.int64).reshape(P, S),
        walkers,
        float(walk),
        field,
        view.compile(vparams),
    )


@dataclass(frozen=True)
class Cells:
    """The inhabited cells of a raster, numbered in row-major order, with their 4 neighbours."""

    shape: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    nbr: np.ndarray  # (cells, 4) neighbour cell or -1: column+1, row+1, column-1, row-1
    index: np.ndarray  # (rows, cols) cell number or -1

    def to_grid(self, values: np.ndarray, fill=0) -> np.ndarray:
        """Spread per-cell values onto the raster's shape (fill where nobody lives)."""
        # a Python number as fill keeps the values' type (uint8 frames stay 1 byte a cell)
        out = np.full(self.shape, fill, dtype=np.result_type(values.dtype, fill))
        out[self.rows, self.cols] = values
        return out


def cells_of(counts: np.ndarray) -> Cells:
    """Number the inhabited cells of a population grid and find their neighbours."""
    rows, cols = np.nonzero(counts > 0)
    index = -np.ones(counts.shape, np.int64)
    index[rows, cols] = np.arange(rows.size)
    nbr = np.empty((rows.size, 4), np.int64)
    mk.neighbours(index, rows, cols, nbr)
    return Cells(counts.shape, rows, cols, nbr, index)


@dataclass
class MetaRun:
    """What a metapopulation run produced (times in the network's time unit)."""

    trajectory: Trajectory  # totals over the whole raster
    cells: Cells
    arrival: np.ndarray  # (rows, cols) time the first zombie was in each cell; NaN never; -inf: at start
    snapshots: dict[float, np.ndarray] = field(default_factory=dict)  # t -> (rows, cols) counts, species last
    frames: list[tuple[float, np.ndarray]] = field(default_factory=list)  # (t, zombie share per cell, uint8)
    final: np.ndarray | None = None  # (cells, species) counts at the end
    regions: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (times, species) totals
    events: int = 0
    clipped: int = 0  # tau only: border events cut because the partner was gone
    kernel_seconds: float = 0.0
    mode: str = "exact"
    cell_steps: int = 0  # tau only: active cells summed over steps
    leaps: int = 0  # tau only: cell steps that ran the tau-leaping kernel (not quiet)


Progress = Callable[[float], None]


class Engine:
    """A metapopulation run's state, advanced in time by the kernels and open to changes between
    advances (interventions move people, cordons cut borders): `reset` after any change."""

    def __init__(
        self,
        network: Network,
        population: np.ndarray,
        *,
        mode: str = "exact",
        mu: float = 1.0,
        walk: float = 0.0,
        seed: int = 0,
        dt: float | None = None,
        eps: float = 0.03,
        n_critical: int = 10,
        quiet: float = 0.2,
    ):
        if mode not in MODES:
            raise HyosanError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if int(seed) < 0:
            raise HyosanError(f"seed must be >= 0, got {seed}")
        dt = 0.1 if dt is None else dt
        if mode == "tau" and not (math.isfinite(dt) and dt > 0):
            raise HyosanError(f"tau step dt must be > 0, got {dt}")
        if not 0 < eps < 1:
            raise HyosanError(f"tau-leaping eps must be in (0, 1), got {eps:g}")
        refuse_schedule(network, "metapopulation")
        integer_state(network)  # refuse fractional initial counts in the network early
        self.network, self.mode, self.dt, self.eps, self.n_critical, self.quiet = (
            network,
            mode,
            dt,
            eps,
            n_critical,
            quiet,
        )
        self.counts = np.asarray(population)
        self.rules = spatial_rules(network, mu, walk, owner="zombie")  # both modes (spatial_rules)
        self.cells = cells_of(self.counts)
        self.nbr = self.cells.nbr.copy()
        S, n = len(network.species), self.cells.rows.size
        self.human, self.zombie = network.index(network.humans[0]), network.index(network.zombies[0])
        self.index = network.index
        self.x = np.zeros((n, S), np.int32)
        self.x[:, self.human] = self.counts[self.cells.rows, self.cells.cols]
        self.zmask = np.zeros(S, np.bool_)
        self.zmask[[network.index(z) for z in network.zombies]] = True
        self.arrival = np.full(n, -1.0)
        self.rng = np.random.Generator(np.random.PCG64(int(seed)))
        self.t, self.events = 0.0, 0
        self.stats = np.zeros(4, np.int64)
        L, r = self.rules.local, self.rules
        self._buf = np.empty(L.k.size + 4 * r.pa.size + 4 * r.walkers.size)
        self.A, self.T = np.zeros(n), np.full(n, np.inf)
        self.heap, self.hpos = np.arange(n, dtype=np.int64), np.arange(n, dtype=np.int64)
        self.hk = self.T[self.heap]  # the clocks in heap order, kept beside it (derived: not in STATE)
        self._field_r = np.array([(L.nu[j] != 0)[r.field].any() for j in range(L.k.size)], np.bool_)
        self._field_own = np.array([(d != 0)[r.field].any() for d in r.d_own], np.bool_)
        self._field_part = np.array([(d != 0)[r.field].any() for d in r.d_part], np.bool_)
        self._field_walk = r.field[r.walkers].copy()
        self.act, self.n_act = np.zeros(n, np.int64), 0
        self.inlist, self.apos = np.zeros(n, np.bool_), -np.ones(n, np.int64)
        self.touched, self.is_touched = np.zeros(n, np.int64), np.zeros(n, np.bool_)
        self.pend = np.zeros((n, r.pa.size), np.int64)
        self.pend_w = np.zeros((n, r.walkers.size), np.int64)
        self.budget = -np.ones(n)
        # totals over all cells: those at the last reset plus what the exact kernel changed since
        self.base, self.acc = np.zeros(self.x.shape[1], np.int64), np.zeros(self.x.shape[1], np.int64)
        self._all = np.arange(n)
        self._stale = True

    # What changes as the engine runs (the rest follows from the network, raster and options).
    STATE = (
        *("x", "nbr", "arrival", "A", "T", "heap", "hpos", "act", "inlist", "apos", "touched"),
        *("is_touched", "pend", "pend_w", "budget", "stats", "t", "events", "n_act", "_stale", "base", "acc"),
    )

    def state(self, prefix: str = "engine.") -> tuple[dict, dict]:
        """The engine's mutable state (random generator included) as checkpoint metadata and arrays."""
        meta, arrays = checkpoint.attributes(self, self.STATE, prefix)
        return meta | {"rng": self.rng.bit_generator.state}, arrays

    def set_state(self, meta: dict, arrays: dict, prefix: str = "engine.") -> None:
        """Put back a state taken by `state` from an engine built the same way."""
        checkpoint.set_attributes(self, meta, arrays, self.STATE, prefix)
        self.rng.bit_generator.state = meta["rng"]
        self.hk = self.T[self.heap]

    def _rates_args(self):
        L, r = self.rules.local, self.rules
        return (self.nbr, L.k, L.r_idx, L.r_ord, L.i_idx, L.i_k, r.pa, r.pb, r.pk, r.walkers, r.walk)

    def seed_zombies(self, cell: tuple[int, int], zombies: int, species: str | None = None) -> int:
        """Turn `zombies` residents of an inhabited cell into zombies (or into `species`, say the
        bitten who have not turned yet); returns the cell's number."""
        row, col = cell
        if (
            not (0 <= row < self.counts.shape[0] and 0 <= col < self.counts.shape[1])
            or self.counts[row, col] <= 0
        ):
            raise HyosanError(f"start cell {row},{col} is not an inhabited cell of the raster")
        c = int(self.cells.index[row, col])
        if not 1 <= zombies <= self.x[c, self.human]:
            raise HyosanError(
                f"zombies must be between 1 and the start cell's {self.x[c, self.human]} residents, "
                f"got {zombies}"
            )
        into = self.zombie if species is None else self.index(species)
        self.x[c, self.human] -= zombies
        self.x[c, into] += zombies
        if self.zmask[into] and self.arrival[c] == -1.0:
            self.arrival[c] = -np.inf if self.t == 0 else self.t
        return c

    def reset(self) -> None:
        """Recompute every cell's rates (and clocks) after counts or borders changed."""
        self._stale = False
        mk.column_sums(self.x, self._all, self.base)
        self.acc[:] = 0
        mk.all_rates(self.x, *self._rates_args(), self.A)
        on = self.A > 0
        if self.mode == "exact":
            self.T[:] = np.inf
            self.T[on] = self.t + self.rng.standard_exponential(int(on.sum())) / self.A[on]
            # the order a stable sort of T gives, sorting only the finite clocks (most are inf)
            live = np.flatnonzero(on)
            self.heap = np.concatenate([live[np.argsort(self.T[live], kind="stable")], np.flatnonzero(~on)])
            self.hpos[self.heap] = np.arange(self.heap.size)
            self.hk = self.T[self.heap]
        else:
            idx = np.flatnonzero(on)
            self.inlist[:] = False
            self.inlist[idx] = True
            self.act[: idx.size] = idx
            self.n_act = idx.size
            self.budget[:] = -1.0

    # Interventions between advances (a city's cordon, evacuation, drones, bombing). Each marks the
    # rates stale; the next advance recomputes them, so several changes in one hour cost one reset.
    def count(self, species: str) -> np.ndarray:
        """A copy of each cell's count of one species."""
        return self.x[:, self.network.index(species)].copy()

    def totals(self, cells: np.ndarray | None = None) -> np.ndarray:
        """Counts of each species summed over the cells (a boolean mask or indices; all by default).
        Over all cells they come from the exact kernel's running tally when no intervention came
        since the last reset (summing 551,275 cells took as long as an hour of the kernel)."""
        if cells is not None:
            return self.x[cells].sum(axis=0)
        if self.mode == "exact" and not self._stale:
            return self.base + self.acc
        out = np.zeros(self.x.shape[1], np.int64)
        mk.column_sums(self.x, self._all, out)
        return out

    def cut_borders(self, inside: np.ndarray) -> None:
        """Close every border between a cell inside and one outside (a boolean per cell): nobody and
        nothing crosses them from now on."""
        for d in range(4):
            j = self.nbr[:, d]
            self.nbr[(j >= 0) & (inside != inside[np.maximum(j, 0)]), d] = -1
        self._stale = True

    def move(self, species: str, amounts: np.ndarray, to: np.ndarray | None = None) -> None:
        """Take `amounts` (per cell) of a species out of each cell: gone from the grid, or added to
        cell `to[i]` when `to` is given. Refuses to take more than a cell holds."""
        s = self.network.index(species)
        amounts = np.asarray(amounts, np.int64)
        if (amounts < 0).any() or (amounts > self.x[:, s]).any():
            raise HyosanError(f"cannot move more {species} out of a cell than it holds")
        self.x[:, s] -= amounts.astype(self.x.dtype)
        if to is not None:
            np.add.at(self.x[:, s], to, amounts.astype(self.x.dtype))
            got = np.zeros(self.x.shape[0], np.bool_)
            got[to[amounts > 0]] = True
            self.arrival[got & self.zmask[s] & (self.arrival == -1.0)] = self.t
        self._stale = True

    def convert(self, cells: np.ndarray, species: tuple[str, ...], into: str) -> dict[str, int]:
        """Turn everyone of the given species in the cells into `into` (a bombing: all removed);
        returns how many of each were converted."""
        to = self.network.index(into)
        done = {}
        for name in species:
            s = self.network.index(name)
            done[name] = int(self.x[cells, s].sum())
            self.x[cells, to] += self.x[cells, s]
            self.x[cells, s] = 0
        self._stale = True
        return done

    def compile(self) -> None:
        """Call the kernel to do nothing, so it is compiled (or loaded) before any timing starts."""
        if self._stale:
            self.reset()
        if self.mode == "exact":
            self._exact(self.t, 0)
        else:
            self._tau(self.t)

    def advance(self, t_stop: float) -> None:
        """Run the kernel from the current time to t_stop (after recomputing rates an intervention
        made stale)."""
        if t_stop <= self.t:
            return
        if self._stale:
            self.reset()
        if self.mode == "exact":
            self._exact(t_stop, stop.PIECE_EVENTS)
        else:
            self._tau(t_stop)
        self.t = t_stop
        stop.check()  # the state is whole here: a stopped run goes on from t_stop

    def _exact(self, t_stop: float, piece: int) -> None:
        # in pieces, so that a stop request is heard; a piece goes on exactly where the last ended
        L, r = self.rules.local, self.rules
        while True:
            t, fired = mk.exact_run(
                self.x,
                self.A,
                self.T,
                self.heap,
                self.hk,
                self.hpos,
                self.nbr,
                L.k,
                L.r_idx,
                L.r_ord,
                L.i_idx,
                L.i_k,
                L.nu_ptr,
                L.nu_s,
                L.nu_v,
                self._field_r,
                r.pa,
                r.pb,
                r.pk,
                r.d_own,
                r.d_part,
                self._field_own,
                self._field_part,
                r.walkers,
                r.walk,
                self._field_walk,
                self.zmask,
                self.arrival,
                self.acc,
                self.t,
                t_stop,
                self.rng,
                piece,
            )
            self.events += fired
            if fired < piece or piece == 0:
                return
            self.t = t
            stop.check()

    def _tau(self, t_stop: float) -> None:
        L, r = self.rules.local, self.rules
        V = r.view
        _, self.n_act = mk.tau_run(
            self.x,
            self.nbr,
            self.act,
            self.n_act,
            self.inlist,
            self.apos,
            self.pend,
            self.pend_w,
            self.touched,
            self.is_touched,
            self.budget,
            L.k,
            L.r_idx,
            L.r_ord,
            L.i_idx,
            L.i_k,
            r.pa,
            r.pb,
            r.pk,
            r.d_part,
            r.walkers,
            r.walk,
            self.zmask,
            self.arrival,
            V.k,
            V.r_idx,
            V.r_ord,
            V.i_idx,
            V.i_k,
            V.nu,
            V.nu_ptr,
            V.nu_s,
            V.nu_v,
            V.dep_ptr,
            V.dep_idx,
            self.t,
            t_stop,
            self.dt,
            self.quiet,
            self.rng,
            self.eps,
            self.n_critical,
            self.stats,
        )
        self.events = int(self.stats[0])

    def arrival_grid(self) -> np.ndarray:
        """Arrival time of the first zombie in each cell (NaN: never; -inf: there at the start)."""
        return self.cells.to_grid(np.where(self.arrival == -1.0, np.nan, self.arrival), fill=np.nan)


def metapopulation(
    network: Network,
    population: np.ndarray,
    start: tuple[int, int],
    t_end: float,
    *,
    progress: Progress | None = None,
    **options,
) -> MetaRun:
    """Run a network on every cell of a population grid from `zombies` residents of `start` turned
    (`Metapopulation` takes the options and documents them); returns the finished run."""
    return Metapopulation(network, population, start, t_end, **options).run(progress)


class Metapopulation:
    """A metapopulation run from start to t_end that can stop (a stop request, a checkpoint) and go
    on exactly where it stopped: `run()` goes on to the end; `state()`/`set_state()` checkpoint it.

    Every resident starts in the network's first human species; `zombies` of the start
    cell's residents start as the network's first zombie species (or as `seed_species`), so the
    total is the raster's. `result()` holds totals at n_points times (and the totals of each named region, a
    boolean grid, at the same times), the arrival time of each cell, the counts of every
    cell at `snapshot_times`, and the zombie share of each cell at `frame_times`.
    Tau mode: dt (default 0.1 time units) is the step over which borders are frozen; a
    cell expecting fewer than `quiet` events in a step fires them one by one instead of
    leaping; eps and n_critical are the tau-leaping kernel's.
    """

    def __init__(
        self,
        network: Network,
        population: np.ndarray,
        start: tuple[int, int],
        t_end: float,
        *,
        mode: str = "exact",
        mu: float = 1.0,
        walk: float = 0.0,
        zombies: int = 1,
        seed_species: str | None = None,
        seed: int = 0,
        n_points: int = 241,
        snapshot_times: tuple[float, ...] = (),
        frame_times: tuple[float, ...] = (),
        regions: dict[str, np.ndarray] | None = None,
        dt: float | None = None,
        eps: float = 0.03,
        n_critical: int = 10,
        quiet: float = 0.2,
    ):
        if not (math.isfinite(t_end) and t_end > 0):
            raise HyosanError(f"end time must be > 0, got {t_end}")
        opts = dict(
            mode=mode, mu=mu, walk=walk, seed=seed, dt=dt, eps=eps, n_critical=n_critical, quiet=quiet
        )
        self.eng = eng = Engine(network, population, **opts)
        eng.seed_zombies(start, zombies, seed_species)
        eng.reset()
        self.network, self.start, self.zombies, self.seed = network, start, zombies, seed
        self.mu, self.walk, self.mode = mu, walk, mode
        self.grid_t = np.linspace(0.0, t_end, n_points)
        self.stops = sorted(
            set(self.grid_t.tolist())
            | {float(s) for s in snapshot_times if 0 <= s <= t_end}
            | {float(s) for s in frame_times if 0 <= s <= t_end}
        )
        self.want_snap = {float(s) for s in snapshot_times}
        self.want_frame = {float(s) for s in frame_times}
        self.want_grid = set(self.grid_t.tolist())
        S = len(network.species)
        self.totals = np.zeros((self.grid_t.size, S), np.int64)
        self.members = {}
        for name, mask in (regions or {}).items():
            mask = np.asarray(mask, bool)
            if mask.shape != eng.counts.shape:
                raise HyosanError(f"region {name!r} has shape {mask.shape}, the raster {eng.counts.shape}")
            self.members[name] = eng.cells.index[mask & (eng.counts > 0)]
        self.regions = {name: np.zeros((self.grid_t.size, S), np.int64) for name in self.members}
        self.snapshots: dict[float, np.ndarray] = {}  # t -> counts per cell (cells, species)
        self.frames: list[tuple[float, np.ndarray]] = []  # (t, zombie share per cell, uint8)
        self._grids: dict[tuple[str, float], np.ndarray] = {}  # the same spread onto the raster
        self.nsz = np.maximum(eng.x.sum(axis=1), 1)
        self.gi = self.done = 0
        self.kernel_seconds = 0.0

    def run(self, progress: Progress | None = None, *, result: bool = True) -> MetaRun | None:
        """Go on to the end (progress gets each output time reached); returns `result()` (or None with
        result=False, for a caller that asks for it later: its maps are drawn only then)."""
        eng, x = self.eng, self.eng.x
        eng.compile()  # now, so that kernel_seconds exclude compiling
        while self.done < len(self.stops):
            t_out = self.stops[self.done]
            clock = time.perf_counter()
            try:
                eng.advance(t_out)
            finally:
                self.kernel_seconds += time.perf_counter() - clock
            if t_out in self.want_grid:
                self.totals[self.gi] = eng.totals()
                for name, idx in self.members.items():
                    mk.column_sums(x, idx, self.regions[name][self.gi])
                self.gi += 1
            # maps are kept per cell and spread onto the raster only when a result asks for them
            if t_out in self.want_snap:
                self.snapshots[t_out] = x.copy()
            if t_out in self.want_frame:  # zombies are only where one has arrived: look only there
                at = np.flatnonzero(eng.arrival != -1.0)
                share = np.zeros(x.shape[0], np.uint8)
                share[at] = np.ceil(255 * x[at, eng.zombie] / self.nsz[at])
                self.frames.append((t_out, share))
            self.done += 1
            if progress is not None:
                progress(t_out)
        return self.result() if result else None

    def result(self) -> MetaRun:
        """The run as it stands: totals at the output times reached so far (all of them once done)."""
        eng, network, gi = self.eng, self.network, max(self.gi, 1)
        run = MetaRun(None, eng.cells, eng.arrival_grid(), mode=self.mode)  # type: ignore[arg-type]
        grids, cells = self._grids, eng.cells
        for t, v in self.snapshots.items():
            if ("snap", t) not in grids:
                grids["snap", t] = np.stack([cells.to_grid(v[:, s]) for s in range(v.shape[1])], axis=-1)
        for t, v in self.frames:
            if ("frame", t) not in grids:
                grids["frame", t] = cells.to_grid(v)
        run.snapshots = {t: grids["snap", t] for t in self.snapshots}
        run.frames = [(t, grids["frame", t]) for t, _ in self.frames]
        run.kernel_seconds = self.kernel_seconds
        run.events = eng.events
        if self.mode == "tau":
            run.events, run.clipped, run.cell_steps, run.leaps = (int(v) for v in eng.stats)
        run.final = eng.x
        run.regions = {name: r[:gi] for name, r in self.regions.items()}
        run.trajectory = Trajectory(
            self.grid_t[:gi],
            self.totals[None, :gi].astype(float),
            network.species_names,
            network.name,
            f"metapopulation-{self.mode}",
            network.params() | {"mu": self.mu, "walk": self.walk},
            seed=int(self.seed),
            events=np.array([run.events]),
            humans=network.humans,
            zombies=network.zombies,
            infected=network.infected,
            time_unit=network.time_unit,
            meta={"cells": int(eng.cells.rows.size), "start": list(self.start), "zombies": self.zombies},
        )
        return run

    def state(self) -> tuple[dict, dict]:
        """The run's mutable state (the engine's and what has been recorded) as checkpoint parts."""
        meta, arrays = self.eng.state()
        meta |= {"gi": self.gi, "done": self.done, "kernel_seconds": self.kernel_seconds}
        kept_meta, kept = checkpoint.records(self.snapshots, self.frames)
        kept_meta["records_per_cell"] = True
        arrays |= {"totals": self.totals, **{f"region.{k}": v for k, v in self.regions.items()}}
        return meta | kept_meta, arrays | kept

    def set_state(self, meta: dict, arrays: dict) -> None:
        """Put back a state taken by `state` from a run built the same way."""
        if not meta.get("records_per_cell"):
            raise HyosanError("a checkpoint of an earlier hyosan (maps kept as rasters): run it again")
        self.eng.set_state(meta, arrays)
        self.gi, self.done, self.kernel_seconds = meta["gi"], meta["done"], meta["kernel_seconds"]
        self.totals[...] = arrays["totals"]
        for k, v in self.regions.items():
            v[...] = arrays[f"region.{k}"]
        self.snapshots, self.frames = checkpoint.records_back(meta, arrays)
        self._grids.clear()  # drawn from the records now put back, when a result asks
