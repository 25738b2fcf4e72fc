"""Theme step: circles per theme from demand, an exact flow for that plan, and a short plan polish."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from bot.sessions.theme_plan.flow import assign_for_capacities

# Satisfaction in quarters, so the optimisation is exact integer arithmetic: ranks 1, 2, 3 -> 4, 3, 2;
# any later rank 1; a theme the member did not rank 0.
RANK_QUARTERS = (4, 3, 2)
LATER_QUARTERS = 1
_POLISH_WORK = 60_000  # member-solves the plan polish may spend: ~40 re-solves at 1,500 members
_POLISH_MAX_TRIALS = 40
_CANDIDATES_PER_KIND = 4

Prefs = list[tuple[tuple[int, int], ...]]  # per member: (theme id, rank) for offered themes, best first


def quarters(rank: int | None) -> int:
    if rank is None:
        return 0
    return RANK_QUARTERS[rank - 1] if rank <= len(RANK_QUARTERS) else LATER_QUARTERS


@dataclass(frozen=True)
class Bounds:
    min: int
    target: int
    max: int


def plan_and_assign(
    *, prefs: Prefs, offered: Mapping[int, int], bounds: Bounds, seed: int
) -> tuple[dict[int, int], list[int]]:
    """Circles per theme and the theme of every member (by position); everyone is placed.

    len(prefs) must split into circles of bounds.min..max. The flow is exact for a plan; the plan itself
    (how many circles each theme opens) is a heuristic from demand, then polished by trying to close,
    open, grow and shrink the most promising themes and keeping any change that raises total satisfaction.
    """
    plan = _initial_plan(prefs, offered, bounds)
    where = _solve(prefs, plan, bounds, seed)
    value = _value(prefs, where)
    n = len(prefs)
    trials = min(_POLISH_MAX_TRIALS, _POLISH_WORK // max(n, 1))
    improved = True
    while improved and trials > 0:
        improved = False
        for candidate in _neighbours(prefs, offered, bounds, plan, where):
            trials -= 1
            w = _solve(prefs, candidate, bounds, seed)
            v = _value(prefs, w)
            if v > value:
                plan, where, value, improved = candidate, w, v, True
                break
            if trials == 0:
                break
    return plan, where


def _value(prefs: Prefs, where: list[int]) -> int:
    return sum(quarters(dict(p).get(t)) for p, t in zip(prefs, where, strict=True))


def _solve(prefs: Prefs, plan: dict[int, int], bounds: Bounds, seed: int) -> list[int]:
    themes = list(plan)
    col = {t: j for j, t in enumerate(themes)}
    gains = [[(col[t], quarters(r)) for t, r in p if t in col] for p in prefs]
    order = list(range(len(prefs)))
    random.Random(seed).shuffle(order)  # who among equally placed members moves to a lower choice
    where = assign_for_capacities(
        gains=gains,
        lo=[plan[t] * bounds.min for t in themes],
        hi=[plan[t] * bounds.max for t in themes],
        order=order,
    )
    return [themes[j] for j in where]


def _neighbours(
    prefs: Prefs, offered: Mapping[int, int], bounds: Bounds, plan: dict[int, int], where: list[int]
) -> list[dict[int, int]]:
    """Plans one circle away from the current one, most promising first."""
    n = len(prefs)
    total = sum(plan.values())
    k_lo, k_hi = -(-n // bounds.max), n // bounds.min
    count = Counter(where)
    interest = Counter(t for p in prefs for t, _ in p)
    # unmet[t]: members who rank t above the theme they got; propped[t]: members of t who rank it below
    # some other open theme (they are there to fill it).
    unmet: Counter[int] = Counter()
    propped: Counter[int] = Counter()
    for p, t in zip(prefs, where, strict=True):
        mine = quarters(dict(p).get(t))
        better = [theme for theme, r in p if quarters(r) > mine]
        unmet.update(better)
        if any(theme in plan for theme in better):
            propped[t] += 1
    grow = sorted(
        (
            t
            for t in offered
            if unmet[t] and interest[t] >= bounds.min and count[t] == plan.get(t, 0) * bounds.max
        ),
        key=lambda t: (-unmet[t], offered[t]),
    )[:_CANDIDATES_PER_KIND]
    shrink = sorted(
        (t for t in plan if propped[t] or count[t] == plan[t] * bounds.min),
        key=lambda t: (-propped[t] / max(count[t], 1), offered[t]),
    )[:_CANDIDATES_PER_KIND]
    out: list[dict[int, int]] = []

    def changed(up: int | None, down: int | None) -> dict[int, int]:
        new = dict(plan)
        if up is not None:
            new[up] = new.get(up, 0) + 1
        if down is not None:
            new[down] -= 1
            if new[down] == 0:
                del new[down]
        return dict(sorted(new.items(), key=lambda kv: offered[kv[0]]))

    if total < k_hi:
        out += [changed(t, None) for t in grow]
    if total > k_lo:
        out += [changed(None, t) for t in shrink]
    out += [changed(g, s) for g in grow for s in shrink if g != s]
    return out


def _initial_plan(prefs: Prefs, offered: Mapping[int, int], bounds: Bounds) -> dict[int, int]:
    """Drop themes that cannot fill a circle (or cost more to fill than to drop), size the rest by demand."""
    interest = Counter(t for p in prefs for t, _ in p)
    open_ = {t for t in offered if interest[t] >= bounds.min}
    kept: set[int] = set()  # weak themes worth filling with people's lower choices
    claimed: set[int] = set()  # members already counted on to fill a kept theme
    while True:
        best = [next(((t, r) for t, r in p if t in open_), None) for p in prefs]
        demand = Counter(b[0] for b in best if b is not None)
        weak = sorted(
            (t for t in open_ - kept if demand[t] < bounds.min), key=lambda t: (demand[t], offered[t])
        )
        if not weak:
            break
        t = weak[0]
        cost, fillers = _fill(t, prefs, best, bounds.min - demand[t], claimed)
        # Keep only when strictly cheaper: the estimate ignores knock-on effects, which favour dropping.
        if cost < _drop_cost(t, prefs, open_):
            kept.add(t)
            claimed.update(fillers)
        else:
            open_.discard(t)
    circles = {t: 1 if t in kept else _circles_for(demand[t], bounds) for t in open_}
    if not circles:
        # Nobody wants an open theme: host everyone in the most wanted offered theme.
        circles = {min(offered, key=lambda t: (-interest[t], offered[t])): 0}
    n = len(prefs)
    k_lo, k_hi = -(-n // bounds.max), n // bounds.min

    def crowding(t: int) -> float:
        return (demand[t] + 1) / (circles[t] + 1)

    # Only the total number of circles must allow everyone in; the flow then moves people between themes.
    while sum(circles.values()) < k_lo:
        t = max(circles, key=lambda t: (crowding(t), -offered[t]))
        circles[t] += 1
    while sum(circles.values()) > k_hi:
        t = min((t for t in circles if circles[t] > 0), key=lambda t: (crowding(t), offered[t]))
        circles[t] -= 1
    return {t: k for t, k in sorted(circles.items(), key=lambda kv: offered[kv[0]]) if k > 0}


def _circles_for(demand: int, bounds: Bounds) -> int:
    k_lo, k_hi = -(-demand // bounds.max), demand // bounds.min
    if k_lo > k_hi:
        return max(1, round(demand / bounds.target))
    return min(range(k_lo, k_hi + 1), key=lambda k: (abs(demand / k - bounds.target), k))


def _fill(
    t: int, prefs: Prefs, best: list[tuple[int, int] | None], need: int, claimed: set[int]
) -> tuple[int, list[int]]:
    """Cheapest unclaimed members to bring t up to a circle: people with no usable preference cost nothing,
    then those who rank t below the theme they would otherwise get, by their loss."""
    options: list[tuple[int, int]] = []
    for i, (p, b) in enumerate(zip(prefs, best, strict=True)):
        if i in claimed:
            continue
        if b is None:
            options.append((0, i))
        elif b[0] != t:
            options.extend((quarters(b[1]) - quarters(r), i) for theme, r in p if theme == t)
    if len(options) < need:
        return 1 << 30, []
    chosen = sorted(options)[:need]
    return sum(loss for loss, _ in chosen), [i for _, i in chosen]


def _drop_cost(t: int, prefs: Prefs, open_: set[int]) -> int:
    cost = 0
    for p in prefs:
        usable = [(theme, r) for theme, r in p if theme in open_]
        if usable and usable[0][0] == t:
            cost += quarters(usable[0][1]) - (quarters(usable[1][1]) if len(usable) > 1 else 0)
    return cost
