"""Helpers for benchmarks: machine description, peak memory, and writing BENCHMARKS.md sections."""

from __future__ import annotations

import os
import platform
import re
import resource
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    """One line describing the machine the figures were measured on."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, "
        f"{platform.system()}"
    )


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (since `reset_peak_rss`, where it worked), in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Start the peak-memory count afresh (Linux: /proc/self/clear_refs), so that `peak_rss_mib` measures
    what runs after, not the compiler's work before it (LLVM took 9 GiB compiling the engine's kernels
    afresh); False where the system does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def write_section(name: str, text: str, path: Path = ROOT / "BENCHMARKS.md") -> None:
    """Replace (or append) the section between this benchmark's markers in BENCHMARKS.md."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    old = (
        path.read_text()
        if path.exists()
        else "# Benchmarks\n\nEvery figure below is written by the benchmark command named in its section, "
        "from one run.\n"
    )
    if begin in old:
        new = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, old, flags=re.S)
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    path.write_text(new)
