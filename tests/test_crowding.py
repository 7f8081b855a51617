"""Bodies take up room, doorways pass a bounded flow, fights are local and take time, and people
are individuals: each on a small map made for it, with the invariant checked at every step."""

import numpy as np
import pytest

from hyosan.agents import Kind, Mode
from hyosan.agents.codes import Sw
from hyosan.errors import HyosanError
from hyosan.world import Cell
from tests.agent_helpers import person, world

# Maps whose exit is behind a locked door keep everyone in. A packed classroom whose only way out
# is one 1 m door into a corridor that leads to the exit.
DOOR_MAP = """
##############
#rrrrrrrr#####
#rrrrrrrr'...E
#rrrrrrrr#####
##############
"""


def leaving_through_one_door(tmp_path, people=90, extra=""):
    """Everyone in the room heads for the exit at once (no outbreak, no cordon)."""
    sim = world(
        tmp_path, DOOR_MAP, {"r": "room"}, extra + f'[[population]]\nroom = "room"\ncount = {people}\n'
    )
    sim.agents.mode[:] = Mode.SEEK
    return sim


def occupancy(sim):
    """Living bodies on each cell."""
    live = sim.agents.kind <= Kind.HYBRID_IMMORTAL
    return np.bincount(sim.agents.pos[live], minlength=sim.world.cells.size)


def test_no_cell_holds_more_than_its_capacity_and_a_door_passes_at_most_its_flow(tmp_path):
    sim = leaving_through_one_door(tmp_path)
    cap, flow = sim.scenario.cell_capacity, sim.scenario.door_flow
    assert cap == 4 and flow == 1.3  # the documented defaults
    assert occupancy(sim).max() <= cap  # the start too
    room = np.zeros(sim.world.cells.size, bool)
    room[[sim.cell(1, r, c) for r in (1, 2, 3) for c in range(1, 9)]] = True
    full_seen, crossed = 0, []
    for _ in range(150):
        inside = room[sim.agents.pos].copy()
        sim.run(days=1 / 86400)
        occ = occupancy(sim)
        assert occ.max() <= cap, "a cell holds more bodies than its capacity"
        full_seen += int((occ == cap).sum())
        crossed.append(int((inside & ~room[sim.agents.pos]).sum()))  # every way out is through the door
    assert full_seen > 0  # the crowd did press against the bound
    out = np.sort(sim.events[sim.events["event"] == "escape"]["t"].to_numpy())
    assert len(out) == 90 and sum(crossed) == 90  # all got out in the end...
    # ... but no faster than the door lets them: in any w seconds at most flow * w + 1 through it
    c = np.concatenate([[0], np.cumsum(crossed)])
    for w in (1, 2, 5, 10, 30, 60):
        assert (c[w:] - c[:-w]).max() <= flow * w + 1, w
    assert out[-1] - out[0] >= (90 - 2) / flow  # 90 people through a 1.3/s door take over a minute
    assert out[-1] - out[0] <= 1.6 * 90 / flow  # and the door stays busy: the crowd queues, it does not stall


def test_the_bodies_counted_on_each_cell_are_those_standing_there(tmp_path):
    # `occ` is what `has_room` reads; it once counted a cell twice in the step after someone walked onto
    # it from empty, so two newcomers made a cell of four look full
    sim = leaving_through_one_door(tmp_path)
    for _ in range(60):
        acting = sim.agents.kind <= Kind.HYBRID_IMMORTAL  # who leaves in a step is counted till the next
        sim.run(days=1 / 86400)
        bodies = np.bincount(sim.agents.pos[acting], minlength=sim.world.cells.size)
        assert np.array_equal(sim.fields.occ, bodies)


def test_a_wider_flow_empties_the_room_sooner(tmp_path):
    slow = leaving_through_one_door(tmp_path).run(days=300 / 86400)
    fast = leaving_through_one_door(tmp_path, extra="door_flow = 4.0\n")
    fast.run(days=300 / 86400)

    def span(sim):
        t = sim.events[sim.events["event"] == "escape"]["t"]
        return t.max() - t.min()

    assert span(fast) < 0.7 * span(slow)  # then walking and the corridor limit it, not the door


def test_a_room_that_cannot_hold_its_people_is_refused(tmp_path):
    with pytest.raises(HyosanError, match=r"'room'.*24 floor cells.*holds at most 96 \(4 a cell"):
        leaving_through_one_door(tmp_path, people=97)
    leaving_through_one_door(tmp_path, people=96)  # exactly full is allowed


PACKED_MAP = """
#############
#ppppp#zzzzz#
#pppppXzzzzzLE
#ppppp#zzzzz#
#############
"""


def test_a_broken_barricade_lets_through_no_mass_bite(tmp_path):
    """A barricade gives way in front of a packed room: bites come one attacker at a time, each biter
    beside its victim, each attacker held `bite_seconds` by a bite, each victim bitten once."""
    sim = world(
        tmp_path,
        PACKED_MAP,
        {"p": "packed room", "z": "zombie room"},
        person("Z", "zombie room", patient_zero=True)
        + '[[population]]\nroom = "packed room"\ncount = 60\n'
        + '[[population]]\nroom = "zombie room"\ncount = 40\n'
        + "[zombies]\nbarricade_seconds = 30\n[humans]\ncalm = 1.0\nfight_odds = 0.0\n",
    )
    zombies = np.arange(61, 101)  # 0 is Z, 1-60 the packed room, 61-100 the zombie room
    for a in (0, *zombies):
        sim.make(int(a), Kind.ZOMBIE)
    bite_s = sim.scenario.zombies.bite_seconds
    per_second = []
    for _ in range(120):
        before = sim.n_events
        sim.run(days=1 / 86400)
        new = sim.events.iloc[before:]
        bites = new[new["event"] == "bite"]
        pos = sim.agents.pos
        for v, z in zip(bites["agent"], bites["other"]):  # biter and victim end the second side by side
            assert sim.world.floor_of[pos[v]] == sim.world.floor_of[pos[z]]
            gap = max(
                abs(int(sim.world.row_of[pos[v]]) - sim.world.row_of[pos[z]]),
                abs(int(sim.world.col_of[pos[v]]) - sim.world.col_of[pos[z]]),
            )
            assert gap <= 1
        per_second.append(len(bites))
        assert occupancy(sim).max() <= sim.scenario.cell_capacity
    ev = sim.events
    bites = ev[ev["event"] == "bite"]
    assert (ev["event"] == "door broken").any() and len(bites) >= 10  # the zombies did get in
    assert bites["agent"].is_unique  # nobody is bitten twice
    for _, times in bites.groupby("other")["t"]:
        assert np.all(np.diff(np.sort(times.to_numpy())) >= bite_s)  # one victim at a time
    # the doorway lets about 1.3 zombies a second through: a dozen bites in a second at most, where
    # the engine without bodies bit most of a packed room in one second
    assert max(per_second) <= 12


def hiding_class(tmp_path, grid, rooms, count, humans):
    """`count` people of one class hiding in the "hiding room" (h) of `grid`, beside the other `rooms`,
    with the [humans] lines `humans`."""
    sim = world(
        tmp_path,
        grid,
        {"h": "hiding room", **rooms},
        f'[[population]]\nroom = "hiding room"\ncount = {count}\ngroup = "class"\n[humans]\n{humans}',
    )
    sim.agents.mode[:] = Mode.HIDE
    return sim


WATER_MAP = """
####################
#hhhhh#.....#ssssss#
#hhhhh'.....'ssFsss#
#hhhhh#.....#ssssss#
#hhhhh#.....#ssssss#
#########L##########
         E
"""


def test_nobody_dies_of_thirst_with_water_in_reach_and_no_zombie_about(tmp_path):
    sim = hiding_class(tmp_path, WATER_MAP, {"s": "staff room"}, 30, "water_days = 1.0\n")
    sim.run(days=4)
    assert not (sim.events["event"] == "died of thirst").any()
    assert (sim.agents.kind == Kind.HUMAN).all()


def test_one_who_came_out_for_water_takes_cover_by_it_off_the_tap(tmp_path):
    # Before, one who drank walked on to a way out (held by the cordon, or the roof) through the
    # corridors, and there was bitten: now they take cover in the room of the water, off its cells.
    sim = hiding_class(tmp_path, WATER_MAP, {"s": "staff room"}, 1, "water_days = 1.0\n")
    ag = sim.agents
    ag.mode[0] = Mode.SEEK
    ag.alarm_t[0] = -1e9
    ag.thirst[0] = 0.6 * 86400 * ag.endure[0]  # past seek_water_share (0.5) of a day: goes for water
    sim.run(days=90 / 86400)
    assert sim.room_of(0) == "staff room"
    assert ag.thirst[0] < 90  # drank
    assert sim.agent(0)["mode"] == "hide"
    assert not sim.world.at_water[ag.pos[0]]  # off the water, leaving it to others


@pytest.mark.parametrize("glyph", ["F", "T"])
def test_a_tap_gives_water_and_supplies_give_food_too(tmp_path, glyph):
    # Toilets have sinks: a tap (T) quenches thirst, as the supplies (F) do, but feeds nobody.
    sim = hiding_class(tmp_path, WATER_MAP.replace("F", glyph), {"s": "staff room"}, 1, "water_days = 1.0\n")
    ag = sim.agents
    assert sim.cell_at(1, 2, 15) == (Cell.SUPPLY if glyph == "F" else Cell.TAP)
    ag.pos[0] = sim.cell(1, 2, 14)  # beside it
    ag.thirst[0] = ag.food[0] = 20 * 3600.0
    sim.run(days=2 / 86400)
    assert ag.thirst[0] <= 2.0
    assert (ag.food[0] <= 2.0) == (glyph == "F")


def test_without_water_a_group_does_not_die_in_the_same_minute(tmp_path):
    sim = hiding_class(tmp_path, WATER_MAP.replace("F", "s"), {"s": "staff room"}, 11, "water_days = 1.0\n")
    sim.run(days=2)
    deaths = sim.events[sim.events["event"] == "died of thirst"]["t"]
    assert len(deaths) == 11
    assert deaths.max() - deaths.min() > 2 * 3600  # each lasts their own time


HUNT_MAP = """
##############################################
#hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhLE
##############################################
"""


@pytest.mark.parametrize("senses, found", [(1.5, True), (1.0, False)])
def test_a_hungry_hybrid_stalks_prey_it_senses_with_keener_senses(tmp_path, senses, found):
    """Day sight is 20 m: a person 26 m off is beyond a human's sight and within a hybrid's 30."""
    sim = world(
        tmp_path,
        HUNT_MAP,
        {"h": "hall"},
        person("H", "hall", patient_zero=True)
        + person("Prey", "hall", calm=1.0)
        + f"[virus]\nhybrid_senses = {senses}\n[humans]\nfight_odds = 0.0\nwander_chance = 0.0\n",
    )
    sim.agents.pos[0] = sim.cell(1, 1, 2)
    sim.agents.pos[1] = sim.cell(1, 1, 28)
    strength, speed = sim.agents.strength[0], sim.agents.speed[0]
    sim.make(0, Kind.HYBRID_IMMUNE)
    assert sim.agents.strength[0] == pytest.approx(strength * sim.scenario.virus.hybrid_strength)
    assert sim.agents.speed[0] == pytest.approx(speed * sim.scenario.virus.hybrid_speed)
    sim.agents.bitten_at[0] = -1.0
    sim.agents.hunger[0] = 1.0
    sim.run(days=60 / 86400)
    killed = (sim.events["event"] == "killed by hybrid").any()
    assert killed == found


HIDE_MAP = """
##############
#hhhhh'......E
#hhhhh#.......
#hhhhh#zzzz...
#hhhhh'zzzz...
##############
"""


def left_hiding(sim, minutes: int) -> np.ndarray:
    """Minute by minute, the time each person first came out of hiding (nan if never)."""
    out = np.full(sim.agents.kind.size, np.nan)
    for m in range(minutes):
        sim.run(days=60 / 86400)
        came_out = np.isnan(out) & (sim.agents.mode != Mode.HIDE)
        out[came_out] = m + 1
    return out


def test_hiders_come_out_on_their_own_clocks_not_in_one_minute(tmp_path):
    """Quiet all along: each comes out after hide_hours times their own patience, so the class leaves
    over hours (the leader coming out does not bring the hiders with them)."""
    out = left_hiding(
        hiding_class(tmp_path, HIDE_MAP, {"z": "pen"}, 30, "hide_hours = 2.0\nwater_days = 30\n"), 8 * 60
    )
    assert np.isfinite(out).all()  # all came out in the end
    assert np.nanmax(out) - np.nanmin(out) > 60  # over more than an hour
    assert np.bincount(out.astype(int)).max() <= 6  # never more than 6 in one minute


def test_word_of_the_outbreak_reaches_calm_people_who_never_saw_it(tmp_path):
    """Once someone has met the outbreak (the alarm), a calm class behind closed doors, who see and
    hear nothing of it, hears of it within minutes (news_minutes 5): not at once, and not never."""
    sim = world(
        tmp_path,
        HIDE_MAP.replace("'", "+"),
        {"h": "hiding room", "z": "pen"},
        '[[population]]\nroom = "hiding room"\ncount = 20\n'
        + "[humans]\nnews_minutes = 5\nwander_chance = 0.0\npanic_loudness = 0\n",
    )
    sim.run(days=30 * 60 / 86400)
    assert (sim.agents.mode == Mode.CALM).all()  # no alarm: nobody stirs
    sim.sw[Sw.ALARM] = 1.0
    sim.run(days=60 / 86400)
    first = (sim.agents.mode != Mode.CALM).mean()
    sim.run(days=30 * 60 / 86400)
    assert 0.0 < first < 0.5  # one minute: some heard (1 - exp(-1/5) = 18 % expected)
    assert (sim.agents.mode != Mode.CALM).mean() > 0.9  # half an hour: nearly all


CORRIDOR_MAP = """
#####################################
#hhhhh#.........................#sss#
#hhhhh'.........................'sFs#
#hhhhh#.........................#sss#
############################L########
                            E
"""


@pytest.mark.parametrize("distance", [1, 6, 15, None])
def test_nobody_opens_a_door_onto_zombies_against_it_or_within_earshot(tmp_path, distance):
    # Zombies against the door, or a few metres down the corridor (out of reach of the door but not of
    # a class that opens it), keep a class desperate for water behind its barricade while they are
    # within zombie_hearing (8 m) of the door; farther off, or with none about, the class goes for water.
    sim = world(
        tmp_path,
        CORRIDOR_MAP,
        {"h": "hiding room", "s": "staff room"},
        '[[population]]\nroom = "hiding room"\ncount = 4\n[[population]]\nroom = "staff room"\ncount = 2\n'
        "[humans]\nbarricade_seconds = 2\nwater_days = 1.0\nzombie_hearing = 8\n",
    )
    ag, w = sim.agents, sim.world
    ag.mode[:4] = Mode.HIDE
    ag.kind[4:] = Kind.DEAD  # the two from the staff room take no part until they come as zombies
    sim.run(days=30 / 86400)
    door = sim.cell(1, 2, 6)
    assert w.cells[door] == Cell.DOOR_BARRICADED  # the class barricaded itself in
    if distance is not None:  # two zombies in the corridor, where the class's way to water leads
        ag.pos[4:] = [sim.cell(1, 1, 6 + distance), sim.cell(1, 3, 6 + distance)]
        ag.kind[4:] = Kind.ZOMBIE
        ag.last_fed[4:] = sim.t
        ag.busy_t[4:] = 1e9  # they stand where they are
    ag.thirst[:4] = 0.9 * 86400 * ag.endure[:4]  # desperate for water: they go whatever the danger
    sim.run(days=20 / 86400)
    left = (w.rooms[ag.pos[:4]] != w.rooms[sim.cell(1, 2, 2)]).any() or w.cells[door] == Cell.DOOR_OPEN
    assert left == (distance is None or distance > 8)
