"""Members by position and what a circle costs: shared hours, repeated pairs, departments, seniority."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Cost weights, lexicographic in practice: a circle that cannot meet is worse than one that repeats a
# pair, which is worse than one that repeats departments, which is worse than repeated seniority.
W_HOURS = 1000


W_PAIR = 100


W_DEPT = 10


W_SENIORITY = 1


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
