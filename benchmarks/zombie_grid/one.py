"""Time one zombie-grid run in a fresh process: `python -m benchmarks.zombie_grid.one ENGINE N SEED STEPS`.

Prints one JSON line: build and run seconds, zombies at the end, and the process's resident
memory before building and at its peak (so the model's own memory can be told apart).
"""

import json
import resource
import sys
import time


def rss_mib() -> float:
    """Current resident memory of this process in MiB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    """Build, warm up (hyosan compiles its kernels on a tiny model first), run, report."""
    engine, n, seed, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    if engine.startswith("hyosan"):
        from .hyosan_model import ZombieGrid

        order = "tiles" if engine == "hyosan-tiles" else "random"
        ZombieGrid(200, 0, order).run(2)  # compile outside the timing, as a user's second run would
        build = lambda: ZombieGrid(n, seed, order)  # noqa: E731
        run = lambda m: m.run(steps)  # noqa: E731
    else:
        from .mesa_model import ZombieGridModel

        build = lambda: ZombieGridModel(n, seed)  # noqa: E731

        def run(m):
            for _ in range(steps):
                m.step()
    base = rss_mib()
    t0 = time.perf_counter()
    model = build()
    t1 = time.perf_counter()
    run(model)
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"engine": engine, "n": n, "seed": seed, "steps": steps, "build_s": t1 - t0, "run_s": t2 - t1,
                      "zombies": model.zombies(), "rss_base_mib": base, "rss_peak_mib": peak}))


if __name__ == "__main__":
    main()
