"""Scenarios: TOML files validated by pydantic, with their maps beside them; bundled ones by name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import HyosanError, read_text, read_toml
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


KINDS = ("school", "city", "country")


@dataclass(frozen=True)
class Loaded:
    """A scenario file read once and validated (with any `--set` values): its kind, the validated
    scenario, where it came from and its text as written."""

    kind: str
    scenario: Any
    path: Path
    text: str

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    def fingerprint(self) -> str:
        """A hash of the scenario as written and of the maps it reads: a checkpoint is only resumed
        by the run that made it."""
        import hashlib

        h = hashlib.sha256(self.text.encode())
        for m in self.map_files():
            h.update(b"\0" + m.encode() + b"\0")
            p = self.path.parent / m
            h.update(p.read_bytes() if p.is_file() else b"")
        return h.hexdigest()[:16]

    def map_files(self) -> list[str]:
        """The map files beside the scenario file that a run reads (relative names; a country's
        population raster is data, read where it lies, not carried as a map)."""
        if self.kind == "country":
            return []
        return list(self.scenario.maps) if self.kind == "school" else [self.scenario.map]


def read_scenario(name_or_path: str | Path, sets: dict[str, float] | None = None) -> Loaded:
    """Read a scenario file once, apply `--set` values, and validate it by its `kind` (school when
    absent, city or country); every error is one line naming the file, line and field."""
    from .city import parse_city
    from .country import parse_country
    from .overrides import apply_sets
    from .schema import _line_of

    path = resolve(name_or_path)
    text, data = read_toml(path, "scenario")
    kind = data.get("kind", "school")
    if kind not in KINDS:
        line = _line_of(text, ("kind",))
        where = f"{path}:{line}" if line else str(path)
        raise HyosanError(f"{where}: kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    sets = dict(sets or {})
    apply_sets(data, sets)
    parse = {"school": parse_scenario, "city": parse_city, "country": parse_country}[kind]
    sc = parse(path, text, data, sets)
    return Loaded(kind, sc, path, text)


def load_scenario(name_or_path: str | Path) -> tuple[Scenario, Path]:
    """Read, validate and return a school scenario with the path it came from."""
    loaded = read_scenario(name_or_path)
    return loaded.scenario, loaded.path


def check_room_for_everyone(sc, building) -> None:
    """Refuse a room the maps do not have, or more people starting in a room than its floor holds at
    `cell_capacity` a cell (4, the default, is a packed crowd: Fruin's level E, 0.2-0.3 m² a person)."""
    wanted: dict[str, int] = {}
    for who in [*sc.characters, *sc.population]:
        wanted[who.room] = wanted.get(who.room, 0) + getattr(who, "count", 1)
    for room, n in wanted.items():
        cells = len(building.room_cells(room))  # a clear error for a room the maps do not have
        if n > sc.cell_capacity * cells:
            raise HyosanError(
                f"scenario {sc.name}: {n:,} people in {room!r}, which has {cells:,} floor cells of 1 m² "
                f"and holds at most {sc.cell_capacity * cells:,} ({sc.cell_capacity} a cell: cell_capacity)"
            )


def build(loaded: Loaded, seed: int | None = None, base: Path | None = None):
    """The ready-to-run simulation of a read scenario: a school `Sim`, a `CitySim` or a
    `CountrySim` (whose population file is looked for in `base`, default the scenario's folder)."""
    if loaded.kind == "country":
        from .country import CountrySim

        return CountrySim(loaded.scenario, base or loaded.path.parent, seed)
    if loaded.kind == "city":
        from .city import CitySim

        return CitySim(loaded.scenario, loaded.path, seed)
    from ..agents.sim import Sim
    from ..world.floorplan import load_building

    sc, path = loaded.scenario, loaded.path
    texts = {}
    for m in sc.maps:
        mp = path.parent / m
        if not mp.is_file():
            raise HyosanError(f"{path}: maps: no map file {m!r} beside the scenario (looked for {mp})")
        texts[m] = read_text(mp, "map")
    building = load_building([path.parent / m for m in sc.maps], [texts[m] for m in sc.maps])
    check_room_for_everyone(sc, building)
    return Sim(sc, building, seed=seed, source=str(path), scenario_text=loaded.text, map_texts=texts)


def load(name_or_path: str | Path, seed: int | None = None, sets: dict[str, float] | None = None):
    """Build a ready-to-run simulation: `hyosan.load("hyosan-high", seed=1).run(days=1)` (a school
    `Sim`, a `CitySim` or a `CountrySim`), with optional `sets` ({"virus.beta": 0.01})."""
    return build(read_scenario(name_or_path, sets), seed)


def resume(path: str | Path):
    """Read a checkpoint written by `Sim.save` and return the simulation, ready to run on."""
    from ..agents.sim import read_checkpoint, restore

    meta, data = read_checkpoint(path)
    return restore(Scenario.model_validate(meta["scenario"]), meta, data)
