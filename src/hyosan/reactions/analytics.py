"""Analytics derived from a network: conservation laws, equilibria and their stability, R0,
and the closed forms of the well-mixed Alemi model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import null_space
from scipy.optimize import root

from ..errors import HyosanError
from .network import Network


@dataclass(frozen=True)
class Equilibrium:
    """A steady state with the eigenvalues of the Jacobian within its conservation class."""

    x: dict[str, float]
    eigenvalues: np.ndarray
    isolated: bool = True

    @property
    def stable(self) -> bool:
        """True when every eigenvalue has a negative real part (locally asymptotically stable)."""
        return bool(np.all(self.eigenvalues.real < 0))

    @property
    def kind(self) -> str:
        """'stable', 'unstable' or 'marginal' (some eigenvalue with zero real part)."""
        re = self.eigenvalues.real
        if np.any(re > 1e-9):
            return "unstable"
        return "stable" if np.all(re < -1e-9) else "marginal"


def conservation_laws(network: Network, params: dict[str, float] | None = None) -> np.ndarray:
    """Rows w with w . x constant under the dynamics (left null space of the stoichiometry).

    Reactions whose rate constant is zero for these parameters cannot fire, so they do not
    break a law (Munz's model conserves its population when the birth rate Pi is 0).
    """
    live = network.rate_constants(params) > 0
    nu = network.stoichiometry()[:, live]
    if nu.shape[1] == 0:
        return np.eye(nu.shape[0])
    return null_space(nu.T.astype(float)).T


def equilibria(
    network: Network,
    params: dict[str, float] | None = None,
    *,
    starts: int = 200,
    seed: int = 0,
    tol: float = 1e-6,
) -> list[Equilibrium]:
    """All non-negative equilibria in the conservation class of the network's initial state.

    Found by root finding from many starting points spread over the class, plus its corners;
    stability from the Jacobian restricted to the class (directions the dynamics can move in).
    """
    net = network if params is None else network.with_values(**params)
    c = net.compile()
    x0 = net.x0()
    W = conservation_laws(net, net.params())
    totals = W @ x0
    scale = max(x0.sum(), 1.0)
    V = null_space(W) if W.size else np.eye(x0.size)  # moving directions, orthonormal

    def f(x):
        # replace as many equations as there are conservation laws by the laws themselves
        g = net.rhs(c, x)
        if W.size:
            g = np.concatenate([V.T @ g, W @ x - totals])
        return g

    rng = np.random.default_rng(seed)
    candidates = [np.eye(x0.size)[i] * scale for i in range(x0.size)] + [x0]
    candidates += list(rng.dirichlet(np.ones(x0.size), size=starts) * scale)
    found: list[np.ndarray] = []
    for guess in candidates:
        if W.size:  # project the guess onto the class
            guess = guess + np.linalg.lstsq(W, totals - W @ guess, rcond=None)[0]
        sol = root(f, np.maximum(guess, 0), jac=None, method="hybr", tol=1e-12)
        x = sol.x
        if not sol.success or np.any(x < -tol * scale) or np.linalg.norm(net.rhs(c, x)) > tol * scale:
            continue
        x = np.where(np.abs(x) < tol * scale, 0.0, x)
        if not any(np.allclose(x, y, atol=1e-3 * scale, rtol=0) for y in found):
            found.append(x)
    out: list[Equilibrium] = []
    families: set[tuple] = set()
    infected = [net.index(s) for s in net.infected]
    for x in sorted(found, key=lambda v: tuple(-v)):
        eig = np.linalg.eigvals(V.T @ net.jacobian(c, x) @ V)
        # a zero eigenvalue within the class means a continuum of equilibria: keep one point
        # per family (which infected species are present, and the stability)
        isolated = bool(np.all(np.abs(eig) > 1e-9 * max(1.0, np.abs(eig).max())))
        if not isolated:
            family = (
                tuple(x[infected] > 0),
                tuple(x == 0) if not infected else (),
                bool(np.any(eig.real > 1e-9)),
            )
            if family in families:
                continue
            families.add(family)
        out.append(Equilibrium(dict(zip(net.species_names, map(float, x))), eig, isolated))
    return out


def r0(
    network: Network, params: dict[str, float] | None = None, dfe: dict[str, float] | None = None
) -> float:
    """Basic reproduction number by the next-generation matrix (van den Driessche & Watmough 2002).

    Infected compartments are the network's `infected` species; new infections are the flows
    of reactions marked `infection=True`. Evaluated at the disease-free state `dfe` (default:
    everyone in the initial state is susceptible, S = total population).
    """
    net = network if params is None else network.with_values(**params)
    if not net.infected:
        raise HyosanError(f"model {net.name} declares no infected species, so R0 is undefined")
    if dfe is None:
        x = np.zeros(len(net.species))
        x[net.index("S")] = net.x0().sum()
    else:
        x = net.x0() * 0
        for s, v in dfe.items():
            x[net.index(s)] = v
    c = net.compile()
    inf = [net.index(s) for s in net.infected]
    dv = net.rate_jacobian(c, x)  # d rate_j / d x_i
    new = np.array([r.infection for r in net.reactions])
    gain = np.clip(c.nu, 0, None) * new[:, None]  # only the infected arrivals of infection reactions
    F = (gain.T @ dv)[np.ix_(inf, inf)]
    J = (c.nu.T @ dv)[np.ix_(inf, inf)]
    Vm = F - J
    return float(np.max(np.abs(np.linalg.eigvals(F @ np.linalg.inv(Vm)))))


def alemi_closed_form(
    t: np.ndarray, S0: float, Z0: float, R0_: float, beta: float, alpha: float
) -> np.ndarray:
    """Exact solution of the well-mixed Alemi SZR ODE: columns S, Z, R at times t.

    With a = 1 - alpha, Z = Z0 + a (S0 - S) and S' = -beta S (Z0 + a S0 - a S), a logistic
    equation: S(t) = c S0 / (a S0 + Z0 exp(beta c t)), c = Z0 + a S0 (c = 0: S = S0/(1 + beta a S0 t)).
    """
    t = np.asarray(t, dtype=float)
    a = 1.0 - alpha
    c = Z0 + a * S0
    if abs(c) < 1e-12 * max(S0, 1.0):
        S = S0 / (1.0 + beta * a * S0 * t)
    else:
        S = c * S0 / (a * S0 + Z0 * np.exp(beta * c * t))
    Z = Z0 + a * (S0 - S)
    R = R0_ + S0 + Z0 - S - Z
    return np.stack([S, Z, R], axis=-1)


def alemi_final_state(S0: float, Z0: float, R0_: float, alpha: float) -> dict[str, float]:
    """Where the well-mixed Alemi ODE ends as t -> infinity (humans or zombies are gone)."""
    a = 1.0 - alpha
    if Z0 <= 0:
        return {"S": S0, "Z": 0.0, "R": R0_}
    if a >= 0 or Z0 + a * S0 > 0:  # zombies never run out: every human is bitten or kills
        S = 0.0
    else:  # zombies run out while S* = S0 + Z0 / a humans remain
        S = S0 + Z0 / a
    Z = Z0 + a * (S0 - S)
    return {"S": S, "Z": max(Z, 0.0), "R": R0_ + S0 + Z0 - S - max(Z, 0.0)}


def alemi_extinction_probability(alpha: float, Z0: int) -> float:
    """Probability that a stochastic Alemi outbreak from Z0 zombies dies out early (S large).

    Each event involving a zombie is a bite (Z + 1) with probability 1/(1 + alpha) or a kill
    (Z - 1) otherwise, whatever S is; while humans are plentiful Z is a random walk that hits
    zero with probability min(1, alpha)^Z0 (gambler's ruin against an infinite bank).
    """
    if alpha < 0 or Z0 < 0:
        raise HyosanError("alpha and Z0 must be >= 0")
    return float(min(1.0, alpha) ** Z0)
