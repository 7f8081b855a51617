"""The model library: published zombie models and hyosan's Jonas-virus model, each one network."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import HyosanError
from .network import Impulse, Network, Parameter, Reaction, Species

R_ = Reaction.parse

MUNZ_REF = (
    "Munz, Hudea, Imad, Smith? (2009), 'When zombies attack!: mathematical modelling of an "
    "outbreak of zombie infection', Infectious Disease Modelling Research Progress, pp. 133-150"
)
ALEMI_REF = (
    "Alemi, Bierbaum, Myers, Sethna (2015), 'You can run, you can hide: the epidemiology and "
    "statistical mechanics of zombies', Phys. Rev. E 92, 052801 (arXiv:1503.01104)"
)

_S = Species("S", "susceptible humans")
_Z = Species("Z", "zombies")
_R = Species("R", "removed: dead humans and destroyed zombies")
_I = Species("I", "infected (bitten, latent, not yet a zombie)")
_Q = Species("Q", "quarantined (infected or zombies held in quarantine)")
_E = Species("E", "exposed: bitten and turning")

_MUNZ_PARAMS = (
    Parameter("Pi", 0.0, "people/day", "birth rate of new susceptibles"),
    Parameter("beta", 0.0095, "/person/day", "transmission: a zombie-human encounter turns the human"),
    Parameter("delta", 0.0001, "/day", "non-zombie-related death rate of humans"),
    Parameter("zeta", 0.0001, "/day", "resurrection: the dead rise as zombies"),
    Parameter("alpha", 0.005, "/person/day", "a zombie-human encounter destroys the zombie"),
)
_MUNZ_INITIAL = {"S": 499.0, "Z": 1.0, "R": 0.0}

_MUNZ_EULER_NOTE = (
    "The paper's own Euler code for the basic model drops the -delta*S term from dS/dt while still "
    "adding delta*S to dR/dt, so its population is not conserved. hyosan follows the printed equations; "
    "with the figure parameters (delta = 0.0001/day) the two differ by well under one person over the "
    "figure's time span (see docs/models.md for the measured difference)."
)


def munz_basic() -> Network:
    """Munz et al. (2009) basic SZR model: bites, resurrection, humans destroy zombies."""
    return Network(
        name="munz-basic",
        title="Munz et al. basic model (SZR)",
        reference=MUNZ_REF,
        species=(_S, _Z, _R),
        parameters=_MUNZ_PARAMS,
        reactions=(
            R_("birth", "0 -> S", "Pi", "new susceptibles are born"),
            R_("bite", "S + Z -> 2 Z", "beta", "a zombie turns a human", infection=True),
            R_("death", "S -> R", "delta", "humans die of other causes"),
            R_("resurrection", "R -> Z", "zeta", "the dead rise"),
            R_("kill", "S + Z -> S + R", "alpha", "a human destroys a zombie"),
        ),
        initial=dict(_MUNZ_INITIAL),
        t_end=10.0,
        infected=("Z",),
        notes=_MUNZ_EULER_NOTE,
    )


def _munz_latent_reactions() -> tuple[Reaction, ...]:
    return (
        R_("birth", "0 -> S", "Pi", "new susceptibles are born"),
        R_("bite", "S + Z -> I + Z", "beta", "a zombie infects a human", infection=True),
        R_("death", "S -> R", "delta", "humans die of other causes"),
        R_("infected death", "I -> R", "delta", "the infected die of other causes"),
        R_("turn", "I -> Z", "rho", "the infected turn into zombies"),
        R_("resurrection", "R -> Z", "zeta", "the dead rise"),
        R_("kill", "S + Z -> S + R", "alpha", "a human destroys a zombie"),
    )


_RHO = Parameter("rho", 0.005, "/day", "rate at which the infected turn into zombies")


def munz_latent() -> Network:
    """Munz et al. (2009) model with latent infection (SIZR)."""
    return Network(
        name="munz-latent",
        title="Munz et al. model with latent infection (SIZR)",
        reference=MUNZ_REF,
        species=(_S, _I, _Z, _R),
        parameters=_MUNZ_PARAMS + (_RHO,),
        reactions=_munz_latent_reactions(),
        initial=dict(_MUNZ_INITIAL),
        t_end=10.0,
        infected=("I", "Z"),
        notes="With rho = 0.005/day the latent period is 200 days, so over the paper's short horizon few "
        "infected turn; humans still fall, more slowly than in the basic model.",
    )


def munz_quarantine() -> Network:
    """Munz et al. (2009) model with quarantine (SIZRQ)."""
    return Network(
        name="munz-quarantine",
        title="Munz et al. model with quarantine (SIZRQ)",
        reference=MUNZ_REF,
        species=(_S, _I, _Z, _R, _Q),
        parameters=_MUNZ_PARAMS
        + (
            _RHO,
            Parameter("kappa", 0.05, "/day", "rate at which the infected are quarantined (hyosan default)"),
            Parameter("sigma", 0.05, "/day", "rate at which zombies are quarantined (hyosan default)"),
            Parameter("gamma", 0.01, "/day", "rate at which the quarantined are killed (hyosan default)"),
        ),
        reactions=_munz_latent_reactions()
        + (
            R_("quarantine infected", "I -> Q", "kappa", "the infected are put in quarantine"),
            R_("quarantine zombies", "Z -> Q", "sigma", "zombies are put in quarantine"),
            R_("cull", "Q -> R", "gamma", "the quarantined are killed trying to escape"),
        ),
        initial=dict(_MUNZ_INITIAL),
        t_end=10.0,
        infected=("I", "Z"),
        notes="The paper's R0 = beta N rho / ((rho + kappa)(alpha N + sigma)) assumes Pi = delta = 0, "
        "where the "
        "disease-free state is an equilibrium; hyosan's next-generation R0 reduces to it exactly then, "
        "and with delta > 0 it has rho + kappa + delta in the denominator.",
    )


def munz_treatment() -> Network:
    """Munz et al. (2009) model with treatment: a cure returns zombies to humans."""
    return Network(
        name="munz-treatment",
        title="Munz et al. model with treatment (SIZR + cure)",
        reference=MUNZ_REF,
        species=(_S, _I, _Z, _R),
        parameters=_MUNZ_PARAMS
        + (_RHO, Parameter("c", 0.05, "/day", "cure rate of zombies (hyosan default)")),
        reactions=_munz_latent_reactions()
        + (R_("cure", "Z -> S", "c", "a cure makes a zombie human again"),),
        initial=dict(_MUNZ_INITIAL),
        t_end=10.0,
        infected=("I", "Z"),
        notes="With Pi = delta = 0 the paper's coexistence equilibrium has S = c / beta; hyosan finds it "
        "numerically from the network (tests/test_analytics.py).",
    )


def munz_impulsive() -> Network:
    """Munz et al. (2009) impulsive eradication: attacks kill k*n of the zombies at attack n."""
    attacks = tuple(Impulse(2.5 * n, "Z", "R", f"k * {n}", f"attack {n}") for n in range(1, 5))
    return Network(
        name="munz-impulsive",
        title="Munz et al. basic model with impulsive eradication",
        reference=MUNZ_REF,
        species=(_S, _Z, _R),
        parameters=_MUNZ_PARAMS
        + (Parameter("k", 0.25, "1", "kill fraction per attack number (attack n kills k*n)", upper=1.0),),
        reactions=munz_basic().reactions,
        initial=dict(_MUNZ_INITIAL),
        t_end=12.0,
        schedule=attacks,
        infected=("Z",),
        notes="Attack n at t = 2.5 n kills the fraction k*n of the zombies (clipped to 1), "
        "so with k = 0.25 the "
        "fourth attack at t = 10 destroys every zombie left. Between attacks it is the basic model.",
    )


_ALEMI_PARAMS = (
    Parameter(
        "beta", 0.0018, "/person/day", "bite rate: S + Z -> 2 Z (the authors' demo value)", positive=True
    ),
    Parameter("alpha", 0.8, "1", "kill-to-bite ratio alpha = kappa / beta (the authors' demo value)"),
)


def alemi() -> Network:
    """Alemi et al. (2015) well-mixed SZR model: bite and kill, alpha = kappa / beta."""
    return Network(
        name="alemi",
        title="Alemi et al. well-mixed SZR model",
        reference=ALEMI_REF,
        species=(_S, _Z, _R),
        parameters=_ALEMI_PARAMS,
        reactions=(
            R_(
                "bite", "S + Z -> 2 Z", "beta", "a zombie bites a human, who becomes a zombie", infection=True
            ),
            R_("kill", "S + Z -> S + R", "alpha * beta", "a human destroys a zombie (kappa = alpha*beta)"),
        ),
        initial={"S": 999.0, "Z": 1.0, "R": 0.0},
        t_end=20.0,
        infected=("Z",),
        notes="The ODE has a closed form (hyosan.reactions.analytics.alemi_closed_form); the stochastic "
        "model dies out early from Z0 zombies with probability min(1, alpha)^Z0 for large S.",
    )


def alemi_sezr() -> Network:
    """Alemi et al. (2015) SEZR model: the bitten turn at rate eta."""
    return Network(
        name="alemi-sezr",
        title="Alemi et al. SEZR model (bitten turn at rate eta)",
        reference=ALEMI_REF,
        species=(_S, _E, _Z, _R),
        parameters=_ALEMI_PARAMS + (Parameter("eta", 2.0, "/day", "turning rate of the bitten"),),
        reactions=(
            R_("bite", "S + Z -> E + Z", "beta", "a zombie bites a human", infection=True),
            R_("turn", "E -> Z", "eta", "the bitten turn"),
            R_("kill", "S + Z -> S + R", "alpha * beta", "a human destroys a zombie (kappa = alpha*beta)"),
        ),
        initial={"S": 999.0, "Z": 1.0},
        t_end=20.0,
        infected=("E", "Z"),
    )


def jonas() -> Network:
    """hyosan's Jonas-virus model: fast turning, hybrids (immune, immortal) and starving zombies."""
    return Network(
        name="jonas",
        title="Jonas-virus model (All of Us Are Dead)",
        reference="hyosan, after ../shared/brief/world.md; "
        "core from Munz et al. (2009) and Alemi et al. (2015)",
        species=(
            _S,
            Species("E", "bitten, turning (seconds to minutes)"),
            _Z,
            Species("Hi", "immune hybrids: human minds, cannot pass the virus on"),
            Species("Hm", "immortal hybrids: human minds, can infect, never starve"),
            Species("R", "removed: dead humans, destroyed or starved zombies"),
        ),
        parameters=(
            Parameter("beta", 0.05, "/person/day", "zombie bite rate (a school falls in hours)"),
            Parameter("eta", 288.0, "/day", "turning rate of the bitten (mean 5 minutes)"),
            Parameter("h", 0.005, "1", "fraction of the bitten who become hybrids", upper=1.0),
            Parameter("m", 0.5, "1", "fraction of hybrids who are immortal (the rest immune)", upper=1.0),
            Parameter("kappa", 0.01, "/person/day", "rate at which humans destroy zombies"),
            Parameter("beta_h", 0.001, "/person/day", "hybrid hunger attacks (hunger beats resolve)"),
            Parameter("sigma", 0.1, "/day", "starvation death rate of zombies with no prey"),
            Parameter("sigma_h", 0.05, "/day", "starvation death rate of immune hybrids with no prey"),
            Parameter("K", 10.0, "people", "prey count at which starvation runs at half speed"),
        ),
        reactions=(
            R_("bite", "S + Z -> E + Z", "beta", "a zombie bites a human", infection=True),
            R_("turn", "E -> Z", "eta * (1 - h)", "the bitten turn into zombies"),
            R_("turn immune", "E -> Hi", "eta * h * (1 - m)", "a few keep their minds, immune"),
            R_("turn immortal", "E -> Hm", "eta * h * m", "a few keep their minds, immortal"),
            R_("kill", "S + Z -> S + R", "kappa", "humans destroy a zombie's brain stem"),
            R_(
                "hunger bite",
                "S + Hm -> E + Hm",
                "beta_h",
                "an immortal hybrid's hunger wins: it bites",
                infection=True,
            ),
            R_(
                "hunger kill",
                "S + Hi -> R + Hi",
                "beta_h",
                "an immune hybrid's hunger wins: the victim dies, uninfected",
            ),
            R_("starve", "Z -> R", "sigma", "zombies with no prey weaken and die", inhibitors={"S": "K"}),
            R_(
                "starve hybrid",
                "Hi -> R",
                "sigma_h",
                "immune hybrids with no prey weaken and die",
                inhibitors={"S": "K"},
            ),
        ),
        initial={"S": 999.0, "Z": 1.0},
        t_end=30.0,
        infected=("E", "Z", "Hm"),
        notes="Zombies ignore hybrids: no reaction pairs Z with Hi or Hm. Starvation uses the inhibited rate "
        "sigma*Z*K/(K+S): with plenty of prey zombies hardly starve, with none they die at rate sigma. "
        "In the ODE, hybrid hunger is a constant attack rate; the agent engine models hunger as a "
        "growing state per hybrid.",
    )


MODELS: dict[str, Callable[[], Network]] = {
    "munz-basic": munz_basic,
    "munz-latent": munz_latent,
    "munz-quarantine": munz_quarantine,
    "munz-treatment": munz_treatment,
    "munz-impulsive": munz_impulsive,
    "alemi": alemi,
    "alemi-sezr": alemi_sezr,
    "jonas": jonas,
}


def get(name: str) -> Network:
    """Return the library model with this name, or a clear error listing the names."""
    try:
        return MODELS[name]()
    except KeyError:
        raise HyosanError(f"unknown model {name!r}; known models: {', '.join(MODELS)}") from None


def names() -> list[str]:
    """Names of the library's models."""
    return list(MODELS)
