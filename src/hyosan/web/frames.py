"""The viewer's wire format: a school's plan once, then compact binary frames of who is where.

Every binary message starts with one byte saying what it is. Little-endian throughout.
    PLAN   (1): u8 1, u8[3] 0, u32 F, u32 H, u32 W, then F*H*W u8 cell codes (`world.Cell`)
    FRAME  (2): u8 2, u8 playing, u16 0, u32 n agents, f64 story seconds, u32 doors, u32 0,
                u32[7] counts by kind, u32[n] cell of each agent (level * H * W + row * W + col),
                u8[n] kind of each agent, u8[doors] state (cell code) of each door in plan order
A frame of 1,000 people is about 5 kB; the plan's JSON sibling names the levels, doors,
characters, kinds and colours (`results.replay.plan_info`).
"""

from __future__ import annotations

import struct

import numpy as np

PLAN, FRAME = 1, 2
FRAME_HEAD = struct.Struct("<BBHIdII")
KINDS = 7


def plan_bytes(cells: np.ndarray, shape: tuple[int, int, int]) -> bytes:
    """The PLAN message: the building's cells (flat, level-major)."""
    F, H, W = shape
    return struct.pack("<BBBBIII", PLAN, 0, 0, 0, F, H, W) + np.ascontiguousarray(cells, np.uint8).tobytes()


def frame_bytes(t: float, pos: np.ndarray, kind: np.ndarray, doors: np.ndarray, playing: bool) -> bytes:
    """The FRAME message for one moment: positions, kinds, counts and door states."""
    n = int(pos.size)
    counts = np.bincount(kind, minlength=KINDS)[:KINDS].astype("<u4")
    return b"".join(
        (
            FRAME_HEAD.pack(FRAME, int(playing), 0, n, float(t), int(doors.size), 0),
            counts.tobytes(),
            pos.astype("<u4", copy=False).tobytes(),
            kind.astype(np.uint8, copy=False).tobytes(),
            doors.astype(np.uint8, copy=False).tobytes(),
        )
    )


def read_frame(data: bytes) -> dict:
    """Decode a FRAME message (tests and tools; the page decodes it in JavaScript)."""
    kind_, playing, _, n, t, nd, _ = FRAME_HEAD.unpack_from(data)
    if kind_ != FRAME:
        raise ValueError(f"not a frame (type {kind_})")
    o = FRAME_HEAD.size
    counts = np.frombuffer(data, "<u4", KINDS, o)
    o += 4 * KINDS
    pos = np.frombuffer(data, "<u4", n, o)
    o += 4 * n
    kind = np.frombuffer(data, np.uint8, n, o)
    o += n
    doors = np.frombuffer(data, np.uint8, nd, o)
    return {"t": t, "playing": bool(playing), "counts": counts, "pos": pos, "kind": kind, "doors": doors}
