"""Metapopulation solver: bookkeeping, determinism, exact vs the well-mixed SSA, tau vs exact."""

import numpy as np
import pytest
from scipy import stats

from hyosan import reactions
from hyosan.errors import HyosanError
from hyosan.reactions.network import Reaction
from hyosan.solvers import ssa
from hyosan.solvers.metapop import metapopulation, spatial_rules

BETA = 0.0018
NET = reactions.get("alemi-sezr").with_values(alpha=0.8, beta=BETA)
MU = 1 / (11 * BETA * 500)


def _raster(seed=4, shape=(6, 7)):
    pop = np.random.default_rng(seed).integers(0, 300, size=shape)
    pop[pop < 40] = 0  # some empty cells, which block
    pop[3, 3] = 1500
    return pop


def test_pair_split_places_products_where_they_belong():
    split = lambda s: Reaction.parse("r", s, "k").pair_split()  # noqa: E731
    assert split("S + Z -> E + Z") == ("S", "Z", "E", "Z")
    assert split("S + Z -> S + R") == ("S", "Z", "S", "R")
    assert split("S + Z -> 2 Z") == ("S", "Z", "Z", "Z")
    assert split("E -> Z") is None and split("2 Z -> Z") is None and split("S + Z -> R") is None


def test_rules_read_zombietown_from_the_network():
    first = spatial_rules(NET, MU)
    S, E, Z, R = (NET.index(s) for s in "SEZR")
    assert first.pa.tolist() == [S, S] and first.pb.tolist() == [Z, Z]
    np.testing.assert_allclose(first.pk, [MU * BETA, MU * 0.8 * BETA])
    assert first.d_own[0].tolist() == [-1, 1, 0, 0] and first.d_part[1].tolist() == [0, 0, -1, 1]
    zomb = spatial_rules(NET, MU, owner="zombie")  # tau: the zombie's cell carries both border events
    assert zomb.pa.tolist() == [Z, Z] and zomb.pb.tolist() == [S, S]
    assert zomb.d_part[0].tolist() == [-1, 1, 0, 0] and zomb.d_own[1].tolist() == [0, 0, -1, 1]
    with pytest.raises(HyosanError, match="mu must be a finite number >= 0"):
        spatial_rules(NET, -1.0)


@pytest.mark.parametrize("mode", ["exact", "tau"])
def test_people_are_conserved_and_counts_stay_whole(mode):
    pop = _raster()
    run = metapopulation(
        NET,
        pop,
        (3, 3),
        40.0,
        mode=mode,
        mu=MU,
        walk=0.05,
        zombies=20,
        seed=1,
        snapshot_times=(10.0, 40.0),
        n_points=21,
    )
    totals = run.trajectory.x[0].sum(axis=1)
    assert (totals == pop.sum()).all()
    assert run.final.min() >= 0 and (run.final.sum(axis=1) >= 0).all()
    assert run.final.sum() == pop.sum()
    for grid in run.snapshots.values():
        assert grid.sum() == pop.sum() and (grid[pop == 0] == 0).all()  # nobody enters empty cells
    assert run.trajectory["R"][0, -1] > 0 and np.isfinite(run.arrival).sum() > 1


@pytest.mark.parametrize("mode", ["exact", "tau"])
def test_same_seed_same_run_other_seed_other_run(mode):
    pop = _raster()
    a, b, c = (
        metapopulation(NET, pop, (3, 3), 20.0, mode=mode, mu=MU, zombies=20, seed=s) for s in (5, 5, 6)
    )
    np.testing.assert_array_equal(a.final, b.final)
    np.testing.assert_array_equal(a.arrival, b.arrival)
    assert not np.array_equal(a.final, c.final)


def test_exact_on_one_cell_is_the_well_mixed_ssa_in_distribution():
    pop = np.array([[400]])
    t_end, runs = 3.0, 300
    meta = [
        metapopulation(NET, pop, (0, 0), t_end, zombies=5, seed=s, n_points=2).trajectory.x[0, -1]
        for s in range(runs)
    ]
    well = ssa(NET.with_values(S=395, Z=5), t_end, 2, runs=runs, seed=99).x[:, -1]
    for s in ("S", "R"):
        i = NET.index(s)
        assert stats.ks_2samp(np.array(meta)[:, i], well[:, i]).pvalue > 1e-3, s


def _finals(mode, pop, runs, t_end, **kw):
    return np.array(
        [
            metapopulation(
                NET, pop, (1, 1), t_end, mode=mode, mu=MU, zombies=10, seed=s, n_points=2, **kw
            ).trajectory.x[0, -1]
            for s in range(runs)
        ]
    )


def test_tau_agrees_with_exact_in_distribution_on_a_small_raster():
    pop = np.full((3, 3), 20000)
    t_end, runs = 1.8, 300
    exact = _finals("exact", pop, runs, t_end)
    tau = _finals("tau", pop, runs, t_end)
    for s in ("S", "E", "R"):
        i = NET.index(s)
        assert stats.ks_2samp(exact[:, i], tau[:, i]).pvalue > 1e-3, s
    # negative control: the same test tells a clearly wrong border lag apart
    coarse = _finals("tau", pop, runs, t_end, dt=t_end)
    assert stats.ks_2samp(exact[:, NET.index("S")], coarse[:, NET.index("S")]).pvalue < 1e-3


def test_bad_arguments_are_refused():
    pop = _raster()
    with pytest.raises(HyosanError, match="mode must be one of exact, tau"):
        metapopulation(NET, pop, (3, 3), 1.0, mode="fast")
    with pytest.raises(HyosanError, match="not an inhabited cell"):
        metapopulation(NET, pop, (0, 100), 1.0)
    with pytest.raises(HyosanError, match="zombies must be between 1"):
        metapopulation(NET, pop, (3, 3), 1.0, zombies=10**6)
    with pytest.raises(HyosanError, match="end time must be > 0"):
        metapopulation(NET, pop, (3, 3), 0.0)
