"""Schedules shared by every solver: cut time into segments and apply the items at their edges."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ..errors import HyosanError
from ..limits import check_memory
from ..reactions import expr
from ..reactions.network import Impulse, Network, SetParameter


@dataclass
class Segment:
    """A stretch of time [t0, t1) with fixed parameters, and the items due at t1."""

    t0: float
    t1: float
    params: dict[str, float]
    due: list


# End times a model may be solved to, in its time unit (a billion days is 2.7 million years).
TIME_RANGE = (1e-6, 1e9)


def check_times(network: Network, t_end: float | None, n_points: int) -> tuple[float, np.ndarray]:
    """Validate the end time and output grid size; return (t_end, grid)."""
    t_end = network.t_end if t_end is None else t_end
    try:
        t_end = float(t_end)
    except (TypeError, ValueError):
        raise HyosanError(f"t_end must be a number of {network.time_unit}s, got {t_end!r}") from None
    if not (np.isfinite(t_end) and TIME_RANGE[0] <= t_end <= TIME_RANGE[1]):
        raise HyosanError(
            f"t_end must be a positive number of {network.time_unit}s "
            f"({TIME_RANGE[0]:g} to {TIME_RANGE[1]:g}), got {t_end:g}"
        )
    if int(n_points) < 2:
        raise HyosanError(f"the output grid needs at least 2 points, got {n_points}")
    # the grid and a run's counts on it (a few species; the solvers size their own outputs too)
    check_memory(int(n_points) * 8 * (1 + len(network.species)), f"{int(n_points):,} output points")
    return t_end, np.linspace(0.0, t_end, int(n_points))


def segments(network: Network, t_end: float) -> Iterator[Segment]:
    """Yield the schedule segments between 0 and t_end; parameters change at segment edges.

    Items at time t act after everything before t and before the state at t is recorded
    (states are right-continuous). Items at or after t_end never act.
    """
    params = network.params()
    edges = sorted({i.t for i in network.schedule if 0 <= i.t < t_end}) + [t_end]
    t0 = 0.0
    for t1 in edges:
        due = [i for i in network.schedule if i.t == t1] if t1 < t_end else []
        yield Segment(t0, t1, dict(params), due)
        params = apply_parameters(params, due)
        t0 = t1


def apply_parameters(params: dict[str, float], due: list) -> dict[str, float]:
    """Parameters after the SetParameter items in `due` take effect."""
    new = dict(params)
    for item in due:
        if isinstance(item, SetParameter):
            value = expr.evaluate(item.value, params)
            if value < 0:
                raise HyosanError(
                    f"schedule at t = {item.t:g}: {item.name} would become negative ({value:g})"
                )
            new[item.name] = value
    return new


def apply_impulses(
    network: Network,
    params: dict[str, float],
    due: list,
    x: np.ndarray,
    move: Callable[[float, float], float],
) -> None:
    """Apply the Impulse items in `due` to state x in place; `move(count, fraction)` says how many."""
    for item in due:
        if isinstance(item, Impulse):
            f = min(max(expr.evaluate(item.fraction, params), 0.0), 1.0)
            src, dst = network.index(item.source), network.index(item.target)
            amount = move(x[src], f)
            x[src] -= amount
            x[dst] += amount


def refuse_schedule(network: Network, method: str) -> None:
    """Refuse a network with a schedule, for a method that cannot apply one."""
    if network.schedule:
        raise HyosanError(
            f"the {method} method does not apply schedules; model {network.name} has "
            f"{len(network.schedule)} scheduled item(s): use ode, ssa or tau, or drop the schedule"
        )
