"""Which themes open circles, and how many: the one rule that enrollment's close and circle formation share.

Formation (bot/circles/formation) places members with `plan_themes`; the themes' close step announces the
themes `themes_that_form` finds, a set `plan_themes` keeps whole, so formation from the same members and votes
opens exactly the themes the announcement listed. Pure: plain values in and out (pyproject's contracts let the
pure formation package import this package and nothing else of sessions).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.sessions.theme_plan.plan import Bounds, plan_and_assign, quarters

__all__ = ["Bounds", "ThemePlan", "largest_splittable", "open_prefs", "plan_themes", "quarters", "step_seed",
           "themes_that_form"]


@dataclass(frozen=True)
class ThemePlan:
    circles: dict[int, int]  # theme id -> circles planned; only themes that open
    theme_of: list[int]  # the theme of each placed member, by position
    placed: int  # the first `placed` members in input order; the rest wait (the count cannot split)


def largest_splittable(n: int, *, min_size: int, max_size: int) -> int:
    """Largest m <= n that splits into circles of min_size..max_size members (0 if none)."""
    for m in range(n, min_size - 1, -1):
        if -(-m // max_size) <= m // min_size:
            return m
    return 0


def step_seed(seed: int) -> int:
    """The theme step's seed in a formation seeded with `seed`: the first draw of its random stream."""
    return random.Random(seed).getrandbits(32)


def open_prefs(prefs: Sequence[int], offered: Mapping[int, int]) -> tuple[tuple[int, int], ...]:
    """(theme, rank) for the member's offered themes, first mention only, best rank first."""
    seen: dict[int, int] = {}
    for i, t in enumerate(prefs):
        if t in offered and t not in seen:
            seen[t] = i + 1
    return tuple(seen.items())


def plan_themes(*, prefs: Sequence[Sequence[int]], theme_ids: Sequence[int], bounds: Bounds,
                seed: int) -> ThemePlan:
    """Circles per theme and each placed member's theme. prefs: each member's ranked theme ids, in waiting-list
    order (when the count cannot split into circles, the last ones wait)."""
    offered = {t: i for i, t in enumerate(dict.fromkeys(theme_ids))}
    n_place = largest_splittable(len(prefs), min_size=bounds.min, max_size=bounds.max)
    if not offered or n_place == 0:
        return ThemePlan({}, [], 0)
    ranked = [open_prefs(p, offered) for p in prefs[:n_place]]
    plan, where = plan_and_assign(prefs=ranked, offered=offered, bounds=bounds, seed=seed)
    return ThemePlan(plan, where, n_place)


def themes_that_form(*, prefs: Sequence[Sequence[int]], theme_ids: Sequence[int], bounds: Bounds,
                     seed: int) -> dict[int, int]:
    """The themes to announce, with their circles: a set that `plan_themes`, offered exactly these themes (each
    member's ranks counted among them, as formation sees the votes), opens in full. Themes the plan drops are
    withdrawn and the plan made again without them, until none drops; the set only shrinks, so this ends."""
    offered = list(dict.fromkeys(theme_ids))
    while True:
        kept = set(offered)
        among = [[t for t in p if t in kept] for p in prefs]
        plan = plan_themes(prefs=among, theme_ids=offered, bounds=bounds, seed=seed).circles
        if set(plan) == kept:
            return plan
        offered = [t for t in offered if t in plan]
