"""Alemi's lattice model: bond bookkeeping, conservation, determinism, and the two phases."""

import numpy as np
import pytest
from scipy import stats

import hyosan
from hyosan import HyosanError
from hyosan.solvers.lattice import (
    SPECIES,
    LatticeState,
    lattice,
    lattice_runs,
    pick_bond,
    rules,
    start_lattice,
)


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


def flagged(site, L):
    """Bond ids whose flag bit is set in the site bytes."""
    out = set()
    for i in range(L * L):
        for d in range(2):
            if site[i] & (64 << d):
                out.add(2 * i + d)
    return out


@pytest.mark.parametrize(
    "alpha, L, seed", [(0.3, 8, 1), (1.0, 12, 2), (3.0, 16, 3), (0.1, 5, 4), (0.2, 4, 5)]
)
def test_bond_bookkeeping_matches_a_brute_force_count_after_every_event(alpha, L, seed):
    net = hyosan.model("alemi").with_values(alpha=alpha)
    state = LatticeState(rules(net), start_lattice(L, net, zombies=2), seed, 3, buffer=64)
    rec_t, rec_c = np.zeros(1), np.zeros((1, 3), np.int64)
    steps = 0
    while state.n > 0:
        steps += state.advance(1, np.inf, rec_t, rec_c, 0)
        site, listed = state.site, state.bonds[: state.m].tolist()
        active = brute_force_bonds(site & SPECIES, 0, 1, L)
        assert state.n == len(active)  # the count that sets the clock is exact
        assert active <= set(listed)  # every active bond is listed ...
        assert len(set(listed)) == len(listed)  # ... once
        assert flagged(site, L) == set(listed)  # and the flags say exactly what is listed
        assert state.counts.tolist() == np.bincount(site & SPECIES, minlength=3).tolist()
    assert steps > 0 and state.m <= 2 * L * L


def test_a_pick_is_uniform_over_active_bonds_even_with_stale_entries():
    net = hyosan.model("alemi").with_values(alpha=0.3)
    L = 24
    state = LatticeState(rules(net), start_lattice(L, net, zombies=9), 7, 3, buffer=256)
    rec_t, rec_c = np.zeros(1), np.zeros((1, 3), np.int64)
    state.advance(60, np.inf, rec_t, rec_c, 0)
    active = sorted(brute_force_bonds(state.site & SPECIES, 0, 1, L))
    assert state.m > len(active) > 10  # stale entries are there to be stepped over
    rng = np.random.default_rng(11)
    m, hits = state.m, {b: 0 for b in active}
    draws = 300 * len(active)
    for _ in range(draws):
        b, m, _ = pick_bond(state.site, state.partner, state.bonds, m, L, rng.random(64))
        hits[int(b)] += 1  # a KeyError here would be a pick of a bond that is not active
    assert stats.chisquare(list(hits.values())).pvalue > 1e-3
    # a pick drops the stale entries it lands on, and nothing else
    assert set(state.bonds[:m].tolist()) >= set(active) and m < state.m


def reference_run(beta, alpha, L, zombies, rng):
    """Alemi's model by the book: list every active bond before every event, pick one uniformly;
    a bond bites at rate beta and kills at rate alpha beta."""
    grid = np.zeros(L * L, int)
    grid[start_lattice(L, hyosan.model("alemi"), zombies) == 1] = 1
    t = 0.0
    while True:
        bonds = [
            (i, j)
            for i in range(L * L)
            for j in (i // L * L + (i + 1) % L, (i + L) % (L * L))
            if {grid[i], grid[j]} == {0, 1}
        ]
        if not bonds:
            return t, int((grid == 0).sum())
        t += rng.exponential(1 / (len(bonds) * beta * (1 + alpha)))
        i, j = bonds[rng.integers(len(bonds))]
        h, z = (i, j) if grid[i] == 0 else (j, i)
        if rng.random() < 1 / (1 + alpha):
            grid[h] = 1
        else:
            grid[z] = 2


def test_the_fast_lattice_has_the_law_of_the_by_the_book_model():
    """Final humans and the time the outbreak ends, 1500 runs each, on a 5 x 5 lattice."""
    alpha, L, runs = 0.8, 5, 1500
    net = hyosan.model("alemi").with_values(alpha=alpha)
    fast = [lattice(net, L, seed=s, zombies=2) for s in range(runs)]
    fast_s = [r.counts()["S"] for r in fast]
    fast_t = [r.trajectory.t[-1] for r in fast]
    rng = np.random.default_rng(5)
    ref = [reference_run(net.params()["beta"], alpha, L, 2, rng) for _ in range(runs)]
    assert stats.ks_2samp(fast_t, [t for t, _ in ref]).pvalue > 1e-3
    assert stats.ks_2samp(fast_s, [s for _, s in ref]).pvalue > 1e-3
    assert stats.ks_2samp(fast_s, [s + 1 for _, s in ref]).pvalue < 1e-3  # the check can fail


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
    bite = list(hyosan.model("alemi").reactions).index(
        next(r for r in hyosan.model("alemi").reactions if r.name == "bite")
    )
    assert rl.prob[bite] == pytest.approx(1 / 1.6)


def test_networks_that_are_not_pair_events_are_refused():
    with pytest.raises(HyosanError, match="reaction 'turn' of model alemi-sezr is E -> Z"):
        rules(hyosan.model("alemi-sezr"))
    with pytest.raises(HyosanError, match="needs species S and Z|pair events"):
        rules(hyosan.model("munz-basic"))


def test_a_batch_of_runs_ends_as_the_single_runs_do():
    """lattice_runs resets the lattice in place between runs and keeps no clock: each seed still
    ends exactly as lattice(seed=s) does."""
    net = hyosan.model("alemi").with_values(alpha=0.3)
    seeds = [5, 0, 17, 2**53 - 1, 5]
    batch = lattice_runs(net, 40, seeds)
    for k, s in enumerate(seeds):
        one = lattice(net, 40, seed=s)
        c = one.counts()
        assert batch.counts[k].tolist() == [c["S"], c["Z"], c["R"]]
        assert batch.events[k] == one.events
        # bites and kills: each bite makes one zombie, each kill one removed site
        assert batch.fired[k].tolist() == [c["Z"] + c["R"] - 1, c["R"]]
    assert batch.counts[0].tolist() == batch.counts[-1].tolist()
    assert len({tuple(x) for x in batch.counts.tolist()}) > 2  # the seeds do tell different stories


def test_a_batch_stops_at_the_last_radius_and_notes_the_first_reach_of_each():
    net = hyosan.model("alemi").with_values(alpha=0.2)
    L, radii = 64, [2, 5, 10]
    batch = lattice_runs(net, L, range(60), radii=radii)
    reached = batch.fired_at[:, :, 0] >= 0
    assert (batch.reach[reached[:, -1]] == 10).all()  # a run that gets to 10 stops there
    assert (batch.reach[~reached[:, -1]] < 10).all() and (~reached[:, -1]).any()
    for k, r in enumerate(radii):
        assert (reached[:, k] == (batch.reach >= r)).all()
        # the counts at the first reach are a prefix of the run's events
        assert (batch.fired_at[reached[:, k], k] <= batch.fired[reached[:, k]]).all()
    assert (np.diff(batch.fired_at[reached[:, -1]].sum(axis=2), axis=1) > 0).all()
    # nothing from a stopped run leaks into the next: a run repeated alone ends the same
    again = lattice_runs(net, L, [int(batch.seeds[-1])], radii=radii)
    assert again.fired[0].tolist() == batch.fired[-1].tolist()
    with pytest.raises(HyosanError, match="radii must increase"):
        lattice_runs(net, L, [1], radii=[5, 40])


@pytest.mark.parametrize("buffer", [16, 100, 4096])
def test_a_seed_does_not_depend_on_the_size_of_the_random_buffers(buffer):
    net = hyosan.model("alemi").with_values(alpha=0.3)
    rec_t, rec_c = np.zeros(1), np.zeros((1, 3), np.int64)
    ends = []
    for size in (buffer, None):
        state = LatticeState(rules(net), start_lattice(48, net), 1, 3, buffer=size)
        state.advance(10**9, np.inf, rec_t, rec_c, 0)
        ends.append((state.site & SPECIES, state.t, state.fired.tolist()))
    assert np.array_equal(ends[0][0], ends[1][0]) and ends[0][1:] == ends[1][1:]
    assert ends[0][2][0] > 100  # a run long enough to cross many buffer ends
