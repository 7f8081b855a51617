"""Population rasters: formats, orientation, and refusal of what cannot be a population."""

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from hyosan.errors import HyosanError
from hyosan.world.raster import load_population

USA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "usa-population-2mi.json.gz"
GRID = [[0, 3, 5], [7, 0, 11]]


def _write(tmp_path: Path, name: str, rows) -> Path:
    path = tmp_path / name
    if name.endswith(".npy"):
        np.save(path, np.asarray(rows))
    elif name.endswith(".csv"):
        path.write_text("\n".join(",".join(str(v) for v in row) for row in rows) + "\n")
    elif name.endswith(".json.gz"):
        with gzip.open(path, "wt") as f:
            json.dump(rows, f)
    else:
        path.write_text(json.dumps(rows))
    return path


@pytest.mark.parametrize(
    "name,origin", [("p.npy", "north"), ("p.csv", "north"), ("p.json", "south"), ("p.json.gz", "south")]
)
def test_every_format_reads_the_same_counts_with_its_default_orientation(tmp_path, name, origin):
    r = load_population(_write(tmp_path, name, GRID))
    assert r.counts.tolist() == GRID and r.counts.dtype == np.int64
    assert r.origin == origin and r.total == 26
    # drawing puts north on top: a south-first file is flipped, a north-first one is not
    assert r.north_up(r.counts)[0].tolist() == (GRID[1] if origin == "south" else GRID[0])


def test_origin_can_be_given_and_is_checked(tmp_path):
    path = _write(tmp_path, "p.csv", GRID)
    assert load_population(path, origin="south").origin == "south"
    with pytest.raises(HyosanError, match="origin must be one of north, south"):
        load_population(path, origin="up")


@pytest.mark.parametrize(
    "name,rows,message",
    [
        ("neg.csv", [[1, -2], [3, 4]], r"neg.csv: cell at row 0, column 1 is negative"),
        ("neg.json", [[1, 2], [3, -4]], r"cell at row 1, column 1 is negative"),
        ("nan.npy", [[1.0, np.nan], [3.0, 4.0]], r"nan.npy: cell at row 0, column 1 is NaN or infinite"),
        ("inf.npy", [[1.0, np.inf], [3.0, 4.0]], r"NaN or infinite"),
        ("frac.csv", [[1.5, 2], [3, 4]], r"is not a whole number"),
        ("ragged.json", [[1, 2, 3], [3, 4]], r"ragged.json: ragged rows: row 1 has 2 cells, row 0 has 3"),
        ("ragged.csv", [[1, 2, 3], [3, 4]], r"ragged.csv:2: ragged rows: 2 cells, the first row has 3"),
        ("empty.json", [], r"empty.json: expected a non-empty list of rows"),
        ("zeros.csv", [[0, 0], [0, 0]], r"holds nobody"),
        ("text.json", [[1, "a"], [3, 4]], r"text.json: row 0, column 1: 'a' is not a number of people"),
        ("flat.npy", [1, 2, 3], r"expected a 2-D grid"),
    ],
)
def test_bad_rasters_are_refused_naming_file_and_place(tmp_path, name, rows, message):
    with pytest.raises(HyosanError, match=message):
        load_population(_write(tmp_path, name, rows))


def test_empty_files_and_unknown_formats_are_refused(tmp_path):
    (tmp_path / "e.csv").write_text("\n\n")
    with pytest.raises(HyosanError, match="e.csv: the population grid is empty"):
        load_population(tmp_path / "e.csv")
    np.save(tmp_path / "e.npy", np.zeros((0, 3)))
    with pytest.raises(HyosanError, match="e.npy: the population grid is empty"):
        load_population(tmp_path / "e.npy")
    (tmp_path / "x.csv").write_text("people,more\n1,2\n")
    with pytest.raises(HyosanError, match=r"x.csv:1: column 0: 'people' is not a number"):
        load_population(tmp_path / "x.csv")
    (tmp_path / "p.tif").write_text("")
    with pytest.raises(HyosanError, match="unknown population format"):
        load_population(tmp_path / "p.tif")
    with pytest.raises(HyosanError, match="no such population file"):
        load_population(tmp_path / "missing.npy")
    (tmp_path / "bad.json.gz").write_bytes(b"not gzip")
    with pytest.raises(HyosanError, match="bad.json.gz: cannot read"):
        load_population(tmp_path / "bad.json.gz")


def test_start_cells_are_checked(tmp_path):
    r = load_population(_write(tmp_path, "p.npy", GRID))
    assert r.cell("1, 2") == (1, 2)
    for text, message in (
        ("5,0", "outside"),
        ("0,0", "has no people"),
        ("a,b", "expected ROW,COL"),
        ("1", "ROW,COL"),
    ):
        with pytest.raises(HyosanError, match=message):
            r.cell(text)


@pytest.mark.skipif(
    not USA.is_file(), reason=f"shared data absent: {USA} (tests that need it run where it is)"
)
def test_zombietown_usa_grid_reads_as_documented():
    r = load_population(USA)
    assert r.shape == (900, 1500) and r.origin == "south"
    assert r.total == 306_675_005 and int((r.counts > 0).sum()) == 551_275
    assert np.unravel_index(r.counts.argmax(), r.shape) == (587, 1317)  # New York, the densest cell
    # row 0 is the south edge: Miami's row is far below Boston's
    assert r.cell("45,1155")[0] < r.cell("645,1392")[0]
