"""hyosan: fast, faithful simulation of zombie outbreaks."""

from .errors import HyosanError
from .reactions import get as model, names as models

__version__ = "0.1.0"
__all__ = ["HyosanError", "model", "models", "__version__"]
