"""Deterministic solver: the network's mass-action ODE, integrated by scipy's solve_ivp."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

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
    for seg in segments(network, t_end):
        c = network.compile(seg.params)
        if seg.t1 > seg.t0:
            inside = grid[(grid >= seg.t0) & (grid < seg.t1)]
            sol = solve_ivp(
                lambda t, y: network.rhs(c, y),
                (seg.t0, seg.t1),
                x,
                method=method,
                t_eval=np.append(inside, seg.t1),
                jac=lambda t, y: network.jacobian(c, y),
                rtol=rtol,
                atol=atol,
            )
            if not sol.success:
                raise HyosanError(f"ODE solver failed between t = {seg.t0:g} and {seg.t1:g}: {sol.message}")
            out[gi : gi + inside.size] = sol.y.T[: inside.size]
            gi += inside.size
            x = sol.y[:, -1].copy()
        apply_impulses(network, seg.params, seg.due, x, lambda count, f: count * f)
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
        time_unit=network.time_unit,
    )
