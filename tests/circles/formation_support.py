"""Small builders the formation tests share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

from bot.circles.formation import (
    Candidate,
    FormationResult,
    FormedCircle,
    Sizes,
)

DAY = frozenset(range(1, 10))  # 08:00-17:00 in Jakarta


def cand(
    member_id: int,
    prefs: Sequence[int] = (1,),
    *,
    dept: str = "Eng",
    seniority: int = 0,
    hours: Iterable[int] = DAY,
) -> Candidate:
    return Candidate(member_id, tuple(prefs), dept, seniority, frozenset(hours))


def placed_ids(result: FormationResult) -> list[int]:
    return [m for c in result.circles for m in c.member_ids]


def splittable(n: int, sizes: Sizes) -> int:
    """Largest m <= n that is a sum of circle sizes in min..max (brute force, independent of the code)."""
    ok = [False] * (n + 1)
    ok[0] = True
    for m in range(1, n + 1):
        ok[m] = any(ok[m - s] for s in range(sizes.min, sizes.max + 1) if s <= m)
    return max(m for m in range(n + 1) if ok[m])


def pairs_in(circle: FormedCircle) -> set[frozenset[int]]:
    return {frozenset(p) for p in combinations(circle.member_ids, 2)}
