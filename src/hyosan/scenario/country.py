"""Zombietown USA: the `alemi-sezr` network on a country's population raster.

A country scenario is a TOML file with `kind = "country"` naming a population raster (beside
the file, or an absolute path) and the first zombies' cell; `hyosan run FILE` runs it, and
`hyosan country --population FILE --start ROW,COL` builds the same scenario from options.

Time: the network runs in its own units t; as in Alemi et al.'s public demo, story hours are
t / (beta * 500). Their demo parameters: alpha = 0.8, beta = 0.0018 and
mu = 1 / (11 * beta * 500) (11 hours for a zombie to cross a 2-mile cell).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, StrictBool, ValidationError, model_validator

from .. import reactions
from ..errors import HyosanError
from ..limits import MAX_SEED
from ..solvers.metapop import Metapopulation, MetaRun
from ..world.raster import Raster, load_population
from .schema import RunName, Strict, error_text, validation_error

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


class CountryVirus(Strict):
    """The Zombietown reactions per cell, in the network's time units (hours = t / (beta * 500))."""

    alpha: float = Field(0.8, ge=0, description="kill-to-bite ratio kappa / beta (demo 0.8)")
    beta: float = Field(0.0018, gt=0, description="bite rate per pair (demo 0.0018)")
    mu: float | None = Field(None, ge=0, description="border slow-down (default 1 / (11 * beta * 500))")
    walk: float = Field(
        0.0, ge=0, le=100, description="rate at which each zombie walks to each neighbour cell (at most 100)"
    )


class CountryScenario(Strict):
    """A country scenario: a population raster, where the first zombies are, and the virus."""

    kind: Literal["country"] = "country"
    name: RunName = "country"
    description: str = ""
    population: str = Field(description="population raster (.npy, .csv, .json, .json.gz) beside the file")
    origin: Literal["north", "south"] | None = Field(
        None, description="edge of row 0 (default: south for JSON, north for .npy and .csv)"
    )
    start: str = Field(description="ROW,COL of the first zombies' cell (the file's own rows)")
    days: float = Field(60.0, gt=0)
    mode: Literal["exact", "tau"] = Field("exact", description="exact (next-reaction) or tau (leaping)")
    seed: int = Field(0, ge=0, le=MAX_SEED)
    zombies: int = Field(1, ge=1, description="residents of the start cell who start as zombies")
    dt: float | None = Field(
        None, ge=1e-4, description="tau mode: step over which borders are frozen (time units, >= 1e-4)"
    )
    virus: CountryVirus = CountryVirus()
    preset: Literal["zombietown-demo"] | None = Field(
        None,
        description="zombietown-demo: the authors' public demo, as their code runs it (the "
        "three fields below set to demo, exposed and false unless given)",
    )
    population_rule: Literal["census", "demo"] = Field(
        "census", description="census: the raster's counts; demo: floor(sqrt(n)) + 1 in each inhabited cell"
    )
    start_as: Literal["zombies", "exposed"] = Field(
        "zombies", description="the start cell's first `zombies` residents start as zombies, or bitten"
    )
    beta_in_rates: StrictBool = Field(
        True,
        description="bites beta·S·Z and kills alpha·beta·S·Z per time unit; false: S·Z and "
        "alpha·S·Z, beta only setting the clock (hours = t / (beta * 500)), as in the demo",
    )

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data):
        if isinstance(data, dict) and data.get("preset") == "zombietown-demo":
            data = {**DEMO, **data}
        return data

    @model_validator(mode="after")
    def _dt_is_for_tau(self):
        if self.dt is not None and self.mode != "tau":
            raise ValueError(
                "dt is the tau mode's step; the exact mode takes none (choose the tau mode, or leave dt out)"
            )
        return self

    @property
    def mu_value(self) -> float:
        """The border factor mu (the demo's formula unless given)."""
        v = self.virus
        return 1.0 / (11 * v.beta * 500) if v.mu is None else float(v.mu)

    @property
    def t_per_hour(self) -> float:
        """Network time units per story hour (beta * 500)."""
        return self.virus.beta * 500


# What the zombietown-demo preset sets (the authors' js/simulation.js and its demo page): cells of
# floor(sqrt(n)) + 1 people, one bitten person at the start, rates S·Z and alpha·S·Z per time unit
# with beta only converting time to hours; their alpha, beta and mu are the virus defaults.
DEMO = {"population_rule": "demo", "start_as": "exposed", "beta_in_rates": False}


def demo_population(counts: np.ndarray) -> np.ndarray:
    """The demo's people per cell: floor(sqrt(n)) + 1 where anyone lives (USAMapBoard.pop)."""
    counts = np.asarray(counts, np.float64)
    return np.where(counts > 0, np.floor(np.sqrt(counts) + 1), 0).astype(np.int64)


# The `hyosan country` option that sets each field, for errors in options rather than a file.
FLAGS = {"virus.alpha": "--alpha", "virus.beta": "--beta", "virus.mu": "--mu", "virus.walk": "--walk"}


def parse_country(path: Path, text: str, data: dict, sets: dict[str, float] | None = None) -> CountryScenario:
    """Validate a country scenario's TOML data; errors name file, line and field (or the `--set`)."""
    try:
        return CountryScenario.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, text, exc, docs="docs/country.md", sets=sets) from None


def country_from_options(**options) -> CountryScenario:
    """The scenario `hyosan country` builds from its options; an error names the option."""
    virus = {k: options.pop(k) for k in ("alpha", "beta", "mu", "walk") if k in options}
    try:
        return CountryScenario.model_validate({**options, "virus": virus})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        if not field:  # a rule across options
            raise HyosanError(error_text(err)) from None
        flag = FLAGS.get(field, "--" + field.replace("_", "-"))
        raise HyosanError(f"{flag}: {error_text(err)}, got {err.get('input')!r}") from None


def regions_for(raster: Raster) -> dict[str, np.ndarray]:
    """Named regions to follow: metro areas and the Eastern Seaboard on the USA grid; none elsewhere."""
    if raster.shape != USA_SHAPE:
        return {}
    out = {}
    m = METRO_CELLS
    for name, ((r, c), _) in LANDMARKS.items():  # each metro area drawn in the box around it only
        out[name] = np.zeros(raster.shape, np.bool_)
        R, C = raster.shape
        rr, cc = np.ogrid[max(r - m, 0) : min(r + m + 1, R), max(c - m, 0) : min(c + m + 1, C)]
        out[name][rr, cc] = (rr - r) ** 2 + (cc - c) ** 2 <= m**2
    cols = np.arange(raster.shape[1])[None, :]
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


class CountrySim:
    """A country run: `CountrySim(scenario, folder_of_the_file, seed).run()`, then `summary()`."""

    def __init__(self, sc: CountryScenario, base: Path | None = None, seed: int | None = None):
        self.sc = sc
        self.seed = sc.seed if seed is None else int(seed)
        pop = Path(sc.population)
        if not pop.is_absolute() and base is not None:
            pop = Path(base) / pop
        self.raster = load_population(pop, sc.origin)
        self.start = self.raster.cell(sc.start)
        self.people = (
            demo_population(self.raster.counts) if sc.population_rule == "demo" else self.raster.counts
        )
        self.mp: Metapopulation | None = None
        self.wall = 0.0

    def _build(self, days: float | None) -> Metapopulation:
        sc, v = self.sc, self.sc.virus
        if days is not None:
            if not (np.isfinite(days) and days > 0):
                raise HyosanError(f"--days must be a positive number, got {days:g}")
            sc = self.sc = sc.model_copy(update={"days": float(days)})
        net = reactions.get(MODEL).with_values(alpha=v.alpha, beta=v.beta if sc.beta_in_rates else 1.0)
        tph, hours = sc.t_per_hour, sc.days * 24
        # hourly, or 25 points in a run shorter than a day
        hours_grid = np.arange(0, hours + 1e-9, 1.0) if hours >= 24 else np.linspace(0, hours, 25)
        frame_every = 24.0 if sc.days >= 10 else max(1.0, sc.days * 24 / 40)
        return Metapopulation(
            net,
            self.people,
            self.start,
            sc.days * 24 * tph,
            mode=sc.mode,
            mu=sc.mu_value,
            walk=v.walk,
            zombies=sc.zombies,
            seed_species="E" if sc.start_as == "exposed" else None,
            seed=self.seed,
            n_points=hours_grid.size,
            snapshot_times=tuple(d * 24 * tph for d in MAP_DAYS if d <= sc.days),
            frame_times=tuple(np.arange(0, sc.days * 24 + 1e-9, frame_every) * tph),
            regions=regions_for(self.raster),
            dt=sc.dt,
        )

    def run(self, days: float | None = None, progress=None) -> "CountrySim":
        """Simulate the whole raster from zombies at the start cell for `days` (default the
        scenario's), or go on to the end of a run that stopped; progress gets story hours."""
        tph = self.sc.t_per_hour
        clock = time.perf_counter()  # the wall time of a run counts building its cells
        try:
            if self.mp is None:
                self.mp = self._build(days)
            self.mp.run(None if progress is None else (lambda t: progress(t / tph)), result=False)
        finally:
            self.wall += time.perf_counter() - clock
        return self

    @property
    def run_(self) -> MetaRun:
        """What the run produced so far (all of it once `run` has returned)."""
        return self.mp.result()

    def state(self) -> tuple[dict, dict]:
        """The run's mutable state, for a checkpoint."""
        meta, arrays = self.mp.state()
        return meta | {"days": self.sc.days, "wall": self.wall}, arrays

    def set_state(self, meta: dict, arrays: dict) -> None:
        """Go back to a checkpointed state (of a run of the same scenario and seed)."""
        self.mp = self._build(meta["days"])
        self.mp.set_state(meta, arrays)
        self.wall = meta["wall"]

    def arrival_hours(self) -> np.ndarray:
        """Hours until the first zombie reached each cell (nan: never; 0: the start)."""
        arrival_h = self.run_.arrival / self.sc.t_per_hour
        arrival_h[np.isneginf(arrival_h)] = 0.0
        return arrival_h

    def summary(self) -> dict:
        """The run's account: final counts, regions' fall, where the zombies came last or never."""
        sc, run, raster, net = self.sc, self.run_, self.raster, reactions.get(MODEL)
        traj = run.trajectory
        hours = traj.t / sc.t_per_hour
        names = traj.species
        human = names.index(net.humans[0])
        arrival_h = self.arrival_hours()
        fall = {
            name: {
                "people": int(series[0].sum()),
                "half_fallen_hours": _fall_hours(series, hours, human, 0.5),
                "fallen_hours": _fall_hours(series, hours, human, 0.1),
                "humans_left_at_end": int(series[-1, human]),
            }
            for name, series in run.regions.items()
        }
        summary = {
            "scenario": sc.name,
            "population_file": raster.name,
            "people": int(self.people.sum()),
            "cells_inhabited": int(run.cells.rows.size),
            "start": list(self.start),
            "origin": raster.origin,
            "landmarks": [{"name": n, "row": rc[0], "col": rc[1]} for n, (rc, _) in LANDMARKS.items()]
            if raster.shape == USA_SHAPE
            else [],
            "seed": self.seed,
            "setup": sc.model_dump()
            | {"seed": self.seed}
            | {"mu": sc.mu_value, "model": MODEL, "hours_per_time_unit": 1 / sc.t_per_hour},
            "final_counts": dict(zip(names, (int(v) for v in traj.final[0]))),
            "hours": float(hours[-1]),
            "outbreak_died_out": bool(traj.died_out()[0]),
            "cells_reached": int(np.isfinite(arrival_h).sum()),
            "people_in_reached_cells": int(self.people[np.isfinite(arrival_h)].sum()),
            "regions": fall,
            "last_places": _last_places(raster, arrival_h),
            "events": int(run.events),
            "kernel_seconds": round(run.kernel_seconds, 2),
            "wall_seconds": round(self.wall, 2),
        }
        if sc.mode == "tau":
            summary["tau"] = {"dt": sc.dt, "border_events_cut": run.clipped, "cell_leaps": run.cell_steps}
        return summary

    def write(self, folder: Path, incomplete: dict | None = None) -> dict:
        """Write the run folder: summary, time series, regions, arrival map, zombie maps, animation (and
        the `incomplete` mark of a run that stopped early)."""
        from ..results.folders import write_run_folder
        from ..viz import maps

        tph, run, raster = self.sc.t_per_hour, self.run_, self.raster
        traj = run.trajectory
        hours = traj.t / tph
        df = pd.DataFrame({"hours": hours, "t": traj.t})
        for i, s in enumerate(traj.species):
            df[s] = traj.x[0, :, i].astype(np.int64)
        rows = [
            {"region": name, "hours": h, **{s: int(v) for s, v in zip(traj.species, series[i])}}
            for name, series in run.regions.items()
            for i, h in enumerate(hours)
        ]
        tables = {"timeseries.parquet": df} | ({"regions.parquet": pd.DataFrame(rows)} if rows else {})
        arrival_h = self.arrival_hours().astype(np.float32)
        summary = self.summary()
        z = traj.species.index(reactions.get(MODEL).zombies[0])
        pictures = {
            "arrival.png": lambda p: maps.arrival_png(
                raster, arrival_h, p, self.sc.days * 24, landmarks=summary["landmarks"]
            ),
            **{
                f"zombies_day{round(t / tph / 24)}.png": (
                    lambda p, t=t, g=g: maps.count_png(
                        raster,
                        g[..., z],
                        p,
                        f"zombies per cell, day {round(t / tph / 24)}",
                        landmarks=summary["landmarks"],
                    )
                )
                for t, g in run.snapshots.items()
            },
            "timeseries.png": lambda p: maps.series_png(df, traj.species, p, summary),
            "animation.gif": lambda p: maps.animation_gif(raster, [(t / tph, f) for t, f in run.frames], p),
        }
        return write_run_folder(
            folder,
            summary,
            tables=tables,
            arrays={"arrival_hours.npy": arrival_h},
            pictures=pictures,
            incomplete=incomplete,
        )


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
