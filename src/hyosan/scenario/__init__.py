"""Scenarios: TOML files validated by pydantic, with their maps beside them; bundled ones by name."""

from __future__ import annotations

from pathlib import Path

from ..errors import HyosanError, read_text
from .schema import Scenario, parse_scenario

BUNDLED = Path(__file__).parent / "bundled"


def bundled() -> list[str]:
    """Names of the scenarios that ship with hyosan."""
    return sorted(p.parent.name for p in BUNDLED.glob("*/scenario.toml"))


def resolve(name_or_path: str | Path) -> Path:
    """The scenario file for a bundled name or a path (a folder holding scenario.toml, or a .toml file)."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    if p.is_dir() and (p / "scenario.toml").is_file():
        return p / "scenario.toml"
    if (BUNDLED / str(name_or_path) / "scenario.toml").is_file():
        return BUNDLED / str(name_or_path) / "scenario.toml"
    raise HyosanError(
        f"no scenario {str(name_or_path)!r}: not a file, not a folder with scenario.toml, "
        f"and not a bundled scenario ({', '.join(bundled())})"
    )


def is_city(path: Path) -> bool:
    """Whether a scenario file is a city scenario (kind = "city"), run on maps of cells."""
    import tomllib

    try:
        return tomllib.loads(Path(path).read_text()).get("kind") == "city"
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # the school parser reports the file's problem with its line


def load_scenario(name_or_path: str | Path) -> tuple[Scenario, Path]:
    """Read, validate and return a scenario with the path it came from."""
    path = resolve(name_or_path)
    return parse_scenario(path), path


def load(name_or_path: str | Path, seed: int | None = None):
    """Build a ready-to-run simulation: `hyosan.load("hyosan-high", seed=1).run(days=1)`."""
    from ..agents.sim import Sim
    from ..world.floorplan import load_building

    sc, path = load_scenario(name_or_path)
    texts = {}
    for m in sc.maps:
        mp = path.parent / m
        if not mp.is_file():
            raise HyosanError(f"{path}: maps: no map file {m!r} beside the scenario (looked for {mp})")
        texts[m] = read_text(mp, "map")
    building = load_building([path.parent / m for m in sc.maps], [texts[m] for m in sc.maps])
    for room in {g.room for g in sc.population} | {c.room for c in sc.characters}:
        building.room_index(room)  # a clear error for a room the maps do not have
    text = read_text(path, "scenario")
    return Sim(sc, building, seed=seed, source=str(path), scenario_text=text, map_texts=texts)
