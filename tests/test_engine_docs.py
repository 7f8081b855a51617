"""docs/engine.md stays true: its parameter table is the code's, and every rule function it names exists."""

import re
from pathlib import Path

from hyosan.agents import phases, rules
from hyosan.agents.params import PARAMS, field_value, params_markdown
from hyosan.scenario.schema import Scenario

DOC = Path(__file__).resolve().parents[1] / "docs" / "engine.md"


def test_parameter_table_is_generated_from_params():
    text = DOC.read_text()
    table = text.split("<!-- BEGIN PARAMS (generated from PARAMS; tests check it) -->\n")[1].split(
        "<!-- END PARAMS"
    )[0]
    assert table == params_markdown()


def test_every_parameter_comes_from_a_scenario_field_with_a_default():
    sc = Scenario(name="x", maps=["m"])
    for p in PARAMS:
        assert isinstance(float(field_value(sc, p.field)), float), p
    assert len({p.name for p in PARAMS}) == len(PARAMS)


def test_rule_table_names_real_functions():
    text = DOC.read_text()
    section = text.split("## Where each rule lives")[1].split("## Parameters")[0]
    names = set(re.findall(r"`(\w+)`", section)) - {"Action"}
    names = {n for n in names if n not in ("kind",) and not n.isupper()}
    for name in names:
        assert hasattr(rules, name) or hasattr(phases, name), name
