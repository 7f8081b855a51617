"""Struct-of-arrays state of the agent engine, grouped into named tuples the kernels take whole.

    Agents   one array per trait or state variable, one entry per agent
    World    the building as the engine sees it: cells, neighbours, rooms, doors, goal fields, lures
    Fields   perception scratch: distance fields, sound, occupancy (rebuilt each step or sound tick)
    Log      the event log and the timeline of counts
    Schedule the interventions, as (step, action, argument) rows

Named tuples of arrays were measured against structrefs and jitclasses (docs/engine.md):
they cost least to pass from Python and compile, and run as fast inside the kernels.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from .codes import KIND_NAMES

AGENT_ARRAYS = {
    "pos": (np.int64, 0),
    "kind": (np.int8, 0),
    "mode": (np.int8, 0),
    "strength": (np.float64, 1.0),
    "speed": (np.float64, 1.0),
    "calm": (np.float64, 0.5),
    "weapon": (np.float64, 1.0),
    "loud": (np.bool_, False),
    "resolve": (np.float64, 1.0),
    "leader": (np.int64, -1),
    "acc": (np.float64, 0.0),
    "bitten_at": (np.float64, -1.0),
    "turn_at": (np.float64, np.inf),
    "bit_by": (np.int64, -1),
    "last_fed": (np.float64, 0.0),
    "hunger": (np.float64, 0.0),
    "thirst": (np.float64, 0.0),
    "food": (np.float64, 0.0),
    "alarm_t": (np.float64, -1e9),
    "mode_t": (np.float64, 0.0),
    "wander_t": (np.float64, -1.0),  # a calm person's next wandering step; < 0: not drawn yet
    "busy_t": (np.float64, -1e9),  # held in a bite or a fight until then
    "endure": (np.float64, 1.0),  # how long this body lasts without water (a zombie: prey), times water_days
    "patience": (np.float64, 1.0),  # how long this person stays hidden, a multiple of hide_hours
    "flags": (np.int64, 0),
}
Agents = namedtuple("Agents", list(AGENT_ARRAYS))
Agents.__doc__ = "Every agent's traits and state, one array each (see AGENT_ARRAYS for types and defaults)."

World = namedtuple(
    "World",
    "F H W cells rooms region nbr step_off walk_mask nose_mask scent_mask scent_pass scent_in_sight "
    "human_mask goal_mask "
    "floor_of row_of col_of block_of sight_at changed door_hp door_full door_ptr door_cells sound_cost "
    "exit_cells heli_cells supply_cells goal_exit goal_heli goal_supply "
    "mix_cells lure_cell lure_level lure_start lure_end flow_t at_water at_food by_door",
)
World.__doc__ = "The building as the kernels see it (flat cells: (floor * H + row) * W + col)."

Fields = namedtuple(
    "Fields",
    "gdist gsrc gstamp queue snd sstamp buckets bucket_len "
    "order seen_pos zhead znext zblock zsum zcell phead pnext pblock psum pcell rstamp zcount pcount "
    "here occ_head occ_next snd_src snd_lv occ counted_at vstamp vcell vdist pvstamp pvcell "
    "visit zbits hset hstamp vis vis_at zfirst rowbits rgoal rslot rslot_at rnext rtarget",
)
Fields.__doc__ = (
    "Perception scratch: goal-field scratch, sound, where the zombies and the prey are (by block and "
    "by sight region), occupied cells and how many stand on each (`occ`, kept as they move), the "
    "looks kept per cell (people's: `vstamp`, `vcell`, `vdist`; zombies': `pvstamp`, `pvcell`), the marks "
    "of smell searches (`visit`), the zombies' cells as bits by row (`zbits`) and what a hider hears "
    "from each cell (`hset`, `hstamp`), what is seen from each cell (`vis`, `vis_at`), the first zombie "
    "listed on each cell (`zfirst`), and the kept path fields to a few rooms (`rgoal`, for `room_field`)."
)

Log = namedtuple("Log", "ev_t ev_k ev_a ev_b ev_cell tl_t tl")
Log.__doc__ = "Event log (time, code, agent, other, cell) and timeline (time, counts by floor and kind)."

Schedule = namedtuple("Schedule", "step action arg bomb_mask roof_doors")
Schedule.__doc__ = (
    "Interventions sorted by step: what happens, with an argument; bombing targets; roof doors."
)

CHANGES_KEPT = 64  # the latest changes of what is seen or smelt, by `Ctr.VIEW` (`World.changed`)
ROOM_SLOTS = 8  # rooms whose path fields are kept at once (`phases.room_field`)

# scratch that is fully rewritten before it is read (or read only under a stamp of the running step),
# so checkpoints leave it out
SCRATCH_ONLY = {
    "vstamp",
    "vcell",
    "vdist",
    "pvstamp",
    "pvcell",
    "visit",
    "order",
    "queue",
    "buckets",
    "bucket_len",
    "snd_src",
    "snd_lv",
    "gdist",
    "gsrc",
    "gstamp",
    "zbits",
    "hset",
    "hstamp",
    "vis",
    "vis_at",
    "zfirst",
    "rowbits",
    "sight_at",
    "changed",
    "rgoal",
    "rslot",
    "rslot_at",
    "rnext",
    "rtarget",
}


def new_agents(n: int) -> Agents:
    """n agents, all calm humans with neutral traits, at cell 0."""
    return Agents(**{k: np.full(n, v, dtype=t) for k, (t, v) in AGENT_ARRAYS.items()})


def bytes_per_agent(ag: Agents) -> int:
    """State size per agent (the arrays only)."""
    return sum(a.itemsize for a in ag)


def new_fields(
    n_cells: int,
    n_agents: int,
    n_blocks: int,
    n_sums: int,
    n_lures: int,
    rows: tuple[int, int],
    span: int,
    view: int,
) -> Fields:
    """Zeroed perception scratch for a building of n_cells and n_agents (n_sums: block prefix sums;
    rows: (rows of all floors, columns); span: rows of a hider's hearing set, view: of a person's
    view, 0 when not kept)."""
    # int32, not int64: every agent reads a dozen of these per-cell arrays in a fresh random order each
    # step, and half the bytes is half the cache they take (indices, counts and stamps all fit)
    z = lambda n, t=np.int32: np.zeros(max(n, 1), t)  # noqa: E731
    return Fields(
        gdist=z(n_cells),
        gsrc=z(n_cells),
        gstamp=z(n_cells),
        queue=z(n_cells + 1),
        snd=z(n_cells),
        sstamp=z(n_cells),
        buckets=np.zeros((128, n_cells), np.int32),
        bucket_len=z(128),
        order=z(n_agents),
        seen_pos=z(n_agents),
        zcell=z(n_cells),
        pcell=z(n_cells),
        zhead=z(n_cells),
        znext=z(n_agents),
        zblock=z(n_blocks),
        zsum=z(n_sums),
        phead=z(n_cells),
        pnext=z(n_agents),
        pblock=z(n_blocks),
        psum=z(n_sums),
        rstamp=z(n_cells),
        zcount=z(n_cells),
        pcount=z(n_cells),
        here=z(n_cells),
        occ_head=z(n_cells),
        occ_next=z(n_agents),
        snd_src=z(n_agents + n_lures),
        snd_lv=z(n_agents + n_lures, np.float64),
        occ=z(n_cells, np.int32),
        vstamp=z(n_cells),
        vcell=z(n_cells),
        vdist=z(n_cells),
        pvstamp=z(n_cells),
        pvcell=z(n_cells),
        visit=z(n_cells + 1),  # cells marked by `smell_path`; the last holds the latest mark
        counted_at=z(n_agents),
        zbits=np.zeros((rows[0], (rows[1] + 63) // 64 + 1), np.uint64),  # a zero word past each row's end
        hset=np.zeros((n_cells if span else 1, max(span, 1)), np.uint64),
        hstamp=z(n_cells),
        vis=np.zeros((n_cells if view else 1, max(view, 1)), np.uint64),
        vis_at=z(n_cells),
        zfirst=z(n_cells),
        rowbits=np.zeros(64, np.uint64),  # the rows of zombies' cells in one's reach (`nearest_in_bits`)
        rgoal=np.zeros((ROOM_SLOTS, n_cells), np.int32),
        rslot=np.full(ROOM_SLOTS, -1, np.int64),
        rslot_at=z(ROOM_SLOTS, np.int64),
        rnext=z(1, np.int64),
        rtarget=z(n_cells),
    )


def new_log(n_events: int, n_rows: int, n_floors: int) -> Log:
    """Empty event log and timeline with room for n_events and n_rows."""
    return Log(
        ev_t=np.zeros(n_events),
        ev_k=np.zeros(n_events, np.int8),
        ev_a=np.zeros(n_events, np.int64),
        ev_b=np.zeros(n_events, np.int64),
        ev_cell=np.zeros(n_events, np.int64),
        tl_t=np.zeros(n_rows),
        tl=np.zeros((n_rows, n_floors, len(KIND_NAMES)), np.int64),
    )


def grown_log(log: Log, n_events: int, n_rows: int) -> Log:
    """The same log with room for at least n_events and n_rows (contents kept)."""

    def grow(a, n):
        if a.shape[0] >= n:
            return a
        b = np.zeros((max(n, 2 * a.shape[0]),) + a.shape[1:], a.dtype)
        b[: a.shape[0]] = a
        return b

    return Log(*(grow(a, n_events) for a in log[:5]), grow(log.tl_t, n_rows), grow(log.tl, n_rows))
