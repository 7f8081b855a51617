"""Reaction networks: species, reactions, the model library and analytics."""

from .library import get, names
from .network import Compiled, Impulse, Network, Parameter, Reaction, SetParameter, Species

__all__ = [
    "Compiled",
    "Impulse",
    "Network",
    "Parameter",
    "Reaction",
    "SetParameter",
    "Species",
    "get",
    "names",
]
