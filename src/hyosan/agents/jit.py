"""How the engine's kernels are compiled.

`kernel` is Numba's njit with on-disk caching and without reference counting. The kernels
only read and write arrays they are given and never allocate, so they need no reference
counts; with them, every call of a small rule that takes a named tuple of 21 arrays paid
21 increments and decrements that Numba could not prune where the rule branches (measured:
about 200 ns per call against 0.3 ns; docs/engine.md).
"""

from __future__ import annotations

from numba import njit


def kernel(fn):
    """Compile an engine kernel (cached, no reference counting: it must not allocate)."""
    return njit(cache=True, _nrt=False)(fn)


def rule(fn):
    """Compile a per-agent rule or helper: like `kernel`, and inlined into its callers by Numba.

    Rules are called for each agent each step with whole named tuples; a real call passes
    every array of every tuple, which costs more than the rule itself.
    """
    return njit(cache=True, _nrt=False, inline="always")(fn)
