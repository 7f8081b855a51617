"""Reaction networks as values: species, parameters, reactions and a schedule.

A network is plain data. Everything a solver needs (ODE right-hand side, Jacobian,
propensities, stoichiometry, dependency graph) is derived from it, never typed twice.

Rate law. Reaction j with rate constant k_j (an expression over parameter names) has
    ODE rate       k_j * prod_i x_i ** n_ij          * prod_h K_h / (K_h + x_h)
    propensity     k_j * prod_i x_i (x_i-1)...(x_i-n_ij+1) * prod_h K_h / (K_h + x_h)
where n_ij are the reactant counts (mass action, no 1/n! factor) and the optional
inhibition factors K/(K + x) are the one documented custom propensity: they make a
rate fall as a species grows (zombies starve when there is no prey, i.e. few S).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import HyosanError
from . import expr


@dataclass(frozen=True)
class Species:
    """A compartment of the population, with a one-line meaning."""

    name: str
    meaning: str


@dataclass(frozen=True)
class Parameter:
    """A named rate or constant with its default value, unit and one-line meaning."""

    name: str
    default: float
    unit: str
    meaning: str
    upper: float = math.inf
    positive: bool = False  # must be above 0: another parameter is a ratio to it


# The largest value a parameter may take (a rate of a billion per time unit stalls any solver) and
# the most people a species may start with (a hundred times the world's population).
LARGEST = 1e9
MOST_PEOPLE = 1e12

_SIDE = re.compile(r"^\s*(?:(\d+)\s*)?([A-Za-z_][A-Za-z_0-9]*)\s*$")


def _parse_side(text: str, where: str) -> tuple[tuple[str, int], ...]:
    text = text.strip()
    if text in ("0", "∅", ""):
        return ()
    counts: dict[str, int] = {}
    for term in text.split("+"):
        m = _SIDE.match(term)
        if not m:
            raise HyosanError(f"{where}: cannot read {term.strip()!r}; expected e.g. '2 Z' or 'S'")
        counts[m.group(2)] = counts.get(m.group(2), 0) + int(m.group(1) or 1)
    return tuple(counts.items())


@dataclass(frozen=True)
class Reaction:
    """One reaction: reactants -> products at a mass-action rate (optionally inhibited)."""

    name: str
    reactants: tuple[tuple[str, int], ...]
    products: tuple[tuple[str, int], ...]
    rate: str
    meaning: str = ""
    inhibitors: tuple[tuple[str, str], ...] = ()
    infection: bool = False

    @classmethod
    def parse(
        cls,
        name: str,
        scheme: str,
        rate: str,
        meaning: str = "",
        *,
        inhibitors: dict[str, str] | None = None,
        infection: bool = False,
    ) -> "Reaction":
        """Build a reaction from text such as 'S + Z -> 2 Z'."""
        if "->" not in scheme:
            raise HyosanError(f"reaction {name!r}: {scheme!r} has no '->'")
        left, right = scheme.split("->", 1)
        expr.names_in(rate)  # fail early on a malformed expression
        inh = tuple((inhibitors or {}).items())
        for _, k in inh:
            expr.names_in(k)
        return cls(
            name,
            _parse_side(left, f"reaction {name!r}"),
            _parse_side(right, f"reaction {name!r}"),
            rate,
            meaning,
            inh,
            infection,
        )

    @property
    def order(self) -> int:
        """Total number of reactant individuals (0, 1, 2, ...)."""
        return sum(n for _, n in self.reactants)

    def scheme(self) -> str:
        """Return the reaction as text, e.g. 'S + Z -> 2 Z'."""

        def side(terms):
            return " + ".join(f"{n} {s}" if n > 1 else s for s, n in terms) or "0"

        return f"{side(self.reactants)} -> {side(self.products)}"

    def pair_split(self) -> tuple[str, str, str, str] | None:
        """Read a pair event A + B -> P + Q as (A, B, what A's place becomes, what B's place becomes).

        Used where the two reactants sit in different places (lattice sites, raster cells). A
        product that names a reactant stays in that reactant's place; the other product goes
        to the other place: 'S + Z -> E + Z' is (S, Z, E, Z), 'S + Z -> S + R' is (S, Z, S, R),
        'S + Z -> 2 Z' is (S, Z, Z, Z). Returns None for anything else (one reactant, A + A,
        not exactly two products, or no product that stays).
        """
        reactants = [s for s, n in self.reactants for _ in range(n)]
        prods = [s for s, n in self.products for _ in range(n)]
        if len(reactants) != 2 or reactants[0] == reactants[1] or len(prods) != 2:
            return None
        a, b = reactants
        if a in prods:
            prods.remove(a)
            return a, b, a, prods[0]
        if b in prods:
            prods.remove(b)
            return a, b, prods[0], b
        return None

    def net(self) -> dict[str, int]:
        """Return the net change of each species when the reaction fires once."""
        change: dict[str, int] = {}
        for s, n in self.reactants:
            change[s] = change.get(s, 0) - n
        for s, n in self.products:
            change[s] = change.get(s, 0) + n
        return {s: n for s, n in change.items() if n != 0}


@dataclass(frozen=True)
class Impulse:
    """At time t, move each individual of `source` to `target` with probability `fraction`.

    ODE solvers move the expected amount, fraction * x; stochastic solvers draw a binomial.
    The fraction is an expression over parameters, clipped to [0, 1].
    """

    t: float
    source: str
    target: str
    fraction: str
    label: str = ""


@dataclass(frozen=True)
class SetParameter:
    """From time t on, a parameter takes a new value (an expression over parameters)."""

    t: float
    name: str
    value: str
    label: str = ""


ScheduleItem = Impulse | SetParameter


@dataclass(frozen=True)
class Compiled:
    """A network's numbers for one parameter set: flat arrays the Numba kernels read."""

    k: np.ndarray  # (R,) rate constants
    r_idx: np.ndarray  # (R, M) reactant species indices, -1 padded
    r_ord: np.ndarray  # (R, M) reactant counts
    i_idx: np.ndarray  # (R, H) inhibitor species indices, -1 padded
    i_k: np.ndarray  # (R, H) inhibitor half-saturation constants
    nu: np.ndarray  # (R, S) net stoichiometry (int64)
    nu_ptr: np.ndarray  # CSR over nonzero nu[j, :]
    nu_s: np.ndarray
    nu_v: np.ndarray
    dep_ptr: np.ndarray  # CSR: reactions whose propensity changes when j fires
    dep_idx: np.ndarray

    def arrays(self) -> tuple:
        """The arrays as one tuple, in the order the stochastic kernels unpack them."""
        return (
            self.k,
            self.r_idx,
            self.r_ord,
            self.i_idx,
            self.i_k,
            self.nu,
            self.nu_ptr,
            self.nu_s,
            self.nu_v,
            self.dep_ptr,
            self.dep_idx,
        )


@dataclass(frozen=True)
class Network:
    """A reaction network: the model as a value that every solver takes."""

    name: str
    title: str
    reference: str
    species: tuple[Species, ...]
    parameters: tuple[Parameter, ...]
    reactions: tuple[Reaction, ...]
    initial: dict[str, float]
    t_end: float
    schedule: tuple[ScheduleItem, ...] = ()
    humans: tuple[str, ...] = ("S",)
    zombies: tuple[str, ...] = ("Z",)
    infected: tuple[str, ...] = ()
    notes: str = ""
    time_unit: str = "day"
    values: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        names = self.species_names
        if len(set(names)) != len(names):
            raise HyosanError(f"model {self.name}: species names repeat")
        pnames = {p.name for p in self.parameters}
        if pnames & set(names):
            raise HyosanError(
                f"model {self.name}: {sorted(pnames & set(names))} are both species and parameters"
            )
        for r in self.reactions:
            for s, _ in r.reactants + r.products + tuple((s, 0) for s, _ in r.inhibitors):
                if s not in names:
                    raise HyosanError(f"model {self.name}, reaction {r.name!r}: unknown species {s!r}")
            for e in (r.rate, *(k for _, k in r.inhibitors)):
                unknown = expr.names_in(e) - pnames
                if unknown:
                    raise HyosanError(
                        f"model {self.name}, reaction {r.name!r}: unknown parameter(s) {sorted(unknown)}"
                    )
        for item in self.schedule:
            used = {item.source, item.target} if isinstance(item, Impulse) else set()
            if used - set(names):
                raise HyosanError(
                    f"model {self.name}: schedule uses unknown species {sorted(used - set(names))}"
                )
            if isinstance(item, SetParameter) and item.name not in pnames:
                raise HyosanError(f"model {self.name}: schedule sets unknown parameter {item.name!r}")
        for s in self.initial:
            if s not in names:
                raise HyosanError(f"model {self.name}: initial count for unknown species {s!r}")

    # ----- names and values -------------------------------------------------
    @property
    def species_names(self) -> tuple[str, ...]:
        """Species names in solver order."""
        return tuple(s.name for s in self.species)

    def parameter(self, name: str) -> Parameter:
        """Look up a parameter by name."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise HyosanError(self._unknown(name))

    def _unknown(self, name: str) -> str:
        return (
            f"model {self.name} has no parameter or species {name!r}; accepted: "
            f"parameters {', '.join(p.name for p in self.parameters)}; "
            f"initial counts {', '.join(self.species_names)}"
        )

    def params(self) -> dict[str, float]:
        """Current parameter values (defaults, with any values set on this network)."""
        return {p.name: float(self.values.get(p.name, p.default)) for p in self.parameters}

    def x0(self) -> np.ndarray:
        """Initial counts in species order."""
        return np.array([float(self.initial.get(s, 0.0)) for s in self.species_names])

    def with_values(self, **values: float) -> "Network":
        """Return a copy with parameters and/or initial counts changed, checked."""
        pnames = {p.name for p in self.parameters}
        new_vals = dict(self.values)
        new_init = dict(self.initial)
        for name, value in values.items():
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise HyosanError(f"{name} must be a number, got {value!r}") from None
            if not math.isfinite(value):
                raise HyosanError(f"{name} must be finite, got {value}")
            if name in pnames:
                p = self.parameter(name)
                if value < 0:
                    raise HyosanError(f"parameter {name} must be >= 0 (a rate or count), got {value:g}")
                if p.positive and value == 0:
                    raise HyosanError(
                        f"parameter {name} must be > 0 (another parameter is a ratio to it), got 0"
                    )
                if value > min(p.upper, LARGEST):
                    raise HyosanError(f"parameter {name} must be <= {min(p.upper, LARGEST):g}, got {value:g}")
                new_vals[name] = value
            elif name in self.species_names:
                if not 0 <= value <= MOST_PEOPLE:
                    raise HyosanError(
                        f"initial count {name} must be from 0 to {MOST_PEOPLE:g}, got {value:g}"
                    )
                new_init[name] = value
            else:
                raise HyosanError(self._unknown(name))
        return replace(self, values=new_vals, initial=new_init)

    def with_schedule(self, *items: ScheduleItem) -> "Network":
        """Return a copy with extra schedule items (impulses, parameter changes)."""
        return replace(self, schedule=tuple(sorted(self.schedule + items, key=lambda i: i.t)))

    # ----- derived structure ------------------------------------------------
    def index(self, species: str) -> int:
        """Position of a species in the state vector."""
        try:
            return self.species_names.index(species)
        except ValueError:
            raise HyosanError(f"model {self.name} has no species {species!r}") from None

    def stoichiometry(self) -> np.ndarray:
        """Net stoichiometry matrix, shape (species, reactions)."""
        nu = np.zeros((len(self.species), len(self.reactions)), dtype=np.int64)
        for j, r in enumerate(self.reactions):
            for s, n in r.net().items():
                nu[self.index(s), j] = n
        return nu

    def rate_constants(self, params: dict[str, float] | None = None) -> np.ndarray:
        """Evaluate every reaction's rate constant."""
        params = self.params() if params is None else params
        k = np.array([expr.evaluate(r.rate, params) for r in self.reactions])
        bad = [self.reactions[j].name for j in np.flatnonzero(k < 0)]
        if bad:
            raise HyosanError(f"model {self.name}: negative rate for reaction(s) {', '.join(bad)}")
        return k

    def compile(self, params: dict[str, float] | None = None) -> Compiled:
        """Flatten the network into arrays for the kernels, for one parameter set."""
        params = self.params() if params is None else params
        R = len(self.reactions)
        M = max([len(r.reactants) for r in self.reactions] + [1])
        H = max([len(r.inhibitors) for r in self.reactions] + [1])
        r_idx = -np.ones((R, M), dtype=np.int64)
        r_ord = np.zeros((R, M), dtype=np.int64)
        i_idx = -np.ones((R, H), dtype=np.int64)
        i_k = np.zeros((R, H))
        for j, r in enumerate(self.reactions):
            for m, (s, n) in enumerate(r.reactants):
                r_idx[j, m], r_ord[j, m] = self.index(s), n
            for m, (s, kexpr) in enumerate(r.inhibitors):
                i_idx[j, m] = self.index(s)
                i_k[j, m] = expr.evaluate(kexpr, params)
                if i_k[j, m] <= 0:
                    raise HyosanError(
                        f"model {self.name}, reaction {r.name!r}: half-saturation {kexpr} must be > 0"
                    )
        nu = self.stoichiometry().T.copy()
        nu_ptr, nu_s, nu_v = [0], [], []
        for j in range(R):
            nz = np.flatnonzero(nu[j])
            nu_s.extend(nz)
            nu_v.extend(nu[j, nz])
            nu_ptr.append(len(nu_s))
        reads = [set(r_idx[j][r_idx[j] >= 0]) | set(i_idx[j][i_idx[j] >= 0]) for j in range(R)]
        dep_ptr, dep_idx = [0], []
        for j in range(R):
            changed = set(np.flatnonzero(nu[j]))
            dep_idx.extend(i for i in range(R) if reads[i] & changed)
            dep_ptr.append(len(dep_idx))
        as_i = lambda v: np.asarray(v, dtype=np.int64)  # noqa: E731
        return Compiled(
            self.rate_constants(params),
            r_idx,
            r_ord,
            i_idx,
            i_k,
            nu,
            as_i(nu_ptr),
            as_i(nu_s),
            as_i(nu_v),
            as_i(dep_ptr),
            as_i(dep_idx),
        )

    # ----- deterministic calculus -------------------------------------------
    @staticmethod
    def rates(c: Compiled, x: np.ndarray) -> np.ndarray:
        """ODE reaction rates (mass action with powers) at state x."""
        xs = np.maximum(x, 0.0)
        v = c.k.copy()
        for m in range(c.r_idx.shape[1]):
            idx = c.r_idx[:, m]
            on = idx >= 0
            v[on] *= xs[idx[on]] ** c.r_ord[on, m]
        for m in range(c.i_idx.shape[1]):
            idx = c.i_idx[:, m]
            on = idx >= 0
            v[on] *= c.i_k[on, m] / (c.i_k[on, m] + xs[idx[on]])
        return v

    def rhs(self, c: Compiled, x: np.ndarray) -> np.ndarray:
        """dx/dt of the ODE at state x."""
        return c.nu.T @ self.rates(c, x)

    @staticmethod
    def rate_jacobian(c: Compiled, x: np.ndarray) -> np.ndarray:
        """d(rate_j)/d(x_i), shape (reactions, species)."""
        xs = np.maximum(x, 0.0)
        R, S = c.nu.shape
        D = np.zeros((R, S))
        for j in range(R):
            factors = []  # (species, value, derivative) of each factor
            for m in range(c.r_idx.shape[1]):
                s = c.r_idx[j, m]
                if s >= 0:
                    n = c.r_ord[j, m]
                    factors.append((s, xs[s] ** n, n * xs[s] ** (n - 1)))
            for m in range(c.i_idx.shape[1]):
                s = c.i_idx[j, m]
                if s >= 0:
                    K = c.i_k[j, m]
                    factors.append((s, K / (K + xs[s]), -K / (K + xs[s]) ** 2))
            for a, (s, _, d) in enumerate(factors):
                prod = c.k[j] * d
                for b, (_, v, _) in enumerate(factors):
                    if b != a:
                        prod *= v
                D[j, s] += prod
        return D

    def jacobian(self, c: Compiled, x: np.ndarray) -> np.ndarray:
        """Jacobian of the ODE right-hand side at x."""
        return c.nu.T @ self.rate_jacobian(c, x)

    # ----- display ------------------------------------------------------------
    def rate_unit(self, r: Reaction) -> str:
        """Unit of a reaction's rate constant, derived from its order and the time unit."""
        return {0: f"people/{self.time_unit}", 1: f"/{self.time_unit}"}.get(
            r.order,
            f"/person/{self.time_unit}" if r.order == 2 else f"/person^{r.order - 1}/{self.time_unit}",
        )

    def reaction_lines(self) -> list[str]:
        """One readable line per reaction: scheme, rate and value."""
        params = self.params()
        width = max(len(r.scheme()) for r in self.reactions)
        lines = []
        for r in self.reactions:
            value = expr.evaluate(r.rate, params)
            text = f"{r.scheme():<{width}}   {expr.pretty(r.rate)} = {value:g} {self.rate_unit(r)}"
            for s, k in r.inhibitors:
                text += f"  x {expr.pretty(k)}/({expr.pretty(k)}+{s})"
            lines.append(f"{text}   [{r.name}]")
        return lines

    def equations(self) -> list[str]:
        """The ODE, one line per species, generated from the reactions."""
        lines = []
        for i, s in enumerate(self.species_names):
            terms = []
            for r in self.reactions:
                n = r.net().get(s, 0)
                if n == 0:
                    continue
                factors = [
                    f"({expr.pretty(r.rate)})" if any(c in r.rate for c in "+-") else expr.pretty(r.rate)
                ]
                factors += [f"{sp}^{k}" if k > 1 else sp for sp, k in r.reactants]
                factors += [f"{expr.pretty(k)}/({expr.pretty(k)}+{sp})" for sp, k in r.inhibitors]
                mag = abs(n)
                body = (f"{mag} " if mag > 1 else "") + " ".join(factors)
                terms.append(("-" if n < 0 else "+", body))
            rhs = "".join(
                (f" {sign} " if n else ("-" if sign == "-" else "")) + body
                for n, (sign, body) in enumerate(terms)
            )
            lines.append(f"d{s}/dt = {rhs or '0'}")
        return lines

    def schedule_lines(self) -> list[str]:
        """Readable schedule items."""
        out = []
        for item in self.schedule:
            if isinstance(item, Impulse):
                out.append(
                    f"t = {item.t:g}: move fraction {expr.pretty(item.fraction)} "
                    f"of {item.source} to {item.target}" + (f"  ({item.label})" if item.label else "")
                )
            else:
                out.append(
                    f"t = {item.t:g}: set {item.name} = {expr.pretty(item.value)}"
                    + (f"  ({item.label})" if item.label else "")
                )
        return out

    def __str__(self) -> str:
        params = self.params()
        lines = [f"{self.name}: {self.title}", f"  {self.reference}", "", "Reactions:"]
        lines += ["  " + line for line in self.reaction_lines()]
        lines += ["", "Equations:"] + ["  " + line for line in self.equations()]
        lines += ["", "Parameters:"]
        for p in self.parameters:
            lines.append(f"  {p.name:<10} = {params[p.name]:<10g} {p.unit:<16} {p.meaning}")
        lines += ["", "Initial counts:"]
        for s in self.species:
            lines.append(f"  {s.name:<10} = {self.initial.get(s.name, 0):<10g} {s.meaning}")
        if self.schedule:
            lines += ["", "Schedule:"] + ["  " + line for line in self.schedule_lines()]
        lines += ["", f"Default end time: {self.t_end:g} {self.time_unit}s"]
        return "\n".join(lines)
