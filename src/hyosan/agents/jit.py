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

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.core.extending import intrinsic

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


@intrinsic
def prefetch(typingctx, arr, i):
    """Ask the CPU to bring element i of a 1-d array into cache ahead of its use (LLVM's prefetch hint;
    it reads nothing and never faults). The agents act in a fresh random order each step, so at 10^5
    each one's state is far from the last one's; fetched a few agents ahead, it arrives while the
    agents before are worked (measured in docs/engine.md)."""

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]], wraparound=False)
        i8 = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        # a read, kept in all levels of cache, of data
        builder.call(fn, [builder.bitcast(ptr, i8), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(arr, types.int64), codegen
