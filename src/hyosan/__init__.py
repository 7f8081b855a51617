"""hyosan: fast, faithful simulation of zombie outbreaks."""

from .errors import HyosanError
from .reactions import get as model, names as models
from .scenario import load

__version__ = "0.1.0"
__all__ = ["HyosanError", "load", "model", "models", "__version__"]
