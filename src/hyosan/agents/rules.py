"""The rules of the model, one small Numba function each; the phases (`phases.py`) call them.

docs/engine.md lists which function holds which rule. Every change of a cell goes through
`set_cell`, every event through `log_event`, so doors, barricades and the goal fields
never disagree.
"""

from __future__ import annotations

import math

import numpy as np

from ..world.floorplan import Cell
from .codes import Ctr, Event, Flag, Kind, Mode, Sw
from .fields import (
    FLOW_LIMITED,
    GOAL_PASS,
    HUMAN_PASS,
    NOSE_PASS,
    SEE_THROUGH,
    WALK,
    count_near,
    pass_mask_of,
)
from .jit import rule
from .rand import normal, uniform


@rule
def alive(k):
    """Agents who still act: humans, zombies and hybrids (not the dead, escaped or rescued)."""
    return k <= Kind.HYBRID_IMMORTAL


@rule
def is_person(k):
    """Humans and hybrids: those who think, move like people, drink and eat."""
    return k == Kind.HUMAN or k == Kind.HYBRID_IMMUNE or k == Kind.HYBRID_IMMORTAL


@rule
def is_hybrid(k):
    """The infected who keep their minds."""
    return k == Kind.HYBRID_IMMUNE or k == Kind.HYBRID_IMMORTAL


@rule
def is_prey(ag, a, t, par):
    """People zombies want: humans not yet far gone in turning (hybrids are ignored)."""
    if ag.kind[a] != Kind.HUMAN:
        return False
    b = ag.bitten_at[a]
    return not (b >= 0.0 and t - b > par.far_gone * (ag.turn_at[a] - b))


@rule
def cast_out(ag, a):
    """Groups: whether a was bitten where the others saw it (not hidden, `Flag.HIDES_BITE`). Their group no
    longer follows or waits for them, and they leave its hiding place (`phases.react`): the story's bitten
    walk away, or are shut out, so as not to turn among their friends. A hidden bite stays, and turns
    among them."""
    return ag.bitten_at[a] >= 0.0 and ag.flags[a] & Flag.HIDES_BITE == 0


@rule
def lost_to_group(ag, b):
    """Groups: whether b no longer leads anyone: dead, turned, gone (escaped, rescued) or `cast_out`."""
    return not is_person(ag.kind[b]) or cast_out(ag, b)


@rule
def group_leader(ag, a):
    """Groups: whom person a follows now (a itself when they lead), or -1 when alone: `cast_out`, or their
    leader is `lost_to_group`. A group splits when it loses its leader; its members, each on their own,
    may join others later (`join`)."""
    ld = ag.leader[a]
    if ld < 0 or cast_out(ag, a) or lost_to_group(ag, ld):
        return -1
    return ld


@rule
def group_root(ag, b):
    """Groups: who leads the whole of b's group (groups that met follow one another); b if alone."""
    r = b
    for _ in range(16):
        ld = group_leader(ag, r)
        if ld < 0 or ld == r:
            break
        r = ld
    return r


@rule
def takes_in(ag, b, alone, t, par):
    """Groups: whether b takes in one who met them (`phases.look_for_others`): b hides; or b is out and
    `settled` too and the one who met them is `alone` (a lone survivor falls in with a group walking
    calmly; two groups on the move do not merge: tried and not kept, docs/story.md)."""
    m = ag.mode[b]
    return m == Mode.HIDE or (m == Mode.SEEK and alone and settled(ag, b, t, par))


@rule
def join(ag, a, b):
    """Survivors meeting: a (who leads, or is alone) and their group follow b's group from now on (b leads
    it if b was alone). Nothing (False) when b is `cast_out` or already of a's group."""
    if lost_to_group(ag, b):
        return False
    r = group_root(ag, b)
    if r == a:
        return False
    if group_leader(ag, r) < 0:  # alone until now: leads the two of them
        ag.leader[r] = r
    ag.leader[a] = r
    return True


@rule
def log_event(log, ctr, t, what, a, b, cell):
    """Append one event (the caller made sure there is room)."""
    n = ctr[Ctr.EV_N]
    log.ev_t[n] = t
    log.ev_k[n] = what
    log.ev_a[n] = a
    log.ev_b[n] = b
    log.ev_cell[n] = cell
    ctr[Ctr.EV_N] = n + 1


@rule
def refresh_masks(w, i):
    """Cell i's move masks (`fields.pass_mask_of`) for walkers, noses, scents, people and plans, as the cells
    around it are now. Read by every step an agent takes, so a step tests one bit, not the cells."""
    w.walk_mask[i] = pass_mask_of(i, w.cells, w.nbr, w.W, WALK)
    w.nose_mask[i] = pass_mask_of(i, w.cells, w.nbr, w.W, NOSE_PASS)
    w.scent_mask[i] = pass_mask_of(i, w.cells, w.nbr, w.W, w.scent_pass)
    w.human_mask[i] = pass_mask_of(i, w.cells, w.nbr, w.W, HUMAN_PASS)
    w.goal_mask[i] = pass_mask_of(i, w.cells, w.nbr, w.W, GOAL_PASS)


@rule
def can_step(mask, i, k):
    """Whether the move mask lets one step from cell i to its k-th neighbour."""
    return (mask[i] >> k) & 1 == 1


@rule
def new_view(w, ctr, cell):
    """A new stamp of what can be seen or smelt (`Ctr.VIEW`), written into `World.changed` with the cell
    whose change made it (-1: a new step, after which no look kept holds), for `phases.look_kept`."""
    ctr[Ctr.VIEW] += 1
    w.changed[ctr[Ctr.VIEW] % w.changed.shape[0]] = cell


@rule
def set_cell(w, sw, ctr, j, code):
    """Change cell j (doors only); a door that shuts or is barricaded gets the full strength of its new state.

    Keeps the move masks of the cells around it true, marks the goal fields stale when what people
    can path through changed, and the sight regions when what can be seen through changed.
    """
    old = w.cells[j]
    if old == code:
        return
    w.cells[j] = code
    if SEE_THROUGH[old] != SEE_THROUGH[code] or NOSE_PASS[old] != NOSE_PASS[code]:
        new_view(w, ctr, j)  # what is seen or smelt near j may differ now
    if SEE_THROUGH[old] != SEE_THROUGH[code]:
        w.sight_at[w.block_of[j]] = ctr[Ctr.VIEW]  # the views drawn near it are stale (`phases.view_fresh`)
    if NOSE_PASS[old] != NOSE_PASS[code]:
        ctr[Ctr.NOSE_GEN] += 1  # what a hider hears from where may differ now (`phases.heard_zombie`)
    refresh_masks(w, j)
    for k in range(10):  # a cell's masks read the cells next to it (diagonal steps)
        if w.nbr[j, k] >= 0:
            refresh_masks(w, w.nbr[j, k])
    if code == Cell.DOOR_CLOSED or code == Cell.DOOR_BARRICADED:
        # a door shut after a barricade came down is a shut door again, no stronger
        w.door_hp[j] = w.door_full[code]
    if GOAL_PASS[old] != GOAL_PASS[code]:
        sw[Sw.GOALS_STALE] = 1.0
    if SEE_THROUGH[old] != SEE_THROUGH[code]:
        sw[Sw.REGIONS_STALE] = 1.0


@rule
def push_door(w, sw, ctr, log, j, force, t, a):
    """Doors break: a zombie pushes a breakable cell with `force` zombie-seconds; True when it gives way."""
    w.door_hp[j] -= force
    if w.door_hp[j] > 0.0:
        return False
    set_cell(w, sw, ctr, j, Cell.DOOR_BROKEN)
    log_event(log, ctr, t, Event.DOOR_BROKEN, a, -1, j)
    return True


@rule
def secure_doors(ag, w, fs, sw, ctr, log, a, room, gen, t, par, hears):
    """Barricades: people hiding in a room keep its doors shut (never on someone), and barricade them while
    danger is near: they hear it, or met it (saw a zombie, or began to hide) within `quiet_minutes`.
    A door left open by one who went for water is shut behind them (left open, it let a horde walk in
    on a whole class); doors are barricaded against danger just met, not against friends coming back
    with water, who open a shut door."""
    danger = hears or t - max(ag.alarm_t[a], ag.mode_t[a]) <= par.quiet_s
    for q in range(w.door_ptr[room], w.door_ptr[room + 1]):
        j = w.door_cells[q]
        if fs.here[j] == gen:
            continue
        if w.cells[j] == Cell.DOOR_OPEN:
            set_cell(w, sw, ctr, j, Cell.DOOR_CLOSED)
        elif (
            danger
            and w.cells[j] == Cell.DOOR_CLOSED
            and t - ag.mode_t[a] > par.barricade_s
            and w.flow_t[j] < t  # not while one of them takes the barricade down to go (or just passed)
        ):
            set_cell(w, sw, ctr, j, Cell.DOOR_BARRICADED)
            log_event(log, ctr, t, Event.BARRICADE, a, -1, j)


@rule
def horde_behind(w, fs, par, i, j):
    """Whether zombies are beyond the shut door j from one at cell i, within `zombie_hearing` cells of it
    on its far side (where they stood at the step's start). A class that took down its barricade to run,
    with the horde drawn to it waiting outside, let them all in at once; so did one who opened it for
    water with the horde a few metres down the corridor, out of reach of the door but not of the class."""
    inside = w.rooms[i] == w.rooms[j]
    far = -2  # the far side's room (-1: corridor or outdoors)
    for k in range(8):
        n = w.nbr[j, k]
        if n >= 0 and n != i and WALK[w.cells[n]] and (w.rooms[n] == w.rooms[j]) != inside:
            far = w.rooms[n]
    r = int(par.h_hear_z)
    if far == -2 or count_near(w, fs.zsum, j, r) == 0:  # no zombie in the blocks in reach: most calls
        return False
    f, row, col = np.int64(w.floor_of[j]), np.int64(w.row_of[j]), np.int64(w.col_of[j])
    for rr in range(max(0, row - r), min(w.H, row + r + 1)):
        for cc in range(max(0, col - r), min(w.W, col + r + 1)):
            n = (f * w.H + rr) * w.W + cc
            if fs.zcell[n] > 0 and w.rooms[n] == far:
                return True
    return False


@rule
def clear_barricade(ag, w, sw, ctr, a, j, t, par):
    """Barricades: someone inside whose way leads through one takes it down, working beside the door as long
    as building it took; the door is left shut, to be opened when they step through it (so they do not
    stand in an open doorway for a minute: one going for water did, and the horde that came down the
    corridor walked in on the whole class). The desks are stacked on the room's side: one outside is
    let in only when it has been `quiet` for them (no zombie seen or heard), as friends back from the
    water are; with zombies about, the door stays shut (one fleeing through a crush in the corridor
    took down a class's barricades and let the horde behind him in)."""
    if w.rooms[ag.pos[a]] != w.rooms[j] and not quiet(ag, a, t, par):
        return
    set_cell(w, sw, ctr, j, Cell.DOOR_CLOSED)
    ag.busy_t[a] = t + par.barricade_s
    w.flow_t[j] = max(w.flow_t[j], ag.busy_t[a])  # the desks block the doorway until the work is done


@rule
def bite(ag, victim, biter, t, rng, par):
    """Bites: infect and draw the turning time (worse bites turn faster). Some hide a bite
    (`Flag.HIDES_BITE`): they turn late, and their group keeps them (`cast_out`)."""
    severity = uniform(rng)
    delay = par.turn_median * math.exp(par.turn_spread * normal(rng)) * (1.5 - severity)
    if uniform(rng) < par.hidden_frac:
        delay *= par.hidden_factor
        ag.flags[victim] |= Flag.HIDES_BITE
    ag.bitten_at[victim] = t
    ag.turn_at[victim] = t + max(delay, 1.0)
    ag.bit_by[victim] = biter


@rule
def become_zombie(ag, a, t, par):
    """Turning into a zombie: stronger, fed now, no pending movement."""
    ag.kind[a] = Kind.ZOMBIE
    ag.strength[a] *= par.z_strength
    ag.last_fed[a] = t
    ag.acc[a] = 0.0


@rule
def become_hybrid(ag, a, immortal, par):
    """Turning into a hybrid: keeps their mind, gains strength and speed, hunger starts at zero."""
    ag.kind[a] = Kind.HYBRID_IMMORTAL if immortal else Kind.HYBRID_IMMUNE
    ag.strength[a] *= par.hy_strength
    ag.speed[a] *= par.hy_speed
    ag.hunger[a] = 0.0


@rule
def turn(ag, log, ctr, a, t, rng, par):
    """Turning: a bitten human whose time has come becomes a hybrid (rarely) or a zombie."""
    if uniform(rng) < par.hybrid_frac:
        become_hybrid(ag, a, uniform(rng) < par.immortal_frac, par)
        log_event(log, ctr, t, Event.TURN_HYBRID, a, ag.bit_by[a], ag.pos[a])
    else:
        become_zombie(ag, a, t, par)
        log_event(log, ctr, t, Event.TURN_ZOMBIE, a, ag.bit_by[a], ag.pos[a])


@rule
def fights_off(ag, a, victim, rng, par):
    """Whether the victim of an attack by `a` wins: odds of strength x weapon against a's strength."""
    power = ag.strength[victim] * ag.weapon[victim]
    return uniform(rng) < par.fight_odds * power / (power + ag.strength[a])


@rule
def fight(ag, log, ctr, a, victim, t, rng, par):
    """Fights: a zombie attacks; the victim may destroy it (`fights_off`), or is bitten."""
    if fights_off(ag, a, victim, rng, par):
        ag.kind[a] = Kind.DEAD
        log_event(log, ctr, t, Event.ZOMBIE_KILLED, a, victim, ag.pos[a])
        return
    bite(ag, victim, a, t, rng, par)
    ag.last_fed[a] = t
    log_event(log, ctr, t, Event.BITE, victim, a, ag.pos[victim])


@rule
def feed_hybrid(ag, log, ctr, a, victim, t, rng, par):
    """Hybrids' hunger: a starving hybrid attacks. The victim may fight it off (as against a zombie), but
    a hybrid heals at once and is never destroyed; else it feeds: the immortal bite, the immune kill."""
    if fights_off(ag, a, victim, rng, par):
        return
    ag.hunger[a] = 0.0
    if ag.kind[a] == Kind.HYBRID_IMMORTAL:
        bite(ag, victim, a, t, rng, par)
        log_event(log, ctr, t, Event.BITE, victim, a, ag.pos[victim])
    else:
        ag.kind[victim] = Kind.DEAD
        log_event(log, ctr, t, Event.KILLED_BY_HYBRID, victim, a, ag.pos[victim])


@rule
def grow_hunger(ag, a, par):
    """Hybrids' hunger grows until it beats their resolve (1.0 = hungry enough to attack)."""
    ag.hunger[a] += par.dt / (par.hunger_s * ag.resolve[a])


@rule
def starves(ag, log, ctr, a, t, par):
    """Starvation: a zombie without prey for starve_s times its body's own `endure` dies (immortal
    hybrids never starve). One endurance for both: the body that lasted longer without water lasts
    longer without prey, and a horde that stopped feeding together does not die in one hour."""
    if t - ag.last_fed[a] <= par.starve_s * ag.endure[a]:
        return False
    ag.kind[a] = Kind.DEAD
    log_event(log, ctr, t, Event.STARVED, a, -1, ag.pos[a])
    return True


@rule
def drink_eat_or_die(ag, w, log, ctr, a, t, par):
    """Thirst and hunger of people: water (a tap, or supplies, on or beside the cell) resets thirst, and
    supplies (food and water) hunger; past what they last without water (water_s times their own
    `endure`) or food_s a person dies. One who came out for water and drank is marked to settle in that
    room (`Flag.SETTLE`)."""
    i = ag.pos[a]
    ag.thirst[a] += par.dt
    ag.food[a] += par.dt
    if w.at_water[i]:
        if ag.mode[a] == Mode.SEEK and thirsty(ag, a, par):
            # came out for water: once off the tap, takes cover in this room (`phases.react`) rather than
            # walk on through the corridors to a way out that is held (and there be bitten)
            ag.flags[a] |= Flag.SETTLE
        ag.thirst[a] = 0.0
    if w.at_food[i]:
        ag.food[a] = 0.0
    water = par.water_s * ag.endure[a]
    if ag.thirst[a] <= water and ag.food[a] <= par.food_s:
        return False
    ag.kind[a] = Kind.DEAD
    log_event(log, ctr, t, Event.THIRST if ag.thirst[a] > water else Event.HUNGER, a, -1, i)
    return True


@rule
def thirsty(ag, a, par):
    """Whether a person needs water: past `seek_water_share` of what they can last without it."""
    return ag.thirst[a] > par.seek_water * par.water_s * ag.endure[a]


@rule
def quiet(ag, a, t, par):
    """Whether it has been quiet for a person: no zombie seen (or, hiding, heard) for `quiet_minutes`."""
    return t - ag.alarm_t[a] > par.quiet_s


@rule
def settled(ag, a, t, par):
    """Whether a person has calmed down enough to look beyond themselves (go back to their group, look for
    others): `quiet` for them, and `quiet_minutes` since they last changed what they were doing. Not the
    first half hour of a flight: people who had seen nothing yet ran, they did not stop to regroup."""
    return quiet(ag, a, t, par) and t - ag.mode_t[a] > par.quiet_s


@rule
def goes_for_water(ag, a, t, par):
    """Whether a thirsty person leaves where they are for water: once it is `quiet`, or whatever the
    danger once their thirst is halfway from needing water to death."""
    if not thirsty(ag, a, par):
        return False
    desperate = ag.thirst[a] > 0.5 * (1.0 + par.seek_water) * par.water_s * ag.endure[a]
    return desperate or quiet(ag, a, t, par)


@rule
def hears_news(sw, par, rng):
    """Word of the outbreak (phones, shouts down the corridor): once someone has met it (`Sw.ALARM`), a
    calm person hears of it with chance dt / news_minutes each step, and hides or panics as if they
    had seen it. Without it, a school of calm classes sits unaware while the infected roam."""
    return sw[Sw.ALARM] > 0.5 and uniform(rng) * par.news_s < par.dt


@rule
def leaves_hide(ag, sw, a, t, par):
    """Whether a hiding person comes out: once it is `quiet` and they have hidden their own time
    (`hide_hours` times their patience) or know a helicopter is coming; or for water
    (`goes_for_water`). Each hider's clock is their own, so a school of hiders does not walk out in
    one minute."""
    waited = t - ag.mode_t[a] > par.hide_s * ag.patience[a] or sw[Sw.HELI_KNOWN] > 0.5
    return (waited and quiet(ag, a, t, par)) or goes_for_water(ag, a, t, par)


@rule
def steps_to_wait(p, rng):
    """Steps until an event of chance p per step happens (geometric, at least 1), from one draw."""
    if p >= 1.0:
        return 1.0
    if p <= 0.0:
        return math.inf
    return math.floor(math.log(1.0 - uniform(rng)) / math.log1p(-p)) + 1.0


@rule
def wanders(ag, a, t, par, rng):
    """Whether a calm person takes a step within their room now: each second with chance wander_chance.
    The wait to the next such step is drawn once (`steps_to_wait`), not a coin tossed every step."""
    p = par.wander * par.dt
    if ag.wander_t[a] < 0.0:
        ag.wander_t[a] = t + (steps_to_wait(p, rng) - 1.0) * par.dt
    if t + 0.5 * par.dt < ag.wander_t[a]:
        return False
    ag.wander_t[a] = t + steps_to_wait(p, rng) * par.dt
    return True


@rule
def board(ag, w, sw, log, ctr, a, t):
    """Rescue: a human on the helipad while the helicopter is there, with a seat left, is flown out.
    The crew takes no one with the infection's marks: a hybrid stays behind (as Nam-ra does)."""
    i = ag.pos[a]
    if (
        ag.kind[a] != Kind.HUMAN
        or w.cells[i] != Cell.HELIPAD
        or sw[Sw.HELI_ACTIVE] < 0.5
        or sw[Sw.HELI_SEATS] < 1.0
    ):
        return False
    sw[Sw.HELI_SEATS] -= 1.0
    ag.kind[a] = Kind.RESCUED
    log_event(log, ctr, t, Event.RESCUE, a, -1, i)
    return True


@rule
def reach_exit(ag, w, sw, log, ctr, a, t):
    """Escape and the cordon: at an exit a person leaves, unless soldiers hold it (then they turn back)."""
    i = ag.pos[a]
    if w.cells[i] != Cell.EXIT:
        return False
    if sw[Sw.CORDON] > 0.5:
        if ag.flags[a] & Flag.TURNED_BACK == 0:
            ag.flags[a] |= Flag.TURNED_BACK
            log_event(log, ctr, t, Event.TURNED_BACK, a, -1, i)
        ag.mode[a] = Mode.HIDE if w.rooms[i] >= 0 else Mode.SEEK
        ag.mode_t[a] = t
    else:
        ag.kind[a] = Kind.ESCAPED
        log_event(log, ctr, t, Event.ESCAPE, a, -1, i)
    return True


@rule
def has_room(w, fs, par, j, t):
    """Crowds: whether one more body (zombies count too) fits on cell j now. A cell holds at most
    `cell_capacity`; a doorway or stair cell also lets at most `door_flow` through a second
    (a token bucket: `flow_t` is when it is free again; one step's moves all happen at t)."""
    if fs.occ[j] >= par.cap:
        return False
    return not (FLOW_LIMITED[w.cells[j]] and w.flow_t[j] >= t + par.dt)


@rule
def move_body(ag, w, fs, a, j, t, gen, par):
    """Agent a's body moves to cell j (the caller checked `has_room`): the one place positions change
    during a step, so the counts per cell and the doorways' flow stay true."""
    fs.occ[ag.pos[a]] -= 1
    fs.occ[j] += 1
    if FLOW_LIMITED[w.cells[j]]:
        w.flow_t[j] = max(w.flow_t[j], t) + 1.0 / par.flow
    ag.pos[a] = j
    fs.here[j] = gen


@rule
def step_to(ag, w, fs, sw, ctr, a, j, gen, t, par):
    """A person moves to cell j, opening a closed door on the way."""
    if w.cells[j] == Cell.DOOR_CLOSED:
        set_cell(w, sw, ctr, j, Cell.DOOR_OPEN)
    move_body(ag, w, fs, a, j, t, gen, par)
