"""hyosan: fast, faithful simulation of zombie outbreaks."""

from .errors import HyosanError
from .reactions import get as model
from .reactions import names as models
from .scenario import load


def resume(path):
    """Read a checkpoint written by `Sim.save` and return the simulation, ready to run on."""
    from .scenario import resume as _resume

    return _resume(path)


def __getattr__(name):
    # hyosan.ensemble (Dask, SALib, Optuna) is imported on first use, not with every `import hyosan`
    if name in ("ensemble", "solvers"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'hyosan' has no attribute {name!r}")


__version__ = "0.1.0"
__all__ = ["HyosanError", "ensemble", "load", "model", "models", "resume", "__version__"]
