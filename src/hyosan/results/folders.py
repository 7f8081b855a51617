"""Choosing and checking run folders."""

from __future__ import annotations

from pathlib import Path

from ..errors import HyosanError


def prepare_run_folder(out: Path | None, default: Path, force: bool, produces: tuple[str, ...] = ()) -> Path:
    """Create and return the folder a run writes to.

    With no `out`, the first free name of default, default-2, default-3, ... is used, so
    nothing is overwritten. An explicit `out` that exists and is not empty is refused unless
    `force` is given; even then only the files this run produces are replaced.
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
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HyosanError(f"cannot create run folder {folder}: {exc.strerror}") from None
    return folder
