"""Where a step's time goes: the engine's phases timed one by one over a stretch of a real run.

Each phase is a compiled kernel; here they are called one at a time from Python (as
`engine.step` calls them) with a timer around each, so the shares are honest up to the
few microseconds of each call from Python. The run's events are those of `engine.step`.
"""

from __future__ import annotations

import time

import hyosan
from hyosan.agents import phases as P
from hyosan.agents.codes import Ctr
from hyosan.agents.state import grown_log

PHASES = (
    "interventions",
    "refresh_goals",
    "perceive",
    "hear",
    "order",
    "zombies_act",
    "encounters",
    "people_act",
    "turning",
    "record",
)


def profile(sim, seconds: float) -> dict[str, float]:
    """Run `seconds` of story time phase by phase; return total wall seconds per phase."""
    ag, w, fs, sched, par, sw, ctr, rng = (
        sim.agents,
        sim.world,
        sim.fields,
        sim.schedule,
        sim.par,
        sim.sw,
        sim.ctr,
        sim.rng,
    )
    n = int(round(seconds / par.dt))
    sim.log = grown_log(sim.log, int(ctr[Ctr.EV_N]) + 8 * len(ag.pos) * n + 1024, int(ctr[Ctr.TL_N]) + n + 2)
    log = sim.log
    tot = dict.fromkeys(PHASES, 0.0)
    clock = time.perf_counter
    for _ in range(n):
        t = ctr[Ctr.STEP] * par.dt
        hour = (par.start_hour + t / 3600.0) % 24.0
        night = hour >= 19.0 or hour < 6.0
        zs = par.z_sight_night if night else par.z_sight_day
        hs = par.h_sight_night if night else par.h_sight_day
        c0 = clock()
        P.interventions(ag, w, sched, log, sw, ctr, t)
        c1 = clock()
        P.refresh_goals(w, fs, sw, ctr)
        c2 = clock()
        P.perceive(ag, w, fs, par, ctr, sw, t)
        c3 = clock()
        P.hear(ag, w, fs, par, ctr, t)
        c4 = clock()
        order = fs.order[: P.shuffle_alive(ag, fs, rng)]
        c5 = clock()
        P.zombies_act(ag, w, fs, log, par, sw, ctr, rng, t, zs, order)
        c6 = clock()
        P.encounters(ag, w, fs, log, par, ctr, rng, t, order)
        c7 = clock()
        P.people_act(ag, w, fs, log, par, sw, ctr, rng, t, hs, order)
        c8 = clock()
        P.turning(ag, log, par, ctr, rng, t)
        c9 = clock()
        P.record(ag, w, log, par, ctr, t)
        c10 = clock()
        ctr[Ctr.STEP] += 1
        for k, a, b in zip(
            PHASES, (c0, c1, c2, c3, c4, c5, c6, c7, c8, c9), (c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)
        ):
            tot[k] += b - a
    return tot


def main(argv: list[str]) -> None:
    """Print the phase profile of the bundled scenario at a few moments of the story."""
    seed = int(argv[0]) if argv else 5
    sim = hyosan.load("hyosan-high", seed=seed)
    profile(sim, 5)  # compile
    sim = hyosan.load("hyosan-high", seed=seed)
    rows = []
    for start_h, secs in ((0.0, 300), (1.0, 300), (6.0, 300)):
        sim.run(days=max(start_h * 3600 - sim.t, 1) / 86400)
        tot = profile(sim, secs)
        rows.append((start_h, secs, tot, sim.counts()))
    print("| story time | " + " | ".join(PHASES) + " | total µs/step |")
    print("|---" * (len(PHASES) + 2) + "|")
    for start_h, secs, tot, counts in rows:
        us = {k: v / secs * 1e6 for k, v in tot.items()}
        print(
            f"| {start_h:g} h (+{secs} s) | "
            + " | ".join(f"{us[k]:.0f}" for k in PHASES)
            + f" | {sum(us.values()):.0f} |"
        )
    print("counts at the end:", rows[-1][3])


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
