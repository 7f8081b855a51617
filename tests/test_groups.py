"""Groups as people: a group outlives its leader, splits and regroups, casts out the bitten it saw
bitten, and survivors who come out join others they find hiding."""

import numpy as np
import pytest

from hyosan.agents import Flag, Kind, Mode
from tests.agent_helpers import world

TWO_ROOMS = """
###############
#aaaaa#.#bbbbb#
#aaaaa+.+bbbbb#
#aaaaa#.#bbbbb#
#######.#######
       E
"""


def hiding_group(tmp_path, count=6, extra="", humans=""):
    """A class of `count` hiding in room a (the first is their leader) beside room b, behind closed doors;
    quiet (nothing seen, no danger to barricade against), no thirst to speak of."""
    sim = world(
        tmp_path,
        TWO_ROOMS,
        {"a": "room a", "b": "room b"},
        f'[[population]]\nroom = "room a"\ncount = {count}\ngroup = "class"\n'
        + extra
        + "[humans]\nwater_days = 30\nhide_hours = 100\n"
        + humans,
    )
    ag = sim.agents
    ag.mode[:count] = Mode.HIDE
    ag.alarm_t[:] = -1e9
    ag.mode_t[:] = -3600.0  # hidden an hour: no fresh danger to barricade against, far from done hiding
    return sim


def followed(sim, a):
    """Whom agent a follows, as the engine last resolved it."""
    return int(sim.agents.leader[a])


def test_a_group_that_loses_its_leader_splits_and_its_members_regroup_with_others(tmp_path):
    """The leader killed, the class splits: each goes their own way. One who comes out once it is quiet
    and finds classmates still hiding joins them (the first of those it meets leads them now) and
    hides again; before, with nobody to follow, they walked off alone."""
    sim = hiding_group(tmp_path, humans="listen_seconds = 1\n")
    ag = sim.agents
    assert (ag.leader[:6] == 0).all()
    ag.kind[0] = Kind.DEAD
    ag.mode[1] = Mode.SEEK  # out on their own clock
    sim.run(days=10 / 86400)
    new = followed(sim, 1)
    assert new in range(2, 6) and followed(sim, new) == new  # a classmate found hiding leads them now
    assert ag.mode[1] == Mode.HIDE and sim.room_of(1) == "room a"
    assert all(followed(sim, a) == 0 for a in range(2, 6) if a != new)  # the others are as they were


@pytest.mark.parametrize("bitten", [3, 0])
@pytest.mark.parametrize("hidden", [False, True])
def test_a_bite_seen_casts_the_bitten_out_and_a_hidden_one_stays(tmp_path, hidden, bitten):
    """Bitten where the group sees it, a member (or the leader) leaves the group's hiding place and the
    group follows them no more; one who hides the bite stays hidden among them (and will turn there)."""
    sim = hiding_group(tmp_path)
    ag = sim.agents
    ag.bitten_at[bitten] = 0.0
    ag.turn_at[bitten] = 1e9
    ag.flags[bitten] |= Flag.HIDES_BITE if hidden else 0
    sim.run(days=60 / 86400)
    if hidden:
        assert ag.mode[bitten] == Mode.HIDE and sim.room_of(bitten) == "room a"
    else:
        assert ag.mode[bitten] == Mode.SEEK and sim.room_of(bitten) != "room a"
    others = [a for a in range(6) if a != bitten]
    assert (ag.mode[others] == Mode.HIDE).all()  # the others stay hidden


@pytest.mark.parametrize("quiet", [True, False])
def test_one_apart_from_the_hiding_group_goes_back_to_it_once_quiet(tmp_path, quiet):
    """A member cut off in room b: with zombies about they hide where they are, on the leader's word; once
    it is quiet they walk back to the group's room and hide with them. One of no group stays out."""
    sim = hiding_group(tmp_path, count=4, extra='[[population]]\nroom = "room b"\ncount = 1\n')
    ag = sim.agents
    stray, loner = 1, 4
    ag.pos[stray] = sim.cell(1, 2, 11)  # in room b, beside the loner
    for a in (stray, loner):
        ag.mode[a] = Mode.SEEK
        ag.alarm_t[a] = -1e9 if quiet else 0.0  # 0: a zombie seen just now
    sim.run(days=120 / 86400)
    if quiet:
        assert sim.room_of(stray) == "room a" and ag.mode[stray] == Mode.HIDE
    else:
        assert sim.room_of(stray) == "room b" and ag.mode[stray] == Mode.HIDE
    assert sim.room_of(loner) != "room a"  # the loner has no group to go back to (and sees none)


def test_a_survivor_out_once_quiet_joins_others_found_hiding(tmp_path):
    """One alone, out and looking once it is quiet, in a room where a class hides: they join the class
    (follow its leader) and hide with them."""
    sim = hiding_group(
        tmp_path, count=5, extra='[[population]]\nroom = "room a"\ncount = 1\n', humans="listen_seconds = 1\n"
    )
    ag = sim.agents
    loner = 5
    ag.mode[loner] = Mode.SEEK
    assert ag.leader[loner] == -1
    sim.run(days=30 / 86400)
    assert int(ag.leader[loner]) in range(5)
    assert ag.mode[loner] == Mode.HIDE and sim.room_of(loner) == "room a"
    assert np.all(ag.leader[:5] == 0)  # the class keeps its own leader


@pytest.mark.parametrize("settled", [True, False])
@pytest.mark.parametrize("alone", [True, False])
def test_one_alone_out_once_quiet_falls_in_with_a_group_walking_calmly(tmp_path, alone, settled):
    """Out once it is quiet, a survivor alone who meets a group out and settled too falls in with it
    (follows its leader). A group still in flight (it changed what it was doing a moment ago) takes
    nobody in; and two groups on the move do not merge (the one who meets them leads a group of three)."""
    first = '[[population]]\nroom = "room a"\ncount = 1\n' if alone else ""
    sim = world(
        tmp_path,
        TWO_ROOMS,
        {"a": "room a", "b": "room b"},
        first
        + '[[population]]\nroom = "room a"\ncount = 3\ngroup = "class"\n'
        + ("" if alone else '[[population]]\nroom = "room a"\ncount = 3\ngroup = "club"\n')
        + "[humans]\nwater_days = 30\nlisten_seconds = 1\n",
    )
    ag = sim.agents
    me, them = (0, 1) if alone else (3, 0)
    assert ag.leader[me] == (-1 if alone else me) and ag.leader[them] == them
    n = len(ag.pos)
    ag.mode[:n] = Mode.SEEK
    ag.alarm_t[:n] = -1e9  # nothing seen for long: quiet
    ag.mode_t[:n] = -3600.0  # out for an hour: settled
    ag.mode_t[ag.leader == them] = -3600.0 if settled else 0.0  # or out this moment
    ag.pos[me] = ag.pos[them]
    sim.run(days=3 / 86400)
    assert (followed(sim, me) == them) == (alone and settled)
    assert followed(sim, them) == them
