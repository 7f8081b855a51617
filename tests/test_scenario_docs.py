"""docs/scenarios.md: its worked example runs, and its field reference matches the schema."""

import re
from pathlib import Path

import hyosan
from hyosan.scenario.docs import update

DOC = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"


def example_files() -> dict[str, str]:
    """The code blocks of the worked example, by their file= tag."""
    return {
        m.group(1): m.group(2) for m in re.finditer(r"```\w+ file=(\S+)\n(.*?)```", DOC.read_text(), re.S)
    }


def write_example(folder) -> Path:
    """Write the worked example's files to a folder (make docs writes docs/example)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in example_files().items():
        (folder / name).write_text(text)
    return folder


def test_worked_example_runs(tmp_path):
    files = example_files()
    assert set(files) == {"floor1.map", "scenario.toml"}
    sim = hyosan.load(write_example(tmp_path), seed=7).run()
    assert len(sim.agents.pos) == 32
    assert sim.t == 0.25 * 86400
    fates = sim.fates
    assert set(fates["name"]) == {"Min-ji", "Mr. Lee"}
    assert fates.set_index("name").loc["Min-ji", "fate"] in ("turned", "hybrid")
    counts = sim.counts()
    assert (
        counts["zombie"]
        + counts["dead"]
        + counts["escaped"]
        + counts["hybrid (immune)"]
        + counts["hybrid (immortal)"]
        > 1
    )  # the outbreak went somewhere


def test_docs_example_folder_matches_the_doc():
    folder = DOC.parent / "example"
    for name, text in example_files().items():
        assert (folder / name).read_text() == text, f"run `make docs`: docs/example/{name} is stale"


def test_field_reference_is_generated_and_up_to_date():
    text = DOC.read_text()
    assert update(text) == text, "run `make docs` to regenerate the field reference in docs/scenarios.md"
