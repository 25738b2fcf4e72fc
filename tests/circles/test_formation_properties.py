"""Formation properties (hypothesis) and exactness against a MILP."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from bot.circles.formation import (
    Candidate,
    Sizes,
    assign_themes,
    form_circles,
    rank_of,
    rank_score,
    theme_satisfaction,
)
from bot.sessions.theme_plan.flow import assign_for_capacities
from tests.circles.formation_support import cand, placed_ids, splittable

# --- property tests ------------------------------------------------------------------------------------


@st.composite
def programs(
    draw: st.DrawFn,
) -> tuple[list[Candidate], list[int], Sizes, frozenset[frozenset[int]], int, int]:
    lo = draw(st.integers(1, 5))
    target = draw(st.integers(lo, lo + 3))
    sizes = Sizes(lo, target, draw(st.integers(target, target + 3)))
    themes = list(range(1, draw(st.integers(1, 6)) + 1))
    n = draw(st.integers(0, 60))
    people = []
    for i in range(n):
        prefs = draw(st.lists(st.integers(1, 7), max_size=3, unique=True))  # theme 7 is never offered
        start, length = draw(st.integers(0, 23)), draw(st.integers(0, 12))
        people.append(
            cand(
                100 + i,
                prefs,
                dept=draw(st.sampled_from(["Eng", "Sales", "Ops", "HR"])),
                seniority=draw(st.integers(0, 4)),
                hours={(start + j) % 24 for j in range(length)},
            )
        )
    ids = [c.member_id for c in people]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=40)) if ids else []
    recent = frozenset(frozenset(p) for p in pairs if p[0] != p[1])
    return people, themes, sizes, recent, draw(st.integers(0, 2**32)), draw(st.integers(0, 4))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_every_member_is_placed_exactly_once_within_size_bounds(
    program: tuple[list[Candidate], list[int], Sizes, frozenset[frozenset[int]], int, int],
) -> None:
    people, themes, sizes, recent, seed, hours = program
    result = form_circles(
        candidates=people,
        theme_ids=themes,
        sizes=sizes,
        recent_pairs=recent,
        seed=seed,
        min_shared_hours=hours,
    )
    placed = placed_ids(result)
    unplaced = [u.member_id for u in result.unplaced]
    assert len(placed) == len(set(placed))
    assert sorted(placed + unplaced) == sorted(c.member_id for c in people)
    assert set(result.why) == set(placed)
    for circle in result.circles:
        assert sizes.min <= len(circle.member_ids) <= sizes.max
        assert list(circle.member_ids) == sorted(circle.member_ids)
        assert circle.theme_id in themes
    # Only the remainder that no split into circles can hold waits, and it waits with a reason.
    assert len(unplaced) == len(people) - splittable(len(people), sizes)
    expected_code = "too_few_members" if len(people) < sizes.min else "no_room"
    assert all(u.code == expected_code for u in result.unplaced)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_same_seed_gives_identical_output(
    program: tuple[list[Candidate], list[int], Sizes, frozenset[frozenset[int]], int, int],
) -> None:
    people, themes, sizes, recent, seed, hours = program
    kwargs = {
        "theme_ids": themes,
        "sizes": sizes,
        "recent_pairs": recent,
        "seed": seed,
        "min_shared_hours": hours,
    }
    first = form_circles(candidates=people, **kwargs)  # type: ignore[arg-type]
    second = form_circles(candidates=list(people), **kwargs)  # type: ignore[arg-type]
    assert first == second


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.integers(0, 40))
def test_with_enough_members_nobody_is_unplaced(
    program: tuple[list[Candidate], list[int], Sizes, frozenset[frozenset[int]], int, int], extra: int
) -> None:
    people, themes, sizes, recent, seed, hours = program
    # From min*(min-1) members on, any count splits into circles when max > min.
    sizes = Sizes(sizes.min, sizes.target, max(sizes.max, sizes.min + 1))
    need = max(sizes.min, sizes.min * (sizes.min - 1)) + extra
    people = people + [cand(10_000 + i, (1 + i % len(themes),)) for i in range(max(0, need - len(people)))]
    result = form_circles(
        candidates=people,
        theme_ids=themes,
        sizes=sizes,
        recent_pairs=recent,
        seed=seed,
        min_shared_hours=hours,
    )
    assert result.unplaced == ()
    assert len(placed_ids(result)) == len(people)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_why_reports_rank_departments_and_shared_hours_truthfully(
    program: tuple[list[Candidate], list[int], Sizes, frozenset[frozenset[int]], int, int],
) -> None:
    people, themes, sizes, recent, seed, hours = program
    by_id = {c.member_id: c for c in people}
    result = form_circles(
        candidates=people,
        theme_ids=themes,
        sizes=sizes,
        recent_pairs=recent,
        seed=seed,
        min_shared_hours=hours,
    )
    for circle in result.circles:
        shared = frozenset(range(24)).intersection(*(by_id[m].available_utc_hours for m in circle.member_ids))
        departments = {by_id[m].department for m in circle.member_ids}
        for m in circle.member_ids:
            why = result.why[m]
            assert why.rank == rank_of(by_id[m].theme_prefs, circle.theme_id)
            assert why.shared_hours == len(shared)
            assert why.mixed_departments == len(departments)
            if not by_id[m].theme_prefs:
                assert why.code == "no_preference"
            elif why.rank == 1:
                assert why.code == "first_choice"


# --- the flow is an exact optimum for fixed capacities ---------------------------------------------------


def exact_total(gains: list[list[tuple[int, int]]], lo: list[int], hi: list[int]) -> int:
    n, m = len(gains), len(lo)
    c = np.zeros(n * m)
    for i, g in enumerate(gains):
        for t, q in g:
            c[i * m + t] = -q
    one_theme = np.kron(np.eye(n), np.ones(m))
    per_theme = np.kron(np.ones(n), np.eye(m))
    res = milp(
        c,
        constraints=[LinearConstraint(one_theme, 1, 1), LinearConstraint(per_theme, lo, hi)],
        integrality=np.ones(n * m),
        bounds=Bounds(0, 1),
    )
    assert res.success
    return round(-res.fun)


@st.composite
def flow_instances(draw: st.DrawFn) -> tuple[list[list[tuple[int, int]]], list[int], list[int], list[int]]:
    m = draw(st.integers(1, 5))
    n = draw(st.integers(1, 18))
    gains = []
    for _ in range(n):
        themes = draw(st.lists(st.integers(0, m - 1), max_size=min(3, m), unique=True))
        values = sorted(
            draw(st.lists(st.integers(1, 4), min_size=len(themes), max_size=len(themes))), reverse=True
        )
        gains.append(list(zip(themes, values, strict=True)))
    lo = [draw(st.integers(0, 5)) for _ in range(m)]
    hi = [x + draw(st.integers(0, 5)) for x in lo]
    order = draw(st.permutations(list(range(n))))
    return gains, lo, hi, order


@settings(max_examples=200, deadline=None)
@given(flow_instances())
def test_flow_matches_the_milp_optimum_for_fixed_capacities(
    instance: tuple[list[list[tuple[int, int]]], list[int], list[int], list[int]],
) -> None:
    gains, lo, hi, order = instance
    if not sum(lo) <= len(gains) <= sum(hi):
        with pytest.raises(ValueError):
            assign_for_capacities(gains=gains, lo=lo, hi=hi, order=order)
        return
    where = assign_for_capacities(gains=gains, lo=lo, hi=hi, order=order)
    counts = Counter(where)
    assert all(lo[t] <= counts[t] <= hi[t] for t in range(len(lo)))
    total = sum(dict(g).get(t, 0) for g, t in zip(gains, where, strict=True))
    assert total == exact_total(gains, lo, hi)


def exact_theme_optimum(people: Sequence[Candidate], themes: Sequence[int], sizes: Sizes) -> float:
    """MILP with integer circle counts per theme, the capacity model assign_themes works in."""
    interest = Counter(t for c in people for t in set(c.theme_prefs))
    open_ = [t for t in themes if interest[t] >= sizes.min]
    n, m = len(people), len(open_)
    # Variables: x[i, t] (member i in theme t), then k[t] circles.
    gain = np.zeros(n * m + m)
    for i, c in enumerate(people):
        for j, t in enumerate(open_):
            gain[i * m + j] = rank_score(rank_of(c.theme_prefs, t))
    one_theme = np.hstack([np.kron(np.eye(n), np.ones(m)), np.zeros((n, m))])
    per_theme = np.hstack([np.kron(np.ones(n), np.eye(m)), np.zeros((m, m))])
    lower = per_theme.copy()
    lower[:, n * m :] = -sizes.min * np.eye(m)
    upper = per_theme.copy()
    upper[:, n * m :] = -sizes.max * np.eye(m)
    res = milp(
        -gain,
        constraints=[
            LinearConstraint(one_theme, 1, 1),
            LinearConstraint(lower, 0, np.inf),
            LinearConstraint(upper, -np.inf, 0),
        ],
        integrality=np.ones(n * m + m),
        bounds=Bounds(0, np.concatenate([np.ones(n * m), np.full(m, np.inf)])),
    )
    assert res.success
    return -res.fun / sum(1 for c in people if c.theme_prefs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_theme_assignment_is_within_one_percent_of_the_exact_optimum(seed: int) -> None:
    rng = random.Random(seed)
    themes = list(range(1, 13))
    weights = [1 / (i + 1) for i in range(len(themes))]  # a few popular themes, a long tail
    people = [cand(i, tuple(dict.fromkeys(rng.choices(themes, weights, k=3)))) for i in range(120)]
    sizes = Sizes(5, 6, 7)
    assignment = assign_themes(candidates=people, theme_ids=themes, sizes=sizes, seed=seed)
    ours = theme_satisfaction(candidates=people, theme_of=assignment.theme_of)
    assert ours >= 0.99 * exact_theme_optimum(people, themes, sizes)
