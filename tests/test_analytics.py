"""Analytics derived from networks, checked against the papers' own results."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hyosan
from hyosan.reactions.analytics import conservation_laws, equilibria, r0
from hyosan.reactions.docs import models_markdown


def test_munz_basic_equilibria_are_disease_free_unstable_and_doomsday_stable():
    """Munz et al.: with Pi = delta = 0 the only equilibria are these two; no coexistence."""
    eqs = equilibria(hyosan.model("munz-basic"), {"Pi": 0, "delta": 0})
    assert len(eqs) == 2
    dfe = next(e for e in eqs if e.x["S"] > 0)
    doom = next(e for e in eqs if e.x["Z"] > 0)
    assert dfe.x == pytest.approx({"S": 500, "Z": 0, "R": 0}, abs=1e-6)
    assert doom.x == pytest.approx({"S": 0, "Z": 500, "R": 0}, abs=1e-6)
    assert dfe.kind == "unstable" and doom.kind == "stable"
    assert all(e.isolated for e in eqs)


def test_munz_treatment_coexistence_has_s_equal_c_over_beta():
    net = hyosan.model("munz-treatment")
    eqs = equilibria(net, {"Pi": 0, "delta": 0})
    p = net.params()
    coexist = [e for e in eqs if e.x["Z"] > 1e-6 and e.x["S"] > 1e-6]
    assert len(coexist) == 1
    assert coexist[0].x["S"] == pytest.approx(p["c"] / p["beta"], rel=1e-6)
    assert coexist[0].stable


def test_conservation_law_follows_live_reactions():
    net = hyosan.model("munz-basic")
    assert conservation_laws(net, {**net.params(), "Pi": 1.0}).shape[0] == 0  # births break it
    w = conservation_laws(net, net.params())
    assert w.shape[0] == 1 and np.allclose(w[0] / w[0][0], [1, 1, 1])


@settings(max_examples=40, deadline=None)
@given(
    beta=st.floats(1e-4, 0.1),
    rho=st.floats(1e-3, 5),
    kappa=st.floats(0, 5),
    alpha=st.floats(1e-4, 0.1),
    sigma=st.floats(0, 5),
    n=st.integers(10, 10_000),
)
def test_r0_of_munz_quarantine_matches_the_paper_formula(beta, rho, kappa, alpha, sigma, n):
    net = hyosan.model("munz-quarantine").with_values(
        S=n, Z=0, Pi=0, delta=0, beta=beta, rho=rho, kappa=kappa, alpha=alpha, sigma=sigma
    )
    paper = beta * n * rho / ((rho + kappa) * (alpha * n + sigma))
    assert r0(net) == pytest.approx(paper, rel=1e-9)


def test_r0_with_natural_death_has_delta_in_the_denominator():
    net = hyosan.model("munz-quarantine")
    p = net.params()
    N = net.x0().sum()
    want = p["beta"] * N * p["rho"] / ((p["rho"] + p["kappa"] + p["delta"]) * (p["alpha"] * N + p["sigma"]))
    assert r0(net) == pytest.approx(want, rel=1e-9)


def test_docs_models_md_is_generated_and_up_to_date():
    path = Path(__file__).resolve().parents[1] / "docs" / "models.md"
    assert path.read_text() == models_markdown(), "run `make docs` to regenerate docs/models.md"
