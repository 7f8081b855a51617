"""One engine step as a short sequence of phases, and the compiled loop that runs many steps.

| order | phase            | what happens                                                            |
|-------|------------------|-------------------------------------------------------------------------|
| 1     | interventions    | scheduled cordon, helicopter and bombing actions due at this step        |
| 2     | refresh_goals    | exit, helipad and supply fields rebuilt if a door changed the ways       |
| 3     | mix              | well-mixed limit only: everyone alive reshuffled                         |
| 4     | perceive         | sight regions, where everyone stands, zombies and prey indexed           |
| 5     | hear             | the sound field, every `sound.every_seconds`                             |
| 6     | shuffle_alive    | the agents still acting in a random order, shared by phases 7 to 9        |
| 7     | zombies_act      | starve, or chase / follow sound / wander; push doors                     |
| 8     | encounters       | zombies and starving hybrids attack someone within reach                 |
| 9     | people_act       | thirst and hunger, rescue, notice, mode, hide and barricade, move        |
| 10    | turning          | the bitten whose time has come turn                                      |
| 11    | record           | a timeline row every `record_seconds`                                    |

Everything a step does depends only on the state, so a run is the same however it is cut
into calls of `run_steps`.
"""

from __future__ import annotations

from . import phases as P
from .codes import Ctr
from .jit import kernel


@kernel
def step(ag, w, fs, log, sched, par, sw, ctr, rng):
    """Advance every agent by one step of par.dt seconds (the phases in the table above)."""
    t = ctr[Ctr.STEP] * par.dt
    hour = (par.start_hour + t / 3600.0) % 24.0
    night = hour >= 19.0 or hour < 6.0
    z_sight = par.z_sight_night if night else par.z_sight_day
    h_sight = par.h_sight_night if night else par.h_sight_day
    P.interventions(ag, w, sched, log, sw, ctr, t)
    P.refresh_goals(w, fs, sw, ctr)
    if par.mixing > 0.5:
        P.mix(ag, w, fs, par, rng)
    P.perceive(ag, w, fs, par, ctr, sw, t)
    P.hear(ag, w, fs, par, ctr, t)
    order = fs.order[: P.shuffle_alive(ag, fs, rng)]
    P.zombies_act(ag, w, fs, log, par, sw, ctr, rng, t, z_sight, order)
    P.encounters(ag, w, fs, log, par, ctr, rng, t, order)
    P.people_act(ag, w, fs, log, par, sw, ctr, rng, t, h_sight, order)
    P.turning(ag, log, par, ctr, rng, t)
    P.record(ag, w, log, par, ctr, t)
    ctr[Ctr.STEP] += 1


@kernel
def run_steps(n_steps, ag, w, fs, log, sched, par, sw, ctr, rng):
    """Run up to n_steps; stops early (between steps) when the log needs more room. Returns steps done."""
    N = ag.pos.shape[0]
    for s in range(n_steps):
        if log.ev_t.shape[0] - ctr[Ctr.EV_N] < 5 * N + 64 or ctr[Ctr.TL_N] >= log.tl_t.shape[0]:
            return s
        step(ag, w, fs, log, sched, par, sw, ctr, rng)
    return n_steps
