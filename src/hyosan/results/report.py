"""What an agent run leaves behind: summary, run folder (Parquet, CSV, JSON, plots)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

RUN_FILES = (
    "timeline.parquet",
    "events.parquet",
    "fates.csv",
    "summary.json",
    "scenario.toml",
    "timeline.png",
    "animation.gif",
    "replay.npz",
)  # and the scenario's maps, copied beside scenario.toml (`write_run`)


def key_events(sim) -> list[dict]:
    """The moments a reader wants: first bite, first turn, doors falling, the school overrun, rescues."""
    ev = sim.events
    out = []

    def first(kind: str, label: str):
        rows = ev[ev["event"] == kind]
        if not rows.empty:
            r = rows.iloc[0]
            who = r["agent_name"] + (f" (by {r['other_name']})" if r["other_name"] else "")
            out.append(
                {"t": float(r["t"]), "clock": r["clock"], "what": label, "who": who, "where": r["room"]}
            )

    first("bite", "first bite")
    first("turn", "first to turn")
    first("door broken", "first door broken")
    first("zombie destroyed", "first zombie destroyed")
    first("turn hybrid", "first hybrid")
    first("turned back at cordon", "first turned back at the cordon")
    first("rescue", "first rescued by helicopter")
    first("bombed", "bombing")
    t = overrun_seconds(sim)
    if np.isfinite(t):
        out.append(
            {"t": t, "clock": sim.clock(t), "what": "zombies outnumber humans", "who": "", "where": ""}
        )
    return sorted(out, key=lambda e: e["t"])


def overrun_seconds(sim) -> float:
    """Story seconds until zombies first outnumber humans in the whole building, at the timeline's
    resolution (nan if they never do): when the school is overrun."""
    from ..agents.codes import Ctr, Kind

    n = int(sim.ctr[Ctr.TL_N])
    tl = sim.log.tl[:n].sum(axis=1)  # over levels
    over = np.flatnonzero(tl[:, Kind.ZOMBIE] > tl[:, Kind.HUMAN])
    return float(sim.log.tl_t[over[0]]) if over.size else math.nan


OVERRUN_WITHIN_HOURS = 3.0  # the story: the school falls in its first hours (issue 11, docs/story.md)


def story_measures(sim, lured: list[int]) -> dict:
    """The story's arc in one run, for the ensemble (docs/story.md): overrun early, how long people
    hold out, whether each named group of characters splits, and what the interventions did."""
    from ..agents.codes import Ctr, Event, Kind

    overrun = overrun_seconds(sim) / 3600
    n = int(sim.ctr[Ctr.TL_N])
    humans = sim.log.tl[:n].sum(axis=1)[:, Kind.HUMAN]
    held = np.flatnonzero(humans > 0)
    row = {
        "overrun_3h": bool(overrun <= OVERRUN_WITHIN_HOURS),
        "people_left_hours": float(sim.log.tl_t[held[-1]]) / 3600 if held.size else 0.0,
        "bombed": int((sim.log.ev_k[: sim.ctr[Ctr.EV_N]] == Event.BOMBED).sum()),
        "lured": int(sum(lured)),
    }
    ag = sim.agents
    alive = (np.isin(ag.kind, (Kind.ESCAPED, Kind.RESCUED, Kind.HYBRID_IMMUNE, Kind.HYBRID_IMMORTAL))) | (
        (ag.kind == Kind.HUMAN) & (ag.bitten_at < 0)
    )
    groups: dict[str, list[int]] = {}
    for i, ch in enumerate(sim.scenario.characters):
        if ch.group:
            groups.setdefault(ch.group, []).append(i)
    for g, members in groups.items():
        if len(members) > 1:
            k = int(alive[members].sum())
            row[f"{g}: alive"] = k
            row[f"{g}: some live, some not"] = bool(0 < k < len(members))
    return row


def counts_over_time(sim, points: int = 9) -> list[dict]:
    """Counts by kind (whole building) at evenly spaced record times, first and last included."""
    tl = sim.timeline.groupby("t").sum(numeric_only=True).drop(columns=["level", "hours"])
    idx = np.unique(np.linspace(0, len(tl) - 1, points).round().astype(int))
    return [
        {"t": float(t), "clock": sim.clock(float(t)), **{k: int(v) for k, v in row.items()}}
        for t, row in tl.iloc[idx].iterrows()
    ]


def summary(sim) -> dict:
    """A JSON-ready account of the run."""
    ev = sim.events
    return {
        "scenario": sim.scenario.name,
        "seed": sim.seed,
        "story_seconds": sim.t,
        "ended": sim.clock(sim.t),
        "people": int(len(sim.agents.pos)),
        "final_counts": sim.counts(),
        "counts_over_time": counts_over_time(sim),
        "events": {k: int(v) for k, v in ev["event"].value_counts().items()},
        "fates": sim.fates.to_dict(orient="records"),
        "key_events": key_events(sim),
    }


def write_run(
    sim, folder: Path, animation_frames: list | None = None, replay=None, incomplete: dict | None = None
) -> dict:
    """Write a school run's folder (timeline, events, fates, the scenario and maps as run, plots,
    and the replay's positions when recorded); returns the summary (with the folder's name)."""
    from ..viz.plots import timeline_png
    from .folders import write_run_folder

    texts = {}
    if sim.scenario_text:
        texts["scenario.toml"] = (
            f"# as run: seed = {sim.seed}, story time {sim.t / 86400:g} days, "
            f"from {sim.source}\n{sim.scenario_text}"
        )
        texts.update(sim.map_texts)  # the maps the run used, beside the scenario copy
    pictures = {"timeline.png": lambda p: timeline_png(sim, p)}
    if animation_frames is not None:
        from ..viz.animate import write_animation

        pictures["animation.gif"] = lambda p: write_animation(sim, animation_frames, p)
    return write_run_folder(
        folder,
        summary(sim),
        tables={"timeline.parquet": sim.timeline, "events.parquet": sim.events, "fates.csv": sim.fates},
        arrays={} if replay is None else {"replay.npz": replay.arrays()},
        texts=texts,
        pictures=pictures,
        incomplete=incomplete,
    )


def jsonable(v):
    """`json.dumps(default=...)` for what numpy and pandas leave in a summary (their numbers,
    yes/no values and times)."""
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return str(v)
    raise TypeError(type(v))
