"""How the engine's kernels are compiled.

`kernel` is Numba's njit with on-disk caching and without reference counting. The kernels
only read and write arrays they are given and never allocate, so they need no reference
counts; with them, every call of a small rule that takes a named tuple of 21 arrays paid
21 increments and decrements that Numba could not prune where the rule branches (measured:
about 200 ns per call against 0.3 ns; docs/engine.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from numba import njit

_HERE = Path(__file__).parent


def _drop_stale_cache() -> None:
    """Delete the engine's on-disk Numba cache when any of its sources changed.

    Numba keys a cached function on its own file only, but the step loop inlines the phases and the
    rules from other files: an edit there would otherwise run yesterday's compiled code.
    """
    sources = sorted(_HERE.glob("*.py")) + [_HERE.parent / "world" / "floorplan.py"]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
    cache = _HERE / "__pycache__"
    stamp = cache / "engine-sources.sha256"
    try:
        if stamp.is_file() and stamp.read_text() == digest:
            return
        for f in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
            f.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:  # a read-only install: Numba then caches elsewhere, keyed on each file
        pass


_drop_stale_cache()


def kernel(fn):
    """Compile an engine kernel (cached, no reference counting: it must not allocate)."""
    return njit(cache=True, _nrt=False)(fn)


def rule(fn):
    """Compile a per-agent rule or helper: like `kernel`, and inlined into its callers by Numba.

    Rules are called for each agent each step with whole named tuples; a real call passes
    every array of every tuple, which costs more than the rule itself.
    """
    return njit(cache=True, _nrt=False, inline="always")(fn)
