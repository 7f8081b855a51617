"""Write the floor plans of the bundled hyosan-high scenario (run once; the maps are committed).

The school: a building 100 m wide, rooms along the north side of a 3 m corridor, stairwells
at both ends of the corridor and one in the middle, four storeys and a rooftop reached by one
locked door. Floor 1 also holds the grounds: yard, gates, parking lot, tennis courts, archery
hall, gym with its equipment room, and the hill behind the school with the road to Yangdong.

    python scripts/make_hyosan_maps.py
"""

from __future__ import annotations

import string
from pathlib import Path

H, W = 80, 150  # every map has the same size so stairs line up
TOP, LEFT = 30, 25  # the building's north-west corner on every floor
BW, BH = 100, 16  # building width, depth (wall, 9 room rows, wall, 3 corridor rows, wall, +1)
OUT = Path(__file__).resolve().parents[1] / "src/hyosan/scenario/bundled/hyosan-high/maps"

FLOOR_ROOMS = {
    1: [
        ("teachers' office", 16),
        ("infirmary", 8),
        ("broadcasting room", 9),
        ("recording booth", 4),
        ("entrance hall", 12),
        ("library", 18),
        ("toilets 1", 6),
        ("cafeteria", 16),
    ],
    2: [
        ("classroom 1-1", 10),
        ("classroom 1-2", 10),
        ("classroom 1-3", 10),
        ("classroom 1-4", 10),
        ("central stairs 2", 6),
        ("classroom 1-5", 10),
        ("classroom 1-6", 10),
        ("classroom 1-7", 10),
        ("toilets 2", 8),
    ],
    3: [
        ("classroom 2-1", 10),
        ("classroom 2-2", 10),
        ("classroom 2-3", 10),
        ("classroom 2-4", 10),
        ("central stairs 3", 6),
        ("classroom 2-5", 10),
        ("classroom 2-6", 10),
        ("classroom 2-7", 10),
        ("toilets 3", 8),
    ],
    4: [
        ("classroom 3-1", 10),
        ("classroom 3-2", 10),
        ("science lab", 14),
        ("science lab supply room", 6),
        ("central stairs 4", 6),
        ("art room", 10),
        ("music room", 10),
        ("music supply closet", 4),
        ("classroom 3-3", 10),
        ("toilets 4", 6),
    ],
}
SUPPLIES = {"cafeteria", "music supply closet", "teachers' office"}  # food and water there
TAPS = {"toilets 1", "toilets 2", "toilets 3", "toilets 4"}  # water only: the sinks


def blank(fill: str = " ") -> list[list[str]]:
    return [[fill] * W for _ in range(H)]


def put(g, r, c, ch):
    g[TOP + r][LEFT + c] = ch


def building_floor(g, level: int, key: dict[str, str]) -> None:
    """Draw one storey: outer walls, rooms with doors, corridor, stairwells."""
    for r in range(BH - 1):
        for c in range(BW):
            put(g, r, c, "#")
    for r in range(11, 14):  # corridor
        for c in range(1, BW - 1):
            put(g, r, c, ".")
    for r in range(11, 14):  # end stairwells (in the corridor)
        for c in (1, 2, 3, BW - 4, BW - 3, BW - 2):
            put(g, r, c, "S")
    for c in range(4, BW - 4, 3):  # corridor windows on the south wall
        put(g, 14, c, "W")
    c = 1
    letters = iter(c for c in string.ascii_lowercase if c not in key)
    for name, width in FLOOR_ROOMS[level]:
        letter = next(letters)
        key[letter] = name
        for r in range(1, 10):
            for cc in range(c, c + width):
                put(g, r, cc, letter)
        if name.startswith("central stairs") or name == "entrance hall":
            mid = c + width // 2
            if level > 1 or name == "entrance hall":
                for r in range(3, 6):
                    for cc in range(mid - 1, mid + 2):
                        put(g, r, cc, "S")
            for cc in range(c + 1, c + width - 1):  # wide open passage to the corridor
                put(g, 10, cc, "'")
        else:
            doors = [c + 1, c + width - 2] if width >= 8 else [c + width // 2]
            for d in doors:
                put(g, 10, d, "+")
            for cc in range(c + 1, c + width - 1, 3):
                put(g, 0, cc, "W")
        if name in SUPPLIES:
            put(g, 2, c + 1, "F")
        if name in TAPS:
            put(g, 2, c + 1, "T")
        c += width + 1
    assert c <= BW, (level, c)
    assert any(n.startswith(("central stairs", "entrance hall")) for n, _ in FLOOR_ROOMS[level])


def grounds(g, key: dict[str, str]) -> None:
    """Floor 1's outdoors: fence, gates, yard, parking, tennis, archery hall, gym, hill."""
    for r in range(H):
        for c in range(W):
            g[r][c] = "#" if r in (0, H - 1) or c in (0, W - 1) else "."
    areas = [
        ("y", "hill behind the school", 1, 1, 22, W - 2),
        ("p", "parking lot", 52, 2, 20, 30),
        ("t", "tennis courts", 52, 100, 24, 44),
        ("q", "sports field", 50, 36, 26, 60),
    ]
    for letter, name, r0, c0, h, w in areas:
        key[letter] = name
        for r in range(r0, r0 + h):
            for c in range(c0, c0 + w):
                g[r][c] = letter
    # gym (with equipment room) west of the building, archery hall east
    for letter, name, r0, c0, h, w, door in (
        ("g", "gym", 26, 2, 20, 20, (36, 21)),
        ("r", "archery hall", 26, 128, 16, 20, (34, 128)),
    ):
        key[letter] = name
        for r in range(r0, r0 + h):
            for c in range(c0, c0 + w):
                g[r][c] = "#" if r in (r0, r0 + h - 1) or c in (c0, c0 + w - 1) else letter
        g[door[0]][door[1]] = "+"
    key["u"] = "gym equipment room"
    for r in range(27, 32):
        for c in range(3, 8):
            g[r][c] = "u"
    for c in range(3, 8):
        g[32][c] = "#"
    g[32][5] = "+"
    g[28][3] = "F"
    # gates: main gate south, back gate west, road to Yangdong over the hill (north)
    for c in range(70, 76):
        g[H - 1][c] = "E"
    for r in range(58, 62):
        g[r][0] = "E"
    for c in range(40, 44):
        g[0][c] = "E"


def write(level: int, name: str, g, key: dict[str, str]) -> None:
    rows = ["".join(row).rstrip() for row in g]
    text = [
        f"; Hyosan High School: {name}. Written by scripts/make_hyosan_maps.py; 1 cell = 1 m.",
        f"level = {level}",
        f"name = {name}",
        "[grid]",
        *rows,
        "[key]",
    ]
    text += [f"{k} = {v}" for k, v in sorted(key.items())]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"floor{level}.map").write_text("\n".join(text) + "\n")


def main() -> None:
    """Write floor1.map (with the grounds) to floor4.map and roof.map."""
    for level in range(1, 5):
        g = blank()
        key: dict[str, str] = {}
        if level == 1:
            grounds(g, key)
        building_floor(g, level, key)
        if level == 1:  # the entrance hall opens south onto the yard through the corridor
            for c in range(44, 50):
                put(g, 14, c, "'")
            for r in (15,):
                for c in range(44, 50):
                    put(g, r, c, ".")
        write(
            level,
            {1: "ground floor and grounds", 2: "second floor", 3: "third floor", 4: "fourth floor"}[level],
            g,
            key,
        )
    g = blank()
    key = {"a": "rooftop"}
    for r in range(BH - 1):
        for c in range(BW):
            put(g, r, c, "#" if r in (0, BH - 2) or c in (0, BW - 1) else "a")
    for r in range(10, 15):  # the stair hut over the east stairwell, one locked door
        for c in range(BW - 6, BW):
            put(g, r, c, "#")
    for r in range(11, 14):
        for c in (BW - 4, BW - 3, BW - 2):
            put(g, r, c, "S")
    put(g, 12, BW - 5, ".")
    put(g, 12, BW - 6, "L")
    for r in range(4, 8):
        for c in range(40, 46):
            put(g, r, c, "H")
    write(5, "rooftop", g, key)


if __name__ == "__main__":
    main()
