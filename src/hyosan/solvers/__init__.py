"""Solvers: each takes a network and returns a Trajectory; `solve` is the one entry point."""

from .ode import ode
from .registry import METHODS, Method, solve
from .stochastic import ssa, tau
from .trajectory import Trajectory

__all__ = ["METHODS", "Method", "Trajectory", "ode", "solve", "ssa", "tau"]
