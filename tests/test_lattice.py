"""Alemi's lattice model: bond bookkeeping, conservation, determinism, and the two phases."""

import numpy as np
import pytest

import hyosan
from hyosan import HyosanError
from hyosan.solvers.lattice import events, init_bonds, lattice, rules, start_lattice


def brute_force_bonds(site, S, Z, L):
    """Every zombie-human edge of the periodic lattice, counted directly."""
    grid = site.reshape(L, L)
    out = set()
    for r in range(L):
        for c in range(L):
            for d, (rr, cc) in ((0, (r, (c + 1) % L)), (1, ((r + 1) % L, c))):
                a, b = grid[r, c], grid[rr, cc]
                if {a, b} == {S, Z}:
                    out.add(2 * (r * L + c) + d)
    return out


@pytest.mark.parametrize("alpha, L, seed", [(0.3, 8, 1), (1.0, 12, 2), (3.0, 16, 3), (0.1, 5, 4)])
def test_active_bonds_match_a_brute_force_count_after_every_event(alpha, L, seed):
    net = hyosan.model("alemi").with_values(alpha=alpha)
    rl = rules(net)
    site = start_lattice(L, net, zombies=2)
    active = np.empty(2 * L * L, np.int32)
    where = np.empty(2 * L * L, np.int32)
    n = init_bonds(site, rl.s, rl.z, active, where, L)
    counts = np.bincount(site, minlength=3).astype(np.int64)
    rng = np.random.default_rng(seed)
    rec_t, rec_c = np.zeros(1), np.zeros((1, 3), np.int64)
    t, steps = 0.0, 0
    while n > 0:
        n, t, done, _ = events(site, L, rl.s, rl.z, rl.prob, rl.to_s, rl.to_z, rl.rate, active, where, n, t, counts,
                               1, np.inf, rng, rec_t, rec_c, 0, 0)
        steps += done
        assert set(active[:n].tolist()) == brute_force_bonds(site, rl.s, rl.z, L)
        assert len(set(active[:n].tolist())) == n  # no duplicates
        assert all(where[b] == p for p, b in enumerate(active[:n]))
        assert counts.tolist() == np.bincount(site, minlength=3).tolist()
    assert steps > 0


def test_people_are_conserved_and_removed_sites_block():
    net = hyosan.model("alemi").with_values(alpha=0.5)
    run = lattice(net, 64, seed=3)
    assert run.trajectory.x[0].sum(axis=1).tolist() == [64 * 64] * run.trajectory.t.size
    c = run.counts()
    assert c["S"] + c["Z"] + c["R"] == 64 * 64
    # the run ends with no zombie next to a human
    assert brute_force_bonds(run.site.reshape(-1), 0, 1, 64) == set()


def test_same_seed_same_lattice():
    net = hyosan.model("alemi").with_values(alpha=0.35)
    a, b, c = lattice(net, 48, seed=9), lattice(net, 48, seed=9), lattice(net, 48, seed=10)
    assert np.array_equal(a.site, b.site) and a.events == b.events
    assert not np.array_equal(a.site, c.site)


def test_low_alpha_zombies_take_the_lattice_high_alpha_they_die_out():
    low = [lattice(hyosan.model("alemi").with_values(alpha=0.05), 64, seed=s).counts() for s in range(10)]
    assert np.mean([c["S"] == 0 for c in low]) >= 0.8
    high = [lattice(hyosan.model("alemi").with_values(alpha=2.0), 64, seed=s).counts() for s in range(10)]
    assert all(c["Z"] == 0 and c["S"] > 64 * 64 * 0.9 for c in high)


def test_bite_probability_is_one_over_one_plus_alpha():
    rl = rules(hyosan.model("alemi").with_values(alpha=0.6))
    bite = list(hyosan.model("alemi").reactions).index(next(r for r in hyosan.model("alemi").reactions if r.name == "bite"))
    assert rl.prob[bite] == pytest.approx(1 / 1.6)


def test_networks_that_are_not_pair_events_are_refused():
    with pytest.raises(HyosanError, match="reaction 'turn' of model alemi-sezr is E -> Z"):
        rules(hyosan.model("alemi-sezr"))
    with pytest.raises(HyosanError, match="needs species S and Z|pair events"):
        rules(hyosan.model("munz-basic"))
