"""The engine's parameters, each declared once: kernel name, scenario field, unit conversion.

Kernels read them by name from the `Par` named tuple (`par.z_speed`). Engine units are
cells (1 m), seconds and cells per second, so most conversions are hours or days to
seconds. Switches and state that change during a run are not parameters: see `codes.Sw`.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from functools import reduce

import numpy as np

HOUR, DAY = 3600.0, 86400.0


@dataclass(frozen=True)
class Param:
    """One engine parameter: its kernel name, the scenario field it comes from, the factor to engine units."""

    name: str
    field: str
    scale: float = 1.0
    unit: str = ""


PARAMS: tuple[Param, ...] = (
    Param("dt", "step_seconds", 1.0, "s"),
    Param("start_hour", "start_hour", 1.0, "h"),
    Param("record_s", "record_seconds", 1.0, "s"),
    Param("mixing", "well_mixed", 1.0, "switch"),
    Param("cap", "cell_capacity", 1.0, "agents/cell"),
    Param("flow", "door_flow", 1.0, "agents/s"),
    Param("h_walk", "humans.walk_speed", 1.0, "cells/s"),
    Param("h_run", "humans.run_speed", 1.0, "cells/s"),
    Param("h_sight_day", "humans.sight_day", 1.0, "cells"),
    Param("h_sight_night", "humans.sight_night", 1.0, "cells"),
    Param("h_hear", "humans.hearing_threshold", 1.0, "sound level"),
    Param("h_loud", "humans.panic_loudness", 1.0, "sound level"),
    Param("fight_odds", "humans.fight_odds", 1.0, ""),
    Param("panic_s", "humans.panic_seconds", 1.0, "s"),
    Param("barricade_s", "humans.barricade_seconds", 1.0, "s"),
    Param("hide_s", "humans.hide_hours", HOUR, "s"),
    Param("water_s", "humans.water_days", DAY, "s"),
    Param("food_s", "humans.food_days", DAY, "s"),
    Param("seek_water", "humans.seek_water_share", 1.0, ""),
    Param("quiet_s", "humans.quiet_minutes", 60.0, "s"),
    Param("h_hear_z", "humans.zombie_hearing", 1.0, "cells"),
    Param("listen_s", "humans.listen_seconds", 1.0, "s"),
    Param("news_s", "humans.news_minutes", 60.0, "s"),
    Param("wander", "humans.wander_chance", 1.0, "per s"),
    Param("follow", "humans.follow_distance", 1.0, "cells"),
    Param("flush", "humans.flush_distance", 1.0, "cells"),
    Param("z_speed", "zombies.speed", 1.0, "cells/s"),
    Param("z_wander", "zombies.wander_speed", 1.0, "cells/s"),
    Param("z_sight_day", "zombies.sight_day", 1.0, "cells"),
    Param("z_sight_night", "zombies.sight_night", 1.0, "cells"),
    Param("z_smell", "zombies.smell", 1.0, "cells"),
    Param("z_hear", "zombies.hearing_threshold", 1.0, "sound level"),
    Param("z_strength", "zombies.strength", 1.0, ""),
    Param("attack_rate", "zombies.attack_rate", 1.0, "per s"),
    Param("bite_s", "zombies.bite_seconds", 1.0, "s"),
    Param("starve_s", "zombies.starve_days", DAY, "s"),
    Param("turn_median", "virus.turn_median_seconds", 1.0, "s"),
    Param("turn_spread", "virus.turn_spread", 1.0, ""),
    Param("hidden_frac", "virus.hidden_bite_fraction", 1.0, ""),
    Param("hidden_factor", "virus.hidden_bite_factor", 1.0, ""),
    Param("hybrid_frac", "virus.hybrid_fraction", 1.0, ""),
    Param("immortal_frac", "virus.immortal_fraction", 1.0, ""),
    Param("hunger_s", "virus.hunger_hours", HOUR, "s"),
    Param("hy_senses", "virus.hybrid_senses", 1.0, ""),
    Param("hy_speed", "virus.hybrid_speed", 1.0, ""),
    Param("hy_strength", "virus.hybrid_strength", 1.0, ""),
    Param("far_gone", "virus.far_gone", 1.0, ""),
    Param("sound_every", "sound.every_seconds", 1.0, "s"),
)

Par = namedtuple("Par", [p.name for p in PARAMS])
Par.__doc__ = "The engine's parameters by name, in engine units (see `PARAMS`)."


def field_value(scenario, dotted: str):
    """The value of a scenario field given as 'section.name'."""
    return reduce(getattr, dotted.split("."), scenario)


def parameters(scenario) -> Par:
    """The engine's parameters from a validated scenario, converted to engine units."""
    return Par(*(float(field_value(scenario, p.field)) * p.scale for p in PARAMS))


def switches_initial() -> np.ndarray:
    """All runtime switches off (see `codes.Sw`)."""
    from .codes import N_SWITCHES

    return np.zeros(N_SWITCHES, np.float64)


def params_markdown() -> str:
    """The parameter table of docs/engine.md, generated from `PARAMS`."""
    lines = ["| kernel name | scenario field | factor to engine units | engine unit |", "|---|---|---|---|"]
    lines += [f"| `par.{p.name}` | `{p.field}` | {p.scale:g} | {p.unit} |" for p in PARAMS]
    return "\n".join(lines) + "\n"
