"""Exact (SSA) and approximate (tau-leaping) stochastic solvers: ensembles of seeded runs."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import HyosanError
from ..reactions.network import Network
from . import kernels
from .schedule import apply_impulses, check_times, segments
from .trajectory import Trajectory

Progress = Callable[[int], None]


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

    def step(x, t, t_stop, grid, gi, out, c, rng):
        return kernels.ssa_segment(
            x,
            t,
            t_stop,
            grid,
            gi,
            out,
            c.k,
            c.r_idx,
            c.r_ord,
            c.i_idx,
            c.i_k,
            c.nu_ptr,
            c.nu_s,
            c.nu_v,
            c.dep_ptr,
            c.dep_idx,
            rng,
            max_events,
        )

    return _ensemble(network, "ssa", step, t_end, n_points, runs, seed, progress)


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

    def step(x, t, t_stop, grid, gi, out, c, rng):
        return kernels.tau_segment(
            x,
            t,
            t_stop,
            grid,
            gi,
            out,
            c.k,
            c.r_idx,
            c.r_ord,
            c.i_idx,
            c.i_k,
            c.nu,
            c.nu_ptr,
            c.nu_s,
            c.nu_v,
            c.dep_ptr,
            c.dep_idx,
            rng,
            eps,
            n_critical,
            max_events,
        )

    return _ensemble(network, "tau", step, t_end, n_points, runs, seed, progress)


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


def _ensemble(network, method, step, t_end, n_points, runs, seed, progress) -> Trajectory:
    t_end, grid = check_times(network, t_end, n_points)
    if int(runs) < 1:
        raise HyosanError(f"runs must be >= 1, got {runs}")
    if int(seed) < 0:
        raise HyosanError(f"seed must be >= 0, got {seed}")
    x0 = integer_state(network)
    plan = list(segments(network, t_end))
    compiled = [network.compile(seg.params) for seg in plan]
    out = np.empty((runs, grid.size, x0.size), dtype=np.int64)
    events = np.zeros(runs, dtype=np.int64)
    for r, rng in enumerate(run_seeds(int(seed), int(runs))):
        x = x0.copy()
        gi = 0
        for seg, c in zip(plan, compiled):
            if seg.t1 > seg.t0:
                t, gi, n = step(x, seg.t0, seg.t1, grid, gi, out[r], c, rng)
                events[r] += n
                if t < seg.t1:
                    raise HyosanError(
                        f"run {r} stopped at t = {t:g} after its event budget ({events[r]} events)"
                    )
            apply_impulses(network, seg.params, seg.due, x, lambda count, f: rng.binomial(int(count), f))
        out[r, gi:] = x
        if progress is not None:
            progress(r + 1)
    return Trajectory(
        grid,
        out,
        network.species_names,
        network.name,
        method,
        network.params(),
        seed=int(seed),
        events=events,
        humans=network.humans,
        zombies=network.zombies,
        infected=network.infected,
        time_unit=network.time_unit,
    )
