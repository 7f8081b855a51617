"""The senses' fast ways give the very answers of the plain searches they stand in for.

Each fast way (docs/engine.md, Senses) is checked against `nearest_seen` on every walkable cell of
the bundled school in moments of its story where it matters: a horde in a hider's sight region,
zombies at the doors of barricaded classrooms, hordes pressed against windows.
"""

import numpy as np
import pytest
from numba import njit

import hyosan
from hyosan.agents import phases as P
from hyosan.agents.codes import Ctr
from hyosan.agents.fields import WALK, cone
from hyosan.agents.rules import set_cell
from hyosan.world import Cell

# compiled afresh each session, never from the disk cache: Numba keys a cached function on its own
# file, and these inline the engine's rules
kernel = njit(_nrt=False)


@kernel
def compare(ag, w, fs, par, sw, ctr, sight, z_sight, out):
    """Over every walkable cell: out[0, 1] views checked / differing (`horde_in_view`), out[2, 3] listens
    / differing (`heard_zombie`), out[4, 5] prey looks / differing (`zombie_prey`), out[6] zombies seen
    through a view, out[7] heard, out[8] prey found, out[9] cells whose region holds enough zombies to
    read their bits (`nearest_in_bits`), out[10] looks where the bits and the list's walk differ."""
    gen = ctr[Ctr.GEN]
    for i in range(w.cells.shape[0]):
        if not WALK[w.cells[i]]:
            continue
        reg = w.region[i]
        if reg >= 0 and fs.rstamp[reg] == gen and fs.zcount[reg] >= P.HORDE:
            j, d = P.horde_in_view(w, fs, ctr, i, sight)
            k, e = P.zombie_sensed(ag, w, fs, i, sight, 0.0, gen)
            out[0] += 1
            out[1] += int(j != k or d != e)
            out[6] += int(j >= 0)
        fast = P.heard_zombie(ag, w, fs, par, ctr, i, gen)
        slow = P.zombie_sensed(ag, w, fs, i, par.h_hear_z, par.h_hear_z, gen)[0] >= 0
        out[2] += 1
        out[3] += int(fast != slow)
        out[7] += int(fast)
        prey = P.zombie_prey(ag, w, fs, sw, ctr, i, z_sight, par.z_smell)
        plain, _ = P.nearest_seen(
            ag,
            w,
            fs,
            i,
            fs.phead,
            fs.pnext,
            fs.pcell,
            fs.psum,
            fs.pcount,
            z_sight,
            par.z_smell,
            gen,
            w.scent_mask,
            False,
        )
        out[4] += 1
        out[5] += int(prey != plain)
        out[8] += int(prey >= 0)
        zs = (fs.zhead, fs.znext, fs.zcell, fs.zsum, fs.zcount)
        by_bits = P.nearest_seen(
            ag, w, fs, i, zs[0], zs[1], zs[2], zs[3], zs[4], sight, 0.0, gen, w.nose_mask, True
        )
        by_list = P.nearest_seen(
            ag, w, fs, i, zs[0], zs[1], zs[2], zs[3], zs[4], sight, 0.0, gen, w.nose_mask, False
        )
        out[9] += int(reg >= 0 and fs.rstamp[reg] == gen and fs.zcount[reg] > 2 * int(sight) + 1)
        out[10] += int(by_bits[0] != by_list[0] or by_bits[1] != by_list[1])


@kernel
def cone_against_search(w, fs, r, every, bits, out):
    """For every `every`-th walkable cell i: each cell j within r on its floor is in i's cone exactly when
    `smell_path` finds a way of as many moves as j is away. out: [pairs checked, differing, in a cone]."""
    for i in range(0, w.cells.shape[0], every):
        if not WALK[w.cells[i]]:
            continue
        cone(w.nose_mask, w.step_off, w.row_of, w.col_of, i, r, bits, fs.queue, fs.visit)
        row, col = np.int64(w.row_of[i]), np.int64(w.col_of[i])
        for q in range(2 * r + 1):
            for b in range(2 * r + 1):
                rr, cc = row - r + q, col - r + b
                if rr < 0 or rr >= w.H or cc < 0 or cc >= w.W:
                    continue
                j = i + (q - r) * w.W + (b - r)
                d = max(abs(q - r), abs(b - r))
                inside = (bits[q] >> np.uint64(b)) & np.uint64(1) == np.uint64(1)
                out[0] += 1
                out[1] += int(inside != P.smell_path(w, fs, i, j, d, w.nose_mask))
                out[2] += int(inside)


@pytest.fixture(scope="module")
def story():
    """Seed 6 of the bundled school, two and three quarter hours in: a horde in the sight region of hiders
    behind windows, others behind barricades."""
    return hyosan.load("hyosan-high", seed=6).run(days=2.75 / 24)


@pytest.mark.parametrize("night", [False, True])
def test_fast_senses_answer_as_the_plain_searches(story, night):
    sim = story
    sim.run(days=5 / 86400)  # the index is of the last step's start: look from there
    par = sim.par
    sight = par.h_sight_night if night else par.h_sight_day
    z_sight = par.z_sight_night if night else par.z_sight_day
    sim.forget_kept_looks()  # looks kept per cell hold for one step's sight: as at a new step
    out = np.zeros(11, np.int64)
    compare(sim.agents, sim.world, sim.fields, par, sim.sw, sim.ctr, sight, z_sight, out)
    assert out[1] == 0 and out[3] == 0 and out[5] == 0 and out[10] == 0, out
    # ... and each was put to the test: views of a horde, zombies seen and heard, prey found, bits read
    assert out[0] > 500 and out[6] > 100 and out[7] > 100 and out[8] > 100 and out[9] > 500, out


def test_a_hiders_hearing_cone_holds_the_cells_a_search_reaches_without_detour(story):
    w, fs = story.world, story.fields
    out = np.zeros(3, np.int64)
    r = int(story.par.h_hear_z)
    cone_against_search(w, fs, r, 7, np.zeros(2 * r + 1, np.uint64), out)
    assert out[1] == 0, out
    assert out[2] > 0.2 * out[0] and out[2] < 0.9 * out[0], out  # walls do cut the cones


def test_a_view_is_drawn_anew_when_a_door_near_it_changes():
    sim = hyosan.load("hyosan-high", seed=6)
    w, fs, R = sim.world, sim.fields, sim.fields.vis.shape[1] // 2
    door = int(np.flatnonzero(w.cells == Cell.DOOR_CLOSED)[0])
    floor = np.flatnonzero((w.cells == Cell.FLOOR) & (w.floor_of == w.floor_of[door]))
    gap = np.maximum(abs(w.row_of[floor] - w.row_of[door]), abs(w.col_of[floor] - w.col_of[door]))
    near, far = int(floor[np.argmax(gap == 2)]), int(np.flatnonzero(w.floor_of != w.floor_of[door])[0])
    for i in (near, far):
        P.draw_view(w, fs, sim.ctr, i, R)
        assert P.view_fresh(w, fs, i, R)
    set_cell(w, sim.sw, sim.ctr, door, Cell.DOOR_OPEN)  # what is seen from beside it changes
    assert not P.view_fresh(w, fs, near, R)
    assert P.view_fresh(w, fs, far, R)  # a door on another floor leaves a view be
    P.draw_view(w, fs, sim.ctr, near, R)
    assert P.view_fresh(w, fs, near, R)
    set_cell(w, sim.sw, sim.ctr, door, Cell.DOOR_BARRICADED)  # closed again: seen through no more
    assert not P.view_fresh(w, fs, near, R)
