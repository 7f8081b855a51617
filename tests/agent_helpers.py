"""Small worlds for behaviour tests: write a map and a scenario, load the simulation."""

from pathlib import Path

import hyosan

HEADER = 'name = "test"\nmaps = ["floor1.map"]\nrecord_seconds = 10\nstart_hour = 12\n'


def world(
    tmp_path: Path, grid: str, key: dict[str, str], toml: str, seed: int = 1, extra_maps: dict | None = None
):
    """Write floor1.map (level 1) from `grid` and scenario.toml from HEADER + toml; return the Sim."""
    lines = ["level = 1", "[grid]", *grid.strip("\n").splitlines(), "[key]"]
    lines += [f"{k} = {v}" for k, v in key.items()]
    (tmp_path / "floor1.map").write_text("\n".join(lines) + "\n")
    maps = ['"floor1.map"']
    for name, text in (extra_maps or {}).items():
        (tmp_path / name).write_text(text)
        maps.append(f'"{name}"')
    (tmp_path / "scenario.toml").write_text(
        HEADER.replace('["floor1.map"]', "[" + ", ".join(maps) + "]") + toml
    )
    return hyosan.load(tmp_path / "scenario.toml", seed=seed)


def person(name: str, room: str, **traits) -> str:
    """A [[characters]] table."""
    body = f'[[characters]]\nname = "{name}"\nroom = "{room}"\n'
    for k, v in traits.items():
        body += f"{k} = {str(v).lower() if isinstance(v, bool) else v}\n"
    return body
