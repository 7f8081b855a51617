"""What this machine can hold: requests are sized before anything is allocated.

A command that would need more memory than the machine has free is refused with the estimate, in
one line, instead of failing deep inside NumPy or being killed by the kernel. `HYOSAN_MEMORY`
(bytes, or with a K/M/G/T suffix) sets the budget instead, for tests and shared machines.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import HyosanError

# Seeds are 0 to 2^53 - 1 in every command and every scenario kind: exact in float64 tables and
# JSON, and wide enough for the seeds an ensemble gives its runs (`ensemble.targets.run_seed`), so
# any run of an ensemble can be replayed alone with `hyosan run --seed`.
MAX_SEED = 2**53 - 1

# The share of free memory one request may take (the rest is for Python, NumPy and the plots).
SHARE = 0.8


def _parse_size(text: str) -> int:
    text = text.strip().upper().removesuffix("B")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(text[-1:], 1)
    try:
        value = float(text[:-1] if mult > 1 else text) * mult
    except ValueError:
        raise HyosanError(f"HYOSAN_MEMORY must be a size like 2G or 500M, got {text!r}") from None
    if not value > 0:
        raise HyosanError(f"HYOSAN_MEMORY must be positive, got {text!r}")
    return int(value)


SMALL_REQUEST = 64 * 2**20


def available_memory() -> int:
    """Bytes a request may use: HYOSAN_MEMORY if set, else the free memory (within the cgroup's
    limit, in a container) times SHARE."""
    if os.environ.get("HYOSAN_MEMORY"):
        return _parse_size(os.environ["HYOSAN_MEMORY"])
    free = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                free = int(line.split()[1]) * 1024
    except OSError:
        pass
    if free is None:
        free = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    try:
        cap = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text())
        if cap != "max":
            free = min(free, int(cap) - used)
    except (OSError, ValueError):
        pass
    return int(max(free, 0) * SHARE)


def human_bytes(n: float) -> str:
    """A size for people: 1.5 GiB, 320 MiB."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PiB"


def check_memory(nbytes: float, what: str) -> None:
    """Refuse, with the estimate, a request of `nbytes` (for `what`) that this machine cannot hold."""
    if nbytes < SMALL_REQUEST and not os.environ.get("HYOSAN_MEMORY"):
        return  # any machine running Python holds this; reading /proc took longer than a small run
    budget = available_memory()
    if nbytes > budget:
        raise HyosanError(
            f"{what} needs about {human_bytes(nbytes)} of memory; this machine has "
            f"{human_bytes(budget)} to give (ask for less)"
        )
