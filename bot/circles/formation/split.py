"""Splitting one theme's members into circles that share working hours and mix departments."""

from __future__ import annotations

import random
from collections import Counter
from typing import NamedTuple

from bot.circles.formation.roster import (
    W_DEPT,
    W_HOURS,
    W_PAIR,
    W_SENIORITY,
    Roster,
    circle_cost,
    circle_sizes,
    pairs_inside,
    shared_mask,
)
from bot.circles.formation.slots import time_groups

_SAMPLE_CIRCLES = 16  # other circles tried per defect; bounds the local search on big themes


_PASSES = 4


_DEAL_WINDOW = 8  # circles with room a member may choose among while dealing


_REPAIR_WORK = 20  # swap evaluations per member of the theme, at most


def split_theme(
    members: list[int],
    *,
    roster: Roster,
    min_size: int,
    target: int,
    max_size: int,
    min_shared_hours: int,
    rng: random.Random,
) -> list[list[int]]:
    """Circles for one theme's members (a splittable count): group by a common meeting slot, deal each
    group round-robin by department, then repair what is left with a bounded swap search."""
    circles: list[list[int]] = []
    for group, compatible in time_groups(members, roster, min_size, max_size, min_shared_hours):
        sizes = circle_sizes(len(group), min_size=min_size, target=target, max_size=max_size)
        if compatible:
            circles.extend(_deal(group, sizes, roster))
        else:  # no common slot: neighbours in time make the best circles
            order = sorted(group, key=lambda m: (roster.time_key[m], roster.tiebreak[m]))
            starts = [sum(sizes[:j]) for j in range(len(sizes))]
            circles.extend(order[a : a + size] for a, size in zip(starts, sizes, strict=True))
    _repair(circles, roster, min_shared_hours, rng, budget=_REPAIR_WORK * len(members))
    return circles


def _deal(people: list[int], sizes: list[int], roster: Roster) -> list[list[int]]:
    """Deal in department order round-robin, so each department spreads over as many circles as it can;
    each member takes the best of the next few circles with room: no recent partner, then no one of the
    same department, then no one of the same seniority."""
    dept_count = Counter(roster.dept[m] for m in people)
    people = sorted(
        people,
        key=lambda m: (-dept_count[roster.dept[m]], roster.dept[m], roster.seniority[m], roster.tiebreak[m]),
    )
    k = len(sizes)
    circles: list[list[int]] = [[] for _ in sizes]
    depts: list[Counter[int]] = [Counter() for _ in sizes]
    levels: list[Counter[int]] = [Counter() for _ in sizes]
    pointer = 0
    for m in people:
        mine = roster.partners.get(m, frozenset())
        dept, level = roster.dept[m], roster.seniority[m]
        best: tuple[int, int, int, int] | None = None
        chosen = -1
        seen = 0
        for step in range(k):
            j = (pointer + step) % k
            if len(circles[j]) >= sizes[j]:
                continue
            key = (len(mine.intersection(circles[j])) if mine else 0, depts[j][dept], levels[j][level], seen)
            if best is None or key < best:
                best, chosen = key, j
            seen += 1
            if seen == _DEAL_WINDOW:
                break
        circles[chosen].append(m)
        depts[chosen][dept] += 1
        levels[chosen][level] += 1
        pointer = (chosen + 1) % k
    return circles


def _movers(circle: list[int], roster: Roster, min_shared_hours: int) -> list[int]:
    """Members whose departure could fix a hard defect (a repeated pair or too few shared hours)."""
    movers: list[int] = []
    inside = set(circle)
    for m in circle:
        mine = roster.partners.get(m)
        if mine and mine & inside:
            movers.append(m)
    if shared_mask(circle, roster).bit_count() < min_shared_hours:
        # The member whose absence frees the most shared hours is the outlier in time.
        def freed(m: int) -> int:
            return shared_mask([o for o in circle if o != m], roster).bit_count()

        movers.extend(sorted(circle, key=lambda m: -freed(m))[:2])
    return list(dict.fromkeys(movers))


class _Rest(NamedTuple):
    """A circle without one member, enough to price adding anyone in O(1)."""

    mask: int
    depts: frozenset[int]
    levels: frozenset[int]
    pairs: int
    members: frozenset[int]
    size: int  # of the whole circle


def _rest(circle: list[int], out: int, roster: Roster) -> _Rest:
    rest = [o for o in circle if o != out]
    return _Rest(
        shared_mask(rest, roster),
        frozenset(roster.dept[o] for o in rest),
        frozenset(roster.seniority[o] for o in rest),
        pairs_inside(rest, roster),
        frozenset(rest),
        len(circle),
    )


def _cost_with(rest: _Rest, x: int, roster: Roster, min_shared_hours: int) -> int:
    """circle_cost of the rest plus x."""
    shared = (rest.mask & roster.mask[x]).bit_count()
    partners = roster.partners.get(x)
    pairs = rest.pairs + (len(partners & rest.members) if partners else 0)
    depts = len(rest.depts) + (roster.dept[x] not in rest.depts)
    levels = len(rest.levels) + (roster.seniority[x] not in rest.levels)
    return (
        W_HOURS * max(0, min_shared_hours - shared)
        + W_PAIR * pairs
        + W_DEPT * (rest.size - depts)
        + W_SENIORITY * (rest.size - levels)
    )


def _repair(
    circles: list[list[int]], roster: Roster, min_shared_hours: int, rng: random.Random, *, budget: int
) -> None:
    """Bounded swap search between circles of one theme, aimed at circles with hard defects."""
    k = len(circles)
    if k < 2:
        return
    costs = [circle_cost(c, roster, min_shared_hours) for c in circles]
    rests: dict[int, list[_Rest]] = {}  # per circle, each member left out; dropped when the circle changes

    def rests_of(j: int) -> list[_Rest]:
        if j not in rests:
            rests[j] = [_rest(circles[j], m, roster) for m in circles[j]]
        return rests[j]

    for _ in range(_PASSES):
        improved = False
        bad = [i for i in range(k) if costs[i] >= W_PAIR]
        rng.shuffle(bad)
        for ci in bad:
            for m in _movers(circles[ci], roster, min_shared_hours):
                if m not in circles[ci]:
                    continue
                others = [j for j in range(k) if j != ci]
                if len(others) > _SAMPLE_CIRCLES:
                    others = rng.sample(others, _SAMPLE_CIRCLES)
                rest_i = rests_of(ci)[circles[ci].index(m)]
                best = (0, -1, -1, 0, 0)
                budget -= sum(len(circles[cj]) for cj in others)
                for cj in others:
                    for pos, (m2, rest_j) in enumerate(zip(circles[cj], rests_of(cj), strict=True)):
                        new_i = _cost_with(rest_i, m2, roster, min_shared_hours)
                        new_j = _cost_with(rest_j, m, roster, min_shared_hours)
                        delta = new_i + new_j - costs[ci] - costs[cj]
                        if delta < best[0]:
                            best = (delta, cj, pos, new_i, new_j)
                delta, cj, pos, new_i, new_j = best
                if cj >= 0:
                    m2 = circles[cj][pos]
                    circles[ci][circles[ci].index(m)] = m2
                    circles[cj][pos] = m
                    costs[ci], costs[cj] = new_i, new_j
                    rests.pop(ci, None)
                    rests.pop(cj, None)
                    improved = True
                if budget <= 0:
                    return
        if not improved:
            return
