"""Shared test helpers."""

import numpy as np
import pytest


def binomial_se(p: float, n: int) -> float:
    """Standard error of a proportion estimated from n trials."""
    return float(np.sqrt(p * (1 - p) / n))


@pytest.fixture(scope="session")
def rng():
    return np.random.default_rng(12345)
