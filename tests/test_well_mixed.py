"""The well-mixed limit: with walls gone and everyone reshuffled every step, the agent model's
counts follow the Alemi SZR model solved exactly by SSA with the matching rates.

Mapping. Each step every zombie attacks with probability a = attack_rate * dt if one of the 9
cells around it holds prey; with A open cells and S prey scattered uniformly that chance is
1 - (1 - 9/A)^S, about 9 S / A at low density. The attack bites with probability 1 - p_win and
destroys the zombie with p_win = fight_odds * s / (s + s). So beta = a * 9/A * (1 - p_win) and
alpha = p_win / (1 - p_win), in seconds. Bites are instant here (bite_seconds = 0): a fight that
holds the zombie 4 s is not mass action (it measurably slowed the spread: S 15 % high at 250 s).
The bitten count as zombies (they turn within two steps). Approximation errors: density
(9 S / A <= 0.05 here, under 3% in the rate), the turning delay and discrete steps; the test
uses 40 agent runs against 400 SSA runs and a two-sample Kolmogorov-Smirnov test at level 0.001
on S and Z at three times, with fixed seeds.
"""

import numpy as np
from scipy import stats

import hyosan
from hyosan.agents import Kind
from hyosan.solvers import ssa
from tests.agent_helpers import world

SIDE = 200
ATTACK, FIGHT = 0.5, 0.5
S0, Z0 = 200, 10


def open_world(tmp_path, seed):
    grid = (
        ["#" * (SIDE + 2)]
        + ["#" + "m" * SIDE + "#"] * SIDE
        + ["#" * (SIDE // 2) + "L" + "#" * (SIDE // 2 + 1)]
    )
    grid.append(" " * (SIDE // 2) + "E")
    toml = (
        "well_mixed = true\n[humans]\nwalk_speed = 1e-9\nrun_speed = 1e-9\nfight_odds = %g\n"
        "[zombies]\nspeed = 1e-9\nwander_speed = 0\nattack_rate = %g\nstrength = 1.0\nbite_seconds = 0\n"
        "[virus]\nturn_median_seconds = 1\nturn_spread = 0\nhidden_bite_fraction = 0\nhybrid_fraction = 0\n"
        '[[population]]\nroom = "mall"\ncount = %d\nstrength = 1.0\n'
    ) % (FIGHT, ATTACK, S0 + Z0)
    sim = world(tmp_path, "\n".join(grid), {"m": "mall"}, toml, seed=seed)
    for a in range(Z0):
        sim.make(a, Kind.ZOMBIE)
    return sim


def test_agent_counts_follow_alemi_ssa_in_the_well_mixed_limit(tmp_path):
    times = (100, 250, 600)
    abm = []
    for seed in range(40):
        sim = open_world(tmp_path, seed)
        area = sim.mixing_area
        row = []
        for t in times:
            sim.run(days=(t - sim.t) / 86400)
            k, bitten = sim.agents.kind, sim.agents.bitten_at >= 0
            humans = k == Kind.HUMAN
            row.append(((humans & ~bitten).sum(), (k == Kind.ZOMBIE).sum() + (humans & bitten).sum()))
        abm.append(row)
    abm = np.array(abm)  # runs, times, (S, Z)
    p_win = FIGHT * 0.5
    beta = ATTACK * 9 / area * (1 - p_win)
    net = hyosan.model("alemi").with_values(S=S0, Z=Z0, beta=beta, alpha=p_win / (1 - p_win))
    tr = ssa(net, t_end=600, n_points=601, runs=400, seed=2024)
    for i, t in enumerate(times):
        for j, name in enumerate(("S", "Z")):
            ref = tr[name][:, t]
            p = stats.ks_2samp(abm[:, i, j], ref).pvalue
            assert p > 1e-3, (name, t, abm[:, i, j].mean(), ref.mean(), p)
    # and the comparison has teeth: a model with half the bite rate is told apart
    slow = ssa(net.with_values(beta=beta / 2), t_end=600, n_points=601, runs=400, seed=7)
    assert stats.ks_2samp(abm[:, 1, 1], slow["Z"][:, 250]).pvalue < 1e-3
