"""Choosing and checking run folders."""

from __future__ import annotations

from pathlib import Path

from ..errors import HyosanError


def prepare_run_folder(
    out: Path | None,
    default: Path,
    force: bool,
    produces: tuple[str, ...] = (),
    resume: bool = False,
    inputs: dict[str, Path] | None = None,
) -> Path:
    """Choose and check the folder a run writes to (made when the run first writes into it).

    With no `out`, the first free name of default, default-2, default-3, ... is used, so
    nothing is overwritten. An explicit `out` that exists and is not empty is refused unless
    `force` is given; then the files an earlier run of this kind wrote there (`produces`: names
    and glob patterns relative to the folder) are removed first, so no result of the earlier run is
    left beside the new ones, and every other file stays. With `resume` the folder of a stopped run
    is taken as it is. A folder where the run's record of an input (`inputs`: the input files by the
    name the run writes a copy under) would be that input itself is refused.
    """
    if resume:
        if out is None:
            raise HyosanError("--resume needs --out FOLDER, the folder of the run to go on with")
        if not Path(out).is_dir():
            raise HyosanError(f"--resume: no run folder {out}")
        if force:
            raise HyosanError("--resume and --force contradict each other: choose one")
        return Path(out)
    if out is None:
        folder, n = default, 1
        while folder.exists():
            n += 1
            folder = default.with_name(f"{default.name}-{n}")
    else:
        folder = Path(out)
        for name, p in (inputs or {}).items():
            if (folder / name).resolve() == Path(p).resolve():
                raise HyosanError(
                    f"--out {folder} holds the run's own input {p}, which the run would write over; "
                    "a run folder must be another folder"
                )
        if folder.exists() and not folder.is_dir():
            raise HyosanError(f"--out {folder} is a file, not a folder")
        if folder.is_dir() and any(folder.iterdir()) and not force:
            raise HyosanError(
                f"run folder {folder} already exists and is not empty; "
                "pass --force to replace its results, or choose another --out"
            )
        if folder.is_dir() and force:
            clear_earlier_run(folder, produces)
    _check_writable(folder)
    return folder


def _check_writable(folder: Path) -> None:
    """Refuse a folder that cannot be made or written, without making it: a run refused later (too
    big, bad input) leaves no empty folder behind; the writers make it when they first write."""
    import os

    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise HyosanError(f"cannot create run folder {folder}: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise HyosanError(f"cannot create run folder {folder}: {existing} is not writable")


def earlier_files(folder: Path) -> list[str]:
    """The files an earlier run says it wrote (its summary.json's `files`), inside the folder only."""
    import json

    try:
        files = json.loads((folder / "summary.json").read_text()).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    if not isinstance(files, list):
        return []
    root = folder.resolve()
    return [f for f in files if isinstance(f, str) and (folder / f).resolve().is_relative_to(root)]


def clear_earlier_run(folder: Path, produces: tuple[str, ...]) -> None:
    """Remove an earlier run's results from folder: the files its summary.json lists, those matching
    `produces` (this kind of run's names and patterns) and a checkpoint; then the subfolders that
    leaves empty. Nothing else (a user's own files) is touched."""
    emptied = set()
    for pattern in (*earlier_files(folder), *produces, "checkpoint.npz"):
        for path in folder.glob(pattern):
            if path.is_file() or path.is_symlink():
                try:
                    path.unlink()
                except OSError as exc:
                    raise HyosanError(f"--force: cannot remove {path}: {exc.strerror}") from None
                if path.parent != folder:
                    emptied.add(path.parent)
    for sub in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()


def write_run_folder(
    folder: Path,
    summary: dict,
    *,
    tables: dict | None = None,
    arrays: dict | None = None,
    texts: dict | None = None,
    pictures: dict | None = None,
    incomplete: dict | None = None,
) -> dict:
    """The one writer of run folders, for every kind of run: tables (pandas or a Trajectory, to
    Parquet, or CSV for a `.csv` name), arrays (`.npy`, or `.npz` for a dict of
    arrays), texts (the scenario and maps as run) and
    pictures (a function of the path that draws it), then `summary.json` last, with the folder's
    name and the files written. Each file is written under a temporary name and renamed into
    place, so an interrupted write leaves no half-written file, and a folder with a summary.json
    is complete unless it says `incomplete` (a run that stopped early: what it reached, how to go
    on). Returns the summary as written."""
    import json
    import os

    from .report import jsonable

    folder = Path(folder)
    written: list[str] = []

    def put(name: str, write) -> None:
        path = folder / name
        tmp = path.with_name(f".{path.stem}.part{''.join(path.suffixes) or ''}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write(tmp)
            os.replace(tmp, path)
        except OSError as exc:  # a full disk, a folder that cannot be written
            raise HyosanError(f"cannot write {path}: {exc.strerror or exc}") from None
        finally:
            tmp.unlink(missing_ok=True)
        written.append(name)

    for name, df in (tables or {}).items():
        if name.endswith(".csv"):
            put(name, lambda p, df=df: df.to_csv(p, index=False))
        elif hasattr(df, "columns"):
            put(name, lambda p, df=df: df.to_parquet(p, index=False))
        else:  # a Trajectory, which writes its own Parquet with its provenance
            put(name, lambda p, df=df: df.to_parquet(p))
    for name, arr in (arrays or {}).items():
        put(name, lambda p, arr=arr: _save_npy(p, arr))
    for name, text in (texts or {}).items():
        put(name, lambda p, text=text: p.write_text(text))
    for name, draw in (pictures or {}).items():
        put(name, draw)
    out = dict(summary, folder=str(folder), files=sorted([*written, "summary.json"]))
    if incomplete:
        out["incomplete"] = incomplete
    put("summary.json", lambda p: p.write_text(json.dumps(out, indent=2, default=jsonable) + "\n"))
    return out


def _save_npy(path: Path, arr) -> None:
    import numpy as np

    with open(path, "wb") as f:  # a file object: np.save would add .npy to the temporary name
        if isinstance(arr, dict):
            np.savez_compressed(f, **arr)  # several named arrays in one compressed .npz
        else:
            np.save(f, arr)
