"""Tests for mentor–mentee scoring, exclusions, optimal matching, shortlists and baselines."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.pairs.matcher import (
    EXCLUDED,
    Person,
    Rules,
    Weights,
    greedy_match,
    match,
    pair_score,
    random_match,
    score_matrix,
    shortlist,
)
from tests.pairs.matcher_support import ONE, person, score

# --- capacities -------------------------------------------------------------------------------


def test_capacity_two_takes_up_to_two_never_more() -> None:
    mentees = [person(k, seniority=0, skills_wanted=frozenset({"sql"})) for k in range(1, 5)]
    favourite = person(10, seniority=1, capacity=2, skills_offered=frozenset({"sql"}))
    fallback = person(11, seniority=1, capacity=5)
    pairs = match(mentors=[favourite, fallback], mentees=mentees, rules=ONE)
    load = {10: 0, 11: 0}
    for _, mentor, _ in pairs:
        load[mentor] += 1
    assert load == {10: 2, 11: 2}
    # Without a fallback two mentees stay unmatched rather than overfilling the favourite.
    assert len(match(mentors=[favourite], mentees=mentees, rules=ONE)) == 2
    assert len(greedy_match(mentors=[favourite], mentees=mentees, rules=ONE)) == 2
    assert len(random_match(mentors=[favourite], mentees=mentees, rules=ONE)) == 2
    assert match(mentors=[replace(favourite, capacity=0)], mentees=mentees, rules=ONE) == []


def test_empty_inputs() -> None:
    assert score_matrix(mentors=[], mentees=[person(1)], rules=ONE).shape == (1, 0)
    assert score_matrix(mentors=[person(1)], mentees=[], rules=ONE).shape == (0, 1)
    assert match(mentors=[], mentees=[person(1)], rules=ONE) == []
    assert match(mentors=[person(1)], mentees=[], rules=ONE) == []
    assert shortlist(mentee=person(1), mentors=[], rules=ONE) == []


# --- optimality against brute force, on hypothesis-generated small instances ----------------------

SKILLS = ("sql", "python", "design")


HOURS = (1, 2, 3, 4, 5)


@st.composite
def profiles(draw: st.DrawFn, member_id: int, mentor: bool, ids: list[int]) -> Person:
    subset = st.frozensets(st.sampled_from(SKILLS))
    return Person(
        member_id=member_id,
        seniority=draw(st.integers(0, 4)),
        department=draw(st.sampled_from(("eng", "ops"))),
        team=draw(st.sampled_from(("a", "b", None))),
        manager_id=draw(st.sampled_from((100, 101, None))),
        skills_offered=draw(subset),
        skills_wanted=draw(subset),
        interests=draw(st.frozensets(st.sampled_from(("chess", "hiking", "jazz", "go")))),
        available_utc_hours=draw(st.frozensets(st.sampled_from(HOURS))),
        capacity=draw(st.integers(0, 2)) if mentor else 1,
        do_not_match=draw(st.frozensets(st.sampled_from(ids), max_size=1)),
    )


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Person], list[Person], Rules]:
    n, m = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    # Mentee ids 1..n and mentor ids 3..m+2 overlap, so the same person can sit on both sides.
    mentee_ids, mentor_ids = list(range(1, n + 1)), list(range(3, m + 3))
    ids = sorted(set(mentee_ids) | set(mentor_ids))
    mentees = [draw(profiles(i, False, ids)) for i in mentee_ids]
    mentors = [draw(profiles(j, True, ids)) for j in mentor_ids]
    recent = draw(st.frozensets(st.tuples(st.sampled_from(mentor_ids), st.sampled_from(mentee_ids)), max_size=2))
    rules = Rules(
        format=draw(st.sampled_from(("one_on_one", "peer", "reverse"))),
        exclude_same_manager=draw(st.booleans()),
        exclude_same_team=draw(st.booleans()),
        prefer_cross_functional=draw(st.booleans()),
        recent_pairs=recent,
    )
    return mentees, mentors, rules


def brute_force_best(mentees: list[Person], mentors: list[Person], rules: Rules) -> float:
    options = [
        [None]
        + [j for j, mentor in enumerate(mentors) if pair_score(mentor=mentor, mentee=mentee, rules=rules) is not None]
        for mentee in mentees
    ]
    best = 0.0
    for choice in itertools.product(*options):
        used = [j for j in choice if j is not None]
        if any(used.count(j) > mentors[j].capacity for j in set(used)):
            continue
        total = sum(score(mentors[j], mentees[i], rules) for i, j in enumerate(choice) if j is not None)
        best = max(best, total)
    return best


def check_valid(
    pairs: list[tuple[int, int, float]], mentees: list[Person], mentors: list[Person], rules: Rules
) -> float:
    by_id = {p.member_id: p for p in mentors}
    mentee_by_id = {p.member_id: p for p in mentees}
    assert len({mentee for mentee, _, _ in pairs}) == len(pairs), "a mentee matched twice"
    for mentee_id, mentor_id, value in pairs:
        assert pair_score(mentor=by_id[mentor_id], mentee=mentee_by_id[mentee_id], rules=rules) == value
    for mentor in mentors:
        assert sum(1 for _, j, _ in pairs if j == mentor.member_id) <= mentor.capacity
    return sum(value for _, _, value in pairs)


@settings(max_examples=300, deadline=None)
@given(instances())
def test_match_is_optimal_against_brute_force(instance: tuple[list[Person], list[Person], Rules]) -> None:
    mentees, mentors, rules = instance
    best = brute_force_best(mentees, mentors, rules)
    total = check_valid(match(mentors=mentors, mentees=mentees, rules=rules), mentees, mentors, rules)
    assert total == pytest.approx(best, abs=1e-7)
    # The baselines are valid matchings too, and can never beat the optimum.
    for baseline in (greedy_match, random_match):
        other = check_valid(baseline(mentors=mentors, mentees=mentees, rules=rules), mentees, mentors, rules)
        assert other <= best + 1e-9


@settings(max_examples=100, deadline=None)
@given(instances())
def test_pair_score_equals_the_matrix_entry(instance: tuple[list[Person], list[Person], Rules]) -> None:
    mentees, mentors, rules = instance
    s = score_matrix(mentors=mentors, mentees=mentees, rules=rules)
    assert s.shape == (len(mentees), len(mentors))
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(mentors):
            value = pair_score(mentor=mentor, mentee=mentee, rules=rules)
            assert (value is None and s[i, j] == EXCLUDED) or value == s[i, j]
            assert value is None or 0.0 <= value <= 1.0 + 1e-12


def test_optimal_beats_greedy_where_greedy_is_myopic() -> None:
    # Greedy gives mentor 10 to mentee 1 (best single edge) and leaves mentee 2 with nobody.
    m1 = person(1, seniority=0, skills_wanted=frozenset({"sql"}))
    m2 = person(2, seniority=0, skills_wanted=frozenset({"sql"}), do_not_match=frozenset({11}))
    generalist = person(10, seniority=1, skills_offered=frozenset({"sql"}))
    other = person(11, seniority=1, skills_offered=frozenset({"sql"}), available_utc_hours=frozenset({1}))
    optimal = match(mentors=[generalist, other], mentees=[m1, m2], rules=ONE)
    greedy = greedy_match(mentors=[generalist, other], mentees=[m1, m2], rules=ONE)
    assert sorted((a, b) for a, b, _ in optimal) == [(1, 11), (2, 10)]
    assert sum(v for *_, v in optimal) > sum(v for *_, v in greedy)


def test_random_match_is_seeded() -> None:
    mentees = [person(k, seniority=0) for k in range(1, 30)]
    mentors = [person(100 + k, seniority=1) for k in range(29)]
    first = random_match(mentors=mentors, mentees=mentees, rules=ONE, seed=3)
    assert first == random_match(mentors=mentors, mentees=mentees, rules=ONE, seed=3)
    assert first != random_match(mentors=mentors, mentees=mentees, rules=ONE, seed=4)


def test_precomputed_scores_must_fit() -> None:
    with pytest.raises(ValueError, match="shape"):
        match(mentors=[person(10)], mentees=[person(1)], rules=ONE, scores=np.zeros((2, 2)))


# --- shortlist ----------------------------------------------------------------------------------


def shortlist_setup() -> tuple[Person, list[Person]]:
    mentee = person(
        1,
        seniority=0,
        skills_wanted=frozenset({"sql", "python", "excel"}),
        interests=frozenset({"chess", "jazz"}),
        available_utc_hours=frozenset({2, 3, 4}),
    )
    mentors = [
        person(
            10 + k,
            seniority=1,
            skills_offered=frozenset(skills),
            interests=frozenset({"chess"}),
            available_utc_hours=frozenset({3, 4, 5}),
        )
        for k, skills in enumerate([{"sql", "python", "excel"}, {"python", "sql"}, {"sql"}, set(), {"excel"}])
    ]
    return mentee, mentors


def test_shortlist_returns_the_best_three_sorted_with_reasons() -> None:
    mentee, mentors = shortlist_setup()
    picks = shortlist(mentee=mentee, mentors=mentors, rules=ONE)
    assert len(picks) == 3
    assert [s.mentor_id for s in picks] == [10, 11, 12]
    assert [s.score for s in picks] == sorted((s.score for s in picks), reverse=True)
    assert picks[0].score > picks[1].score > picks[2].score
    assert [s.score for s in picks] == [score(mentors[k], mentee, ONE) for k in range(3)]
    top = picks[0].reason
    assert top.code == "skill_fit"
    assert top.skills == ("excel", "python", "sql")
    assert top.interests == ("chess",)
    assert top.shared_hours == 2
    assert picks[1].reason.skills == ("python", "sql")
    assert len(shortlist(mentee=mentee, mentors=mentors, rules=ONE, size=5)) == 5
    assert shortlist(mentee=mentee, mentors=mentors, rules=ONE, size=0) == []


def test_shortlist_skips_full_mentors_excluded_ids_and_infeasible_pairs() -> None:
    mentee, mentors = shortlist_setup()
    mentors[1] = replace(mentors[1], capacity=2)
    picks = shortlist(mentee=mentee, mentors=mentors, rules=ONE, taken={10: 1, 11: 1}, exclude=frozenset({12}))
    assert [s.mentor_id for s in picks] == [11, 14, 13]  # 10 is full, 11 still has a seat, 12 declined
    assert 10 in [s.mentor_id for s in shortlist(mentee=mentee, mentors=mentors, rules=ONE)]
    mentors[0] = replace(mentors[0], manager_id=mentee.manager_id)  # now excluded: same manager
    assert 10 not in [s.mentor_id for s in shortlist(mentee=mentee, mentors=mentors, rules=ONE)]


def test_shortlist_reason_when_nothing_but_seniority_fits() -> None:
    mentee = person(1, seniority=0, department="x", available_utc_hours=frozenset({1}))
    mentor = person(10, seniority=1, department="x", available_utc_hours=frozenset({9}))
    (pick,) = shortlist(mentee=mentee, mentors=[mentor], rules=ONE)
    assert pick.reason.code == "seniority"
    assert (pick.reason.skills, pick.reason.interests, pick.reason.shared_hours) == ((), (), 0)
    flat = person(11, seniority=0, department="x", available_utc_hours=frozenset({9}))
    (none,) = shortlist(mentee=mentee, mentors=[flat], rules=ONE)
    assert none.reason.code == "none" and none.score == 0.0


def test_shortlist_ties_go_to_the_lower_mentor_id() -> None:
    mentee = person(1, seniority=0)
    twins = [person(k, seniority=1, department="same") for k in (30, 20, 40, 10)]
    assert [s.mentor_id for s in shortlist(mentee=mentee, mentors=twins, rules=ONE)] == [10, 20, 30]


# --- validation -------------------------------------------------------------------------------


def test_invalid_inputs_are_rejected() -> None:
    with pytest.raises(ValueError):
        Rules(format="group")
    with pytest.raises(ValueError):
        Weights(skill_fit=-0.1)
    with pytest.raises(ValueError):
        person(1, seniority=5)
    with pytest.raises(ValueError):
        person(1, available_utc_hours=frozenset({24}))
    with pytest.raises(ValueError):
        shortlist(mentee=person(1), mentors=[person(2)], rules=ONE, size=-1)
