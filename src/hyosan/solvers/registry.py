"""One entry point for every solver: `solve(network, method, ...)` and the registry it reads.

The contract every method keeps (as `scipy.integrate.solve_ivp` does for its methods):
    solve(network, method, t_end=None, n_points=1001, *, runs=1, seed=0, progress=None, **options)
returns a `Trajectory` of counts of the network's species, in the network's time unit, on the
network's own species and roles (which species count as humans and as zombies): no method
looks a species up by name. Each method either honours the network's schedule (impulses and
parameter changes at their times) or refuses a network that has one, with one clear line.
Methods declare the extra options they take; any other option is refused by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import HyosanError
from ..reactions.network import Network
from .schedule import refuse_schedule
from .trajectory import Trajectory


@dataclass(frozen=True)
class Method:
    """A registered solver: its name, its adapter to the contract and what it needs."""

    name: str
    run: Callable[..., Trajectory]  # (network, t_end, n_points, runs, seed, progress, **options)
    summary: str
    stochastic: bool
    schedule: bool  # honours a network's schedule (False: refuses a network that has one)
    options: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


def _one_run(method: str, runs: int) -> None:
    if runs != 1:
        raise HyosanError(
            f"the {method} method makes one run per call (got runs = {runs}); "
            "use `hyosan ensemble` for many seeded runs"
        )


def _ode(network, t_end, n_points, runs, seed, progress, **options):
    from .ode import ode

    if runs != 1:
        raise HyosanError("runs applies to the stochastic methods; the ODE is deterministic")
    return ode(network, t_end, n_points, **options)


def _ssa(network, t_end, n_points, runs, seed, progress, **options):
    from .stochastic import ssa

    return ssa(network, t_end, n_points, runs=runs, seed=seed, progress=progress, **options)


def _tau(network, t_end, n_points, runs, seed, progress, **options):
    from .stochastic import tau

    return tau(network, t_end, n_points, runs=runs, seed=seed, progress=progress, **options)


def _no_initial_counts(network) -> None:
    # the lattice is size x size humans with `zombies` at the centre: counts set on the network
    # would be silently ignored
    from ..reactions import get, names

    base = get(network.name).initial if network.name in names() else network.initial
    changed = sorted(k for k, v in network.initial.items() if v != base.get(k))
    if changed:
        raise HyosanError(
            f"the lattice method starts from a size x size lattice of humans with one zombie at the "
            f"centre; initial counts ({', '.join(changed)}) do not apply to it: "
            "use `hyosan lattice --size L --zombies N`"
        )


def _lattice(network, t_end, n_points, runs, seed, progress, **options):
    from .lattice import lattice

    _one_run("lattice", runs)
    _no_initial_counts(network)
    return lattice(
        network, options.pop("size", 256), seed=seed, t_end=t_end, n_records=n_points, **options
    ).trajectory


def _metapopulation(network, t_end, n_points, runs, seed, progress, **options):
    from .metapop import metapopulation
    from .schedule import check_times

    _one_run("metapopulation", runs)
    t_end, _ = check_times(network, t_end, n_points)
    pop = np.asarray(options.pop("population"))
    start = tuple(options.pop("start"))
    run = metapopulation(
        network, pop, start, t_end, seed=seed, n_points=n_points, progress=progress, **options
    )
    return run.trajectory


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("ode", _ode, "deterministic rate equations (scipy solve_ivp, LSODA)", False, True,
               ("method", "rtol", "atol")),
        Method("ssa", _ssa, "exact stochastic simulation (Gillespie's direct method)", True, True,
               ("max_events",)),
        Method("tau", _tau, "tau-leaping (Cao, Gillespie and Petzold's step selection)", True, True,
               ("eps", "n_critical", "max_events")),
        Method("lattice", _lattice, "one agent per site of a periodic square lattice (Alemi et al.)",
               True, False, ("size", "zombies", "max_events", "site")),
        Method("metapopulation", _metapopulation, "the network in every cell of a population grid",
               True, False, ("population", "start", "mode", "mu", "walk", "zombies", "dt"),
               ("population", "start")),
    )
}  # fmt: skip


def model_methods() -> tuple[str, ...]:
    """The methods that solve a model on its own (the metapopulation method also needs a population
    grid and a start cell, which scenarios give it)."""
    return tuple(name for name, m in METHODS.items() if not m.required)


def solve(
    network: Network,
    method: str = "ode",
    t_end: float | None = None,
    n_points: int = 1001,
    *,
    runs: int = 1,
    seed: int = 0,
    progress: Callable | None = None,
    **options,
) -> Trajectory:
    """Solve a network by any registered method; returns its Trajectory (see the module's contract).

    `hyosan.solvers.solve(hyosan.model("alemi"), "lattice", size=128, seed=3)`. The spatial
    methods' full results (the final lattice, arrival maps) come from `lattice` and
    `metapopulation` themselves.
    """
    if method not in METHODS:
        raise HyosanError(f"unknown method {method!r}; accepted: {', '.join(METHODS)}")
    m = METHODS[method]
    unknown = sorted(set(options) - set(m.options))
    if unknown:
        takes = ", ".join(m.options) or "none"
        raise HyosanError(f"the {method} method takes no option {unknown[0]!r} (its options: {takes})")
    missing = [o for o in m.required if o not in options]
    if missing:
        raise HyosanError(f"the {method} method needs the option {missing[0]!r}")
    if int(runs) < 1:
        raise HyosanError(f"runs must be >= 1, got {runs}")
    if not m.schedule:
        refuse_schedule(network, method)
    return m.run(network, t_end, n_points, int(runs), seed, progress, **options)
