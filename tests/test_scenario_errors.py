"""Bad maps and scenarios get one clear error naming file, line (and column) and what was expected."""

import subprocess
import sys

import pytest

import hyosan
from hyosan import HyosanError
from hyosan.world.floorplan import load_building, parse_floor
from tests.agent_helpers import person, world

GOOD = "level = 1\n[grid]\n#####\n#aa'E\n#####\n[key]\na = room\n"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("level = 1\n[grid]\n#####\n#aQ'E\n#####\n[key]\na = room\n", ":4:3:", "unknown glyph 'Q'; legend:"),
        (
            "level = 1\n[grid]\n#####\n#ab'E\n#####\n[key]\na = room\n",
            ":4:3:",
            "room letter 'b' is not in the [key]",
        ),
        (
            "level = 1\n[grid]\n#####\n#aa'E\n#####\n[key]\na = room\nz = zoo\n",
            ":8:1:",
            "key letter 'z' (zoo) does not appear",
        ),
        ("[grid]\n#####\n#aa'E\n", ":1:1:", "missing 'level = N'"),
        ("level = one\n[grid]\n#E#\n", ":1:1:", "level must be a whole number"),
        ("level = 1\n", "", "no [grid] section"),
        ("level = 1\n[grid]\n#E#\n[key]\nab = x\n", ":5:1:", "expected a key line like 'a = classroom 2-5'"),
        ("level = 1\nfoo = bar\n[grid]\n#E#\n", ":2:1:", "unknown header field 'foo'"),
        ("level = 1\nlevel = 2\n[grid]\n#E#\n", ":2:1:", "level is given twice (first on line 1)"),
        ("level = 1\n[grid]\n#E#\n[grid]\n#E#\n", ":4:1:", "a second [grid] section"),
        (GOOD.replace("#aa'E", "#ab'E") + "b = room\n", ":8:1:", "key letters 'a' and 'b' both name 'room'"),
    ],
)
def test_malformed_maps(tmp_path, text, where, message):
    p = write(tmp_path, "bad.map", text)
    with pytest.raises(HyosanError) as err:
        parse_floor(p)
    assert f"{p}{where}" in str(err.value) and message in str(err.value)


def test_stairs_without_partner(tmp_path):
    p = write(tmp_path, "f1.map", "level = 1\n[grid]\n#####\n#aaSE\n#####\n[key]\na = room\n")
    with pytest.raises(HyosanError, match=rf"{p}:4:4: stairs with no partner"):
        load_building([p])


def test_unreachable_area(tmp_path):
    p = write(
        tmp_path,
        "f1.map",
        "level = 1\n[grid]\n#######\n#aa'E##\n#######\n#bb####\n#######\n[key]\na = room\nb = vault\n",
    )
    with pytest.raises(HyosanError, match=rf"{p}:6:2: area 'vault' cannot be reached from any exit"):
        load_building([p])


def test_no_exit(tmp_path):
    p = write(tmp_path, "f1.map", "level = 1\n[grid]\n#####\n#aa'#\n#####\n[key]\na = room\n")
    with pytest.raises(HyosanError, match="no exit: none of the maps"):
        load_building([p])


@pytest.mark.parametrize(
    "toml, line, message",
    [
        ("[humans]\ncalm = 2\n", 6, "humans.calm: Input should be less than or equal to 1"),
        ("[zombies]\nspeeed = 3\n", 6, "zombies.speeed: unknown field"),
        (
            person("A", "room", patient_zero=True) + person("B", "room", strenght=2),
            12,
            "characters.1.strenght: unknown field",
        ),
        ('[[interventions]]\nkind = "earthquake"\nat_hours = 1\n', 5, "interventions.0"),
        ('[[interventions]]\nkind = "bombing"\nat_hours = 1\n', 5, "a bombing needs rooms or levels"),
        ('[[population]]\nroom = "room"\ncount = -3\n', 7, "population.0.count"),
        (person("A", "room"), None, "no character has patient_zero = true"),
        ("[zombies]\nspeed = inf\n", 6, "zombies.speed: Input should be a finite number"),
        ("[humans]\ncalm = nan\n", 6, "humans.calm: Input should be a finite number"),
        (
            person("A", "room", patient_zero='"yes"'),
            8,
            "characters.0.patient_zero: Input should be a valid boolean",
        ),
        (
            person("A", "room", patient_zero=1),
            8,
            "characters.0.patient_zero: Input should be a valid boolean",
        ),
        (
            person("A", "room", patient_zero=True) + '[[interventions]]\nkind = "cordon"\nstart_hours = 5\n'
            "end_hours = 2\n",
            9,
            "end_hours (2) must be after start_hours (5)",
        ),
        # numbers are numbers and booleans booleans: TOML's types are kept, nothing is coerced
        ("days = true\n", 5, "days: Input should be a valid number"),
        ('days = "2"\n', 5, "days: Input should be a valid number"),
        (
            '[[population]]\nroom = "room"\ncount = "3"\n',
            7,
            "population.0.count: Input should be a valid integer",
        ),
        ("seed = 9007199254740992\n", 5, "seed: Input should be less than or equal to 9007199254740991"),
        ("[humans]\nrun_speed = 1\nwalk_speed = 1.4\n", 5, "run_speed (1) is below walk_speed (1.4)"),
    ],
)
def test_bad_scenario_fields_name_file_line_and_field(tmp_path, toml, line, message):
    with pytest.raises(HyosanError) as err:
        world(tmp_path, "#####\n#aa'E\n#####", {"a": "room"}, toml)
    text = str(err.value)
    path = tmp_path / "scenario.toml"
    assert text.startswith(f"{path}:{line}:" if line else str(path)), text
    assert message in text


def test_unknown_room_and_missing_map(tmp_path):
    with pytest.raises(HyosanError, match="no room named 'gym'; rooms: room"):
        world(tmp_path, "#####\n#aa'E\n#####", {"a": "room"}, person("A", "gym", patient_zero=True))
    (tmp_path / "scenario.toml").write_text('name = "x"\nmaps = ["nowhere.map"]\n')
    with pytest.raises(HyosanError, match="no map file 'nowhere.map'"):
        hyosan.load(tmp_path / "scenario.toml")


def test_not_toml(tmp_path):
    (tmp_path / "scenario.toml").write_text('name = "x\n')
    with pytest.raises(HyosanError, match="not valid TOML"):
        hyosan.load(tmp_path / "scenario.toml")


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "no-such-scenario"], "no scenario 'no-such-scenario'"),
        (["run", "hyosan-high", "--days", "0"], "--days must be a positive number"),
        (["run", "hyosan-high", "--seed", "-2"], "'--seed': Input should be greater than or equal to 0"),
        # one bound for a seed in every command (the scenarios' own is the same)
        (["run", "hyosan-high", "--seed", str(2**53)], "'--seed': Input should be less than or equal"),
        (["solve", "alemi", "--seed", "99999999999999999999"], "'--seed': Input should be less than"),
        (["lattice", "--size", "8", "--seed", "9007199254740992"], "'--seed': Input should be less than"),
        (["ensemble", "alemi", "--runs", "2", "--seed", "1e3"], "'--seed': Input should be a valid integer"),
        # usage errors are one line too, not click's boxed panel
        (["solve", "alemi", "--points", "1.5"], "invalid value for '--points'"),
        (["solve", "alemi", "--no-such"], "no such option: --no-such"),
        (["run"], "missing argument 'scenario'"),
        (["serve", "--port", "abc"], "invalid value for '--port'"),
        (["solve", "alemi", "--out", ""], "--out is empty: name a folder"),  # not the current folder
    ],
)
def test_run_cli_bad_input_one_line_exit_2(args, message):
    proc = subprocess.run([sys.executable, "-m", "hyosan.cli", *args], capture_output=True, text=True)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_run_cli_writes_the_run_folder_and_never_overwrites(tmp_path):
    import json

    import pandas as pd

    ex = tmp_path / "ex"
    from tests.test_scenario_docs import write_example

    write_example(ex)
    out = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "hyosan.cli",
        "run",
        str(ex),
        "--seed",
        "3",
        "--days",
        "0.05",
        "--out",
        str(out),
        "--json",
        "--animate",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["seed"] == 3 and {f["name"] for f in summary["fates"]} == {"Min-ji", "Mr. Lee"}
    for f in (
        "timeline.parquet",
        "events.parquet",
        "fates.csv",
        "summary.json",
        "scenario.toml",
        "timeline.png",
        "animation.gif",
    ):
        assert (out / f).stat().st_size > 0, f
    ev = pd.read_parquet(out / "events.parquet")
    assert {"t", "event", "agent", "other", "level", "x", "y", "room"} <= set(ev.columns)
    tl = pd.read_parquet(out / "timeline.parquet")
    assert {"t", "level", "human", "zombie", "dead", "escaped"} <= set(tl.columns)
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 2 and "--force" in again.stderr


def test_error_text_is_printed_literally(tmp_path):
    """Brackets in an error ([grid], [key]) reach the terminal as written, not eaten as markup."""
    scenario = write(tmp_path, "scenario.toml", 'name = "s"\nmaps = ["bad.map"]\n')
    write(tmp_path, "bad.map", "level = 1\n[grid]\n#####\n#ab'E\n#####\n[key]\na = room\n")
    res = subprocess.run(
        [sys.executable, "-m", "hyosan.cli", "run", str(scenario), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2, res.stderr
    assert "room letter 'b' is not in the [key] section" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("which", ["scenario.toml", "floor1.map"])
def test_a_binary_file_gets_one_line_not_a_traceback(tmp_path, which):
    """A scenario or map that is not UTF-8 text: one line naming the file and the line, exit code 2."""
    world(tmp_path, "#####\n#aa'E\n#####", {"a": "room"}, person("A", "room", patient_zero=True))
    path = tmp_path / which
    path.write_bytes(path.read_bytes() + b"\n\xff\xfe\x00binary")
    args = ["run", str(tmp_path / "scenario.toml"), "--out", str(tmp_path / "o")]
    proc = subprocess.run(
        [sys.executable, "-m", "hyosan.cli", *args],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{path}:" in proc.stderr and "not a text" in proc.stderr and "not UTF-8" in proc.stderr


@pytest.mark.parametrize(
    "toml, message",
    [
        ('[[population]]\nroom = "room"\ncount = 9\n', "9 people in 'room', which has 2 floor cells"),
        (
            person("A", "room", patient_zero=True) + '[[interventions]]\nkind = "helicopter"\nat_hours = 1\n',
            "the maps have no helipad (H)",
        ),
        ("record_seconds = 1e-9\n", "must be a whole number of steps of 1 s"),
    ],
)
def test_scenarios_that_make_no_sense_are_refused(tmp_path, monkeypatch, toml, message):
    """Checks of the scenario against its maps: room for everyone, a helipad for a helicopter."""
    import re

    from tests import agent_helpers

    monkeypatch.setattr(agent_helpers, "HEADER", agent_helpers.HEADER.replace("record_seconds = 10\n", ""))
    with pytest.raises(HyosanError, match=re.escape(message)):
        world(tmp_path, "#####\n#aa'E\n#####", {"a": "room"}, toml)


def test_a_run_folder_is_never_the_scenarios_own(tmp_path):
    """--out naming the scenario's folder would write the run's copy of scenario.toml over it."""
    world(tmp_path, "#####\n#aa'E\n#####", {"a": "room"}, person("A", "room", patient_zero=True))
    before = (tmp_path / "scenario.toml").read_text()
    args = ["run", str(tmp_path), "--days", "0.001", "--out", str(tmp_path), "--force"]
    proc = subprocess.run([sys.executable, "-m", "hyosan.cli", *args], capture_output=True, text=True)
    assert proc.returncode == 2 and "holds the run's own input" in proc.stderr, proc.stderr
    assert (tmp_path / "scenario.toml").read_text() == before
