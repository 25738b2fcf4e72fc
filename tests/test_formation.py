"""Tests for circle formation: placement invariants, preferences, mixing, hours, pairs and exactness."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from bot.formation import (
    Candidate,
    FormationResult,
    FormedCircle,
    Sizes,
    Unplaced,
    Why,
    assign_themes,
    form_circles,
    preference_satisfaction,
    rank_of,
    rank_score,
    theme_satisfaction,
)
from bot.formation_flow import assign_for_capacities

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


# --- unit tests ------------------------------------------------------------------------------------------


def test_thirteen_members_with_sizes_4_5_6_are_all_placed() -> None:
    people = [cand(i) for i in range(1, 14)]
    result = form_circles(candidates=people, theme_ids=[1], sizes=Sizes(4, 5, 6))
    assert result.unplaced == ()
    assert sorted(len(c.member_ids) for c in result.circles) == [4, 4, 5]


def test_odd_remainder_joins_a_circle_up_to_max_size() -> None:
    people = [cand(i) for i in range(1, 8)]
    result = form_circles(candidates=people, theme_ids=[1], sizes=Sizes(4, 6, 8))
    assert [len(c.member_ids) for c in result.circles] == [7]


def test_first_choices_are_honoured_when_capacity_allows() -> None:
    # Theme 1 is everyone's second choice; a popularity-blind greedy would pile people into it.
    people = [cand(i, (2 + i % 3, 1)) for i in range(18)]
    result = form_circles(candidates=people, theme_ids=[1, 2, 3, 4], sizes=Sizes(4, 6, 8))
    assert {result.why[c.member_id].code for c in people} == {"first_choice"}
    assert preference_satisfaction(candidates=people, result=result) == 1.0
    assert {c.theme_id for c in result.circles} == {2, 3, 4}


def test_a_theme_with_too_few_interested_members_is_dropped() -> None:
    keen = [cand(i, (1, 2)) for i in range(10)]
    niche = [cand(100 + i, (3, 1)) for i in range(3)]  # only 3 want theme 3; a circle needs 4
    result = form_circles(candidates=keen + niche, theme_ids=[1, 2, 3], sizes=Sizes(4, 6, 8))
    assert 3 not in {c.theme_id for c in result.circles}
    theme_of = {m: c.theme_id for c in result.circles for m in c.member_ids}
    assert all(theme_of[c.member_id] == 1 for c in niche)
    assert all(result.why[c.member_id].code == "second_choice" for c in niche)
    assert all(result.why[c.member_id].code == "first_choice" for c in keen)


def test_members_without_preferences_fill_where_there_is_room() -> None:
    people = [cand(i, (1,)) for i in range(9)] + [cand(100 + i, ()) for i in range(3)]
    result = form_circles(candidates=people, theme_ids=[1, 2], sizes=Sizes(4, 6, 6))
    assert result.unplaced == ()
    assert all(result.why[100 + i].code == "no_preference" for i in range(3))
    assert all(result.why[i].code == "first_choice" for i in range(9))


@pytest.mark.parametrize("seed", range(10))
def test_recent_pairs_are_separated_when_possible(seed: int) -> None:
    people = [cand(i, dept=f"D{i % 6}", seniority=i % 5) for i in range(12)]
    shuffled = list(range(12))
    random.Random(seed).shuffle(shuffled)
    recent = frozenset(frozenset(shuffled[j : j + 2]) for j in range(0, 12, 2))  # six recent pairs
    result = form_circles(
        candidates=people, theme_ids=[1], sizes=Sizes(4, 6, 6), recent_pairs=recent, seed=seed
    )
    assert len(result.circles) == 2
    assert all(not (pairs_in(c) & recent) for c in result.circles)


def test_repeats_of_last_rounds_circles_drop_to_the_unavoidable_minimum() -> None:
    people = [cand(i, dept=f"D{i % 5}", seniority=i % 3) for i in range(24)]
    sizes = Sizes(6, 6, 6)
    last = form_circles(candidates=people, theme_ids=[1], sizes=sizes, seed=1)
    recent = frozenset(p for c in last.circles for p in pairs_in(c))
    assert form_circles(candidates=people, theme_ids=[1], sizes=sizes, seed=1) == last
    again = form_circles(candidates=people, theme_ids=[1], sizes=sizes, recent_pairs=recent, seed=1)
    # Four old circles of 6 over four new ones: one old circle's 6 members share 4 circles, so >= 2 pairs
    # each; 8 in all is the floor, and without recent_pairs the same seed repeats every pair.
    assert sum(len(pairs_in(c) & recent) for c in again.circles) == 8


def test_working_hours_overlap_wins_over_department_mixing() -> None:
    jakarta = [cand(i, dept="Eng", hours=range(1, 10)) for i in range(6)]
    new_york = [cand(100 + i, dept="Sales", hours=range(13, 22)) for i in range(6)]
    result = form_circles(candidates=jakarta + new_york, theme_ids=[1], sizes=Sizes(4, 6, 6))
    assert sorted(c.member_ids for c in result.circles) == [tuple(range(6)), tuple(range(100, 106))]
    assert all(w.shared_hours == 9 for w in result.why.values())


def test_hours_split_into_meeting_slots_across_many_circles() -> None:
    rng = random.Random(7)
    early = [cand(i, dept=rng.choice("ABCD"), hours=range(0, 4)) for i in range(20)]  # part-timers, UTC 0-3
    late = [cand(100 + i, dept=rng.choice("ABCD"), hours=range(6, 14)) for i in range(20)]
    flexible = [cand(200 + i, dept=rng.choice("ABCD"), hours=range(0, 14)) for i in range(8)]
    result = form_circles(candidates=early + late + flexible, theme_ids=[1], sizes=Sizes(4, 6, 8))
    assert result.unplaced == ()
    assert all(w.shared_hours >= 2 for w in result.why.values())


def test_circles_that_cannot_share_hours_are_placed_and_reported_honestly() -> None:
    people = [cand(i, hours={i * 6, i * 6 + 1}) for i in range(4)]
    result = form_circles(candidates=people, theme_ids=[1], sizes=Sizes(4, 4, 4))
    assert result.unplaced == ()
    assert all(w.shared_hours == 0 for w in result.why.values())


def test_departments_and_seniority_are_mixed() -> None:
    people = [cand(i, dept=f"D{i // 3}", seniority=i % 3) for i in range(12)]  # 4 departments of 3
    result = form_circles(candidates=people, theme_ids=[1], sizes=Sizes(4, 4, 4))
    assert len(result.circles) == 3
    assert all(w.mixed_departments == 4 for w in result.why.values())
    levels = [len({people[m].seniority for m in c.member_ids}) for c in result.circles]
    assert min(levels) >= 2


def test_too_few_members_overall_are_unplaced_with_a_code() -> None:
    people = [cand(i) for i in range(3)]
    result = form_circles(candidates=people, theme_ids=[1], sizes=Sizes(4, 6, 8))
    assert result.circles == ()
    assert result.why == {}
    assert result.unplaced == tuple(Unplaced(i, "too_few_members") for i in range(3))


def test_a_remainder_no_circle_can_hold_waits_in_input_order() -> None:
    people = [cand(i) for i in range(7)]
    result = form_circles(candidates=people, theme_ids=[1], sizes=Sizes(4, 5, 5))
    assert [len(c.member_ids) for c in result.circles] == [5]
    assert result.unplaced == (Unplaced(5, "no_room"), Unplaced(6, "no_room"))


def test_no_offered_theme_leaves_everyone_unplaced() -> None:
    result = form_circles(candidates=[cand(i) for i in range(6)], theme_ids=[], sizes=Sizes(4, 6, 8))
    assert {u.code for u in result.unplaced} == {"no_theme"}


def test_invalid_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        form_circles(candidates=[cand(1), cand(1)], theme_ids=[1], sizes=Sizes(1, 2, 2))
    with pytest.raises(ValueError, match="sizes"):
        form_circles(candidates=[cand(1)], theme_ids=[1], sizes=Sizes(5, 4, 6))
    with pytest.raises(ValueError, match="hours"):
        form_circles(candidates=[cand(1, hours={24})], theme_ids=[1], sizes=Sizes(1, 1, 1))


def test_preference_satisfaction_scores_ranks() -> None:
    people = [cand(1, (1, 2, 3)), cand(2, (2, 1)), cand(3, (4, 5, 6, 3)), cand(4, (9,)), cand(5, ())]
    circles = (FormedCircle(1, (1, 2)), FormedCircle(3, (3, 4, 5)))
    why = {m: Why("x", None, 1, 0) for m in range(1, 6)}
    result = FormationResult(circles, why, ())
    # 1st choice 1.0, 2nd 0.75, 4th 0.25, unranked 0; no preference is left out of the mean.
    assert preference_satisfaction(candidates=people, result=result) == pytest.approx(
        (1 + 0.75 + 0.25 + 0) / 4
    )
    assert [rank_score(r) for r in (1, 2, 3, 4, 9, None)] == [1.0, 0.75, 0.5, 0.25, 0.25, 0.0]


def test_output_does_not_depend_on_hash_randomisation() -> None:
    script = (
        "from bot.formation import Candidate, Sizes, form_circles\n"
        "import random\n"
        "r = random.Random(3)\n"
        "people = [Candidate(i, tuple(r.sample(range(1, 6), 2)), r.choice(['Eng', 'Ops', 'HR', 'Sales']),\n"
        "          r.randrange(5), frozenset(range(r.randrange(6), 12))) for i in range(80)]\n"
        "recent = frozenset(frozenset(r.sample(range(80), 2)) for _ in range(60))\n"
        "print(form_circles(candidates=people, theme_ids=[1, 2, 3, 4, 5], sizes=Sizes(4, 6, 8),\n"
        "                   recent_pairs=recent, seed=11))\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outputs = set()
    for hash_seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": root}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
