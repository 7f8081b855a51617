"""Solvers: each takes a network and returns a Trajectory."""

from .ode import ode
from .stochastic import ssa, tau
from .trajectory import Trajectory

METHODS = {"ode": ode, "ssa": ssa, "tau": tau}

__all__ = ["METHODS", "Trajectory", "ode", "ssa", "tau"]
