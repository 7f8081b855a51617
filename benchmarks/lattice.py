"""Alemi's lattice: speed at 2048 x 2048, and the finite-size study of the critical alpha.

python -m benchmarks lattice          # events per second (BENCHMARKS.md)
python -m benchmarks lattice-study    # alpha_c and the fractal dimension (docs/lattice.md)
"""

from __future__ import annotations

import time

import numpy as np

import hyosan
from hyosan.solvers.lattice import lattice, lattice_runs

from .common import ROOT, machine, peak_rss_mib, write_section

PERCOLATION_D = 91 / 48  # fractal dimension of critical 2D percolation clusters
REPEATS = 3
PLATEAU = 0.361  # alphas up to this are taken as well below alpha_c (every size spans alike)


def speed(argv: list[str]) -> None:
    """Events per second on one core at L = 2048 (L = 128 with --quick)."""
    quick = "--quick" in argv
    L = 128 if quick else 2048
    lattice(hyosan.model("alemi").with_values(alpha=0.25), 16, seed=0)  # compile
    lattice_runs(hyosan.model("alemi").with_values(alpha=0.25), 16, [0])
    rows = []
    for alpha in (0.25, 0.3):
        times = []
        for _ in range(REPEATS):  # the same seeded run again: the median damps a noisy shared machine
            t0 = time.perf_counter()
            run = lattice(hyosan.model("alemi").with_values(alpha=alpha), L, seed=1)
            times.append((time.perf_counter() - t0, run.kernel_seconds))
        secs, kern = (float(np.median(x)) for x in zip(*times))
        rows.append((alpha, run.events, secs, kern, run.counts()))
    lines = [
        f"## Alemi lattice, {L:,} x {L:,}",
        "",
        f"Command: `python -m benchmarks lattice` (`make bench`). Machine: {machine()}. One zombie at the "
        "centre, run until no zombie is next to a human; one process, one core, kernel compiled first; "
        f"times are the median of {REPEATS} repeats of the same seeded run.",
        "",
        "| alpha | events | whole run (s) | of which firing events (s) | events per second (firing) "
        "| final S, Z, R |",
        "|---|---|---|---|---|---|",
    ]
    for alpha, ev, secs, kern, c in rows:
        lines.append(
            f"| {alpha:g} | {ev:,} | {secs:.2f} | {kern:.2f} | {ev / kern:,.0f} "
            f"| {c['S']:,}, {c['Z']:,}, {c['R']:,} |"
        )
    worst = min(ev / kern for _, ev, _, kern, _ in rows)
    lines += [
        "",
        f"Target (issue 4): >= 10,000,000 events per second at 2048 x 2048: "
        f"{'met' if worst >= 1e7 else 'MISSED'} (slowest run {worst:,.0f}; "
        "set-up, the bond list of 4 million sites, is "
        "timed apart). Peak memory: "
        f"{peak_rss_mib():.0f} MiB.",
    ]
    text = "\n".join(lines + [""] + side_by_side(quick))
    print(text)
    if not quick:
        write_section("lattice", text)


def side_by_side(quick: bool) -> list[str]:
    """hyosan's lattice and the authors' C code (built from ../shared/peers) on the same work: one
    run at L = 2048, and 1,000 runs at L = 128; events are bites and kills on both sides."""
    from .peers import c_events, run_clattice

    net = hyosan.model("alemi").with_values(alpha=0.25)
    lines = [
        "### Against the authors' C code, same machine, same run",
        "",
        "Their `clattice` (built from `../shared/peers/zombies-usa` with their Makefile's flags) and hyosan, "
        "alpha 0.25, one zombie at the centre, run to the end. Events: bites and kills (for C, "
        "Z + 2R - 1, as their driver notes). C seconds: its own timer around the runs; hyosan seconds: "
        "the whole call, set-up included, kernel compiled first: `lattice()` for one run, "
        "`lattice_runs()` for many (one lattice reset in place between runs, as their driver does; "
        "each run ends exactly as `lattice()` with its seed would).",
        "",
        "| work | C events/s | hyosan events/s | hyosan / C |",
        "|---|---|---|---|",
    ]
    ratios = []
    for L, runs in ((128, 20), (32, 200)) if quick else ((2048, 1), (128, 1000)):
        rows, c_secs = run_clattice(L, 0.25, runs, 1)
        t0 = time.perf_counter()
        if runs == 1:
            events = lattice(net, L, seed=0).events
        else:  # many runs in one call, as their driver makes them: the lattice is reset in place
            events = int(lattice_runs(net, L, range(runs)).events.sum())
        hy_secs = time.perf_counter() - t0
        c_rate, hy_rate = c_events(rows).sum() / c_secs, events / hy_secs
        lines.append(
            f"| {runs:,} run{'s' if runs > 1 else ''} at L = {L:,} | {c_rate:,.0f} | {hy_rate:,.0f} "
            f"| {hy_rate / c_rate:.2f} |"
        )
        ratios.append((L, runs, hy_rate / c_rate))
    lines.append("")
    for L, runs, r in ratios:
        lines.append(
            f"Target (issue 14): at least the C code's events per second, {runs:,} run(s) at L = {L:,}: "
            f"{'met' if r >= 1 else 'MISSED'} ({r:.2f} x)."
        )
    return lines


def spans(site: np.ndarray, S: int) -> tuple[bool, int]:
    """Whether the infected cluster (every non-human site) reaches the edge ring around the start,
    and its mass."""
    infected = site != S
    ring = np.zeros_like(infected)
    ring[[0, -1], :] = True
    ring[:, [0, -1]] = True
    return bool((infected & ring).any()), int(infected.sum())


def study(argv: list[str]) -> None:
    """Finite-size study: spanning probability P_L(alpha), its crossings, and mass scaling at alpha_c."""
    quick = "--quick" in argv
    sizes = (16, 32) if quick else (32, 64, 128, 256, 512)
    alphas = np.round(np.arange(0.30, 0.601, 0.1 if quick else 0.02), 3)
    runs = 20 if quick else 1000
    rng_seed = 20261124
    net = hyosan.model("alemi")
    S = net.index("S")
    t0 = time.perf_counter()
    span = {}  # (L, alpha) -> array of 0/1
    for L in sizes:
        for a in alphas:
            m = net.with_values(alpha=float(a))
            # independent seeds for each size, so the bootstrap treats the samples as independent
            span[L, a] = np.array(
                [spans(lattice(m, L, seed=rng_seed + 1_000_003 * L + i).site, S)[0] for i in range(runs)]
            )
    # crossings of successive sizes, by linear interpolation of Q_L - Q_2L; bootstrap for the error bar.
    # Run i of a size uses the same seed at every alpha, so whether it dies out in its first few
    # events hardly depends on alpha: each size's curve carries its own offset (a few hundredths,
    # the sampling error of that early die-out) over the whole plateau. Q_L = P_L / (P_L on the
    # plateau, alpha <= PLATEAU) takes that offset out; the bootstrap resamples runs, not points,
    # so that it keeps the same structure.
    plateau = alphas <= PLATEAU
    rng = np.random.default_rng(1)
    crossings = []
    for L1, L2 in zip(sizes, sizes[1:]):
        est = []
        for b in range(200 if not quick else 20):
            pick = {L: (rng.integers(0, runs, runs) if b else np.arange(runs)) for L in (L1, L2)}
            q = {L: np.array([span[L, a][pick[L]].mean() for a in alphas]) for L in (L1, L2)}
            q = {L: v / max(v[plateau].mean(), 1e-9) for L, v in q.items()}
            diff = q[L1] - q[L2]
            # below alpha_c both curves sit on the plateau and the difference only wanders around
            # zero; above it the larger lattice spans less. The estimate: the last alpha above the
            # plateau (where the smaller lattice still spans) with Q_L - Q_2L <= 0 after which the
            # difference stays positive, interpolated to the next point.
            live = np.array([span[L1, a].mean() > 0.02 for a in alphas]) & ~plateau
            idx = np.flatnonzero(live)
            above = [k for k in range(len(idx) - 1) if diff[idx[k]] <= 0 and all(diff[idx[k + 1 :]] > 0)]
            if above:
                i, j = idx[above[-1]], idx[above[-1] + 1]
                est.append(alphas[i] + (alphas[j] - alphas[i]) * diff[i] / (diff[i] - diff[j]))
        if est:  # the median over resamples: one sample's wander near zero can hide the crossing
            crossings.append(
                (
                    L1,
                    L2,
                    float(np.median(est)),
                    float(np.std(est)) if len(est) > 2 else float("nan"),
                    len(est),
                )
            )
    alpha_c = crossings[-1][2] if crossings else float("nan")
    err = crossings[-1][3] if crossings else float("nan")
    # mass of spanning clusters at alpha_c against L; D's error bar: a bootstrap of the runs, and
    # D again at alpha_c -/+ its error, since D depends on where alpha_c is taken
    mass_sizes = (16, 32) if quick else (32, 64, 128, 256, 512, 1024)

    def masses_at(alpha: float) -> list[np.ndarray]:
        m = net.with_values(alpha=float(alpha))
        return [
            np.array(
                [
                    mass
                    for ok, mass in (
                        spans(lattice(m, L, seed=rng_seed + 7919 * i).site, S)
                        for i in range(runs if L < 512 else runs // 4)
                    )
                    if ok
                ],
                float,
            )
            for L in mass_sizes
        ]

    def fit(samples: list[np.ndarray]) -> float:
        good = [(L, x.mean()) for L, x in zip(mass_sizes, samples) if x.size]
        return (
            float(np.polyfit(np.log([L for L, _ in good]), np.log([M for _, M in good]), 1)[0])
            if len(good) > 1
            else float("nan")
        )

    at_c = masses_at(alpha_c)
    masses = [(L, float(x.mean()) if x.size else float("nan"), x.size) for L, x in zip(mass_sizes, at_c)]
    D = fit(at_c)
    boot = [
        fit([rng.choice(x, x.size) if x.size else x for x in at_c]) for _ in range(200 if not quick else 20)
    ]
    D_err = float(np.nanstd(boot))
    D_side = (
        (fit(masses_at(alpha_c - err)), fit(masses_at(alpha_c + err)))
        if np.isfinite(err)
        else (np.nan, np.nan)
    )
    wall = time.perf_counter() - t0
    png = ROOT / "docs" / "lattice_crossing.png"
    if not quick:
        _plot(span, sizes, alphas, masses, png)
    text = _report(sizes, alphas, span, runs, crossings, alpha_c, err, masses, D, D_err, D_side, wall)
    print(text)
    if not quick:
        (ROOT / "docs" / "lattice.md").write_text(text)


def _plot(span, sizes, alphas, masses, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for L in sizes:
        ax.plot(alphas, [span[L, a].mean() for a in alphas], marker="o", label=f"L = {L}")
    ax.set(xlabel="alpha", ylabel="P(outbreak spans the lattice)", title="spanning probability")
    ax.legend()
    good = [(L, M) for L, M, n in masses if n > 0]
    ax2.loglog(*zip(*good), marker="o", label="mean spanning mass")
    Ls = np.array([L for L, _ in good], float)
    ax2.loglog(Ls, good[0][1] * (Ls / Ls[0]) ** PERCOLATION_D, "--", label="slope 91/48 (percolation)")
    ax2.set(xlabel="L", ylabel="infected sites", title="mass at alpha_c")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _report(sizes, alphas, span, runs, crossings, alpha_c, err, masses, D, D_err, D_side, wall) -> str:
    lines = [
        "# Alemi's lattice model: the critical alpha",
        "",
        f"Generated by `python -m benchmarks lattice-study` ({wall / 60:.1f} minutes on: {machine()}); "
        "every figure below is from that run.",
        "",
        "## The model",
        "",
        "`hyosan lattice --alpha A --size L` runs the `alemi` network on a periodic L x L square lattice, "
        "one "
        "person per site, 4 neighbours (hyosan.solvers.lattice). Each event picks one active bond (a zombie "
        "next to a human) uniformly; with probability 1/(1 + alpha) the human is bitten and becomes a "
        "zombie, "
        "otherwise the zombie is destroyed; removed sites block. Events come from the network's own S + Z "
        "reactions and rates, not from a second copy of the model.",
        "",
        "## Method",
        "",
        "One zombie at the centre of an L x L lattice; an outbreak *spans* when its infected cluster "
        "(zombies "
        f"and destroyed zombies) reaches the lattice's edge ring. For L in {', '.join(map(str, sizes))} and "
        f"alpha from {alphas[0]:g} to {alphas[-1]:g} in steps of {alphas[1] - alphas[0]:g}, "
        f"{runs} seeded runs "
        "each estimate the spanning probability P_L(alpha). Below alpha_c a run either dies out early or "
        "spans, so every size shares one plateau (the early-survival probability); above alpha_c spanning "
        "becomes rarer the larger L. Run i of each size uses one seed at every alpha, so each curve carries "
        "its own sampling offset over the plateau; dividing by the plateau "
        f"(alpha <= {PLATEAU:.2f}) takes it "
        "out (Q_L = P_L / plateau). The curves of successive sizes separate at alpha_c: each estimate is the "
        "highest-alpha sign change of Q_L - Q_2L above the plateau, located by linear interpolation, with a "
        "bootstrap (200 resamples of the runs, the same runs at every alpha) for its error. "
        "The fractal dimension D comes from the mean mass "
        "of spanning clusters at the estimated alpha_c against L (mass ~ L^D), fitted on a log-log scale.",
        "",
        "## Spanning probability",
        "",
        "| alpha | " + " | ".join(f"L = {L}" for L in sizes) + " |",
        "|---" * (len(sizes) + 1) + "|",
    ]
    for a in alphas:
        lines.append(f"| {a:g} | " + " | ".join(f"{span[L, a].mean():.3f}" for L in sizes) + " |")
    lines += [
        "",
        "![spanning probability and mass scaling](lattice_crossing.png)",
        "",
        "## Critical alpha",
        "",
        "| sizes | crossing alpha (median of resamples) | bootstrap sd | resamples with a crossing |",
        "|---|---|---|---|",
    ]
    lines += [f"| {L1} and {L2} | {a:.4f} | {e:.4f} | {n} of 200 |" for L1, L2, a, e, n in crossings]
    lines += [
        "",
        f"Estimate: alpha_c = {alpha_c:.3f} +/- {err:.3f} (the crossing of the two largest sizes; the "
        "drift of the crossings with L is a finite-size correction not extrapolated away here).",
        "",
        "## Fractal dimension at alpha_c",
        "",
        "| L | mean mass of spanning clusters | spanning runs |",
        "|---|---|---|",
    ]
    lines += [f"| {L} | {M:,.0f} | {n} |" for L, M, n in masses]
    lines += [
        "",
        f"Fit: D = {D:.3f} +/- {D_err:.3f} (bootstrap of the runs); taking alpha_c at the ends of its "
        f"error bar instead gives D = {D_side[0]:.3f} (alpha_c - {err:.3f}) and {D_side[1]:.3f} "
        f"(alpha_c + {err:.3f}). Critical 2D percolation clusters have D = 91/48 = {PERCOLATION_D:.3f}.",
        "",
        "## Against the paper",
        "",
        "Alemi et al. (2015) place the lattice model in the 2D percolation universality class. The table "
        "shows a sharp transition as they say: the spanning probabilities of all sizes agree below it and "
        "fall to zero above it, faster the larger L. The fractal dimension of the spanning clusters at the "
        f"estimated alpha_c, {D:.3f} +/- {D_err:.3f}, is to be compared with percolation's 91/48 = "
        f"{PERCOLATION_D:.3f}: "
        + (
            "consistent with it within two error bars, as the paper claims, at these sizes. "
            if abs(D - PERCOLATION_D) < 2 * D_err
            else "more than two error bars away, so these sizes do not confirm the paper's claim. "
        )
        + (
            "Percolation's value lies between the fits at the two ends of alpha_c's error bar, so the "
            "uncertainty in alpha_c matters more than the sampling error. "
            if min(D_side) <= PERCOLATION_D <= max(D_side)
            else ""
        )
        + "A careful test would need larger lattices, finer alpha near alpha_c "
        "and corrections to scaling; this study does not attempt one.",
    ]
    return "\n".join(lines) + "\n"
