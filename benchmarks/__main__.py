"""`python -m benchmarks NAME [--quick]`: run one benchmark (or `all`)."""

import sys

from . import school, ssa
from .zombie_grid import bench as zombie_grid

BENCHMARKS = {"ssa": ssa.main, "school": school.main, "zombie-grid": zombie_grid.main}


def main() -> None:
    """Dispatch to the named benchmark."""
    args = sys.argv[1:]
    names = [a for a in args if not a.startswith("--")] or ["all"]
    for name in names:
        targets = BENCHMARKS if name == "all" else {name: BENCHMARKS.get(name)}
        for key, fn in targets.items():
            if fn is None:
                sys.exit(f"error: unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}, all")
            fn(args)


if __name__ == "__main__":
    main()
