"""zombie-grid in Mesa 3, written as a Mesa user would: CellAgent, OrthogonalMooreGrid, AgentSets."""

from __future__ import annotations

import math

import mesa
from mesa.discrete_space import CellAgent, OrthogonalMooreGrid

from . import DENSITY, P_BITE, P_DESTROY, RADIUS, TURN_DELAY, initial_zombies


def torus_distance(a, b, size):
    """Chebyshev distance between two cells on the torus."""
    (ax, ay), (bx, by) = a.coordinate, b.coordinate
    dx, dy = abs(ax - bx), abs(ay - by)
    return max(min(dx, size - dx), min(dy, size - dy))


class Walker(CellAgent):
    """Shared movement: approach or flee the nearest agent of another type within the radius."""

    def nearest(self, agent_type):
        best, best_d, ties = None, None, 0
        for cell in self.cell.get_neighborhood(radius=RADIUS, include_center=True):
            for other in cell.agents:
                if isinstance(other, agent_type):
                    d = torus_distance(self.cell, other.cell, self.model.size)
                    if best is None or d < best_d:
                        best, best_d, ties = other, d, 1
                    elif d == best_d:
                        ties += 1
                        if self.random.random() * ties < 1:
                            best = other
        return best

    def step_relative_to(self, target, away):
        options = [self.cell, *self.cell.neighborhood]
        size = self.model.size
        key = [torus_distance(c, target.cell, size) for c in options]
        want = max(key) if away else min(key)
        self.cell = self.random.choice([c for c, k in zip(options, key) if k == want])

    def wander(self):
        self.cell = self.cell.neighborhood.select_random_cell()


class Human(Walker):
    """A human: flees the nearest zombie; once bitten, turns TURN_DELAY steps later."""

    def __init__(self, model, cell):
        super().__init__(model)
        self.cell = cell
        self.turns_at = None

    def move(self):
        threat = self.nearest(Zombie)
        self.step_relative_to(threat, away=True) if threat else self.wander()


class Zombie(Walker):
    """A zombie: chases the nearest human; bites or is destroyed in encounters."""

    def __init__(self, model, cell):
        super().__init__(model)
        self.cell = cell

    def move(self):
        target = self.nearest(Human)
        self.step_relative_to(target, away=False) if target else self.wander()

    def encounter(self):
        if self.cell is None:
            return
        victims = [
            a
            for c in (self.cell, *self.cell.neighborhood)
            for a in c.agents
            if isinstance(a, Human) and a.turns_at is None
        ]
        if not victims:
            return
        victim = self.random.choice(victims)
        if self.random.random() < P_BITE:
            victim.turns_at = self.model.steps + TURN_DELAY
        elif self.random.random() < P_DESTROY:
            self.remove()


class ZombieGridModel(mesa.Model):
    """The zombie-grid model on a torus of about 0.1 agents per cell."""

    def __init__(self, n: int, seed: int):
        super().__init__(seed=seed)
        self.size = math.ceil(math.sqrt(n / DENSITY))
        self.grid = OrthogonalMooreGrid((self.size, self.size), torus=True, capacity=None, random=self.random)
        zombies = set(self.random.sample(range(n), initial_zombies(n)))
        for i in range(n):
            cell = self.grid.all_cells.select_random_cell()
            (Zombie if i in zombies else Human)(self, cell)

    def step(self):
        for human in list(self.agents_by_type.get(Human, [])):
            if human.turns_at == self.steps:
                cell = human.cell
                human.remove()
                Zombie(self, cell)
        zombies = self.agents_by_type.get(Zombie)
        if zombies:
            zombies.shuffle_do("move")
        humans = self.agents_by_type.get(Human)
        if humans:
            humans.shuffle_do("move")
        zombies = self.agents_by_type.get(Zombie)
        if zombies:
            zombies.shuffle_do("encounter")

    def zombies(self) -> int:
        """Number of zombies now."""
        return len(self.agents_by_type.get(Zombie, []))
