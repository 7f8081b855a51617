"""Checkpoint files: a run's whole mutable state in one `.npz` (arrays plus JSON metadata).

Every resumable run (a school `Sim`, a city, a country) writes its state with `write` and reads
it with `read`; a file is written under a temporary name and renamed, so a checkpoint is whole or
absent, even when the process is killed while writing it.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .errors import HyosanError


def write(path: str | Path, meta: dict, arrays: dict[str, np.ndarray]) -> Path:
    """Write metadata (JSON-ready) and named arrays to `path`, atomically."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            text = json.dumps({**meta, ARRAYS: sorted(arrays)}, default=_plain).encode()
            np.savez(fh, __meta__=np.frombuffer(text, np.uint8), **arrays)
        os.replace(tmp, path)
    except OSError as exc:
        raise HyosanError(f"cannot write checkpoint {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path


# The metadata key listing every array a checkpoint was written with: one lacking any is damaged.
ARRAYS = "__arrays__"


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"cannot checkpoint a {type(v).__name__}")


def read(path: str | Path) -> tuple[dict, dict[str, np.ndarray]]:
    """The metadata and arrays of a checkpoint, or one clear HyosanError."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(bytes(arrays.pop("__meta__")).decode())
    except FileNotFoundError:
        raise HyosanError(f"{path}: no checkpoint here (nothing to resume)") from None
    except (OSError, ValueError, KeyError, EOFError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise HyosanError(f"{path}: not a hyosan checkpoint ({exc})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get(ARRAYS), list):
        raise HyosanError(f"{path}: not a hyosan checkpoint (no list of its arrays)")
    missing = sorted(set(map(str, meta.pop(ARRAYS))) - set(arrays))
    if missing:
        raise HyosanError(f"{path}: a damaged checkpoint: it lacks {', '.join(missing[:5])}")
    return meta, arrays


def records(snapshots: dict[float, np.ndarray], frames: list[tuple[float, np.ndarray]]) -> tuple[dict, dict]:
    """Maps kept at story times (a dict time -> grid) and animation frames (a list of (time, grid))
    as checkpoint metadata (their times) and arrays; `records_back` undoes it."""
    meta = {"snapshots": list(snapshots), "frames": [t for t, _ in frames]}
    arrays = {f"snapshot.{i}": g for i, g in enumerate(snapshots.values())}
    arrays |= {f"frame.{i}": f for i, (_, f) in enumerate(frames)}
    return meta, arrays


def records_back(meta: dict, arrays: dict) -> tuple[dict, list]:
    """The snapshots and frames `records` put into a checkpoint."""
    snapshots = {t: arrays[f"snapshot.{i}"] for i, t in enumerate(meta["snapshots"])}
    return snapshots, [(t, arrays[f"frame.{i}"]) for i, t in enumerate(meta["frames"])]


def attributes(obj, names: tuple[str, ...], prefix: str = "") -> tuple[dict, dict]:
    """An object's named attributes split into JSON metadata (numbers, strings, lists) and arrays
    (named `prefix` + attribute, so several objects share one file)."""
    meta, arrays = {}, {}
    for n in names:
        v = getattr(obj, n)
        if isinstance(v, np.ndarray):
            arrays[f"{prefix}{n}"] = v
        else:
            meta[n] = v.item() if isinstance(v, np.generic) else v
    return meta, arrays


def set_attributes(obj, meta: dict, arrays: dict, names: tuple[str, ...], prefix: str = "") -> None:
    """Put back what `attributes` took (arrays are copied into the existing ones, same shape)."""
    for n in names:
        if f"{prefix}{n}" in arrays:
            old, new = getattr(obj, n), arrays[f"{prefix}{n}"]
            if isinstance(old, np.ndarray) and old.shape == new.shape:
                old[...] = new
            else:
                setattr(obj, n, new.copy())
        else:
            setattr(obj, n, meta[n])
