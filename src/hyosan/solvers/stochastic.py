"""Exact (SSA) and approximate (tau-leaping) stochastic solvers: ensembles of seeded runs."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import stop
from ..errors import HyosanError
from ..limits import check_memory
from ..reactions.network import Network
from . import kernels
from .schedule import apply_impulses, check_times, segments
from .trajectory import Trajectory

Progress = Callable[[float], None]

# The milestones every stochastic run times exactly, at the event that reaches them.
MILESTONES = ("humans_below_one", "zombies_outnumber_humans")


def ssa(
    network: Network,
    t_end: float | None = None,
    n_points: int = 1001,
    *,
    runs: int = 1,
    seed: int = 0,
    max_events: int = 10**12,
    progress: Progress | None = None,
) -> Trajectory:
    """Exact stochastic simulation (Gillespie's direct method, Numba) of `runs` seeded runs.

    Propensities are updated only for reactions whose inputs changed (a dependency graph
    derived from the network). Runs that reach an absorbing state (no reaction possible) keep
    their final counts to t_end. Returns counts at `n_points` equally spaced times.
    """

    def step(x, t, t_stop, grid, gi, out, net, rng, budget, watch):
        return kernels.ssa_segment(x, t, t_stop, grid, gi, out, net, rng, budget, watch)

    return _ensemble(network, "ssa", step, t_end, n_points, runs, seed, progress, max_events)


def tau(
    network: Network,
    t_end: float | None = None,
    n_points: int = 1001,
    *,
    runs: int = 1,
    seed: int = 0,
    eps: float = 0.03,
    n_critical: int = 10,
    max_events: int = 10**15,
    progress: Progress | None = None,
) -> Trajectory:
    """Tau-leaping with Cao-Gillespie-Petzold (2006) step control; counts never go negative.

    eps bounds the relative change of each reactant's propensity per leap (0.03 is the
    paper's recommendation); reactions within n_critical firings of exhausting a reactant
    fire exactly (at most one per leap). Where leaping would not beat exact steps the kernel
    falls back to the direct method. `events` counts reaction firings, as in `ssa`.
    """
    if not 0 < eps < 1:
        raise HyosanError(f"tau-leaping eps must be in (0, 1), got {eps:g}")

    def step(x, t, t_stop, grid, gi, out, net, rng, budget, watch):
        return kernels.tau_segment(x, t, t_stop, grid, gi, out, net, rng, eps, n_critical, budget, watch)

    return _ensemble(network, "tau", step, t_end, n_points, runs, seed, progress, max_events)


def run_seeds(seed: int, runs: int) -> list[np.random.Generator]:
    """Independent generators for each run, derived from one seed (same on every machine)."""
    return [np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(runs)]


def integer_state(network: Network) -> np.ndarray:
    """Initial counts as integers, refusing fractions (a stochastic model counts people)."""
    x0 = network.x0()
    frac = [f"{s} = {v:g}" for s, v in zip(network.species_names, x0) if v != np.floor(v)]
    if frac:
        raise HyosanError(f"stochastic solvers need whole initial counts; got {', '.join(frac)}")
    return x0.astype(np.int64)


def _ensemble(network, method, step, t_end, n_points, runs, seed, progress, max_events) -> Trajectory:
    """Run `step` (a kernel over one schedule segment) for each seeded run, in pieces of at most
    `stop.PIECE_EVENTS` events so that a stop request is heard within a second; an interrupted
    ensemble raises `stop.Interrupted` carrying the part computed (`partial`)."""
    t_end, grid = check_times(network, t_end, n_points)
    if int(runs) < 1:
        raise HyosanError(f"runs must be >= 1, got {runs}")
    if int(seed) < 0:
        raise HyosanError(f"seed must be >= 0, got {seed}")
    x0 = integer_state(network)
    plan = list(segments(network, t_end))
    compiled = [network.compile(seg.params).arrays() for seg in plan]
    check_memory(runs * grid.size * x0.size * 8, f"{runs:,} runs x {grid.size:,} points x {x0.size} species")
    out = np.empty((runs, grid.size, x0.size), dtype=np.int64)
    events = np.zeros(runs, dtype=np.int64)
    crossings = np.full((runs, 2), np.nan)
    part = {"runs": 0, "gi": 0, "t": 0.0}

    def result(r_done: int) -> Trajectory:
        keep = slice(0, max(r_done, 1))
        t, x = grid, out[keep]
        if r_done == 0:  # not even one run finished: the first, up to the moment it reached
            gi = max(part["gi"], 1)
            t = np.append(grid[:gi], part["t"]) if part["t"] > grid[gi - 1] else grid[:gi]
            x = np.concatenate([x[:, :gi], part["x"][None, None]], axis=1)[:, : t.size]
        return Trajectory(
            t,
            x,
            network.species_names,
            network.name,
            method,
            network.params(),
            seed=int(seed),
            events=events[keep],
            humans=network.humans,
            zombies=network.zombies,
            infected=network.infected,
            time_unit=network.time_unit,
            meta={"crossings": {k: crossings[keep, i] for i, k in enumerate(MILESTONES)}},
        )

    try:
        for r, rng in enumerate(run_seeds(int(seed), int(runs))):
            x = x0.copy()
            watch = kernels.watch_of(network, crossings[r])
            part["x"] = x
            kernels.milestones(x, 0.0, watch)
            gi = 0
            out[r, 0] = x
            for seg, net in zip(plan, compiled):
                t = seg.t0
                while t < seg.t1:
                    piece = min(stop.PIECE_EVENTS, max_events - events[r])
                    t, gi, n = step(x, t, seg.t1, grid, gi, out[r], net, rng, piece, watch)
                    events[r] += n
                    part.update(gi=gi, t=t)
                    if t < seg.t1 and events[r] >= max_events:
                        raise HyosanError(
                            f"run {r} stopped at t = {t:g} after its event budget ({events[r]} events)"
                        )
                    stop.check()
                    if progress is not None:
                        progress(r + t / t_end)
                apply_impulses(network, seg.params, seg.due, x, lambda count, f: rng.binomial(int(count), f))
                kernels.milestones(x, seg.t1, watch)
            out[r, gi:] = x
            part["runs"] = r + 1
            if progress is not None:
                progress(r + 1)
    except stop.Interrupted as exc:
        exc.partial = result(part["runs"])
        exc.done = f"{part['runs']} of {runs} runs" + (
            f", run {part['runs']} to {network.time_unit} {part['t']:.6g}" if part["runs"] < runs else ""
        )
        raise
    return result(int(runs))
