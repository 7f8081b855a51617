"""The scenario format: TOML validated by pydantic, with errors that name file, line and field.

Units in a scenario file are those a person thinks in: metres, metres per second, seconds,
minutes, hours, days. The engine converts them. Every field has a default documented here
and in docs/scenarios.md; unknown fields are errors (a typo never silently becomes a default).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import HyosanError
from ..limits import MAX_SEED

# No quantity of a scenario is this large: seconds, metres, people, costs (a billion seconds is 31
# years). Past it, numbers overflow the engine's integers or stall its clock.
LARGEST = 1e9


# A scenario's name names its run folders: letters (any script), digits, spaces and - _ . ( ) ',
# not starting with a dot or a space, so it can never climb out of runs/ or hide a folder.
def _run_name(v: str) -> str:
    if not re.fullmatch(r"[^\W][\w .()'-]{0,79}", v):
        raise ValueError(
            f"{v!r} cannot name a run folder: use letters, digits, spaces and - _ . ( ) ' (at most 80, "
            "starting with a letter or digit)"
        )
    return v


RunName = Annotated[str, AfterValidator(_run_name)]


class Strict(BaseModel):
    """Base: unknown fields are refused, numbers must be finite (no inf, no nan) and at most LARGEST
    in size, a yes/no field takes true or false only (not "yes", not 1), a number is not a string
    or a boolean (strict), and text holds no control characters."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _in_range(cls, v):
        if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) > LARGEST:
            raise ValueError(f"{v:g} is out of range (no quantity of a scenario is above {LARGEST:g})")
        if isinstance(v, str) and re.search(r"[\x00-\x08\x0b-\x1f\x7f]", v):
            raise ValueError(f"{v!r} holds a control character (only text, tabs and line breaks)")
        return v


class Humans(Strict):
    """How ordinary people move, notice, hide and survive."""

    walk_speed: float = Field(1.4, gt=0, le=6, description="m/s when walking")
    run_speed: float = Field(3.0, gt=0, le=12.5, description="m/s when running (a sprinter's 12 at most)")
    sight_day: float = Field(20.0, gt=0, description="m of sight in daylight")
    sight_night: float = Field(6.0, gt=0, description="m of sight at night")
    hearing_threshold: float = Field(20.0, ge=0, description="sound level that alarms a person")
    panic_loudness: float = Field(45.0, ge=0, description="sound level a panicking or loud person makes")
    calm: float = Field(0.5, ge=0, le=1, description="default chance to hide rather than panic")
    strength: float = Field(1.0, gt=0, description="default fighting strength")
    fight_odds: float = Field(
        0.2, ge=0, le=1, description="scales a person's odds of destroying an attacking zombie"
    )
    panic_seconds: float = Field(120.0, ge=0, description="how long panic lasts once no zombie is seen")
    barricade_seconds: float = Field(
        60.0, ge=0, description="time hiding people need to barricade a closed door"
    )
    hide_hours: float = Field(
        96.0,
        ge=0,
        description="median hours people stay hidden (and only once it is quiet) before they move on",
    )
    hide_spread: float = Field(
        0.3,
        ge=0,
        le=3,
        description="spread (sd of the log) of each person's own hiding time around hide_hours",
    )
    news_minutes: float = Field(
        10.0,
        ge=0,
        description="mean minutes before a calm person hears of the outbreak (phones, shouts) once it is met",
    )
    zombie_hearing: float = Field(
        8.0,
        ge=0,
        description="m within which hiding people hear zombies through the doors of their room",
    )
    listen_seconds: float = Field(
        10.0,
        ge=1,
        le=600,
        description="how often each hiding person listens for zombies at the door (each on their own "
        "beat): what they hear keeps them hidden for quiet_minutes more",
    )
    water_days: float = Field(3.0, gt=0, description="days a person survives without water")
    food_days: float = Field(21.0, gt=0, description="days a person survives without food")
    seek_water_share: float = Field(
        0.5, gt=0, le=1, description="share of water_days after which hiding people leave to look for water"
    )
    quiet_minutes: float = Field(
        30.0,
        ge=0,
        description="minutes without sensing a zombie before hiding people leave their hiding place",
    )
    wander_chance: float = Field(
        0.02, ge=0, le=1, description="chance per second that a calm person takes a step within their room"
    )
    follow_distance: float = Field(
        2.0, ge=0, description="m a group member lets their leader get ahead before catching up"
    )
    flush_distance: float = Field(
        3.0, ge=0, description="m: a hiding person who sees a zombie this close panics"
    )
    teacher_strength: float = Field(1.1, gt=0, description="a teacher's strength relative to a student's")
    staff_strength: float = Field(1.05, gt=0, description="a staff member's strength relative to a student's")
    strength_spread: float = Field(0.15, ge=0, description="spread (sd) of drawn strengths around the role's")
    speed_spread: float = Field(0.1, ge=0, description="spread (sd) of drawn speed multipliers around 1")
    calm_spread: float = Field(0.15, ge=0, description="spread (sd) of drawn calm around `calm`")
    resolve_spread: float = Field(0.3, ge=0, description="spread (sd) of drawn resolve around 1")
    water_spread: float = Field(
        0.15,
        ge=0,
        le=0.5,
        description="spread (sd) of how long each person lasts without water, a share of water_days",
    )
    last_drink_hours: float = Field(
        6.0,
        ge=0,
        description="everyone last drank and ate a random time up to this many hours before the start",
    )

    @model_validator(mode="after")
    def _run_faster_than_walk(self):
        if self.run_speed < self.walk_speed:
            raise ValueError(f"run_speed ({self.run_speed:g}) is below walk_speed ({self.walk_speed:g})")
        return self


class Zombies(Strict):
    """How zombies move, sense, break doors and starve."""

    speed: float = Field(
        3.5, gt=0, le=12.5, description="m/s when chasing (they run; a sprinter's 12 at most)"
    )
    wander_speed: float = Field(0.5, ge=0, le=6, description="m/s when nothing draws them")
    sight_day: float = Field(15.0, gt=0, description="m of sight in daylight")
    sight_night: float = Field(5.0, gt=0, description="m of sight at night")
    smell: float = Field(2.0, ge=0, description="m within which they sense a person through doors")
    hearing_threshold: float = Field(8.0, ge=0, description="sound level they follow")
    strength: float = Field(1.5, gt=0, description="a zombie's strength relative to the person it was")
    attack_rate: float = Field(1.0, gt=0, description="attacks per second on an adjacent person")
    bite_seconds: float = Field(
        4.0, ge=0, description="seconds a bite or a fight holds both the attacker and the victim"
    )
    smell_through_doors: bool = Field(
        True,
        description="whether zombies smell people through shut doors and windows (false: only through open "
        "or broken ones; what is behind a shut door they find by sound)",
    )
    door_seconds: float = Field(90.0, gt=0, description="zombie-seconds of pushing that break a closed door")
    locked_door_seconds: float = Field(150.0, gt=0, description="the same for a locked door")
    barricade_seconds: float = Field(400.0, gt=0, description="the same for a barricaded door")
    window_seconds: float = Field(30.0, gt=0, description="the same for a window")
    starve_days: float = Field(
        3.0,
        gt=0,
        description="days without prey after which a zombie dies, times its body's own endurance "
        "(the spread is humans.water_spread)",
    )

    @model_validator(mode="after")
    def _chase_faster_than_wander(self):
        if self.speed < self.wander_speed:
            raise ValueError(f"speed ({self.speed:g}) is below wander_speed ({self.wander_speed:g})")
        return self


class Sound(Strict):
    """How sound carries: a source's loudness falls by a cell's cost for each cell it crosses."""

    every_seconds: float = Field(5.0, gt=0, description="how often the sound field is recomputed")
    door_cost: float = Field(12.0, gt=0, description="loss crossing a closed (or locked) door")
    barricade_cost: float = Field(18.0, gt=0, description="loss crossing a barricaded door")
    window_cost: float = Field(10.0, gt=0, description="loss crossing a window")
    wall_cost: float = Field(30.0, gt=0, description="loss crossing a wall")
    lure_spacing: int = Field(7, ge=1, description="a lure sounds from every n-th cell of its room")


class Virus(Strict):
    """The Jonas virus: turning times, hidden bites, hybrids and their hunger."""

    turn_median_seconds: float = Field(90.0, gt=0, description="median time from bite to turning")
    turn_spread: float = Field(0.8, ge=0, description="log-normal spread of the turning time")
    hidden_bite_fraction: float = Field(
        0.05,
        ge=0,
        le=1,
        description="fraction who hide a bite and turn late: their group keeps them (one seen is cast out)",
    )
    hidden_bite_factor: float = Field(60.0, ge=1, description="how much later a hidden bite turns")
    hybrid_fraction: float = Field(0.01, ge=0, le=1, description="fraction of the bitten who become hybrids")
    immortal_fraction: float = Field(0.5, ge=0, le=1, description="fraction of hybrids who are immortal")
    hunger_hours: float = Field(
        8.0, gt=0, description="hours for a hybrid's hunger to reach an average resolve"
    )
    hybrid_senses: float = Field(
        1.5, ge=1, le=10, description="a hybrid's sight, hearing and smell, as a multiple of a person's"
    )
    hybrid_speed: float = Field(
        1.3, ge=1, le=3, description="a hybrid's speed, as a multiple of the person's"
    )
    hybrid_strength: float = Field(
        2.0, ge=1, le=10, description="a hybrid's strength, as a multiple of the person's"
    )
    far_gone: float = Field(
        0.5, ge=0, le=1, description="share of the turning time after which zombies ignore the bitten"
    )


class Group(Strict):
    """A number of ordinary people placed in a room."""

    room: str
    count: int = Field(ge=0, le=100_000)
    role: Literal["student", "teacher", "staff"] = "student"
    group: str | None = None
    strength: float | None = Field(
        None, gt=0, description="everyone's strength (default: drawn around the role's)"
    )


class Character(Strict):
    """A named person, with traits drawn from the story."""

    name: str
    room: str
    role: Literal["student", "teacher", "staff"] = "student"
    group: str | None = None
    strength: float = Field(1.0, gt=0)
    speed: float = Field(1.0, gt=0, le=3, description="multiplier of the walk and run speeds")
    calm: float = Field(0.5, ge=0, le=1)
    weapon: float = Field(1.0, ge=0, description="multiplier of strength in a fight (an archer's bow, a bat)")
    loud: StrictBool = False
    resolve: float = Field(
        1.0, gt=0, description="how long a hybrid's will holds against hunger (multiplier)"
    )
    leader: StrictBool = False
    patient_zero: StrictBool = False


class Cordon(Strict):
    """Soldiers hold the exits: nobody leaves between the start and the end."""

    kind: Literal["cordon"]
    start_hours: float = Field(ge=0)
    end_hours: float | None = None

    @model_validator(mode="after")
    def _ends_after_it_starts(self):
        if self.end_hours is not None and not self.end_hours > self.start_hours:
            raise ValueError(
                f"end_hours ({self.end_hours:g}) must be after start_hours ({self.start_hours:g})"
            )
        return self


class Helicopter(Strict):
    """A rescue helicopter lands on the helipad; survivors there are flown out."""

    kind: Literal["helicopter"]
    at_hours: float = Field(ge=0)
    minutes: float = Field(10.0, gt=0)
    capacity: int = Field(8, ge=1)
    announce_hours: float = Field(
        2.0, ge=0, description="hours before landing that people know and the roof door opens"
    )


class Lure(Strict):
    """A loud sound (school speakers, a drone) drawing zombies to a place for a while."""

    kind: Literal["lure"]
    room: str
    start_hours: float = Field(ge=0)
    minutes: float = Field(gt=0)
    loudness: float = Field(80.0, gt=0)


class Bombing(Strict):
    """Everyone in the named rooms (or on the named levels) dies at a time."""

    kind: Literal["bombing"]
    at_hours: float = Field(ge=0)
    rooms: list[str] = []
    levels: list[int] = []

    @model_validator(mode="after")
    def _target(self):
        if not self.rooms and not self.levels:
            raise ValueError("a bombing needs rooms or levels to hit")
        return self


Intervention = Annotated[Union[Cordon, Helicopter, Lure, Bombing], Field(discriminator="kind")]


class Scenario(Strict):
    """A whole scenario: maps, people, behaviour parameters and interventions."""

    kind: Literal["school"] = Field("school", description="a school scenario (the default kind)")
    name: RunName
    description: str = ""
    maps: list[str] = Field(min_length=1, description="map files, relative to the scenario file")
    start_hour: float = Field(8.5, ge=0, lt=24, description="clock time at t = 0 (for day and night)")
    days: float = Field(1.0, gt=0)
    seed: int = Field(1, ge=0, le=MAX_SEED)
    record_seconds: float = Field(60.0, gt=0, description="timeline resolution (a whole number of steps)")
    step_seconds: float = Field(
        1.0, gt=0, le=1, description="story seconds per step (part of what a seed means)"
    )
    cell_capacity: int = Field(
        4,
        ge=1,
        le=50,
        description="people (zombies too) who fit standing on one 1 m cell: 4 is a packed crowd",
    )
    door_flow: float = Field(
        1.3,
        gt=0,
        le=10,
        description="people per second a 1 m door or stair cell lets through (Weidmann 1993)",
    )
    well_mixed: StrictBool = Field(
        False,
        description="reshuffle everyone to random open cells every step (the "
        "well-mixed limit, for teaching and for testing against the population models)",
    )
    humans: Humans = Humans()
    zombies: Zombies = Zombies()
    virus: Virus = Virus()
    sound: Sound = Sound()
    population: list[Group] = []
    characters: list[Character] = []
    interventions: list[Intervention] = []

    @model_validator(mode="after")
    def _one_patient_zero(self):
        if self.characters and sum(c.patient_zero for c in self.characters) == 0:
            raise ValueError("no character has patient_zero = true: the outbreak needs a first bite")
        names = [c.name for c in self.characters]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"character names repeat: {sorted(dup)}")
        return self


def _line_of(text: str, loc: tuple) -> int | None:
    """Best-effort line number (1-based) of a validation error's location in TOML text.

    Walks the location: a name moves to its `name =` or `[table]` line at or after the
    current line; an index n moves to the (n+1)-th `[[table]]` header.
    """
    lines = text.splitlines()
    start, path = 0, []
    for part in loc:
        if isinstance(part, int):
            header = re.compile(rf"^\s*\[\[\s*{re.escape('.'.join(path))}\s*\]\]")
            hits = [i for i, line in enumerate(lines) if header.match(line)]
            if part < len(hits):
                start = hits[part]
            continue
        path.append(str(part))
        key = re.compile(rf"^\s*({re.escape(str(part))}\s*=|\[+\s*{re.escape('.'.join(path))}\s*\]+)")
        start = next((i for i in range(start, len(lines)) if key.match(lines[i])), start)
    return start + 1 if lines else None


def parse_scenario(path: Path, text: str, data: dict, sets: dict[str, float] | None = None) -> Scenario:
    """Validate a school scenario's TOML data (read from `text`, with `sets` written in); errors name
    file, line and field, or the `--set` that caused them."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        hidden = ("cordon", "helicopter", "lure", "bombing")
        raise validation_error(path, text, exc, hidden=hidden, sets=sets) from None


def error_text(err: dict) -> str:
    """A pydantic error's message, without the "Value error, " prefix it puts before the text of our
    own validators (the prefix says nothing to a user)."""
    return err["msg"].removeprefix("Value error, ")


def validation_error(
    path: Path,
    text: str,
    exc: ValidationError,
    docs: str = "docs/scenarios.md",
    hidden: tuple[str, ...] = (),
    sets: dict[str, float] | None = None,
) -> HyosanError:
    """Turn pydantic's first error into one line naming file, line and field (tags in `hidden` left
    out), or naming the `--set` that caused it: a value never on a line of the file."""
    from .overrides import set_error

    named = set_error(exc, sets) if sets else None
    if named is not None:
        return named
    err = exc.errors()[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in hidden))
    field = ".".join(str(p) for p in loc) or "(top level)"
    line = _line_of(text, loc)
    where = f"{path}:{line}" if line else str(path)
    msg = error_text(err)
    if err["type"] == "extra_forbidden":
        msg = f"unknown field (check the spelling; {docs} lists the fields)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return HyosanError(f"{where}: {field}: {msg}{more}")
