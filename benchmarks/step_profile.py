"""Where a step's time goes: the engine's phases timed inside a compiled loop by the CPU's cycle counter.

`timed_steps` runs the phases of `engine.step` in the same order on the same state, reading the
cycle counter (`llvm.readcyclecounter`) between phases, so the figures carry no call overhead
from Python. Cycles are converted to seconds by timing the counter against `time.perf_counter`.
"""

from __future__ import annotations

import time

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core.extending import intrinsic

import hyosan
from hyosan.agents import phases as P
from hyosan.agents import rand
from hyosan.agents.codes import Ctr
from hyosan.agents.state import grown_log

PHASES = (
    "interventions",
    "refresh_goals",
    "perceive",
    "hear",
    "shuffle_alive",
    "zombies_act",
    "encounters",
    "people_act",
    "turning",
    "record",
)


@intrinsic
def _cycles(typingctx):
    """The CPU's cycle counter (an LLVM intrinsic)."""

    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.IntType(64), [])
        fn = builder.module.declare_intrinsic("llvm.readcyclecounter", fnty=fnty)
        return builder.call(fn, [])

    return types.int64(), codegen


@njit
def cycles():
    """The CPU's cycle counter, callable from Python."""
    return _cycles()


@njit
def timed_steps(n, ag, w, fs, log, sched, par, sw, ctr, rng, acc):
    """n steps of `engine.step`, adding each phase's cycles to acc[phase]."""
    for _ in range(n):
        t = ctr[Ctr.STEP] * par.dt
        hour = (par.start_hour + t / 3600.0) % 24.0
        night = hour >= 19.0 or hour < 6.0
        z_sight = par.z_sight_night if night else par.z_sight_day
        h_sight = par.h_sight_night if night else par.h_sight_day
        c0 = _cycles()
        P.interventions(ag, w, sched, log, sw, ctr, t)
        c1 = _cycles()
        P.refresh_goals(w, fs, sw, ctr)
        c2 = _cycles()
        P.perceive(ag, w, fs, par, ctr, sw, t)
        c3 = _cycles()
        P.hear(ag, w, fs, par, ctr, t)
        c4 = _cycles()
        order = fs.order[: P.shuffle_alive(ag, fs, rng)]
        c5 = _cycles()
        P.zombies_act(ag, w, fs, log, par, sw, ctr, rng, t, z_sight, order)
        c6 = _cycles()
        P.encounters(ag, w, fs, log, par, ctr, rng, t, order)
        c7 = _cycles()
        P.people_act(ag, w, fs, log, par, sw, ctr, rng, t, h_sight, order)
        c8 = _cycles()
        P.turning(ag, log, par, ctr, rng, t)
        c9 = _cycles()
        P.record(ag, w, log, par, ctr, t)
        c10 = _cycles()
        ctr[Ctr.STEP] += 1
        marks = (c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)
        for k in range(10):
            acc[k] += marks[k + 1] - marks[k]


def cycles_per_second() -> float:
    """The cycle counter's rate, measured against the wall clock."""
    cycles()
    a, t0 = cycles(), time.perf_counter()
    time.sleep(0.2)
    b, t1 = cycles(), time.perf_counter()
    return (b - a) / (t1 - t0)


def profile(sim, seconds: float, rate: float | None = None) -> dict[str, float]:
    """Run `seconds` of story time; return the wall seconds spent in each phase."""
    n = int(round(seconds / sim.par.dt))
    N = len(sim.agents.pos)
    sim.log = grown_log(sim.log, int(sim.ctr[Ctr.EV_N]) + 8 * N * n + 1024, int(sim.ctr[Ctr.TL_N]) + n + 2)
    acc = np.zeros(len(PHASES), np.int64)
    draws = rand.stream_of(sim.rng)
    timed_steps(
        n, sim.agents, sim.world, sim.fields, sim.log, sim.schedule, sim.par, sim.sw, sim.ctr, draws, acc
    )
    rand.put_back(sim.rng, draws)
    rate = rate or cycles_per_second()
    return {k: acc[i] / rate for i, k in enumerate(PHASES)}


def profile_table(seed: int, moments=(0.0, 1.0, 6.0, 12.0, 30.0), seconds: int = 600) -> list[str]:
    """Markdown rows: microseconds per step in each phase from each moment (hours) of the bundled story."""
    profile(hyosan.load("hyosan-high", seed=seed), 2)  # compile
    rate = cycles_per_second()
    sim = hyosan.load("hyosan-high", seed=seed)
    rows = []
    for start_h in moments:
        sim.run(days=max(start_h * 3600 - sim.t, 1) / 86400)
        alive = sum(v for k, v in sim.counts().items() if k in ("human", "zombie"))
        zombies = sim.counts()["zombie"]
        us = {k: v / seconds * 1e6 for k, v in profile(sim, seconds, rate).items()}
        rows.append(
            f"| {start_h:g} h | {alive} | {zombies} | "
            + " | ".join(f"{us[k]:.1f}" for k in PHASES)
            + f" | {sum(us.values()):.0f} |"
        )
    return rows


def table_header() -> list[str]:
    """The header of `profile_table`'s rows."""
    return [
        "| from | alive | zombies | " + " | ".join(PHASES) + " | total |",
        "|---" * (len(PHASES) + 4) + "|",
    ]


def main(argv: list[str]) -> None:
    """Print the phase profile of the bundled scenario (seed from argv, default 3)."""
    seed = int(argv[0]) if argv else 3
    print("\n".join(table_header() + profile_table(seed)))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
