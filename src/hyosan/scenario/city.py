"""Hyosan city: the `alemi-sezr` network on a generated city map, with the story's interventions.

A city scenario is a TOML file with `kind = "city"` and an ASCII map beside it. Each map
character is a cell (of `cell_metres`); the population is spread over the cells by district
weights, the outbreak starts at the school, and every hour the interventions act between
runs of the metapopulation solver (exact next-reaction method by default):
  cordon      from `hour` on, no bite, kill or step crosses between the city and the outside
  evacuation  from `start_hour` to `end_hour`, each checkpoint lets `per_hour` uninfected
              residents out (drawn from the whole city in proportion to where they are)
  drones      from `start_hour`, a share `gather_per_hour` of each city cell's zombies follows
              the sound to the nearest of the drone sites
  bombing     at `hour`, everyone inside the cordon within `radius_cells` of a drone site dies
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator, model_validator

from .. import checkpoint, reactions
from ..errors import HyosanError, read_text, read_toml
from ..limits import MAX_SEED
from ..solvers.metapop import MODES, Engine
from ..world.raster import Raster
from .schema import RunName, Strict, validation_error

CITY = set("CriSX1234")  # inside the cordon
OUTSIDE = set("hY")  # the hill road and Yangdong
SITES = "1234"
GLYPHS = CITY | OUTSIDE | {"."}
# relative residents per cell of each map character: the bundled city's
WEIGHTS = {
    "C": 10.0, "r": 3.0, "i": 1.0, "S": 20.0, "X": 1.0, "1": 3.0, "2": 3.0, "3": 3.0, "4": 3.0,
    "h": 0.3, "Y": 4.0,
}  # fmt: skip


class CityVirus(Strict):
    """The Zombietown reactions per cell, in story hours."""

    alpha: float = Field(0.12, ge=0, description="kill-to-bite ratio kappa / beta")
    beta: float = Field(0.0154, gt=0, description="bites per zombie-resident pair per hour, in one cell")
    eta: float = Field(6.0, gt=0, description="turning rate of the bitten, per hour (mean 10 minutes)")
    mu: float = Field(0.0003, ge=0, description="slow-down of bites and kills across a cell border")
    walk: float = Field(
        0.0008,
        ge=0,
        le=100,
        description="rate per hour at which a zombie walks to each neighbour cell (at most 100)",
    )


class CityPopulation(Strict):
    """Who lives where: the city's residents and Yangdong's, spread by district weights."""

    residents: int = Field(170_000, ge=1, description="people inside the cordon (the city)")
    yangdong: int = Field(20_000, ge=0, description="people of Yangdong and the hill road")
    weights: dict[str, Annotated[float, Field(ge=0, le=1e6)]] = Field(
        default_factory=lambda: dict(WEIGHTS),
        description="relative residents per cell of each map character (0 to 1e6; "
        "a character not given keeps its default)",
    )
    spread: float = Field(
        0.3, ge=0, lt=1, description="cell-to-cell variation of the weights (log-normal sigma)"
    )

    @field_validator("weights", mode="after")
    @classmethod
    def _over_defaults(cls, v):
        wrong = sorted(set(v) - CITY - OUTSIDE)
        if wrong:
            raise ValueError(
                f"{wrong[0]!r} is not a map character people live on ({''.join(sorted(CITY | OUTSIDE))})"
            )
        return {**WEIGHTS, **v}  # so `--set population.weights.C=12` changes C alone


class CityCordon(Strict):
    """Quarantine under martial law."""

    hour: float = Field(30.0, ge=0, description="hour the city is sealed")


class CityEvacuation(Strict):
    """Residents leaving through the checkpoints (X on the map)."""

    start_hour: float = Field(24.0, ge=0)
    end_hour: float = Field(84.0, ge=0, description="hour the checkpoints close (the military takes over)")
    per_hour: float = Field(442.0, ge=0, description="uninfected residents each checkpoint lets out per hour")

    @model_validator(mode="after")
    def _ends_after_it_starts(self):
        if not self.end_hour > self.start_hour:
            raise ValueError(f"end_hour ({self.end_hour:g}) must be after start_hour ({self.start_hour:g})")
        return self


class CityDrones(Strict):
    """Sound drones drawing the infected to the four sites (1-4 on the map)."""

    start_hour: float = Field(84.0, ge=0)
    gather_per_hour: float = Field(
        0.3, ge=0, le=1, description="share of a cell's zombies that follow each hour"
    )


class CityBombing(Strict):
    """The bombing of the gathering sites."""

    hour: float = Field(100.0, ge=0)
    radius_cells: float = Field(14.0, ge=0, description="cells around each site where everyone dies")


class CityScenario(Strict):
    """A city scenario: map, population, virus and interventions."""

    kind: str = Field("city", pattern="^city$")
    name: RunName
    description: str = ""
    map: str = Field("city.map", description="ASCII map beside the scenario file")
    cell_metres: float = Field(250.0, gt=0)
    days: float = Field(5.0, gt=0)
    seed: int = Field(
        4, ge=0, le=MAX_SEED, description="the bundled run: of seeds 0-39 the one closest to the story"
    )
    mode: str = Field("exact", description="solver: exact or tau")
    patient_zero: int = Field(6, ge=1, description="zombies at the school at the start")
    population: CityPopulation = CityPopulation()
    virus: CityVirus = CityVirus()
    cordon: CityCordon = CityCordon()
    evacuation: CityEvacuation = CityEvacuation()
    drones: CityDrones = CityDrones()
    bombing: CityBombing = CityBombing()


def parse_city(path: Path, text: str, data: dict, sets: dict[str, float] | None = None) -> CityScenario:
    """Validate a city scenario's TOML data (with `sets` written in); errors name file, line and
    field, or the `--set` that caused them."""
    try:
        sc = CityScenario.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, text, exc, docs="docs/city.md", sets=sets) from None
    if sc.mode not in MODES:
        raise HyosanError(f"{path}: mode: must be one of {', '.join(MODES)}, got {sc.mode!r}")
    unknown = set(sc.population.weights) - (CITY | OUTSIDE)
    if unknown:
        raise HyosanError(
            f"{path}: population.weights: unknown map characters {sorted(unknown)}; "
            f"expected some of {''.join(sorted(CITY | OUTSIDE))}"
        )
    return sc


def read_map(path: Path) -> np.ndarray:
    """Read a city map as a character grid; refuse bad characters and maps missing what the story needs."""
    if not path.is_file():
        raise HyosanError(f"{path}: no such city map")
    lines = read_text(path, "city map").rstrip("\r\n").splitlines()  # any line endings
    width = len(lines[0]) if lines else 0
    for i, line in enumerate(lines, start=1):
        if len(line) != width:
            raise HyosanError(f"{path}:{i}: ragged map: {len(line)} characters, line 1 has {width}")
        for j, ch in enumerate(line, start=1):
            if ch not in GLYPHS:
                raise HyosanError(
                    f"{path}:{i}:{j}: unknown map character {ch!r}; expected one of {''.join(sorted(GLYPHS))}"
                )
    grid = np.array([list(line) for line in lines])
    for ch, what in (("S", "school (S)"), ("X", "checkpoint (X)")):
        if not (grid == ch).any():
            raise HyosanError(f"{path}: the map has no {what}")
    if not np.isin(grid, list(SITES)).any():
        raise HyosanError(f"{path}: the map has no drone site (1-4)")
    return grid


def spread_population(grid: np.ndarray, sc: CityScenario, rng: np.random.Generator) -> np.ndarray:
    """Residents per cell: district weights with log-normal variation, totals exactly as asked."""
    pop = np.zeros(grid.shape, np.int64)
    for group, total in ((CITY, sc.population.residents), (OUTSIDE, sc.population.yangdong)):
        mask = np.isin(grid, list(group))
        w = np.array([sc.population.weights.get(ch, 0.0) for ch in grid[mask]], float)
        w *= rng.lognormal(0.0, sc.population.spread, w.size) if sc.population.spread > 0 else 1.0
        if total == 0:
            continue
        chars = "".join(sorted(group))
        field = "residents" if group is CITY else "yangdong"
        if not mask.any():
            raise HyosanError(f"population.{field}: the map has no cell of {chars} for its {total:,} people")
        if w.sum() <= 0:
            on_map = "".join(sorted(set(grid[mask])))
            raise HyosanError(
                f"population.weights: every weight of the map's {on_map} cells is 0, "
                f"cannot place the {total:,} people of population.{field}"
            )
        exact = total * w / w.sum()
        base = np.floor(exact).astype(np.int64)
        extra = np.argsort(-(exact - base), kind="stable")[: total - base.sum()]
        base[extra] += 1  # largest remainders, so the total is exact
        pop[mask] = base
    return pop


class CitySim:
    """A Hyosan-city run: `CitySim(scenario, path).run()` then `write(folder)`."""

    def __init__(self, sc: CityScenario, source: Path, seed: int | None = None):
        self.sc, self.source = sc, Path(source)
        self.seed = sc.seed if seed is None else int(seed)
        self.map_path = self.source.parent / sc.map
        self.grid = read_map(self.map_path)
        rng = np.random.Generator(np.random.PCG64(self.seed))
        self.population = spread_population(self.grid, sc, rng)
        self.raster = Raster(self.population, "north", sc.name, sc.cell_metres / 1609.344)
        v = sc.virus
        net = reactions.get("alemi-sezr").with_values(alpha=v.alpha, beta=v.beta, eta=v.eta)
        self.net = net.__class__(**{**net.__dict__, "time_unit": "hour"})
        self.engine = Engine(
            self.net, self.population, mode=sc.mode, mu=v.mu, walk=v.walk, seed=self.seed + 1
        )
        school = np.argwhere((self.grid == "S") & (self.population > 0))
        if school.size == 0:
            raise HyosanError(
                f"{self.map_path}: nobody lives in the school's cells; raise population.weights.S"
            )
        self.engine.seed_zombies(tuple(school[0]), sc.patient_zero)
        self.engine.reset()
        cells = self.engine.cells
        ch = self.grid[cells.rows, cells.cols]
        self.in_city = np.isin(ch, list(CITY))
        self.in_yangdong = np.isin(ch, list(OUTSIDE))
        sites = [np.argwhere(self.grid == s) for s in SITES]
        self.sites = [
            int(cells.index[tuple(s[0])]) for s in sites if s.size and cells.index[tuple(s[0])] >= 0
        ]
        d2 = np.stack(
            [(cells.rows - cells.rows[s]) ** 2 + (cells.cols - cells.cols[s]) ** 2 for s in self.sites]
        )
        self.nearest_site = np.array(self.sites)[d2.argmin(axis=0)]
        # the bombing is of the city: a blast that reaches past the cordon (the hill road) stops there
        self.in_blast = (d2.min(axis=0) <= sc.bombing.radius_cells**2) & self.in_city
        self.checkpoints = int((self.grid == "X").sum())
        self.evacuated = self.bombed_infected = self.bombed_uninfected = 0
        self.rows: list[dict] = []
        self.frames: list[tuple[float, np.ndarray]] = []
        self.snapshots: dict[float, np.ndarray] = {}
        self.hour = 0  # story hours done (a stopped run goes on from the next)

    def _cordon(self) -> None:
        self.engine.cut_borders(self.in_city)

    def _evacuate(self) -> int:
        avail = np.where(self.in_city, self.engine.count("S"), 0).astype(np.int64)
        n = min(int(round(self.sc.evacuation.per_hour * self.checkpoints)), int(avail.sum()))
        if n <= 0:
            return 0
        self.engine.move("S", self.engine.rng.multivariate_hypergeometric(avail, n))
        return n

    def _gather(self) -> None:
        z = self.engine.count("Z")
        movers = np.where(self.in_city, self.engine.rng.binomial(z, self.sc.drones.gather_per_hour), 0)
        movers[self.sites] = 0
        self.engine.move("Z", movers, to=self.nearest_site)

    def _bomb(self) -> None:
        killed = self.engine.convert(self.in_blast, ("S", "E", "Z"), "R")
        self.bombed_infected = killed["E"] + killed["Z"]
        self.bombed_uninfected = killed["S"]
        self.bombed_cells = np.flatnonzero(self.in_blast)

    def _record(self, hour: float) -> None:
        n = self.net.species_names
        city, yd = self.engine.totals(self.in_city), self.engine.totals(self.in_yangdong)
        row = {
            "hour": hour,
            **{f"city_{s}": int(v) for s, v in zip(n, city)},
            **{f"yangdong_{s}": int(v) for s, v in zip(n, yd)},
            "evacuated": self.evacuated,
            "bombed_infected": self.bombed_infected,
            "bombed_uninfected": self.bombed_uninfected,
        }
        self.rows.append(row)

    def run(self, days: float | None = None, progress=None, frames_every: float | None = None) -> "CitySim":
        """Advance hour by hour to the end, applying the interventions; returns self."""
        sc = self.sc
        days = sc.days if days is None else days
        if not (math.isfinite(days) and days > 0):
            raise HyosanError(f"--days must be a positive number, got {days}")
        hours = int(math.ceil(days * 24))
        eng = self.engine
        if not self.rows:
            self._record(0.0)
        for h in range(self.hour + 1, hours + 1):
            eng.advance(float(h))  # a stop request here leaves the hour to be finished on resuming
            if h == math.ceil(sc.cordon.hour) or (sc.cordon.hour == 0 and h == 1):
                self._cordon()
            if sc.evacuation.start_hour <= h < min(sc.evacuation.end_hour, sc.bombing.hour):
                self.evacuated += self._evacuate()
            if sc.drones.start_hour <= h < sc.bombing.hour and sc.drones.gather_per_hour > 0:
                self._gather()
            if h == math.ceil(sc.bombing.hour):
                self._bomb()
            self._record(float(h))
            if h in (24, 48, 72) or h == math.ceil(sc.bombing.hour) - 1:
                self.snapshots[float(h)] = eng.cells.to_grid(eng.count("Z"))
            if frames_every and h % max(1, int(frames_every)) == 0:
                share = np.ceil(
                    255 * eng.count("Z") / np.maximum(self.population[eng.cells.rows, eng.cells.cols], 1)
                )
                self.frames.append((float(h), eng.cells.to_grid(np.minimum(share, 255).astype(np.uint8))))
            self.hour = h
            if progress is not None:
                progress(h)
        return self

    STATE = ("hour", "rows", "evacuated", "bombed_infected", "bombed_uninfected")

    def state(self) -> tuple[dict, dict]:
        """The run's mutable state (the engine's, the records so far), for a checkpoint."""
        meta, arrays = self.engine.state()
        mine, _ = checkpoint.attributes(self, self.STATE)
        kept_meta, kept = checkpoint.records(self.snapshots, self.frames)
        meta, arrays = meta | kept_meta | {"city": mine}, arrays | kept
        if hasattr(self, "bombed_cells"):
            arrays["bombed_cells"] = self.bombed_cells
        return meta, arrays

    def set_state(self, meta: dict, arrays: dict) -> None:
        """Go back to a checkpointed state (of a run of the same scenario and seed)."""
        self.engine.set_state(meta, arrays)
        checkpoint.set_attributes(self, meta["city"], {}, self.STATE)
        self.snapshots, self.frames = checkpoint.records_back(meta, arrays)
        if "bombed_cells" in arrays:
            self.bombed_cells = arrays["bombed_cells"]

    def summary(self) -> dict:
        """The story's figures for this run."""
        last = self.rows[-1]
        infected_alive = last["city_E"] + last["city_Z"]
        return {
            "scenario": self.sc.name,
            "seed": self.seed,
            "hours": last["hour"],
            "mode": self.sc.mode,
            "residents": int(self.population[np.isin(self.grid, list(CITY))].sum()),
            "yangdong_people": int(self.population[np.isin(self.grid, list(OUTSIDE))].sum()),
            "got_out": self.evacuated,
            "bombing_killed_infected": self.bombed_infected,
            "bombing_killed_uninfected": self.bombed_uninfected,
            "zombies_destroyed_before_bombing": int(
                self.rows[-1]["city_R"] - self.bombed_infected - self.bombed_uninfected
            ),
            "left_in_city": {"uninfected": last["city_S"], "infected": infected_alive},
            "yangdong": {
                "uninfected": last["yangdong_S"],
                "infected": last["yangdong_E"] + last["yangdong_Z"],
                "dead": last["yangdong_R"],
            },
            "events": int(self.engine.events),
            "origin": "north",
            "landmarks": self.landmarks(),
        }

    def landmarks(self) -> list[dict]:
        """The places of the story on the map: the school, the checkpoints, the drone sites."""
        out = []
        for ch, name in (("S", "school"), *((d, f"drone site {d}") for d in SITES)):
            cells = np.argwhere(self.grid == ch)
            if cells.size:
                r, c = cells.mean(axis=0)
                out.append({"name": name, "row": int(round(r)), "col": int(round(c))})
        # the checkpoints lie apart on the city's edge: each is marked where it is, not at their mean
        out += [
            {"name": "checkpoint", "row": int(r), "col": int(c)} for r, c in np.argwhere(self.grid == "X")
        ]
        return out

    def write(self, folder: Path, animate: bool = False, incomplete: dict | None = None) -> dict:
        """Write the run folder: timeline, summary, scenario and map as run, maps, animation (and the
        `incomplete` mark of a run that stopped early)."""
        from ..results.folders import write_run_folder
        from ..viz import maps

        rows, marks = pd.DataFrame(self.rows), self.landmarks()
        pictures = {
            "population.png": lambda p: maps.count_png(
                self.raster,
                self.population,
                p,
                "residents per cell",
                cmap="Blues",
                landmarks=marks,
            ),
            **{
                f"zombies_hour{int(h)}.png": (
                    lambda p, h=h, z=z: maps.count_png(
                        self.raster, z, p, f"zombies per cell, hour {h:g}", landmarks=marks
                    )
                )
                for h, z in self.snapshots.items()
            },
            "timeline.png": lambda p: city_timeline_png(rows, self.sc, p),
        }
        if animate:
            pictures["animation.gif"] = lambda p: maps.animation_gif(self.raster, self.frames, p)
        texts = {
            "scenario.toml": f"# as run: seed = {self.seed}, from {self.source}\n" + self.source.read_text(),
            self.sc.map: read_text(self.map_path, "city map"),
        }
        arrival = self.engine.arrival_grid().astype(np.float32)  # hours: the city's network runs in hours
        arrival[np.isneginf(arrival)] = 0.0
        return write_run_folder(
            folder,
            self.summary(),
            tables={"timeline.parquet": rows},
            arrays={"arrival_hours.npy": arrival},
            texts=texts,
            pictures=pictures,
            incomplete=incomplete,
        )


def city_timeline_png(df: pd.DataFrame, sc: CityScenario, path: Path) -> Path:
    """City counts over the hours, with the interventions marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5))
    for col, label, color in (
        ("city_S", "uninfected in the city", "tab:blue"),
        ("city_Z", "zombies in the city", "tab:red"),
        ("city_E", "bitten, turning", "tab:orange"),
        ("evacuated", "got out", "tab:green"),
        ("yangdong_Z", "zombies in Yangdong", "tab:purple"),
    ):
        ax.plot(df["hour"], df[col], label=label, color=color)
    for hour, what in (
        (sc.cordon.hour, "cordon"),
        (sc.evacuation.start_hour, "evacuation"),
        (sc.drones.start_hour, "drones"),
        (sc.bombing.hour, "bombing"),
    ):
        ax.axvline(hour, color="grey", lw=0.8, ls=":")
        ax.text(hour, ax.get_ylim()[1] * 0.97, what, rotation=90, va="top", fontsize=8, color="grey")
    ax.set(xlabel="hours since the first bite", ylabel="people", title=f"{sc.name}")
    ax.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def load_city(path: Path, seed: int | None = None) -> CitySim:
    """Read and validate a city scenario file and build its simulation."""
    text, data = read_toml(path, "scenario")
    return CitySim(parse_city(path, text, data), path, seed)


CITY_FILES = (
    "timeline.parquet",
    "arrival_hours.npy",
    "summary.json",
    "scenario.toml",
    "timeline.png",
    "population.png",
    "zombies_hour*.png",
    "animation.gif",
)
