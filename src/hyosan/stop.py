"""Stopping safely: Ctrl-C (SIGINT) and SIGTERM ask a run to stop; long loops check back.

Under `on_signals()` (the `hyosan` command installs it around every run) a signal only sets a flag.
Compiled work is cut into bounded pieces (`PIECE_EVENTS` events, or a few story minutes of the
school) and `check()` is called between pieces, so a run stops within a second or two at a point
where its state is whole: it can then write what it computed and a checkpoint to go on from. A
second signal while the first is being handled stops at once (exit 130 or 143).

Without `on_signals()` (a library user) nothing is installed and Python's own KeyboardInterrupt
arrives between pieces as usual.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager

# Events a compiled kernel fires before it returns to check for a stop request (about 0.1-0.5 s).
PIECE_EVENTS = 1 << 21

_pending = {"signum": 0}


class Interrupted(Exception):
    """A run stopped on a signal; `exit_code` is the shell's 128 + signal number (130, 143)."""

    def __init__(self, signum: int):
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum
        self.exit_code = 128 + signum


def requested() -> int:
    """The signal number of a pending stop request, or 0."""
    return _pending["signum"]


def check() -> None:
    """Raise `Interrupted` if a stop was asked for (call between pieces of work)."""
    if _pending["signum"]:
        raise Interrupted(_pending["signum"])


def _handler(signum, frame) -> None:
    if _pending["signum"]:
        os._exit(128 + signum)  # a second request: the user wants out now
    _pending["signum"] = signum


@contextmanager
def on_signals():
    """Turn SIGINT and SIGTERM into stop requests for the duration (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    _pending["signum"] = 0
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        _pending["signum"] = 0
