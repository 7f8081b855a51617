"""The one exception type a user sees: a clear message, never a traceback."""

from __future__ import annotations

import tomllib
from pathlib import Path


class HyosanError(Exception):
    """A problem with what the user asked for (bad input, unknown name, bad value)."""


def read_text(path: str | Path, what: str) -> str:
    """The text of a user's file (`what` it should be: "scenario", "map"...), or one clear HyosanError:
    missing, a folder, unreadable, or not UTF-8 text (a binary file, another encoding)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise HyosanError(f"{path}: is a folder, not a {what} file") from None
    except FileNotFoundError:
        raise HyosanError(f"{path}: no such {what} file") from None
    except OSError as exc:
        raise HyosanError(f"{path}: cannot read {what} ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise HyosanError(
            f"{path}:{line}: not a text {what} file (byte 0x{data[exc.start]:02x} is not UTF-8; "
            "save it as UTF-8 text)"
        ) from None


def read_toml(path: str | Path, what: str) -> tuple[str, dict]:
    """The text and data of a user's TOML file, or one clear HyosanError (`read_text`'s, or the
    TOML parser's naming the line)."""
    text = read_text(path, what)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HyosanError(f"{path}: not valid TOML: {exc}") from None
