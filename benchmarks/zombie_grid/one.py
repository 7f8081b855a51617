"""Time one zombie-grid run in a fresh process: `python -m benchmarks.zombie_grid.one ENGINE N SEED STEPS`.

Prints one JSON line: build and run seconds, zombies at the end, and the peak memory the model
allocated. Timing and memory come from two separate builds: tracemalloc slows Python
allocations (Mesa's) several times, so the timed run is untraced; memory is the tracemalloc
peak over a second build and MEMORY_STEPS steps (started after the warm-up, so neither imports
nor Numba's compiler count; it sees NumPy arrays and Python objects alike).
"""

import json
import sys
import time
import tracemalloc

MEMORY_STEPS = 5


def main() -> None:
    """Build, warm up (hyosan compiles its kernels on a tiny model first), run, report."""
    engine, n, seed, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    if engine.startswith("hyosan"):
        from .hyosan_model import ZombieGrid

        order = "tiles" if engine == "hyosan-tiles" else "random"
        ZombieGrid(200, 0, order).run(2)  # compile outside the timing, as a user's second run would
        build = lambda: ZombieGrid(n, seed, order)  # noqa: E731
        run = lambda m, steps=steps: m.run(steps)  # noqa: E731
    else:
        from .mesa_model import ZombieGridModel

        build = lambda: ZombieGridModel(n, seed)  # noqa: E731

        def run(m, steps=steps):
            for _ in range(steps):
                m.step()

    t0 = time.perf_counter()
    model = build()
    t1 = time.perf_counter()
    run(model)
    t2 = time.perf_counter()
    zombies = model.zombies()
    del model
    tracemalloc.start()
    run(build(), min(steps, MEMORY_STEPS))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "engine": engine,
                "n": n,
                "seed": seed,
                "steps": steps,
                "build_s": t1 - t0,
                "run_s": t2 - t1,
                "zombies": zombies,
                "peak_bytes": peak,
            }
        )
    )


if __name__ == "__main__":
    main()
