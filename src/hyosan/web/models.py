"""Population models for the viewer's teaching page: the ODE curve and a band of stochastic runs,
with the runs that die out kept apart from those that take off."""

from __future__ import annotations

import math

import numpy as np

from ..errors import HyosanError

MAX_RUNS = 60
MAX_PEOPLE = 20_000  # beyond this the band comes from tau-leaping, not exact SSA


def model_list() -> list[dict]:
    """Every model with its parameters and initial counts (what the sliders start from)."""
    from .. import reactions

    out = []
    for name in reactions.names():
        net = reactions.get(name)
        values = net.params()
        out.append(
            {
                "name": name,
                "title": net.title,
                "time_unit": net.time_unit,
                "t_end": net.t_end,
                "species": list(net.species_names),
                "parameters": [
                    {"name": p.name, "value": values[p.name], "unit": p.unit, "meaning": p.meaning}
                    for p in net.parameters
                ],
                "initial": {s: float(v) for s, v in zip(net.species_names, net.x0())},
            }
        )
    return out


def model_curves(
    name: str, values: dict[str, float], runs: int = 30, seed: int = 1, points: int = 201
) -> dict:
    """ODE curve and stochastic bands (5 %, median, 95 %) of a model at the given values."""
    from .. import reactions
    from ..solvers import ode, ssa, tau

    if name not in reactions.names():
        raise HyosanError(f"unknown model {name!r}")
    if not 1 <= runs <= MAX_RUNS:
        raise HyosanError(f"runs must be between 1 and {MAX_RUNS}, got {runs}")
    for k, v in values.items():
        if not (math.isfinite(v) and v >= 0):
            raise HyosanError(f"{k} must be a finite number >= 0, got {v}")
    net = reactions.get(name).with_values(**values)
    people = float(net.x0().sum())
    if people > 10**7:
        raise HyosanError(f"at most 10,000,000 people on this page, got {people:g}")
    det = ode(net, n_points=points)
    method = ssa if people <= MAX_PEOPLE else tau
    sto = method(net, n_points=points, runs=runs, seed=seed)
    died = sto.died_out()
    out = {
        "model": name,
        "t": det.t.tolist(),
        "time_unit": net.time_unit,
        "species": list(det.species),
        "ode": {s: det.x[0, :, i].tolist() for i, s in enumerate(det.species)},
        "method": method.__name__,
        "runs": runs,
        "died_out": int(died.sum()),
        "bands": {},
    }
    took_off = sto.x[~died]
    if took_off.shape[0]:
        for i, s in enumerate(sto.species):
            q = np.percentile(took_off[:, :, i], [5, 50, 95], axis=0)
            out["bands"][s] = {"p5": q[0].tolist(), "p50": q[1].tolist(), "p95": q[2].tolist()}
    return out
