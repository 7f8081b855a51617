"""A seed is a story: the events depend on the scenario, the seed and the story time only.

Never on how the run is cut into calls, on progress callbacks, on recording an animation, on
the CLI or the API, nor on a checkpoint and resume in between.
"""

import hashlib
import subprocess
import sys

import pandas as pd
import pytest

import hyosan
from tests.agent_helpers import person, world

STORY_HOURS = 1.25  # past the cordon (0.1 h) and well into the outbreak


def digest(events: pd.DataFrame) -> str:
    """A hash of the event table's bytes (every column, every row)."""
    return hashlib.sha256(events.to_csv(index=False).encode()).hexdigest()


def run_in_calls(sim, seconds: float, call_seconds: float, **kw):
    """Drive a run through repeated `run` calls of `call_seconds` each."""
    done = 0.0
    while done < seconds - 1e-9:
        step = min(call_seconds, seconds - done)
        sim.run(days=step / 86400, **kw)
        done += step
    return sim


@pytest.fixture(scope="module")
def reference():
    """The school, seed 4 (its outbreak takes off early), run in one call."""
    sim = hyosan.load("hyosan-high", seed=4).run(days=STORY_HOURS / 24)
    assert len(sim.events) > 50 and (sim.events["event"] == "turned back at cordon").any()
    return sim


@pytest.mark.parametrize("call_seconds, chunk_seconds", [(60, 600), (4500, 1), (777, 7)])
def test_the_same_events_however_the_run_is_cut(reference, call_seconds, chunk_seconds):
    frames = []
    sim = run_in_calls(
        hyosan.load("hyosan-high", seed=4),
        STORY_HOURS * 3600,
        call_seconds,
        chunk_seconds=chunk_seconds,
        progress=lambda t: frames.append(t),
    )
    assert frames  # the progress callback was called
    assert digest(sim.events) == digest(reference.events)
    assert sim.timeline.equals(reference.timeline)
    assert sim.positions().equals(reference.positions())


@pytest.mark.parametrize("animate", [False, True])
def test_the_cli_tells_the_same_story_as_the_api(tmp_path, reference, animate):
    out = tmp_path / "run"
    args = [
        sys.executable,
        "-m",
        "hyosan.cli",
        "run",
        "hyosan-high",
        "--seed",
        "4",
        "--days",
        str(STORY_HOURS / 24),
        "--out",
        str(out),
    ] + (["--animate"] if animate else [])
    subprocess.run(args, check=True, capture_output=True, text=True)
    cli = pd.read_parquet(out / "events.parquet")
    assert digest(cli) == digest(reference.events)
    assert (out / "animation.gif").exists() == animate


def test_a_resumed_checkpoint_tells_the_rest_of_the_same_story(tmp_path, reference):
    sim = hyosan.load("hyosan-high", seed=4).run(days=0.4 / 24)
    path = sim.save(tmp_path / "school.ckpt")
    sim.run(days=0.1 / 24)  # the saved state is not touched by running on
    resumed = hyosan.resume(path)
    assert resumed.t == 0.4 * 3600 and resumed.seed == 4
    resumed.run(days=(STORY_HOURS - 0.4) / 24)
    assert digest(resumed.events) == digest(reference.events)
    assert resumed.timeline.equals(reference.timeline)
    assert resumed.states().equals(reference.states())


def test_going_back_to_an_earlier_state_of_the_same_run_tells_the_same_story(reference):
    # the looks kept per cell carry stamps of the moment they were worked out: going back must not
    # take a look from the later moment it left for a fresh one
    sim = hyosan.load("hyosan-high", seed=4).run(days=0.4 / 24)
    meta, arrays = sim.state()
    arrays = {k: v.copy() for k, v in arrays.items()}
    sim.run(days=0.5 / 24)
    sim.set_state(meta, arrays)
    sim.run(days=(STORY_HOURS - 0.4) / 24)
    assert digest(sim.events) == digest(reference.events)


def test_a_checkpoint_resumes_in_another_process(tmp_path, reference):
    sim = hyosan.load("hyosan-high", seed=4).run(days=0.7 / 24)
    path = sim.save(tmp_path / "school.ckpt")
    code = (
        f"import hashlib, hyosan; s = hyosan.resume({str(path)!r}).run(days={(STORY_HOURS - 0.7) / 24!r}); "
        "print(hashlib.sha256(s.events.to_csv(index=False).encode()).hexdigest())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == digest(reference.events)


SMALL = """
##################
#rrrrrrrrr#aaaaaaa#
#rrrrrrrrr'aaaaaaa'E
#rrrrrrrrr#aaaaaaa#
##################
"""


def test_interventions_happen_at_their_step_whatever_the_calls(tmp_path):
    toml = (
        "".join(person(f"P{i}", "room r", calm=0.0) for i in range(6))
        + person("Z", "room a", patient_zero=True)
        + '[[interventions]]\nkind = "cordon"\nstart_hours = 0.00278\nend_hours = 0.0081\n'
        + '[[interventions]]\nkind = "lure"\nroom = "room a"\nstart_hours = 0.0013\nminutes = 0.7\n'
        + '[[interventions]]\nkind = "bombing"\nat_hours = 0.0123\nrooms = ["room a"]\n'
    )

    def story(calls):
        sim = world(tmp_path, SMALL, {"r": "room r", "a": "room a"}, toml, seed=12)
        return run_in_calls(sim, 60.0, calls).events

    one = story(60)
    assert {"turned back at cordon", "bombed"} <= set(one["event"])
    assert (
        one.loc[one["event"] == "bombed", "t"].min() == 45.0
    )  # 0.0123 h = 44.28 s: the first step at or after
    assert digest(story(1)) == digest(one) == digest(story(13))


def test_checkpoint_errors_are_clear(tmp_path):
    bad = tmp_path / "not.ckpt"
    bad.write_bytes(b"nonsense")
    with pytest.raises(hyosan.HyosanError, match="not a hyosan checkpoint"):
        hyosan.resume(bad)
