"""Animated floors: each frame shows every level, walls grey, people by kind."""

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


def snapshot(sim) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """What a frame needs: time, positions, kinds and the state of the doors."""
    return sim.t, sim.agents.pos.copy(), sim.agents.kind.copy(), sim.world.cells.copy()


def frame(sim, pos: np.ndarray, kind: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """RGB image of all levels side by side (2 pixels per metre)."""
    F, H, W = sim.F, sim.H, sim.W
    img = np.full((F, H, W, 3), 255, np.uint8)
    c = cells.reshape(F, H, W)
    img[c == Cell.WALL] = (90, 90, 90)
    img[c == Cell.VOID] = (235, 235, 235)
    img[np.isin(c, [Cell.DOOR_CLOSED, Cell.DOOR_LOCKED, Cell.DOOR_BARRICADED])] = (150, 90, 30)
    img[c == Cell.EXIT] = (0, 170, 0)
    flat = img.reshape(-1, 3)
    for k, rgb in RGB.items():
        flat[pos[kind == k]] = rgb
    strip = np.concatenate(
        [np.pad(img[f], ((0, 0), (0, 2), (0, 0)), constant_values=255) for f in range(F)], axis=1
    )
    return np.repeat(np.repeat(strip, 2, axis=0), 2, axis=1)


def write_animation(sim, frames: list, path: Path) -> Path:
    """Write frames (from `snapshot`) as an animated GIF with imageio."""
    import imageio.v3 as iio

    images = [frame(sim, pos, kind, cells) for _, pos, kind, cells in frames]
    iio.imwrite(path, np.stack(images), duration=120, loop=0)
    return path
