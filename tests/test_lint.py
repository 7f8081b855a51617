"""The code stays ruff-clean (pyproject.toml: line length 110, docstrings on public functions)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# Layers point one way: cli -> scenario/ensemble/web -> agents/solvers -> reactions/world.
BELOW = {"agents", "solvers", "reactions", "world"}
ABOVE = ("scenario", "ensemble", "web", "cli")


def test_lower_layers_never_import_upper_ones():
    import re

    bad = []
    for layer in BELOW:
        for path in (ROOT / "src" / "hyosan" / layer).rglob("*.py"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                m = re.match(r"\s*(from|import)\s+(\S+)", line)
                if m and any(re.search(rf"(^\.\.|hyosan\.){up}\b", m.group(2)) for up in ABOVE):
                    bad.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not bad, "\n".join(bad)


def test_scenarios_change_a_metapopulation_only_through_its_public_interventions():
    """The city acts on the engine by cut_borders, move and convert, never by writing its arrays."""
    import re

    internals = re.compile(r"\.engine\.(x|nbr|A|T|heap|hpos|arrival|act|budget)\b|\beng\.(x|nbr)\b")
    bad = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in (ROOT / "src" / "hyosan" / "scenario").rglob("*.py")
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if internals.search(line)
    ]
    assert not bad, bad
