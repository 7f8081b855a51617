"""The authors' own code, built and run from ../shared/peers/zombies-usa (never copied here).

`clattice()` compiles their C lattice and its driver (`runs.c`) into build/peers with the flags of
their Makefile (the peers folder is read-only); `run_clattice` runs it and parses what it prints.
`run_zombietown` runs their Zombietown JavaScript under Node with their driver `run_demo.js`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np

from .common import ROOT

PEERS = ROOT.parent / "shared" / "peers" / "zombies-usa"
CFLAGS = ["-std=c99", "-O3", "-march=native", "-D_POSIX_C_SOURCE=199309L"]  # their Makefile's


def clattice() -> Path:
    """The path of the built C driver `runs L ALPHA RUNS SEED` (built when missing or stale)."""
    src = PEERS / "clattice"
    sources = [src / n for n in ("runs.c", "zombies.c", "pcg_basic.c")]
    if not all(p.is_file() for p in sources):
        raise FileNotFoundError(f"the authors' C lattice is not at {src}")
    exe = ROOT / "build" / "peers" / "clattice-runs"
    newest = max(p.stat().st_mtime for p in [*sources, src / "zombies.h", src / "pcg_basic.h"])
    if not exe.is_file() or exe.stat().st_mtime < newest:
        exe.parent.mkdir(parents=True, exist_ok=True)
        cc = shutil.which("cc") or shutil.which("gcc") or "cc"
        subprocess.run([cc, *CFLAGS, "-o", str(exe), *map(str, sources), "-lm"], check=True)
    return exe


def run_clattice(L: int, alpha: float, runs: int, seed: int) -> tuple[np.ndarray, float]:
    """`runs` runs of their C lattice from one central zombie: an array of (S, Z, R, loop turns) per
    run, and the seconds their own timer measured (the runs, not the process start)."""
    done = subprocess.run(
        [str(clattice()), str(L), repr(float(alpha)), str(runs), str(seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    rows = np.array([line.split() for line in done.stdout.splitlines()], dtype=np.int64).reshape(-1, 4)
    seconds = float(re.search(r"in ([0-9.]+) s", done.stderr).group(1))
    return rows, seconds


def c_events(rows: np.ndarray) -> np.ndarray:
    """Bites and kills of each C run (their driver's note: bites + kills = Z + 2R - 1), comparable
    with hyosan's event count; the C loop's own turns also count stale-bond removals."""
    return rows[:, 1] + 2 * rows[:, 2] - 1


def run_zombietown(board: Path, start: tuple[int, int], hours: float, seed: int, out: Path) -> dict:
    """One seeded run of their Zombietown JavaScript (driver `js/run_demo.js`) on a board, from the
    cell (row, col), for `hours`: the driver's JSON (`arrival` by "row,col", `events`, `seconds`)."""
    node = shutil.which("node") or shutil.which("nodejs") or "node"
    args = [str(PEERS / "js" / "run_demo.js"), str(PEERS), str(board), str(start[0]), str(start[1])]
    subprocess.run([node, *args, f"{hours:g}", str(seed), str(out)], check=True, capture_output=True)
    return json.loads(out.read_text())
