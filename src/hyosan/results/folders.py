"""Choosing and checking run folders."""

from __future__ import annotations

from pathlib import Path

from ..errors import HyosanError


def prepare_run_folder(out: Path | None, default: Path, force: bool, produces: tuple[str, ...] = ()) -> Path:
    """Create and return the folder a run writes to.

    With no `out`, the first free name of default, default-2, default-3, ... is used, so
    nothing is overwritten. An explicit `out` that exists and is not empty is refused unless
    `force` is given; then the files an earlier run of this kind wrote there (`produces`: names
    and glob patterns relative to the folder) are removed first, so no result of the earlier run is
    left beside the new ones, and every other file stays.
    """
    if out is None:
        folder, n = default, 1
        while folder.exists():
            n += 1
            folder = default.with_name(f"{default.name}-{n}")
    else:
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise HyosanError(f"--out {folder} is a file, not a folder")
        if folder.is_dir() and any(folder.iterdir()) and not force:
            raise HyosanError(
                f"run folder {folder} already exists and is not empty; "
                "pass --force to replace its results, or choose another --out"
            )
        if folder.is_dir() and force:
            clear_earlier_run(folder, produces)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HyosanError(f"cannot create run folder {folder}: {exc.strerror}") from None
    return folder


def clear_earlier_run(folder: Path, produces: tuple[str, ...]) -> None:
    """Remove the files matching `produces` in folder (an earlier run's results), and the subfolders
    that leaves empty; nothing else is touched."""
    emptied = set()
    for pattern in produces:
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
