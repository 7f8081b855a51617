"""`python -m benchmarks NAME [--quick]`: run one benchmark (or `all`)."""

import sys

from . import city, country, country_compare, ensemble, lattice, lattice_study, school, ssa, viewer
from .zombie_grid import bench as zombie_grid

BENCHMARKS = {
    "ssa": ssa.main,
    "school": school.main,
    "zombie-grid": zombie_grid.main,
    "lattice": lattice.speed,
    "country": country.main,
    "ensemble": ensemble.main,
    "viewer": viewer.main,
}
STUDIES = {
    "lattice-study": lattice_study.study,
    "city-study": city.study,
    "country-demo": country.demo,
    "country-compare": country_compare.main,
}  # long: run by name only, not by `all`


def main() -> None:
    """Dispatch to the named benchmark."""
    args = sys.argv[1:]
    # a benchmark's own child processes pass their arguments after --child
    plain = args[: args.index("--child")] if "--child" in args else args
    names = [a for a in plain if not a.startswith("--")] or ["all"]
    for name in names:
        targets = BENCHMARKS if name == "all" else {name: BENCHMARKS.get(name, STUDIES.get(name))}
        for key, fn in targets.items():
            if fn is None:
                sys.exit(
                    f"error: unknown benchmark {name!r}; known: {', '.join([*BENCHMARKS, *STUDIES])}, all"
                )
            fn(args)


if __name__ == "__main__":
    main()
