"""hyosan's lattice against the authors' C code (built from ../shared/peers/zombies-usa by
benchmarks.peers, never copied): 400 runs each at L = 64 from one central zombie, at three
alphas below, near and above the critical point; the final humans and destroyed zombies agree in
distribution (two-sample KS; p from 0.32 to 0.98 when written), and alpha + 0.1, the negative
control, does not (p below 1e-4)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

import hyosan
from benchmarks.peers import PEERS, run_clattice
from hyosan.solvers.lattice import lattice

L, RUNS = 64, 400

pytestmark = pytest.mark.skipif(
    not (PEERS / "clattice" / "zombies.c").is_file(),
    reason=f"the authors' code is absent: {PEERS} (tests that need it run where it is)",
)


def ours(alpha: float) -> np.ndarray:
    net = hyosan.model("alemi").with_values(alpha=alpha)
    return np.array([[r.counts()[k] for k in "SZR"] for r in (lattice(net, L, seed=i) for i in range(RUNS))])


@pytest.mark.parametrize("alpha", [0.3, 0.42, 0.6])
def test_the_lattice_has_the_law_of_the_authors_c_code(alpha):
    theirs = run_clattice(L, alpha, RUNS, 12345)[0][:, :3]
    mine = ours(alpha)
    p = [ks_2samp(theirs[:, k], mine[:, k]).pvalue for k in (0, 2)]  # humans left, zombies destroyed
    assert min(p) > 1e-3, (alpha, p)
    shifted = ours(alpha + 0.1)  # negative control: another alpha must be told apart
    assert (
        ks_2samp(theirs[:, 2], shifted[:, 2]).pvalue < 1e-3
        or ks_2samp(theirs[:, 0], shifted[:, 0]).pvalue < 1e-3
    )
