"""Deterministic solver: the network's mass-action ODE, integrated by scipy's solve_ivp."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from .. import stop
from ..errors import HyosanError
from ..reactions.network import Network
from .schedule import apply_impulses, check_times, segments
from .trajectory import Trajectory


def ode(
    network: Network,
    t_end: float | None = None,
    n_points: int = 1001,
    *,
    method: str = "LSODA",
    rtol: float = 1e-8,
    atol: float = 1e-8,
) -> Trajectory:
    """Integrate the network's ODE from its initial counts; returns a one-run Trajectory.

    `method` is any solve_ivp method (LSODA by default: it switches to a stiff method when the
    Jacobian says so, as the Jonas model's minutes-long turning requires). The analytic Jacobian
    derived from the network is passed to the implicit methods. Schedule items are applied at
    their times between integration segments, moving the expected fraction.
    """
    t_end, grid = check_times(network, t_end, n_points)
    x = network.x0()
    out = np.empty((grid.size, x.size))
    gi = 0
    crossings = Crossings(network)
    crossings.check(0.0, x)
    for seg in segments(network, t_end):
        c = network.compile(seg.params)
        if seg.t1 > seg.t0:
            inside = grid[(grid >= seg.t0) & (grid < seg.t1)]
            sol = solve_ivp(
                lambda t, y, c=c: _rhs(network, c, y),
                (seg.t0, seg.t1),
                x,
                method=method,
                t_eval=np.append(inside, seg.t1),
                jac=lambda t, y: network.jacobian(c, y),
                rtol=rtol,
                atol=atol,
                events=crossings.events,
            )
            if not sol.success:
                raise HyosanError(f"ODE solver failed between t = {seg.t0:g} and {seg.t1:g}: {sol.message}")
            out[gi : gi + inside.size] = sol.y.T[: inside.size]
            gi += inside.size
            x = sol.y[:, -1].copy()
            crossings.found(sol.t_events)
        apply_impulses(network, seg.params, seg.due, x, lambda count, f: count * f)
        crossings.check(seg.t1, x)
    out[gi:] = x
    return Trajectory(
        grid,
        out[None],
        network.species_names,
        network.name,
        "ode",
        network.params(),
        humans=network.humans,
        zombies=network.zombies,
        infected=network.infected,
        time_unit=network.time_unit,
        meta={"crossings": crossings.times},
    )


def _rhs(network: Network, c, y):
    # a stiff or huge problem can take the integrator many steps: a stop request is heard here
    stop.check()
    return network.rhs(c, y)


class Crossings:
    """The story's milestones found by the integrator's root search at full resolution (not read off
    the output grid): humans falling below one, zombies first outnumbering humans."""

    def __init__(self, network: Network):
        h = [network.species_names.index(s) for s in network.humans]
        z = [network.species_names.index(s) for s in network.zombies]

        def humans_below_one(t, y):
            return y[h].sum() - 1.0

        def zombies_outnumber_humans(t, y):
            return y[z].sum() - y[h].sum()

        humans_below_one.direction = -1.0
        zombies_outnumber_humans.direction = 1.0
        self.events = [humans_below_one, zombies_outnumber_humans]
        self.times = {f.__name__: float("nan") for f in self.events}

    def found(self, t_events) -> None:
        """Keep the first root of each milestone seen so far."""
        for f, ts in zip(self.events, t_events):
            if np.isnan(self.times[f.__name__]) and len(ts):
                self.times[f.__name__] = float(ts[0])

    def check(self, t: float, x: np.ndarray) -> None:
        """A milestone already true at t (the start, or just after an impulse) happens at t."""
        for f in self.events:
            if np.isnan(self.times[f.__name__]) and f(t, x) * f.direction > 0:
                self.times[f.__name__] = t
