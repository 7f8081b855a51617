"""Exact SSA on `alemi` with 10^6 people run to the end: hyosan against GillesPy2's compiled SSA."""

from __future__ import annotations

import os
import statistics
import time
from importlib.util import find_spec
from pathlib import Path

import numpy as np

import hyosan
from hyosan.reactions import Network, expr
from hyosan.solvers import ssa

from .common import machine, peak_rss_mib, write_section


def alemi_network(n: int) -> Network:
    """The benchmark network: alemi with n people, 100 zombies, alpha = 0.8, time scaled with n."""
    return hyosan.model("alemi").with_values(S=n - 100, Z=100, alpha=0.8, beta=1.8 / n)


def events_from_counts(net: Network, final: np.ndarray) -> int:
    """Reaction events implied by the net change (exact when the stoichiometry has full column rank)."""
    nu = net.stoichiometry().astype(float)
    counts, *_ = np.linalg.lstsq(nu, final - net.x0(), rcond=None)
    return int(round(counts.sum()))


def time_hyosan(net: Network, t_end: float, repeats: int, seed: int) -> list[tuple[float, int]]:
    """(seconds, events) of each repeat, after one warm-up run that compiles the kernel."""
    ssa(net, t_end=t_end, n_points=2, seed=seed)
    out = []
    for r in range(repeats):
        t0 = time.perf_counter()
        tr = ssa(net, t_end=t_end, n_points=101, seed=seed + r)
        out.append((time.perf_counter() - t0, int(tr.events.sum())))
    return out


def gillespy2_model(net: Network, t_end: float):
    """The same network as a GillesPy2 model (mass action written out as propensities)."""
    import gillespy2

    params = net.params()
    m = gillespy2.Model(name=net.name.replace("-", "_"))
    ks = []
    for j, r in enumerate(net.reactions):
        ks.append(gillespy2.Parameter(name=f"k{j}", expression=repr(expr.evaluate(r.rate, params))))
    m.add_parameter(ks)
    sp = {
        s: gillespy2.Species(name=s, initial_value=int(v), mode="discrete")
        for s, v in zip(net.species_names, net.x0())
    }
    m.add_species(list(sp.values()))
    for j, r in enumerate(net.reactions):
        if r.inhibitors:
            raise ValueError("the GillesPy2 translation covers mass action only")
        prop = "*".join([f"k{j}"] + [s for s, n in r.reactants for _ in range(n)])
        m.add_reaction(
            gillespy2.Reaction(
                name=r.name.replace(" ", "_"),
                reactants={sp[s]: n for s, n in r.reactants},
                products={sp[s]: n for s, n in r.products},
                propensity_function=prop,
            )
        )
    m.timespan(np.linspace(0, t_end, 101))
    return m


def time_gillespy2(
    net: Network, t_end: float, repeats: int, seed: int
) -> tuple[float, list[tuple[float, int]]] | str:
    """(build seconds, [(seconds, events)]) for GillesPy2's SSACSolver, or why it could not run."""
    if find_spec("gillespy2") is None:
        return "GillesPy2 is not installed (make bench installs it)"
    # GillesPy2 runs SCons with the resolved base interpreter, which does not see a venv's packages
    site = str(Path(find_spec("SCons").origin).parents[1]) if find_spec("SCons") else ""
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (site, os.environ.get("PYTHONPATH", "")) if p)
    import gillespy2

    model = gillespy2_model(net, t_end)
    try:
        t0 = time.perf_counter()
        solver = gillespy2.SSACSolver(model=model)
        build = time.perf_counter() - t0
    except Exception as exc:  # noqa: BLE001 - any build failure means the column is skipped
        return f"GillesPy2's C++ solver could not compile here: {type(exc).__name__}"
    model.run(solver=solver, seed=seed)
    out = []
    for r in range(repeats):
        t0 = time.perf_counter()
        res = model.run(solver=solver, seed=seed + r)
        dt = time.perf_counter() - t0
        final = np.array([res[s][-1] for s in net.species_names], dtype=float)
        out.append((dt, events_from_counts(net, final)))
    return build, out


def main(argv: list[str]) -> None:
    """Run the SSA benchmark; `--quick` uses tiny sizes (smoke test) and leaves BENCHMARKS.md alone."""
    quick = "--quick" in argv
    n, repeats = (10_000, 1) if quick else (1_000_000, 5)
    t_end = 200.0  # time is scaled with n: every run reaches its absorbing end well before this
    net = alemi_network(n)
    ours = time_hyosan(net, t_end, repeats, seed=1)
    ours_rate = statistics.median(e / s for s, e in ours)
    peer = time_gillespy2(net, t_end, repeats, seed=1)
    lines = [
        f"## Exact SSA: `alemi` with {n:,} people, run to the end",
        "",
        f"Command: `python -m benchmarks ssa` (`make bench`). Machine: {machine()}.",
        f"Network: alemi, S0 = {n - 100:,}, Z0 = 100, alpha = 0.8, beta = 1.8/N; one process, one core; "
        f"median of {repeats} seeded runs after a warm-up run.",
        "",
        "| engine | events per run | seconds per run | events per second | ratio to GillesPy2 |",
        "|---|---|---|---|---|",
    ]
    ev = statistics.median(e for _, e in ours)
    sec = statistics.median(s for s, _ in ours)
    if isinstance(peer, str):
        lines.append(
            f"| hyosan `ssa` (Numba direct method) | {ev:,.0f} | {sec:.3f} | {ours_rate:,.0f} | n/a |"
        )
        lines += ["", f"GillesPy2 column skipped: {peer}."]
    else:
        build, runs = peer
        peer_rate = statistics.median(e / s for s, e in runs)
        lines.append(
            f"| hyosan `ssa` (Numba direct method) | {ev:,.0f} | {sec:.3f} | {ours_rate:,.0f} "
            f"| {ours_rate / peer_rate:.2f} |"
        )
        lines.append(
            f"| GillesPy2 `SSACSolver` (compiled C++) | {statistics.median(e for _, e in runs):,.0f} | "
            f"{statistics.median(s for s, _ in runs):.3f} | {peer_rate:,.0f} | 1.00 |"
        )
        lines += [
            "",
            f"GillesPy2's one-off C++ build took {build:.1f} s (not counted). Its per-run time includes "
            "starting its simulation process and reading the trajectory back, as a user of it pays. "
            "Its events are counted from the net change of the counts (each bite and kill changes them "
            "independently).",
        ]
    lines += [
        "",
        f"Target (issue 2): >= 10,000,000 events per second: "
        f"{'met' if ours_rate >= 1e7 else 'MISSED'} ({ours_rate / 1e6:.1f} M/s). "
        f"Peak memory of the benchmark process: {peak_rss_mib():.0f} MiB.",
    ]
    text = "\n".join(lines)
    print(text)
    if not quick:
        write_section("ssa", text)
