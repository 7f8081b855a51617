"""Animated floors: every level at 4 pixels per metre, walls grey, doors by state, people by kind,
the named characters ringed and named, and a header with the clock and a key."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..agents import Kind
from ..world import Cell

RGB = {
    Kind.HUMAN: (40, 110, 230),
    Kind.ZOMBIE: (220, 30, 30),
    Kind.HYBRID_IMMUNE: (150, 60, 200),
    Kind.HYBRID_IMMORTAL: (230, 80, 200),
}
PX = 4  # pixels per metre
HEADER = 44


def snapshot(sim) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """What a frame needs: time, positions, kinds and the state of the doors."""
    return sim.t, sim.agents.pos.copy(), sim.agents.kind.copy(), sim.world.cells.copy()


def _layout(F: int, H: int, W: int) -> tuple[int, list[tuple[int, int]], tuple[int, int]]:
    """Levels in two columns (one or two levels: side by side): origin of each, in metres."""
    cols = min(F, 2)
    origins = [((f % cols) * (W + 3), (f // cols) * (H + 5) + 4) for f in range(F)]
    return cols, origins, (cols * (W + 3), -(-F // cols) * (H + 5) + 4)


def frame(sim, pos: np.ndarray, kind: np.ndarray, cells: np.ndarray, t: float | None = None) -> np.ndarray:
    """RGB image of one moment: all levels, the clock and a key (4 pixels per metre)."""
    from PIL import Image, ImageDraw, ImageFont

    F, H, W = sim.F, sim.H, sim.W
    img = np.full((F, H, W, 3), 255, np.uint8)
    c = cells.reshape(F, H, W)
    img[c == Cell.WALL] = (90, 90, 90)
    img[c == Cell.VOID] = (235, 235, 235)
    img[np.isin(c, [Cell.DOOR_CLOSED, Cell.DOOR_LOCKED])] = (150, 90, 30)
    img[c == Cell.DOOR_BARRICADED] = (0, 0, 0)
    img[c == Cell.DOOR_BROKEN] = (255, 150, 0)
    img[c == Cell.EXIT] = (0, 170, 0)
    flat = img.reshape(-1, 3)
    for k, rgb in RGB.items():
        flat[pos[kind == k]] = rgb
    cols, origins, (mw, mh) = _layout(F, H, W)
    canvas = np.full((mh, mw, 3), 244, np.uint8)
    for f, (x0, y0) in enumerate(origins):
        canvas[y0 : y0 + H, x0 : x0 + W] = img[f]
    big = Image.fromarray(np.repeat(np.repeat(canvas, PX, axis=0), PX, axis=1))
    out = Image.new("RGB", (big.width, big.height + HEADER), (255, 255, 255))
    out.paste(big, (0, HEADER))
    d = ImageDraw.Draw(out)
    font, small = ImageFont.load_default(15), ImageFont.load_default(11)
    clock = sim.clock(t if t is not None else sim.t)
    d.text((6, 4), f"{sim.scenario.name}, seed {sim.seed}   {clock}", fill=(0, 0, 0), font=font)
    x = 6
    for k, rgb in RGB.items():
        d.rectangle((x, 28, x + 9, 37), fill=rgb)
        label = Kind(k).name.lower().replace("_", " ")
        d.text((x + 12, 26), label, fill=(0, 0, 0), font=small)
        x += 20 + int(d.textlength(label, font=small))
    d.text((x + 10, 26), "grey: walls, brown: closed doors, black: barricaded, green: exits; 1 m = 4 px",
           fill=(60, 60, 60), font=small)  # fmt: skip
    HW = H * W
    for f, (x0, y0) in enumerate(origins):
        d.text(
            (x0 * PX + 2, HEADER + (y0 - 4) * PX + 1),
            f"level {sim.building.levels[f]}",
            fill=(0, 0, 0),
            font=small,
        )
    for a, name in enumerate(sim.names):
        if not name or kind[a] not in RGB:
            continue
        f, r, col = pos[a] // HW, (pos[a] % HW) // W, pos[a] % W
        px, py = (origins[f][0] + col) * PX + PX // 2, HEADER + (origins[f][1] + r) * PX + PX // 2
        d.ellipse((px - 5, py - 5, px + 5, py + 5), outline=(0, 0, 0), width=2)
        d.text(
            (px + 7, py - 12), name, fill=(0, 0, 0), font=small, stroke_width=2, stroke_fill=(255, 255, 255)
        )
    return np.asarray(out)


def write_animation(sim, frames: list, path: Path) -> Path:
    """Write frames (from `snapshot`) as an animated GIF with imageio."""
    import imageio.v3 as iio

    images = [frame(sim, pos, kind, cells, t) for t, pos, kind, cells in frames]
    iio.imwrite(path, np.stack(images), duration=150, loop=0)
    return path
