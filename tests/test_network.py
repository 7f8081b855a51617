"""Reaction networks as values: derived equations, printing, validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hyosan
from hyosan import HyosanError
from hyosan.reactions import Reaction, library
from hyosan.solvers.kernels import propensity


def test_print_shows_reactions_readably():
    text = str(hyosan.model("munz-basic"))
    assert "S + Z -> 2 Z     beta = 0.0095 /person/day" in text
    assert "dS/dt = Pi - beta S Z - delta S" in text
    assert "dZ/dt = beta S Z + zeta R - alpha S Z" in text


def test_every_library_model_has_reference_and_documented_parameters():
    for name in hyosan.models():
        net = hyosan.model(name)
        assert net.reference and net.title
        for p in net.parameters:
            assert p.unit and p.meaning, (name, p.name)
        assert net.equations()


@settings(max_examples=50, deadline=None)
@given(st.tuples(*[st.floats(0, 1000)] * 4))
def test_derived_rhs_matches_munz_printed_equations(state):
    """The SIZRQ right-hand side derived from reactions equals the paper's equations typed here."""
    S, I, Z, R = state  # noqa: E741 (the paper's symbols)
    Q = 3.0
    net = hyosan.model("munz-quarantine").with_values(Pi=2.0, delta=0.01)
    p = net.params()
    c = net.compile()
    got = net.rhs(c, np.array([S, I, Z, R, Q]))
    b, d, z, a, rho, k, sg, g = (
        p[n] for n in ("beta", "delta", "zeta", "alpha", "rho", "kappa", "sigma", "gamma")
    )
    want = [
        p["Pi"] - b * S * Z - d * S,
        b * S * Z - rho * I - d * I - k * I,
        rho * I + z * R - a * S * Z - sg * Z,
        d * S + d * I + a * S * Z - z * R + g * Q,
        k * I + sg * Z - g * Q,
    ]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("name", ["munz-basic", "alemi", "jonas", "munz-treatment"])
def test_analytic_jacobian_matches_finite_differences(name, rng):
    net = hyosan.model(name)
    c = net.compile()
    x = rng.uniform(1, 500, size=len(net.species))
    J = net.jacobian(c, x)
    h = 1e-4
    num = np.column_stack([(net.rhs(c, x + h * e) - net.rhs(c, x - h * e)) / (2 * h) for e in np.eye(x.size)])
    np.testing.assert_allclose(J, num, rtol=1e-6, atol=1e-6)


def test_kernel_propensity_equals_ode_rate_for_distinct_reactants():
    net = hyosan.model("jonas")
    c = net.compile()
    x = np.array([40, 3, 7, 2, 1, 5], dtype=np.int64)
    rates = net.rates(c, x.astype(float))
    for j in range(len(net.reactions)):
        assert propensity(j, x, c.k, c.r_idx, c.r_ord, c.i_idx, c.i_k) == pytest.approx(rates[j])


def test_falling_factorial_for_repeated_reactant():
    r = Reaction.parse("pair", "2 Z -> R", "k")
    net = hyosan.reactions.Network(
        "t",
        "t",
        "t",
        (hyosan.reactions.Species("Z", "z"), hyosan.reactions.Species("R", "r")),
        (hyosan.reactions.Parameter("k", 0.5, "/person/day", "k"),),
        (r,),
        {"Z": 10},
        1.0,
    )
    c = net.compile()
    x = np.array([5, 0], dtype=np.int64)
    assert propensity(0, x, c.k, c.r_idx, c.r_ord, c.i_idx, c.i_k) == pytest.approx(0.5 * 5 * 4)
    assert net.rates(c, x.astype(float))[0] == pytest.approx(0.5 * 25)


def test_stoichiometry_and_dependency_graph_are_derived():
    net = hyosan.model("alemi")
    np.testing.assert_array_equal(net.stoichiometry(), [[-1, 0], [1, -1], [0, 1]])
    c = net.compile()
    # both reactions read S and Z; the bite changes both, the kill changes Z
    assert sorted(c.dep_idx[c.dep_ptr[0] : c.dep_ptr[1]]) == [0, 1]
    assert sorted(c.dep_idx[c.dep_ptr[1] : c.dep_ptr[2]]) == [0, 1]


@pytest.mark.parametrize(
    "values, message",
    [
        ({"beta": -1}, "must be >= 0"),
        ({"nope": 1}, "has no parameter or species 'nope'"),
        ({"S": -5}, "initial count S must be from 0 to 1e\\+12"),
        ({"h": 2}, "must be <= 1"),
        ({"beta": float("nan")}, "must be finite"),
    ],
)
def test_bad_values_are_refused_clearly(values, message):
    with pytest.raises(HyosanError, match=message):
        hyosan.model("jonas").with_values(**values)


def test_unknown_model_lists_known_ones():
    with pytest.raises(HyosanError, match="known models: munz-basic"):
        hyosan.model("walkers")


@pytest.mark.parametrize("rate", ["beta +", "__import__('os')", "beta.real", "'text'"])
def test_rate_expressions_are_checked(rate):
    with pytest.raises(HyosanError):
        Reaction.parse("x", "S -> Z", rate)


def test_library_is_complete():
    assert set(library.names()) >= {
        "munz-basic",
        "munz-latent",
        "munz-quarantine",
        "munz-treatment",
        "munz-impulsive",
        "alemi",
        "alemi-sezr",
        "jonas",
    }
    jonas = hyosan.model("jonas")
    assert set(jonas.species_names) == {"S", "E", "Z", "Hi", "Hm", "R"}
    # zombies ignore hybrids: no reaction has Z together with a hybrid on its left
    for r in jonas.reactions:
        left = {s for s, _ in r.reactants}
        assert not ({"Z"} <= left and left & {"Hi", "Hm"})
    # immortal hybrids never starve; immune ones cannot infect
    assert not any(
        dict(r.reactants).get("Hm") and "R" in dict(r.products) and r.order == 1 for r in jonas.reactions
    )
    assert not any("Hi" in dict(r.reactants) and "E" in dict(r.products) for r in jonas.reactions)
