"""Solvers against the papers, against each other and against closed forms.

Stochastic tests use fixed seeds (so they are reproducible) and state their tolerance in
standard errors; they would fail if a solver were biased by more than that.
"""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import hyosan
from hyosan import HyosanError
from hyosan.reactions import Impulse, SetParameter
from hyosan.reactions.analytics import alemi_closed_form, alemi_extinction_probability, alemi_final_state
from hyosan.solvers import ode, ssa, tau
from tests.conftest import binomial_se


def test_munz_basic_reproduces_the_paper_figure():
    """Munz et al. Fig. (basic model): one zombie among 500, doomsday within days."""
    tr = ode(hyosan.model("munz-basic"))
    S, Z = tr["S"][0], tr["Z"][0]
    cross = tr.crossing_times()
    # zombies outnumber humans on day 2-4, humans are gone (< 1) within about a week
    assert 2.0 < cross["zombies_outnumber_humans"][0] < 4.0
    assert 4.0 < cross["humans_below_one"][0] < 7.0
    assert S[-1] < 1e-3 and Z[-1] > 200
    assert np.all(np.diff(S) <= 1e-9)  # humans only decline when Pi = 0


@pytest.mark.parametrize(
    "name", ["munz-basic", "munz-latent", "munz-quarantine", "munz-treatment", "alemi", "alemi-sezr", "jonas"]
)
def test_population_is_conserved(name):
    net = hyosan.model(name)
    assert net.params().get("Pi", 0.0) == 0.0
    total = net.x0().sum()
    det = ode(net).x[0].sum(axis=1)
    np.testing.assert_allclose(det, total, rtol=1e-6)
    for solver in (ssa, tau):
        sto = solver(net, runs=3, seed=1).x.sum(axis=2)
        assert np.all(sto == total)


def test_ode_matches_alemi_closed_form():
    net = hyosan.model("alemi").with_values(S=9990, Z=10, alpha=0.6, beta=0.0002)
    tr = ode(net, t_end=10)
    exact = alemi_closed_form(tr.t, 9990, 10, 0, 0.0002, 0.6)
    np.testing.assert_allclose(tr.x[0], exact, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("alpha", [0.5, 1.5])
def test_alemi_final_state_closed_form(alpha):
    net = hyosan.model("alemi").with_values(S=990, Z=10, alpha=alpha, beta=0.01)
    tr = ode(net, t_end=200)
    want = alemi_final_state(990, 10, 0, alpha)
    got = dict(zip(tr.species, tr.final[0]))
    for s in "SZR":
        assert got[s] == pytest.approx(want[s], abs=1e-3)
    if alpha > 1:
        assert want["S"] == pytest.approx(990 - 10 / (alpha - 1))


def test_ssa_ensemble_mean_approaches_ode_as_n_grows():
    """Max over time of |mean SSA - ODE| / N shrinks with N (fluctuations ~ 1/sqrt(N))."""
    errors = []
    for N in (1_000, 10_000, 100_000):
        net = hyosan.model("alemi").with_values(S=N - N // 100, Z=N // 100, alpha=0.5, beta=1.8 / N)
        det = ode(net, t_end=8, n_points=81).x[0]
        sto = ssa(net, t_end=8, n_points=81, runs=60, seed=7).x.mean(axis=0)
        errors.append(np.abs(sto - det).max() / N)
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.005


def test_tau_leaping_agrees_with_ssa_in_distribution_for_large_n():
    """Two-sample KS tests on S and Z at mid-outbreak, 300 runs each; fixed seeds, level 0.001."""
    N = 100_000
    net = hyosan.model("alemi").with_values(S=N - 200, Z=200, alpha=0.5, beta=1.8 / N)
    a = ssa(net, t_end=3, n_points=4, runs=300, seed=11)
    b = tau(net, t_end=3, n_points=4, runs=300, seed=12)
    assert b.events.sum() > 0
    for s in ("S", "Z"):
        for k in (1, 2, 3):
            assert stats.ks_2samp(a[s][:, k], b[s][:, k]).pvalue > 1e-3, (s, k)


def test_tau_leaping_never_goes_negative_near_exhaustion():
    net = hyosan.model("jonas").with_values(S=5000, Z=50)
    tr = tau(net, t_end=5, runs=20, seed=3, eps=0.2)
    assert tr.x.min() >= 0
    assert np.all(tr.x.sum(axis=2) == 5050)


@pytest.mark.parametrize("alpha, z0", [(0.5, 1), (0.5, 2), (0.8, 1)])
def test_early_extinction_probability_matches_theory(alpha, z0):
    """Fraction of SSA runs where zombies die out while most humans live, vs min(1, alpha)^Z0.

    2,000 runs; tolerance 4 binomial standard errors.
    """
    N, runs = 10_000, 2_000
    net = hyosan.model("alemi").with_values(S=N - z0, Z=z0, alpha=alpha, beta=1.0 / N)
    tr = ssa(net, t_end=400, n_points=2, runs=runs, seed=100 + z0)
    final = dict(zip(tr.species, tr.final.T))
    extinct = (final["Z"] == 0) & (final["S"] > N / 2)
    p = alemi_extinction_probability(alpha, z0)
    assert abs(extinct.mean() - p) < 4 * binomial_se(p, runs)


def test_impulsive_eradication_eradicates_in_every_solver():
    net = hyosan.model("munz-impulsive")
    before, after = np.searchsorted(np.linspace(0, 12, 1201), [9.99, 10.0])
    det = ode(net, n_points=1201)
    assert det["Z"][0, before] > 1.0  # zombies are still there before the fourth attack...
    assert det["Z"][0, after] == pytest.approx(0.0, abs=1e-9)  # ...and gone right after it
    for solver in (ssa, tau):
        tr = solver(net, n_points=1201, runs=20, seed=5)
        assert np.all(tr["Z"][:, after] == 0)
        assert np.any(tr["Z"][:, before] > 0)


def test_impulse_fraction_is_binomial_in_stochastic_solvers():
    """One attack halving 10,000 zombies: the stochastic removal is Binomial(10000, 0.5)."""
    net = hyosan.model("alemi").with_values(S=0, Z=10_000).with_schedule(Impulse(1.0, "Z", "R", "0.5"))
    tr = ssa(net, t_end=2, n_points=3, runs=400, seed=9)
    removed = tr["R"][:, -1]
    assert abs(removed.mean() - 5000) < 4 * np.sqrt(2500 / 400)
    assert 30 < removed.std() < 70  # binomial sd = 50
    assert ode(net, t_end=2, n_points=3)["R"][0, -1] == pytest.approx(5000)


def test_set_parameter_acts_identically_in_every_solver():
    """Setting beta = alpha*beta... = 0 from day 1 on freezes the humans in every solver."""
    net = (
        hyosan.model("alemi")
        .with_values(S=900, Z=100, beta=0.005)
        .with_schedule(SetParameter(1.0, "beta", "0"))
    )
    for solver in (ode, ssa, tau):
        tr = solver(net, t_end=3, n_points=31)
        S = tr["S"][0]
        assert S[10] < 900  # bites happened before day 1
        np.testing.assert_allclose(S[10:], S[10])


def test_same_seed_same_result_different_seed_different_result():
    net = hyosan.model("munz-basic")
    a, b, c = ssa(net, runs=5, seed=42), ssa(net, runs=5, seed=42), ssa(net, runs=5, seed=43)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
    t1, t2 = tau(net, runs=3, seed=42), tau(net, runs=3, seed=42)
    np.testing.assert_array_equal(t1.x, t2.x)


def test_same_seed_same_result_in_another_process():
    code = (
        "import hyosan; from hyosan.solvers import ssa; "
        "print(ssa(hyosan.model('alemi'), runs=3, seed=8).x[:, -1].tolist())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    here = ssa(hyosan.model("alemi"), runs=3, seed=8).x[:, -1].tolist()
    assert out.strip() == str(here)


def test_trajectory_dataframe_and_parquet(tmp_path):
    tr = ssa(hyosan.model("alemi"), runs=3, seed=1, n_points=11)
    df = tr.to_dataframe()
    assert list(df.columns) == ["run", "t", "S", "Z", "R"]
    assert len(df) == 33
    path = tr.to_parquet(tmp_path / "t.parquet")
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, df)
    fig = tr.plot()
    fig.savefig(tmp_path / "t.png")
    assert (tmp_path / "t.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"t_end": 0}, "positive"),
        ({"t_end": -3}, "positive"),
        ({"runs": 0}, "runs must be >= 1"),
        ({"seed": -1}, "seed must be >= 0"),
    ],
)
def test_bad_solver_arguments(kwargs, message):
    with pytest.raises(HyosanError, match=message):
        ssa(hyosan.model("alemi"), **kwargs)


def test_fractional_initial_counts_refused_by_stochastic_solvers():
    with pytest.raises(HyosanError, match="whole initial counts"):
        ssa(hyosan.model("alemi").with_values(S=10.5))


@pytest.mark.parametrize("name", ["alemi", "munz-basic"])
def test_ode_milestones_come_from_the_solution_not_the_output_grid(name):
    """On a horizon 3,000 times the story (output points 100 days apart), the milestones still match
    those read off a fine solution of the first 60 days to a thousandth of a day."""
    net = hyosan.model(name)
    coarse = ode(net, 100_000, 1001).crossing_times()
    fine_traj = ode(net, 60, 600_001)
    humans, zombies = fine_traj.total(fine_traj.humans)[0], fine_traj.total(fine_traj.zombies)[0]

    def first_true(cond):
        return fine_traj.t[np.argmax(cond)] if cond.any() else np.nan

    first = {
        "humans_below_one": first_true(humans < 1.0),
        "zombies_outnumber_humans": first_true(zombies > humans),
    }
    for key, t in first.items():
        assert np.isfinite(t), (name, key)
        assert abs(coarse[key][0] - t) < 1e-3, (name, key, coarse[key][0], t)


def _renamed_alemi():
    """Alemi's model with other species names (H, W, D): a solver that looked species up by name
    would fail on it."""
    from hyosan.reactions.network import Network, Reaction, Species

    net = hyosan.model("alemi")
    return Network(
        name="alemi-renamed",
        title="alemi with other names",
        reference="test",
        species=(Species("H", "humans"), Species("W", "walkers"), Species("D", "dead")),
        parameters=net.parameters,
        reactions=(
            Reaction.parse("bite", "H + W -> 2 W", "beta", "bite"),
            Reaction.parse("kill", "H + W -> H + D", "alpha * beta", "kill"),
        ),
        initial={"H": 999.0, "W": 1.0},
        t_end=20.0,
        humans=("H",),
        zombies=("W",),
        infected=("W",),
    )


def test_one_registry_holds_all_five_methods_with_one_contract():
    """Every method, called through `solve`, returns a Trajectory of the network's own species
    (names never looked up: a renamed copy of alemi runs), conserving the population."""
    from hyosan.solvers import METHODS, Trajectory, solve

    assert set(METHODS) == {"ode", "ssa", "tau", "lattice", "metapopulation"}
    net = _renamed_alemi().with_values(alpha=0.5)
    pop = np.full((6, 6), 40)
    opts = {"lattice": {"size": 32, "zombies": 9}, "metapopulation": {"population": pop, "start": (2, 2)}}
    for name in METHODS:
        t_end = None if name == "lattice" else 5.0  # the lattice runs until no bite or kill is left
        tr = solve(net, name, t_end, 51, seed=3, **opts.get(name, {}))
        assert isinstance(tr, Trajectory) and tr.species == ("H", "W", "D")
        total = tr.x[0].sum(axis=1)
        want = {"lattice": 32 * 32, "metapopulation": pop.sum()}.get(name, 1000)
        np.testing.assert_allclose(total, want, rtol=1e-6)
        assert tr.x[0, -1, 0] < tr.x[0, 0, 0]  # humans were bitten by W in every method
        assert tr.crossing_times()["humans_below_one"].shape == (1,)


def test_every_method_honours_a_schedule_or_refuses_it():
    from hyosan.solvers import METHODS, solve

    net = hyosan.model("alemi").with_values(S=900, Z=100).with_schedule(SetParameter(1.0, "beta", "0"))
    honour = [m for m, spec in METHODS.items() if spec.schedule]
    assert honour == ["ode", "ssa", "tau"]
    pop = np.full((5, 5), 30)
    for name, opts in (("lattice", {"size": 16}), ("metapopulation", {"population": pop, "start": (1, 1)})):
        with pytest.raises(HyosanError, match=f"the {name} method does not apply schedules"):
            solve(net, name, 2.0, **opts)
    with pytest.raises(HyosanError, match="the lattice method does not apply schedules"):
        from hyosan.solvers.lattice import lattice

        lattice(net, 16)


def test_solve_refuses_unknown_methods_and_options():
    from hyosan.solvers import solve

    net = hyosan.model("alemi")
    with pytest.raises(HyosanError, match="unknown method 'euler'"):
        solve(net, "euler")
    with pytest.raises(HyosanError, match="the ssa method takes no option 'size'"):
        solve(net, "ssa", size=3)
    with pytest.raises(HyosanError, match="needs the option 'population'"):
        solve(net, "metapopulation", 1.0)
    with pytest.raises(HyosanError, match="one run per call"):
        solve(net, "lattice", size=16, runs=2)
