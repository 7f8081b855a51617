"""The agent engine: struct-of-arrays state, one small Numba kernel per phase, the Sim driver.

Exports:
    Sim, restore        a seeded simulation of a scenario; rebuild one from a checkpoint
    Kind, Mode, Event   named codes (what an agent is, what a person does, what the log records)
    Flag                bits of an agent's flags (what it has learnt or just done)
    Action, Sw, Ctr     schedule actions, runtime switches, run counters
    PARAMS, Par         the engine parameter table and the named tuple kernels read
    KIND_NAMES, MODE_NAMES, EVENT_NAMES   readable names of the codes
"""

from .codes import EVENT_NAMES, KIND_NAMES, MODE_NAMES, Action, Ctr, Event, Flag, Kind, Mode, Sw
from .params import PARAMS, Par
from .sim import Sim, read_checkpoint, restore

__all__ = [
    "EVENT_NAMES",
    "KIND_NAMES",
    "MODE_NAMES",
    "PARAMS",
    "Action",
    "Ctr",
    "Event",
    "Flag",
    "Kind",
    "Mode",
    "Par",
    "Sim",
    "Sw",
    "read_checkpoint",
    "restore",
]
