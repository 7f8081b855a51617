"""Floor plans: plain-text maps, one per floor, parsed into arrays with clear errors.

Map file format (one floor per file, 1 cell = 1 m):

    ; comment lines start with ';'
    level = 2
    name = second floor
    [grid]
    ##########
    #aaaa+...S
    ##########
    [key]
    a = classroom 2-5

Legend of the [grid] glyphs:

    #   wall                      .   floor (corridor, yard: no room name)
    a-z floor of the room that [key] names for that letter
    '   open door                 +   closed door (humans open it, zombies must break it)
    L   locked door               X   barricaded door (nobody passes until it breaks)
    W   window (closed; sound and sight pass; zombies can break it)
    S   stairs: links to the S at the same row and column on the floor above or below
    E   exit off the map (escape, unless a cordon holds it)
    H   helipad (rooftop rescue point)
    F   food and water (walkable; people there eat and drink)
    T   water only, a tap (walkable; people there drink)
    (space)  nothing: outside the map

Checks, each reported as file:line:column: unknown glyph, a room letter missing from the key,
a key letter not on the map, stairs with no partner on the next floor, areas nobody can reach
from an exit, and no exit at all.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import numpy as np

from ..errors import HyosanError, read_text


class Cell(IntEnum):
    """What a 1 m cell is (stored as uint8); doors change state during a run, walls never do."""

    VOID = 0
    WALL = 1
    FLOOR = 2
    DOOR_OPEN = 3
    DOOR_CLOSED = 4
    DOOR_LOCKED = 5
    DOOR_BARRICADED = 6
    WINDOW = 7
    STAIRS = 8
    EXIT = 9
    HELIPAD = 10
    SUPPLY = 11
    DOOR_BROKEN = 12
    TAP = 13


GLYPHS = {
    "#": Cell.WALL,
    ".": Cell.FLOOR,
    "'": Cell.DOOR_OPEN,
    "+": Cell.DOOR_CLOSED,
    "L": Cell.DOOR_LOCKED,
    "X": Cell.DOOR_BARRICADED,
    "W": Cell.WINDOW,
    "S": Cell.STAIRS,
    "E": Cell.EXIT,
    "H": Cell.HELIPAD,
    "F": Cell.SUPPLY,
    "T": Cell.TAP,
    " ": Cell.VOID,
}
LEGEND = (
    "# wall, . floor, a-z room floor, ' open door, + closed door, L locked door, X barricaded door, "
    "W window, S stairs, E exit, H helipad, F food and water, T water (a tap), space for nothing"
)
CELL_NAMES = {
    Cell.VOID: "nothing",
    Cell.WALL: "wall",
    Cell.FLOOR: "floor",
    Cell.DOOR_OPEN: "open door",
    Cell.DOOR_CLOSED: "closed door",
    Cell.DOOR_LOCKED: "locked door",
    Cell.DOOR_BARRICADED: "barricaded door",
    Cell.WINDOW: "window",
    Cell.STAIRS: "stairs",
    Cell.EXIT: "exit",
    Cell.HELIPAD: "helipad",
    Cell.SUPPLY: "food and water",
    Cell.TAP: "water (a tap)",
    Cell.DOOR_BROKEN: "broken door",
}
WALKABLE = {
    Cell.FLOOR,
    Cell.DOOR_OPEN,
    Cell.STAIRS,
    Cell.EXIT,
    Cell.HELIPAD,
    Cell.SUPPLY,
    Cell.TAP,
    Cell.DOOR_BROKEN,
}
DOORS = {
    Cell.DOOR_OPEN,
    Cell.DOOR_CLOSED,
    Cell.DOOR_LOCKED,
    Cell.DOOR_BARRICADED,
    Cell.WINDOW,
    Cell.DOOR_BROKEN,
}


@dataclass
class Floor:
    """One parsed floor: cell codes, room ids, and where each cell came from (for messages)."""

    level: int
    name: str
    path: Path
    cells: np.ndarray  # (H, W) uint8 codes
    rooms: np.ndarray  # (H, W) int16 room index into `room_names`, -1 for none
    room_names: list[str]
    first_line: int  # file line of grid row 0

    def where(self, row: int, col: int) -> str:
        """file:line:column of a grid cell (1-based line and column)."""
        return f"{self.path}:{self.first_line + row}:{col + 1}"


def parse_floor(path: str | Path, text: str | None = None) -> Floor:
    """Parse one map file; raise HyosanError naming file:line:column on any problem."""
    path = Path(path)
    if text is None:
        text = read_text(path, "map")
    header: dict[str, tuple[str, int]] = {}
    grid: list[tuple[int, str]] = []
    key: dict[str, tuple[str, int]] = {}
    section, seen = "header", {}
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\n\r")
        if section != "grid" and (not line.strip() or line.lstrip().startswith(";")):
            continue
        if line.strip() in ("[grid]", "[key]"):
            section = line.strip()[1:-1]
            if section in seen:
                raise HyosanError(
                    f"{path}:{no}:1: a second [{section}] section (the first is on line {seen[section]})"
                )
            seen[section] = no
            continue
        if section == "header":
            k, sep, v = line.partition("=")
            if not sep:
                raise HyosanError(f"{path}:{no}:1: expected 'name = value' or [grid]; got {line.strip()!r}")
            if k.strip() not in ("level", "name"):
                raise HyosanError(
                    f"{path}:{no}:1: unknown header field {k.strip()!r}; a map's header has level and name"
                )
            if k.strip() in header:
                raise HyosanError(
                    f"{path}:{no}:1: {k.strip()} is given twice (first on line {header[k.strip()][1]})"
                )
            header[k.strip()] = (v.strip(), no)
        elif section == "grid":
            if line.lstrip().startswith(";"):
                raise HyosanError(f"{path}:{no}:1: comments are not allowed inside [grid]")
            grid.append((no, line))
        else:
            k, sep, v = line.partition("=")
            letter = k.strip()
            if not sep or len(letter) != 1 or not ("a" <= letter <= "z") or not v.strip():
                raise HyosanError(
                    f"{path}:{no}:1: expected a key line like 'a = classroom 2-5'; got {line.strip()!r}"
                )
            if letter in key:
                raise HyosanError(
                    f"{path}:{no}:1: key letter {letter!r} is defined twice (first on line {key[letter][1]})"
                )
            same = [k for k, (name, _) in key.items() if name == v.strip()]
            if same:
                raise HyosanError(
                    f"{path}:{no}:1: key letters {same[0]!r} and {letter!r} both name {v.strip()!r}; "
                    "one room is one letter"
                )
            key[letter] = (v.strip(), no)
    while grid and not grid[-1][1].strip():
        grid.pop()
    if not grid:
        raise HyosanError(f"{path}: no [grid] section (or it is empty)")
    if "level" not in header:
        raise HyosanError(f"{path}:1:1: missing 'level = N' before [grid]")
    try:
        level = int(header["level"][0])
        if abs(level) > 999:
            raise ValueError
    except ValueError:
        raise HyosanError(
            f"{path}:{header['level'][1]}:1: level must be a whole number from -999 to 999, "
            f"got {header['level'][0]!r}"
        ) from None
    H, W = len(grid), max(len(row) for _, row in grid)
    if H * W > MAX_FLOOR_CELLS:
        raise HyosanError(
            f"{path}: a floor of {H:,} x {W:,} cells; at most {MAX_FLOOR_CELLS:,} cells (a square "
            "kilometre at 1 m) per floor"
        )
    cells = np.zeros((H, W), dtype=np.uint8)
    rooms = -np.ones((H, W), dtype=np.int16)
    letters = sorted(key)
    used = set()
    for r, (no, line) in enumerate(grid):
        for c, ch in enumerate(line):
            if ch in GLYPHS:
                cells[r, c] = GLYPHS[ch]
            elif "a" <= ch <= "z":
                if ch not in key:
                    raise HyosanError(f"{path}:{no}:{c + 1}: room letter {ch!r} is not in the [key] section")
                cells[r, c] = Cell.FLOOR
                rooms[r, c] = letters.index(ch)
                used.add(ch)
            else:
                raise HyosanError(f"{path}:{no}:{c + 1}: unknown glyph {ch!r}; legend: {LEGEND}")
    for letter, (name, no) in key.items():
        if letter not in used:
            raise HyosanError(f"{path}:{no}:1: key letter {letter!r} ({name}) does not appear on the map")
    floor = Floor(
        level,
        header.get("name", (f"floor {level}", 0))[0],
        path,
        cells,
        rooms,
        [key[letter][0] for letter in letters],
        grid[0][0],
    )
    _assign_doors_to_rooms(floor)
    return floor


def _assign_doors_to_rooms(floor: Floor) -> None:
    """Door and window cells take the room they open into, so events there name a room."""
    H, W = floor.cells.shape
    for r, c in zip(*np.nonzero(np.isin(floor.cells, list(DOORS)))):
        for dr, dc in ((0, 1), (0, -1), (1, 0), (-1, 0)):
            rr, cc = r + dr, c + dc
            if 0 <= rr < H and 0 <= cc < W and floor.rooms[rr, cc] >= 0:
                floor.rooms[r, c] = floor.rooms[rr, cc]
                break


@dataclass
class Building:
    """All floors stacked into (F, H, W) arrays, with room names global to the building."""

    floors: list[Floor]
    cells: np.ndarray  # (F, H, W) uint8
    rooms: np.ndarray  # (F, H, W) int32 global room index, -1 for none
    room_names: list[str]  # "name (floor level)"
    levels: list[int]

    @property
    def shape(self) -> tuple[int, int, int]:
        """(floors, height, width)."""
        return self.cells.shape

    def room_index(self, name: str) -> int:
        """Global index of a room by its name (e.g. 'classroom 2-5'), or a clear error."""
        for i, n in enumerate(self.room_names):
            if n == name:
                return i
        raise HyosanError(f"no room named {name!r}; rooms: {', '.join(sorted(set(self.room_names)))}")

    def room_cells(self, name: str) -> np.ndarray:
        """(k, 3) array of (floor, row, col) of the walkable cells of a room, doorways excluded."""
        idx = self.room_index(name)
        walk = np.isin(self.cells, list(WALKABLE - DOORS))
        return np.argwhere((self.rooms == idx) & walk)


# The largest floor a map may draw: a square kilometre of 1 m cells (the school is 100 m wide).
MAX_FLOOR_CELLS = 1_000_000


def load_building(paths: list[Path], texts: list[str] | None = None) -> Building:
    """Parse the maps of all floors (from `texts` when given, named by `paths`), stack them and check them."""
    texts = [None] * len(paths) if texts is None else texts
    floors = sorted((parse_floor(p, t) for p, t in zip(paths, texts)), key=lambda f: f.level)
    levels = [f.level for f in floors]
    if len(set(levels)) != len(levels):
        dup = next(lv for lv in levels if levels.count(lv) > 1)
        raise HyosanError(
            f"two maps say level = {dup}: " + ", ".join(str(f.path) for f in floors if f.level == dup)
        )
    H = max(f.cells.shape[0] for f in floors)
    W = max(f.cells.shape[1] for f in floors)
    cells = np.zeros((len(floors), H, W), dtype=np.uint8)
    rooms = -np.ones((len(floors), H, W), dtype=np.int32)
    names: list[str] = []
    for i, f in enumerate(floors):
        h, w = f.cells.shape
        cells[i, :h, :w] = f.cells
        local = f.rooms >= 0
        rooms[i, :h, :w][local] = f.rooms[local] + len(names)
        names += f.room_names
    building = Building(floors, cells, rooms, names, levels)
    _check_stairs(building)
    _check_reachable(building)
    return building


def _check_stairs(b: Building) -> None:
    F = len(b.floors)
    for i, f in enumerate(b.floors):
        for r, c in np.argwhere(f.cells == Cell.STAIRS):
            partner = any(
                0 <= j < F and b.levels[j] == f.level + d and b.cells[j, r, c] == Cell.STAIRS
                for j, d in ((i - 1, -1), (i + 1, 1))
            )
            if not partner:
                raise HyosanError(
                    f"{f.where(r, c)}: stairs with no partner: no 'S' at the same row and column "
                    f"on level {f.level - 1} or {f.level + 1}"
                )


def passable_for_reach(code: int) -> bool:
    """Cells a person could ever cross (doors of any kind count: they can be opened or broken)."""
    return code in WALKABLE or code in (Cell.DOOR_CLOSED, Cell.DOOR_LOCKED, Cell.DOOR_BARRICADED)


def _check_reachable(b: Building) -> None:
    exits = np.argwhere(b.cells == Cell.EXIT)
    if exits.size == 0:
        raise HyosanError(
            "no exit: none of the maps ("
            + ", ".join(str(f.path) for f in b.floors)
            + ") has an 'E' cell, so nobody could ever leave"
        )
    ok = np.vectorize(passable_for_reach)(b.cells)
    seen = np.zeros(b.cells.shape, dtype=bool)
    queue = deque(map(tuple, exits))
    for e in queue:
        seen[e] = True
    F, H, W = b.cells.shape
    while queue:
        f, r, c = queue.popleft()
        nbrs = [(f, r + dr, c + dc) for dr, dc in ((0, 1), (0, -1), (1, 0), (-1, 0))]
        if b.cells[f, r, c] == Cell.STAIRS:
            nbrs += [(g, r, c) for g in (f - 1, f + 1) if 0 <= g < F and b.cells[g, r, c] == Cell.STAIRS]
        for g, rr, cc in nbrs:
            if 0 <= rr < H and 0 <= cc < W and ok[g, rr, cc] and not seen[g, rr, cc]:
                seen[g, rr, cc] = True
                queue.append((g, rr, cc))
    stranded = np.argwhere(ok & ~seen)
    if stranded.size:
        f, r, c = stranded[0]
        room = b.rooms[f, r, c]
        what = f"area '{b.room_names[room]}'" if room >= 0 else "an area"
        raise HyosanError(
            f"{b.floors[f].where(r, c)}: {what} cannot be reached from any exit "
            f"({len(stranded)} cells in all); add a door or remove it"
        )
