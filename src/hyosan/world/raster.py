"""Population rasters: people per grid cell, read from .npy, .csv or (gzip) JSON files.

A raster keeps the rows in the file's own order and says which edge row 0 is on
(`origin`): the Zombietown USA grid (`usa-population-2mi.json.gz`) starts at the SOUTH edge,
while .npy and .csv files are read as images (row 0 = NORTH) unless told otherwise. Cell
coordinates a user gives (`--start ROW,COL`) are always the file's rows and columns; only
drawing flips the rows so that north is up.

Every loader refuses what cannot be a population, naming the file and the place: negative,
NaN or infinite counts, fractions, non-numbers, ragged rows, and empty grids.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import HyosanError, read_text

ORIGINS = ("north", "south")


@dataclass(frozen=True)
class Raster:
    """People per cell (int64, rows in file order) and which edge row 0 lies on."""

    counts: np.ndarray
    origin: str = "north"
    name: str = "raster"
    cell_miles: float = 2.0

    @property
    def total(self) -> int:
        """Number of people on the raster."""
        return int(self.counts.sum())

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return self.counts.shape

    def north_up(self, grid: np.ndarray) -> np.ndarray:
        """Return a per-cell array flipped, if needed, so that row 0 is the north edge (for drawing)."""
        return grid[::-1] if self.origin == "south" else grid

    def cell(self, text: str) -> tuple[int, int]:
        """Parse 'ROW,COL' and check it is an inhabited cell of this raster."""
        parts = [p.strip() for p in str(text).split(",")]
        try:
            if any("_" in p for p in parts):
                raise ValueError
            row, col = (int(p) for p in parts)
        except ValueError:
            raise HyosanError(
                f"start cell {text!r}: expected ROW,COL as two whole numbers, e.g. 587,1317"
            ) from None
        rows, cols = self.shape
        if not (0 <= row < rows and 0 <= col < cols):
            raise HyosanError(f"start cell {row},{col} is outside {self.name} ({rows} rows x {cols} columns)")
        if self.counts[row, col] <= 0:
            raise HyosanError(f"start cell {row},{col} of {self.name} has no people; pick an inhabited cell")
        return row, col


def _checked(values: np.ndarray, path: Path) -> np.ndarray:
    """Refuse grids that cannot be populations; return int64 counts."""
    if values.ndim != 2:
        raise HyosanError(f"{path}: expected a 2-D grid of people per cell, got {values.ndim} dimension(s)")
    if values.size == 0:
        raise HyosanError(f"{path}: the population grid is empty (shape {values.shape})")
    if values.dtype.kind not in "iuf":
        raise HyosanError(f"{path}: cells must hold numbers of people, got values of type {values.dtype}")
    for test, what in (
        (~np.isfinite(values) if values.dtype.kind == "f" else None, "is NaN or infinite"),
        (values < 0, "is negative"),
        (values != np.floor(values) if values.dtype.kind == "f" else None, "is not a whole number"),
    ):
        if test is not None and test.any():
            r, c = np.argwhere(test)[0]
            raise HyosanError(
                f"{path}: cell at row {r}, column {c} {what} ({values[r, c].item()!r}); "
                "cells hold whole numbers of people >= 0"
            )
    if values.max() > np.iinfo(np.int32).max:
        raise HyosanError(
            f"{path}: a cell holds {values.max():g} people; at most {np.iinfo(np.int32).max} per cell"
        )
    counts = values.astype(np.int64)
    if counts.sum() == 0:
        raise HyosanError(f"{path}: the population grid holds nobody (all cells are 0)")
    return counts


def _from_rows(rows, path: Path, line_of=lambda i: f"row {i}") -> np.ndarray:
    """Turn a list of rows (from JSON or CSV) into a checked array, naming the first bad row."""
    if not isinstance(rows, list) or not rows:
        raise HyosanError(f"{path}: expected a non-empty list of rows of people per cell")
    width = None
    for i, row in enumerate(rows):
        if not isinstance(row, list):
            raise HyosanError(f"{path}: {line_of(i)} is not a list of numbers")
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise HyosanError(
                f"{path}: ragged rows: {line_of(i)} has {len(row)} cells, {line_of(0)} has {width}"
            )
        for j, v in enumerate(row):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise HyosanError(f"{path}: {line_of(i)}, column {j}: {v!r} is not a number of people")
    # as floats first: an integer too big for int64 is refused by _checked, not by an OverflowError
    try:
        grid = np.array(rows, dtype=np.float64)
    except OverflowError:
        raise HyosanError(f"{path}: a cell holds a number too large to be people") from None
    return _checked(grid, path)


def _read_json(path: Path):
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    except (OSError, EOFError) as exc:
        raise HyosanError(f"{path}: cannot read ({exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HyosanError(f"{path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise HyosanError(f"{path}: not a population grid (lists nested too deep)") from None


def _read_csv(path: Path) -> np.ndarray:
    rows = []
    text = read_text(path, "population")
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise HyosanError(f"{path}: not a CSV grid of numbers ({exc})") from None
    for lineno, row in enumerate(lines, start=1):
        if not row or all(not c.strip() for c in row):
            continue  # blank lines carry no cells
        values = []
        for j, cell in enumerate(row):
            try:
                if "_" in cell:  # Python reads 1_000 as 1000; a CSV cell that says so is a typo
                    raise ValueError
                values.append(float(cell))
            except ValueError:
                raise HyosanError(
                    f"{path}:{lineno}: column {j}: {cell.strip()!r} is not a number of people"
                ) from None
        rows.append((lineno, values))
    if not rows:
        raise HyosanError(f"{path}: the population grid is empty (no rows)")
    width = len(rows[0][1])
    for lineno, values in rows:
        if len(values) != width:
            raise HyosanError(f"{path}:{lineno}: ragged rows: {len(values)} cells, the first row has {width}")
    return _checked(np.array([v for _, v in rows]), path)


def load_population(path: str | Path, origin: str | None = None, cell_miles: float = 2.0) -> Raster:
    """Read a population raster from .npy, .csv, .json or .json.gz; origin: edge of row 0 ('north'/'south').

    Default origin: 'south' for JSON (the Zombietown USA layout), 'north' for .npy and .csv.
    """
    path = Path(path)
    if origin is not None and origin not in ORIGINS:
        raise HyosanError(f"origin must be one of {', '.join(ORIGINS)}, got {origin!r}")
    if path.is_dir():
        raise HyosanError(f"{path}: is a folder; expected a population file (.npy, .csv or .json)")
    if not path.is_file():
        raise HyosanError(f"{path}: no such population file")
    name = path.name
    if name.endswith(".npy"):
        try:
            values = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise HyosanError(f"{path}: not a readable .npy array ({exc})") from None
        counts, default = _checked(np.asarray(values), path), "north"
    elif name.endswith(".csv"):
        counts, default = _read_csv(path), "north"
    elif name.endswith(".json") or name.endswith(".json.gz"):
        counts, default = _from_rows(_read_json(path), path), "south"
    else:
        raise HyosanError(f"{path}: unknown population format; expected .npy, .csv, .json or .json.gz")
    if not math.isfinite(cell_miles) or cell_miles <= 0:
        raise HyosanError(f"cell size must be > 0 miles, got {cell_miles}")
    return Raster(counts, origin or default, name, cell_miles)
