"""The golden run (tests/golden.py): one school, one city and one SSA outcome, pinned exactly.

A failure means an outcome changed. If the change is meant, rewrite the baseline with
`make golden` and say why in the commit; if not, it is a regression (or a broken seed).
"""

import json

import pytest

from tests import golden


@pytest.fixture(scope="module")
def now():
    return golden.compute()


@pytest.mark.parametrize("part", ["school", "city", "ssa"])
def test_the_golden_run_is_unchanged(now, part):
    baseline = json.loads(golden.BASELINE.read_text())
    assert json.loads(json.dumps(now[part], sort_keys=True)) == baseline[part], (
        f"the {part} outcome changed; if that is meant, run `make golden` and say why in the commit"
    )
