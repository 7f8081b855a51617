"""The kernels' random draws are NumPy's PCG64 stream, number for number (`agents.rand`): a seed is
the same story whether a draw is made by NumPy or inside a kernel."""

import numpy as np
import pytest
from numba import njit

from hyosan.agents import rand


@njit
def _draws(st, kinds, out):
    for k in range(kinds.shape[0]):
        out[k] = rand.normal(st) if kinds[k] else rand.uniform(st)


@pytest.mark.parametrize("seed", [0, 6, 2**53 - 1])
def test_uniform_and_normal_draws_are_numpys_and_the_state_goes_back(seed):
    gen = np.random.Generator(np.random.PCG64(seed))
    gen.random(3)
    kinds = np.random.default_rng(seed).random(300_000) < 0.3  # uniforms and normals mixed
    st = rand.stream_of(gen)
    out = np.empty(kinds.shape[0])
    _draws(st, kinds, out)
    want = np.array([gen.standard_normal() if k else gen.random() for k in kinds])
    assert np.array_equal(out, want)  # the ziggurat's rejections included
    rand.put_back(gen, st)
    twin = np.random.Generator(np.random.PCG64(seed))
    twin.random(3)
    [twin.standard_normal() if k else twin.random() for k in kinds]
    assert gen.random() == twin.random()
