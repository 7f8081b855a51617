"""Named codes of the agent engine, each in its own namespace so they cannot be confused.

`Kind` is what an agent is, `Mode` what a person is doing, `Event` what the log records,
`Action` what a scheduled intervention does, `Sw` the index of a runtime switch and `Ctr` the
index of a run counter. Cell codes are `hyosan.world.Cell`. All are IntEnums, which Numba
compiles to constants.
"""

from __future__ import annotations

from enum import IntEnum


class Kind(IntEnum):
    """What an agent is. The first four are alive and act; the last three have left the story."""

    HUMAN = 0
    ZOMBIE = 1
    HYBRID_IMMUNE = 2
    HYBRID_IMMORTAL = 3
    DEAD = 4
    ESCAPED = 5
    RESCUED = 6


KIND_NAMES = ("human", "zombie", "hybrid (immune)", "hybrid (immortal)", "dead", "escaped", "rescued")


class Mode(IntEnum):
    """What a person (or hybrid) is doing."""

    CALM = 0
    PANIC = 1
    HIDE = 2
    SEEK = 3


MODE_NAMES = ("calm", "panic", "hide", "seek")


class Event(IntEnum):
    """What the event log records (agent a, other agent b, cell)."""

    BITE = 0
    TURN_ZOMBIE = 1
    TURN_HYBRID = 2
    ZOMBIE_KILLED = 3
    KILLED_BY_HYBRID = 4
    THIRST = 5
    ESCAPE = 6
    RESCUE = 7
    STARVED = 8
    DOOR_BROKEN = 9
    TURNED_BACK = 10
    BOMBED = 11
    BARRICADE = 12
    HUNGER = 13


EVENT_NAMES = (
    "bite",
    "turn",
    "turn hybrid",
    "zombie destroyed",
    "killed by hybrid",
    "died of thirst",
    "escape",
    "rescue",
    "starved",
    "door broken",
    "turned back at cordon",
    "bombed",
    "barricade",
    "died of hunger",
)


class Action(IntEnum):
    """What a scheduled intervention does at its step (see `phases.interventions`)."""

    CORDON_ON = 0
    CORDON_OFF = 1
    HELI_ANNOUNCE = 2
    HELI_LAND = 3
    HELI_LEAVE = 4
    BOMB = 5


class Sw(IntEnum):
    """Runtime switches: state the schedule and the rules change during a run (not parameters)."""

    CORDON = 0  # 1 while soldiers hold the exits
    HELI_KNOWN = 1  # 1 once people know a helicopter is coming
    HELI_ACTIVE = 2  # 1 while it is on the pad
    HELI_SEATS = 3  # seats left on the helicopter
    GOALS_STALE = 4  # 1 when a cell changed so that the goal fields must be rebuilt
    REGIONS_STALE = 5  # 1 when a cell changed what can be seen through, so sight regions must be relabelled
    ALARM = 6  # 1 once someone has met the outbreak: word of it spreads (`rules.hears_news`)


N_SWITCHES = len(Sw)


class Flag(IntEnum):
    """Bits of an agent's `flags`: what it has learnt or just done."""

    TURNED_BACK = 1  # turned back at the cordon: knows the exits are held, so the way out is the roof
    SETTLE = 2  # came out for water and drank: takes cover in that room, off the water (`phases.react`)
    HIDES_BITE = 4  # bitten and hiding it: the group keeps them, and they turn late (`rules.bite`)


class Ctr(IntEnum):
    """Run counters (int64): where the run is and how full its buffers are."""

    STEP = 0  # steps done since t = 0
    GEN = 1  # generation stamp of the perception fields
    SGEN = 2  # generation stamp of the sound field
    EV_N = 3  # events written
    TL_N = 4  # timeline rows written
    NEXT_ACTION = 5  # next row of the intervention schedule
    GOAL_GEN = 6  # goal-field rebuilds so far (their stamps are negative, apart from GEN's)
    VIEW = 7  # stamp of what can be seen: new each step and whenever a cell changes (`rules.set_cell`)
    NOSE_GEN = 8  # changes so far of what sound passes for hiders' ears (`phases.heard_zombie`)


N_COUNTERS = len(Ctr)
