"""What a replay needs, recorded as a school run goes: who is where, what they are, which doors
stand, at a set interval; written to the run folder as `replay.npz` (compressed)."""

from __future__ import annotations

import json

import numpy as np


class Recorder:
    """Collects the moments of a school run for its replay."""

    def __init__(self, sim):
        self.door_cells = sim.door_cells
        self.cells = sim.world.cells.copy()
        self.shape = (sim.F, sim.H, sim.W)
        self.t: list[float] = []
        self.pos: list[np.ndarray] = []
        self.kind: list[np.ndarray] = []
        self.doors: list[np.ndarray] = []
        self.sim = sim
        self.add(sim)

    def add(self, sim) -> None:
        """Record the current moment (once per story time)."""
        if self.t and sim.t <= self.t[-1]:
            return
        self.t.append(sim.t)
        self.pos.append(sim.agents.pos.astype(np.uint32))
        self.kind.append(sim.agents.kind.astype(np.uint8))
        self.doors.append(sim.world.cells[self.door_cells].astype(np.uint8))

    def arrays(self) -> dict[str, np.ndarray]:
        """The replay as named arrays (the plan's JSON as a string array)."""
        info = plan_info(self.sim, self.door_cells)
        return {
            "t": np.array(self.t),
            "pos": np.stack(self.pos),
            "kind": np.stack(self.kind),
            "doors": np.stack(self.doors),
            "door_cells": self.door_cells,
            "cells": self.cells,
            "shape": np.array(self.shape),
            "info": np.array(json.dumps(info)),
        }


# What the viewer draws each kind in (human, zombie, the two hybrids, dead, escaped, rescued).
KIND_COLORS = ("#2a6ee6", "#dc1e1e", "#9a3cc8", "#e650c8", "#555555", "#2aa84a", "#e0b000")


def plan_info(sim, door_cells: np.ndarray) -> dict:
    """What a viewer needs to label and colour a school run: levels, doors, named characters."""
    from ..agents.codes import KIND_NAMES
    from ..world.floorplan import Cell

    return {
        "type": "plan",
        "scenario": sim.scenario.name,
        "seed": sim.seed,
        "shape": [sim.F, sim.H, sim.W],
        "levels": [int(v) for v in sim.building.levels],
        "start_hour": sim.scenario.start_hour,
        "doors": door_cells.tolist(),
        "named": {int(a): n for a, n in enumerate(sim.names) if n},
        "kinds": list(KIND_NAMES),
        "kind_colors": list(KIND_COLORS),
        "cells": {c.name.lower(): int(c) for c in Cell},
    }
