"""Zombietown USA: the `alemi-sezr` network on a country's population raster (`hyosan country`).

Time: the network runs in its own units t; as in Alemi et al.'s public demo, story hours are
t / (beta * 500). Their demo parameters: alpha = 0.8, beta = 0.0018 and
mu = 1 / (11 * beta * 500) (11 hours for a zombie to cross a 2-mile cell).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import reactions
from ..errors import HyosanError
from ..solvers.metapop import MODES, MetaRun, metapopulation
from ..world.raster import Raster

MODEL = "alemi-sezr"
MAP_DAYS = (1, 7, 28)
# Densest cell of each metro area on the Zombietown USA grid (900 x 1500, row 0 south), with
# the city's latitude and longitude, used to label places on that grid.
LANDMARKS = {
    "New York": ((587, 1317), (40.71, -74.01)),
    "Los Angeles": ((345, 167), (34.05, -118.24)),
    "Chicago": ((631, 962), (41.88, -87.63)),
    "San Francisco": ((480, 59), (37.77, -122.42)),
    "Boston": ((645, 1392), (42.36, -71.06)),
    "Miami": ((45, 1155), (25.76, -80.19)),
}
USA_SHAPE = (900, 1500)
METRO_CELLS = 10  # a metro area: cells within 20 miles of its densest cell
SEABOARD_CELLS = 25  # the Eastern Seaboard: within 50 miles of the Atlantic edge of the map


@dataclass(frozen=True)
class CountrySetup:
    """Parameters of one country run (demo defaults from Alemi et al.'s Zombietown USA)."""

    alpha: float = 0.8
    beta: float = 0.0018
    mu: float | None = None  # None: 1 / (11 * beta * 500)
    walk: float = 0.0
    days: float = 60.0
    mode: str = "exact"
    seed: int = 0
    zombies: int = 1
    dt: float | None = None

    def checked(self) -> "CountrySetup":
        """Refuse impossible values with the option's name."""
        if not (math.isfinite(self.alpha) and self.alpha >= 0):  # the same bound as solve and lattice
            raise HyosanError(f"--alpha must be a finite number >= 0, got {self.alpha}")
        for name in ("beta", "days"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise HyosanError(f"--{name} must be a number > 0, got {v}")
        if self.mode not in MODES:
            raise HyosanError(f"--mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.zombies < 1:
            raise HyosanError(f"--zombies must be >= 1, got {self.zombies}")
        return self

    @property
    def mu_value(self) -> float:
        """The border factor mu (the demo's formula unless given)."""
        return 1.0 / (11 * self.beta * 500) if self.mu is None else float(self.mu)

    @property
    def t_per_hour(self) -> float:
        """Network time units per story hour (beta * 500)."""
        return self.beta * 500


def regions_for(raster: Raster) -> dict[str, np.ndarray]:
    """Named regions to follow: metro areas and the Eastern Seaboard on the USA grid; none elsewhere."""
    if raster.shape != USA_SHAPE:
        return {}
    rows, cols = np.indices(raster.shape)
    out = {}
    for name, ((r, c), _) in LANDMARKS.items():
        out[name] = (rows - r) ** 2 + (cols - c) ** 2 <= METRO_CELLS**2
    inhabited = raster.counts > 0
    east = np.where(inhabited.any(axis=1), raster.shape[1] - 1 - np.argmax(inhabited[:, ::-1], axis=1), -1)
    atlantic = east > LANDMARKS["Chicago"][0][1] + 140  # rows whose east edge is the Atlantic coast
    out["Eastern Seaboard"] = atlantic[:, None] & (cols >= east[:, None] - SEABOARD_CELLS) & inhabited
    return out


def lat_lon(raster: Raster) -> tuple[np.ndarray, np.ndarray] | None:
    """Affine fit (row, col) -> (latitude, longitude) through the landmarks; None off the USA grid."""
    if raster.shape != USA_SHAPE:
        return None
    rc = np.array([[r, c, 1.0] for (r, c), _ in LANDMARKS.values()])
    ll = np.array([ll for _, ll in LANDMARKS.values()])
    coef, *_ = np.linalg.lstsq(rc, ll, rcond=None)
    return coef[:, 0], coef[:, 1]


def _fall_hours(series: np.ndarray, hours: np.ndarray, human: int, share: float) -> float | None:
    """First hour at which a region's humans are down to `share` of what it started with."""
    below = np.flatnonzero(series[:, human] <= share * series[0, human])
    return float(hours[below[0]]) if below.size else None


def _last_places(raster: Raster, arrival_h: np.ndarray, block: int = 50) -> dict:
    """Where the zombies came last or not at all, by blocks of block x block cells."""
    fit = lat_lon(raster)
    pop = raster.counts
    never = np.isnan(arrival_h) & (pop > 0)
    R, C = pop.shape
    rows = []
    for r0 in range(0, R, block):
        for c0 in range(0, C, block):
            sl = (slice(r0, r0 + block), slice(c0, c0 + block))
            people = int(pop[sl][never[sl]].sum())
            reached = arrival_h[sl][pop[sl] > 0]
            reached = reached[~np.isnan(reached)]
            rows.append(
                (people, r0 + block // 2, c0 + block // 2, float(reached.max()) if reached.size else None)
            )

    def place(r, c):
        d = {"row": int(r), "col": int(c)}
        if fit is not None:
            d["lat"], d["lon"] = round(float(fit[0] @ [r, c, 1]), 1), round(float(fit[1] @ [r, c, 1]), 1)
        return d

    unreached = [
        dict(place(r, c), people_not_reached=p) for p, r, c, _ in sorted(rows, reverse=True)[:5] if p > 0
    ]
    last = np.nanargmax(np.where(pop > 0, arrival_h, np.nan)) if np.isfinite(arrival_h).any() else None
    latest = None
    if last is not None:
        r, c = np.unravel_index(last, pop.shape)
        latest = dict(place(r, c), hours=round(float(arrival_h[r, c]), 1))
    return {
        "most_people_not_reached": unreached,
        "last_cell_reached": latest,
        "people_in_unreached_cells": int(pop[never].sum()),
    }


def run_country(
    raster: Raster, start: tuple[int, int], setup: CountrySetup, progress=None
) -> tuple[MetaRun, dict]:
    """Simulate the whole raster population from zombies at `start`; return the run and its summary."""
    setup = setup.checked()
    net = reactions.get(MODEL).with_values(alpha=setup.alpha, beta=setup.beta)
    tph = setup.t_per_hour
    t_end = setup.days * 24 * tph
    hours_grid = np.arange(0, setup.days * 24 + 1e-9, 1.0)
    frame_every = 24.0 if setup.days >= 10 else max(1.0, setup.days * 24 / 40)
    clock = time.perf_counter()
    run = metapopulation(
        net,
        raster.counts,
        start,
        t_end,
        mode=setup.mode,
        mu=setup.mu_value,
        walk=setup.walk,
        zombies=setup.zombies,
        seed=setup.seed,
        n_points=hours_grid.size,
        snapshot_times=tuple(d * 24 * tph for d in MAP_DAYS if d <= setup.days),
        frame_times=tuple(np.arange(0, setup.days * 24 + 1e-9, frame_every) * tph),
        regions=regions_for(raster),
        dt=setup.dt,
        progress=None if progress is None else (lambda t: progress(t / tph)),
    )
    wall = time.perf_counter() - clock
    traj = run.trajectory
    hours = traj.t / tph
    names = traj.species
    human = names.index("S")
    final = dict(zip(names, (int(v) for v in traj.final[0])))
    arrival_h = run.arrival / tph
    arrival_h[np.isneginf(arrival_h)] = 0.0
    fall = {}
    for name, series in run.regions.items():
        fall[name] = {
            "people": int(series[0].sum()),
            "half_fallen_hours": _fall_hours(series, hours, human, 0.5),
            "fallen_hours": _fall_hours(series, hours, human, 0.1),
            "humans_left_at_end": int(series[-1, human]),
        }
    infected_total = traj.x[0][:, [names.index(s) for s in ("E", "Z")]].sum(axis=1)
    died_out = bool(infected_total[-1] == 0)
    summary = {
        "population_file": raster.name,
        "people": raster.total,
        "cells_inhabited": int(run.cells.rows.size),
        "start": list(start),
        "setup": asdict(setup) | {"mu": setup.mu_value, "model": MODEL, "hours_per_time_unit": 1 / tph},
        "final_counts": final,
        "hours": float(hours[-1]),
        "outbreak_died_out": died_out,
        "cells_reached": int(np.isfinite(arrival_h).sum()),
        "people_in_reached_cells": int(raster.counts[np.isfinite(arrival_h)].sum()),
        "regions": fall,
        "last_places": _last_places(raster, arrival_h),
        "events": int(run.events),
        "kernel_seconds": round(run.kernel_seconds, 2),
        "wall_seconds": round(wall, 2),
    }
    if setup.mode == "tau":
        summary["tau"] = {"dt": setup.dt, "border_events_cut": run.clipped, "cell_leaps": run.cell_steps}
    return run, summary


COUNTRY_FILES = (
    "summary.json",
    "timeseries.parquet",
    "regions.parquet",
    "arrival_hours.npy",
    "arrival.png",
    "timeseries.png",
    "animation.gif",
    "zombies_day*.png",
)


def write_country(run: MetaRun, summary: dict, raster: Raster, setup: CountrySetup, folder: Path) -> None:
    """Write the run folder: summary, time series, arrival map, zombie maps, animation."""
    from ..viz import maps

    tph = setup.t_per_hour
    traj = run.trajectory
    hours = traj.t / tph
    df = pd.DataFrame({"hours": hours, "t": traj.t})
    for i, s in enumerate(traj.species):
        df[s] = traj.x[0, :, i].astype(np.int64)
    df.to_parquet(folder / "timeseries.parquet", index=False)
    rows = [
        {"region": name, "hours": h, **{s: int(v) for s, v in zip(traj.species, series[i])}}
        for name, series in run.regions.items()
        for i, h in enumerate(hours)
    ]
    if rows:
        pd.DataFrame(rows).to_parquet(folder / "regions.parquet", index=False)
    arrival_h = (run.arrival / tph).astype(np.float32)
    arrival_h[np.isneginf(arrival_h)] = 0.0
    np.save(folder / "arrival_hours.npy", arrival_h)
    maps.arrival_png(raster, arrival_h, folder / "arrival.png", setup.days * 24)
    z = traj.species.index("Z")
    for t, grid in run.snapshots.items():
        day = round(t / tph / 24)
        maps.count_png(raster, grid[..., z], folder / f"zombies_day{day}.png", f"zombies per cell, day {day}")
    maps.series_png(df, traj.species, folder / "timeseries.png", summary)
    maps.animation_gif(raster, [(t / tph, f) for t, f in run.frames], folder / "animation.gif")
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
