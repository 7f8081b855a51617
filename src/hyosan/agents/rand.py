"""The engine's random numbers: NumPy's PCG64 stream, drawn inline in the kernels.

A run's generator is a `numpy.random.Generator` on PCG64 (`Sim.rng`: seeded from the scenario's
seed, saved in checkpoints). The kernels draw from the same stream, number for number, through a
copy of its 128-bit state in a small array (`stream_of`, given back with `put_back` after each
call of the kernels): Numba's own `Generator.random` calls NumPy's C code through a function
pointer at each draw, 3.6-3.9 ns a draw in a bare loop against 1.7 ns inline, and a quiet step of
the bundled school makes some 1,900 (docs/engine.md). tests/test_rand.py checks the draws against
NumPy's.

The ziggurat tables for normal draws are Numba's copies of NumPy's (`numba.np.random._constants`).
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic
from numba.np.random import _constants as Z

from .jit import rule

# PCG64's multiplier (O'Neill's PCG_DEFAULT_MULTIPLIER_128, as NumPy uses it)
_MULT = 0x2360ED051FC65DA44385DF649FCCF645
_M64 = (1 << 64) - 1

KI = np.asarray(Z.ki_double, dtype=np.uint64)
WI = np.asarray(Z.wi_double, dtype=np.float64)
FI = np.asarray(Z.fi_double, dtype=np.float64)
NOR_R = float(Z.ziggurat_nor_r)
NOR_INV_R = float(Z.ziggurat_nor_inv_r)


def stream_of(gen: np.random.Generator) -> np.ndarray:
    """The state of a PCG64 generator as the kernels draw from it: [state lo, state hi, inc lo, inc hi]."""
    s = gen.bit_generator.state
    if s["bit_generator"] != "PCG64":
        raise TypeError(f"the engine draws from PCG64, not {s['bit_generator']}")
    st, inc = s["state"]["state"], s["state"]["inc"]
    return np.array([st & _M64, st >> 64, inc & _M64, inc >> 64], dtype=np.uint64)


def put_back(gen: np.random.Generator, st: np.ndarray) -> None:
    """Give the state the kernels drew up to back to the generator, so it goes on from there."""
    s = gen.bit_generator.state
    s["state"]["state"] = int(st[0]) | (int(st[1]) << 64)
    gen.bit_generator.state = s


@intrinsic
def _advance(typingctx, st):
    """PCG64's step on st: state = state * multiplier + inc, modulo 2^128 (LLVM's 128-bit integers)."""

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        i64, i128 = ir.IntType(64), ir.IntType(128)

        def load128(k):  # two 64-bit words, the low first: the same on any byte order
            lo = builder.load(builder.gep(ary.data, [ir.Constant(i64, k)]))
            hi = builder.load(builder.gep(ary.data, [ir.Constant(i64, k + 1)]))
            return builder.or_(
                builder.shl(builder.zext(hi, i128), ir.Constant(i128, 64)), builder.zext(lo, i128)
            )

        s = builder.add(builder.mul(load128(0), ir.Constant(i128, _MULT)), load128(2))
        builder.store(builder.trunc(s, i64), builder.gep(ary.data, [ir.Constant(i64, 0)]))
        builder.store(
            builder.trunc(builder.lshr(s, ir.Constant(i128, 64)), i64),
            builder.gep(ary.data, [ir.Constant(i64, 1)]),
        )
        return context.get_dummy_value()

    return types.void(st), codegen


@rule
def next_u64(st):
    """The next 64 random bits (PCG64's XSL-RR output of the advanced state)."""
    _advance(st)
    lo, hi = st[0], st[1]
    rot = hi >> np.uint64(58)
    x = hi ^ lo
    return (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))


@rule
def uniform(st):
    """A uniform draw in [0, 1), as `Generator.random()` gives it."""
    return np.float64(next_u64(st) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@rule
def normal(st):
    """A standard normal draw, as `Generator.standard_normal()` gives it (the ziggurat method)."""
    while True:
        r = next_u64(st)
        idx = np.int64(r & np.uint64(0xFF))
        r = r >> np.uint64(8)
        rabs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
        x = np.float64(rabs) * WI[idx]
        if r & np.uint64(1):
            x = -x
        if rabs < KI[idx]:
            return x
        if idx == 0:
            while True:
                xx = -NOR_INV_R * math.log1p(-uniform(st))
                yy = -math.log1p(-uniform(st))
                if yy + yy > xx * xx:
                    return -(NOR_R + xx) if (rabs >> np.uint64(8)) & np.uint64(1) else NOR_R + xx
        elif (FI[idx - 1] - FI[idx]) * uniform(st) + FI[idx] < math.exp(-0.5 * x * x):
            return x
