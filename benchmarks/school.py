"""The Hyosan High scenario: story days per wall-clock second, and the same building with 10^5 people."""

from __future__ import annotations

import time

import hyosan
from hyosan.scenario import load_scenario
from hyosan.scenario.schema import Group
from hyosan.world.floorplan import load_building

from .common import machine, peak_rss_mib, write_section


def time_run(sim, days: float) -> float:
    """Wall seconds to advance `days` of story time."""
    t0 = time.perf_counter()
    sim.run(days=days, chunk_seconds=600)
    return time.perf_counter() - t0


def crowded(n: int, seed: int):
    """The bundled building with n people spread over its rooms, and its characters."""
    from hyosan.agents.sim import Sim

    sc, path = load_scenario("hyosan-high")
    building = load_building([path.parent / m for m in sc.maps])
    rooms = [r for r in building.room_names if r != "rooftop"]
    base, extra = divmod(n - len(sc.characters), len(rooms))
    groups = [Group(room=r, count=base + (1 if i < extra else 0)) for i, r in enumerate(rooms)]
    return Sim(sc.model_copy(update={"population": groups}), building, seed=seed, source=str(path))


def main(argv: list[str]) -> None:
    """Run the school benchmark; `--quick` runs minutes instead of days and writes nothing."""
    quick = "--quick" in argv
    seed = 3
    hyosan.load("hyosan-high", seed=seed).run(days=60 / 86400)  # compile the kernels first
    rows = []
    for days in ((0.01,) if quick else (1.0, 5.0)):
        sim = hyosan.load("hyosan-high", seed=seed)
        secs = time_run(sim, days)
        n = len(sim.agents.pos)
        rows.append((f"bundled scenario, {n:,} people, seed {seed}", days, secs, n * days * 86400 / secs, sim.counts()))
    n_big = 2_000 if quick else 100_000
    big_days = 0.001 if quick else 600 / 86400
    sim = crowded(n_big, seed)
    secs = time_run(sim, big_days)
    rows.append((f"same building, {n_big:,} people", big_days, secs, n_big * big_days * 86400 / secs, sim.counts()))
    lines = ["## Agent engine: the Hyosan High scenario", "",
             f"Command: `python -m benchmarks school` (`make bench`). Machine: {machine()}. One process, one "
             "core, step = 1 s of story time, kernels compiled before timing.", "",
             "| run | story time | wall seconds | agent-steps per second | at the end |", "|---|---|---|---|---|"]
    for what, days, secs, rate, counts in rows:
        story = f"{days:g} days" if days >= 1 else f"{days * 86400:g} s"
        end = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        lines.append(f"| {what} | {story} | {secs:.1f} | {rate:,.0f} | {end} |")
    day = next((r for r in rows if r[1] == 1.0), None)
    five = next((r for r in rows if r[1] == 5.0), None)
    if day and five:
        lines += ["", f"Targets (issue 3): one story day under 30 s: {'met' if day[2] < 30 else 'MISSED'} ({day[2]:.1f} s); "
                  f"five days under 120 s: {'met' if five[2] < 120 else 'MISSED'} ({five[2]:.1f} s)."]
    lines += ["", f"Bytes of state per agent: {sim.agents.bytes_per_agent}. Peak memory of the benchmark process: "
              f"{peak_rss_mib():.0f} MiB.",
              "", "There is no peer for this model; the zombie-grid benchmark compares the engine with Mesa."]
    text = "\n".join(lines)
    print(text)
    if not quick:
        write_section("school", text)
