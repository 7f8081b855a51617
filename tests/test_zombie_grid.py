"""hyosan's zombie-grid and the Mesa one are the same model: zombie counts at step 100 agree.

N = 2,000, 20 seeds each, as ../shared/bench/zombie-grid.md asks, for both of hyosan's
activation orders (uniformly random, and tile by tile). Tests at level 0.001 with
fixed seeds: Welch's t-test on the means, an F test on the variances, and a two-sample
Kolmogorov-Smirnov test on the distributions.
"""

import numpy as np
import pytest
from scipy import stats

from benchmarks.zombie_grid.hyosan_model import ZombieGrid
from benchmarks.zombie_grid.mesa_model import ZombieGridModel

N, SEEDS, STEPS = 2_000, 20, 100


def mesa_zombies(seed: int) -> int:
    model = ZombieGridModel(N, seed)
    for _ in range(STEPS):
        model.step()
    return model.zombies()


@pytest.fixture(scope="module")
def mesa_sample():
    return np.array([mesa_zombies(2000 + s) for s in range(SEEDS)])


@pytest.mark.parametrize("order", ["random", "tiles"])
def test_hyosan_and_mesa_zombie_counts_agree_in_distribution(mesa_sample, order):
    ours = np.array([ZombieGrid(N, 1000 + s, order).run(STEPS).zombies() for s in range(SEEDS)])
    theirs = mesa_sample
    msg = (
        f"hyosan mean {ours.mean():.1f} sd {ours.std(ddof=1):.1f}; "
        f"mesa mean {theirs.mean():.1f} sd {theirs.std(ddof=1):.1f}"
    )
    assert stats.ttest_ind(ours, theirs, equal_var=False).pvalue > 1e-3, msg
    f = ours.var(ddof=1) / theirs.var(ddof=1)
    p_f = 2 * min(stats.f.cdf(f, SEEDS - 1, SEEDS - 1), stats.f.sf(f, SEEDS - 1, SEEDS - 1))
    assert p_f > 1e-3, msg
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-3, msg
    assert ours.mean() > 20  # the outbreak does grow: the comparison is not of two empty worlds


def test_hyosan_zombie_grid_is_deterministic_per_seed():
    a, b = ZombieGrid(3000, 5).run(30), ZombieGrid(3000, 5).run(30)
    assert np.array_equal(a.state.xy, b.state.xy) and np.array_equal(a.state.kind, b.state.kind)
    assert not np.array_equal(a.state.xy, ZombieGrid(3000, 6).run(30).state.xy)
