"""Splitting one theme's members into circles that share working hours and mix departments."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

# Cost weights, lexicographic in practice: a circle that cannot meet is worse than one that repeats a
# pair, which is worse than one that repeats departments, which is worse than repeated seniority.
W_HOURS = 1000
W_PAIR = 100
W_DEPT = 10
W_SENIORITY = 1

_SAMPLE_CIRCLES = 16  # other circles tried per defect; bounds the local search on big themes
_PASSES = 4
_DEAL_WINDOW = 8  # circles with room a member may choose among while dealing
_REPAIR_WORK = 20  # swap evaluations per member of the theme, at most


@dataclass(frozen=True)
class Roster:
    """Member attributes by position (0..n-1), precomputed once per formation run."""

    dept: list[int]
    seniority: list[int]
    mask: list[int]  # bit h set = available at UTC hour h
    partners: dict[int, frozenset[int]]  # recent partners by position; only members that have some
    time_key: list[float]  # circular mean of available hours, so neighbours in sort order can meet
    tiebreak: list[float]  # seeded, so equal members are ordered by seed rather than by input order


def hours_mask(hours: frozenset[int]) -> int:
    mask = 0
    for h in hours:
        mask |= 1 << h
    return mask


def time_key(hours: frozenset[int]) -> float:
    if not hours:
        return 0.0
    # Circular mean: 23:00 and 01:00 UTC are neighbours, not opposite ends of the day.
    s = sum(math.sin(h * math.pi / 12) for h in hours)
    c = sum(math.cos(h * math.pi / 12) for h in hours)
    return math.atan2(s, c)


def largest_splittable(n: int, *, min_size: int, max_size: int) -> int:
    """Largest m <= n that splits into circles of min_size..max_size members (0 if none)."""
    for m in range(n, min_size - 1, -1):
        if -(-m // max_size) <= m // min_size:
            return m
    return 0


def circle_sizes(n: int, *, min_size: int, target: int, max_size: int) -> list[int]:
    """Balanced sizes for n members, as many circles as keeps them closest to target; [] if impossible."""
    k_lo = -(-n // max_size)
    k_hi = n // min_size
    if n <= 0 or k_lo > k_hi:
        return []
    k = min(range(k_lo, k_hi + 1), key=lambda k: (abs(n / k - target), k))
    q, r = divmod(n, k)
    return [q + 1] * r + [q] * (k - r)


def shared_mask(members: list[int], roster: Roster) -> int:
    mask = (1 << 24) - 1
    for m in members:
        mask &= roster.mask[m]
    return mask


def pairs_inside(members: list[int], roster: Roster) -> int:
    partners = roster.partners
    if not partners:
        return 0
    inside = set(members)
    twice = sum(len(partners[m] & inside) for m in members if m in partners)
    return twice // 2


def circle_cost(members: list[int], roster: Roster, min_shared_hours: int) -> int:
    shared = shared_mask(members, roster).bit_count()
    size = len(members)
    return (
        W_HOURS * max(0, min_shared_hours - shared)
        + W_PAIR * pairs_inside(members, roster)
        + W_DEPT * (size - len({roster.dept[m] for m in members}))
        + W_SENIORITY * (size - len({roster.seniority[m] for m in members}))
    )


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
    for group, compatible in _time_groups(members, roster, min_size, max_size, min_shared_hours):
        sizes = circle_sizes(len(group), min_size=min_size, target=target, max_size=max_size)
        if compatible:
            circles.extend(_deal(group, sizes, roster))
        else:  # no common slot: neighbours in time make the best circles
            order = sorted(group, key=lambda m: (roster.time_key[m], roster.tiebreak[m]))
            starts = [sum(sizes[:j]) for j in range(len(sizes))]
            circles.extend(order[a : a + size] for a, size in zip(starts, sizes, strict=True))
    _repair(circles, roster, min_shared_hours, rng, budget=_REPAIR_WORK * len(members))
    return circles


@dataclass
class _Group:
    start: int  # first UTC hour of the common slot; -1 for a group around no slot
    slot: int  # mask of the slot's hours; 0 for none
    members: list[int]
    one_slot: bool  # everyone (but a few attached stragglers) can attend the slot


def _time_groups(
    members: list[int], roster: Roster, min_size: int, max_size: int, min_shared_hours: int
) -> list[tuple[list[int], bool]]:
    """Split members into groups that all can meet in one slot of min_shared_hours consecutive UTC hours.

    Greedy: the slot most remaining members can attend takes them (the least flexible first when the count
    must be trimmed to split into circles). Those left who cannot meet anyone's slot form circles of their
    own, so they spoil as few circles as possible; the last few join the slot they overlap most. A group
    whose size then cannot split into circles merges with the nearest slot. Returns (members, whether
    they form around one slot, so any deal keeps the hours; otherwise they are best cut in time order).
    """
    if min_shared_hours <= 0 or len(members) < 2 * min_size:
        return [(members, True)]
    slots = [sum(1 << ((s + j) % 24) for j in range(min_shared_hours)) for s in range(24)]
    flexibility = {m: sum(roster.mask[m] & slot == slot for slot in slots) for m in members}
    remaining = sorted(members, key=lambda m: roster.tiebreak[m])
    groups: list[_Group] = []
    while remaining:
        by_mask = Counter(roster.mask[m] for m in remaining)

        def attendance(s: int, by_mask: Counter[int] = by_mask) -> int:
            return sum(c for mask, c in by_mask.items() if mask & slots[s] == slots[s])

        s = max(range(24), key=lambda s: (attendance(s), -s))
        able = [m for m in remaining if roster.mask[m] & slots[s] == slots[s]]
        take = largest_splittable(len(able), min_size=min_size, max_size=max_size)
        if take == 0:
            break
        if take < len(able):
            able = sorted(able, key=lambda m: (flexibility[m], roster.tiebreak[m]))[:take]
        groups.append(_Group(s, slots[s], able, True))
        chosen = set(able)
        remaining = [m for m in remaining if m not in chosen]

    def overlap(m: int, g: _Group) -> int:
        return (roster.mask[m] & g.slot).bit_count()

    take = largest_splittable(len(remaining), min_size=min_size, max_size=max_size)
    if take:
        remaining.sort(key=lambda m: (max((overlap(m, g) for g in groups), default=0), roster.tiebreak[m]))
        groups.append(_Group(-1, 0, remaining[:take], False))
        remaining = remaining[take:]
    for m in remaining:

        def fit(j: int, m: int = m) -> tuple[bool, int, int]:
            size = len(groups[j].members) + 1
            return (
                largest_splittable(size, min_size=min_size, max_size=max_size) == size,
                overlap(m, groups[j]),
                -j,
            )

        groups[max(range(len(groups)), key=fit)].members.append(m)
    while True:
        bad = [
            g
            for g in groups
            if largest_splittable(len(g.members), min_size=min_size, max_size=max_size) != len(g.members)
        ]
        if not bad:
            break

        def distance(g: _Group, b: _Group = bad[0]) -> int:
            if g.start < 0 or b.start < 0:
                return 12
            return min((g.start - b.start) % 24, (b.start - g.start) % 24)

        other = min((g for g in groups if g is not bad[0]), key=distance)
        other.members.extend(bad[0].members)
        other.one_slot = False
        groups.remove(bad[0])
    return [(g.members, g.one_slot) for g in groups]


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
