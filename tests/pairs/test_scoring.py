"""Pair scores: seniority direction per format, fit, and hard exclusions."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from bot.pairs.matcher import (
    EXCLUDED,
    Rules,
    greedy_match,
    match,
    pair_score,
    random_match,
    score_matrix,
)
from tests.pairs.matcher_support import ONE, PEER, REVERSE, person, score

# --- seniority direction per format ------------------------------------------------------------


def test_one_on_one_prefers_a_more_senior_mentor_and_excludes_inverted() -> None:
    mentee = person(1, seniority=1)
    equal, up_one, up_two, junior = (person(10 + k, seniority=s) for k, s in enumerate((1, 2, 3, 0)))
    assert score(up_one, mentee, ONE) > score(equal, mentee, ONE)
    assert score(up_two, mentee, ONE) > score(equal, mentee, ONE)
    assert pair_score(mentor=junior, mentee=mentee, rules=ONE) is None
    assert match(mentors=[equal, junior, up_one], mentees=[mentee], rules=ONE) == [
        (1, up_one.member_id, score(up_one, mentee, ONE))
    ]


def test_reverse_prefers_a_junior_mentor_and_excludes_a_senior_one() -> None:
    mentee = person(1, seniority=4)
    junior, equal, senior_mentee = person(10, seniority=1), person(11, seniority=4), person(2, seniority=3)
    assert score(junior, mentee, REVERSE) > score(equal, mentee, REVERSE)
    assert pair_score(mentor=person(12, seniority=4), mentee=senior_mentee, rules=REVERSE) is None
    assert [mentor for _, mentor, _ in match(mentors=[equal, junior], mentees=[mentee], rules=REVERSE)] == [10]
    # The same two people the other way round is a one_on_one pair, not a reverse one.
    assert pair_score(mentor=mentee, mentee=junior, rules=REVERSE) is None
    assert pair_score(mentor=mentee, mentee=junior, rules=ONE) is not None


def test_peer_prefers_similar_seniority() -> None:
    mentee = person(1, seniority=2)
    same, one_off, far = person(10, seniority=2), person(11, seniority=3), person(12, seniority=4)
    assert score(same, mentee, PEER) > score(one_off, mentee, PEER) > score(far, mentee, PEER)
    assert score(person(13, seniority=1), mentee, PEER) == score(one_off, mentee, PEER)  # symmetric
    assert [mentor for _, mentor, _ in match(mentors=[far, same, one_off], mentees=[mentee], rules=PEER)] == [10]


def test_cross_functional_bonus_only_when_preferred() -> None:
    mentee = person(1, department="sales")
    same_dept, other_dept = person(10, department="sales"), person(11, department="finance")
    assert score(other_dept, mentee, PEER) > score(same_dept, mentee, PEER)
    neutral = Rules(format="peer", prefer_cross_functional=False)
    assert score(other_dept, mentee, neutral) == score(same_dept, mentee, neutral)


def test_skill_fit_interests_and_hours_raise_the_score() -> None:
    mentee = person(
        1,
        seniority=0,
        skills_wanted=frozenset({"sql", "python"}),
        interests=frozenset({"chess"}),
        available_utc_hours=frozenset({1, 2, 3, 4}),
    )
    base = person(10, available_utc_hours=frozenset({1}))
    assert score(replace(base, skills_offered=frozenset({"sql"})), mentee, ONE) > score(base, mentee, ONE)
    assert score(replace(base, skills_offered=frozenset({"sql", "python"})), mentee, ONE) > score(
        replace(base, skills_offered=frozenset({"sql"})), mentee, ONE
    )
    assert score(replace(base, interests=frozenset({"chess"})), mentee, ONE) > score(base, mentee, ONE)
    assert score(replace(base, available_utc_hours=frozenset({1, 2, 3})), mentee, ONE) > score(base, mentee, ONE)
    # With the default weights a perfect pair scores exactly 1.
    perfect = person(
        11,
        seniority=1,
        skills_offered=mentee.skills_wanted,
        interests=frozenset({"chess"}),
        available_utc_hours=frozenset({1, 2, 3, 4}),
    )
    perfect_mentee = replace(mentee, interests=frozenset({"chess", "go", "jazz"}))
    perfect = replace(perfect, interests=perfect_mentee.interests)
    assert score(perfect, perfect_mentee, ONE) == pytest.approx(1.0)


# --- hard exclusions: each one with a control showing the pair is otherwise feasible --------------


def test_self_is_excluded() -> None:
    me = person(1)
    assert pair_score(mentor=me, mentee=me, rules=PEER) is None
    assert pair_score(mentor=replace(me, member_id=2, manager_id=None), mentee=me, rules=PEER) is not None
    assert match(mentors=[me], mentees=[me], rules=PEER) == []


def test_same_manager_is_excluded_when_the_rule_says_so() -> None:
    mentee, mentor = person(1, manager_id=50), person(10, seniority=3, manager_id=50)
    assert pair_score(mentor=mentor, mentee=mentee, rules=ONE) is None
    assert pair_score(mentor=mentor, mentee=mentee, rules=Rules(format="one_on_one", exclude_same_manager=False))
    # Unknown managers on both sides are not "the same manager".
    assert pair_score(mentor=replace(mentor, manager_id=None), mentee=replace(mentee, manager_id=None), rules=ONE)


def test_a_direct_reporting_line_is_excluded_with_the_same_manager_rule() -> None:
    boss, report = person(10, seniority=3), person(1, seniority=1, manager_id=10)
    assert pair_score(mentor=boss, mentee=report, rules=ONE) is None
    assert pair_score(mentor=report, mentee=boss, rules=REVERSE) is None
    assert pair_score(mentor=boss, mentee=report, rules=Rules(format="one_on_one", exclude_same_manager=False))


def test_same_team_is_excluded_only_when_the_rule_says_so() -> None:
    mentee, mentor = person(1, team="data"), person(10, seniority=3, team="data")
    team_rule = Rules(format="one_on_one", exclude_same_team=True)
    assert pair_score(mentor=mentor, mentee=mentee, rules=team_rule) is None
    assert pair_score(mentor=mentor, mentee=mentee, rules=ONE) is not None
    assert pair_score(mentor=replace(mentor, team="web"), mentee=mentee, rules=team_rule) is not None
    assert pair_score(mentor=replace(mentor, team=None), mentee=replace(mentee, team=None), rules=team_rule)


def test_recent_pair_is_excluded_in_both_orientations() -> None:
    a, b, c = person(1), person(2), person(3)
    rules = Rules(format="peer", recent_pairs=frozenset({(2, 1)}))  # 2 mentored 1 recently
    assert pair_score(mentor=b, mentee=a, rules=rules) is None
    assert pair_score(mentor=a, mentee=b, rules=rules) is None
    assert pair_score(mentor=c, mentee=a, rules=rules) is not None
    assert pair_score(mentor=b, mentee=a, rules=PEER) is not None


@pytest.mark.parametrize("side", ["mentee", "mentor"])
def test_do_not_match_is_honoured_from_either_side(side: str) -> None:
    mentee, mentor = person(1), person(10, seniority=3)
    assert pair_score(mentor=mentor, mentee=mentee, rules=ONE) is not None
    if side == "mentee":
        mentee = replace(mentee, do_not_match=frozenset({10}))
    else:
        mentor = replace(mentor, do_not_match=frozenset({1}))
    assert pair_score(mentor=mentor, mentee=mentee, rules=ONE) is None


def test_excluded_pairs_are_minus_inf_in_the_matrix_and_never_matched() -> None:
    # The excluded mentor would be everyone's best pick on skills; the matcher must go without.
    star = person(10, seniority=3, skills_offered=frozenset({"sql"}), do_not_match=frozenset({1}))
    plain = person(11, seniority=3)
    mentee = person(1, skills_wanted=frozenset({"sql"}))
    s = score_matrix(mentors=[star, plain], mentees=[mentee], rules=ONE)
    assert s.shape == (1, 2)
    assert s[0, 0] == EXCLUDED == -math.inf
    assert math.isfinite(s[0, 1])
    assert [mentor for _, mentor, _ in match(mentors=[star, plain], mentees=[mentee], rules=ONE)] == [11]
    assert match(mentors=[star], mentees=[mentee], rules=ONE) == []  # unmatched rather than excluded
    assert greedy_match(mentors=[star], mentees=[mentee], rules=ONE) == []
    assert random_match(mentors=[star], mentees=[mentee], rules=ONE) == []


def test_a_feasible_zero_score_pair_is_still_matched() -> None:
    # Each mentee has one feasible mentor worth exactly 0; the crossed assignment (both excluded)
    # ties on total score, and must lose: a zero-score pair beats no pair.
    flat = {"seniority": 2, "department": "x", "manager_id": None}
    a = person(1, **flat, available_utc_hours=frozenset({1}), do_not_match=frozenset({10}))
    b = person(2, **flat, available_utc_hours=frozenset({1}), do_not_match=frozenset({11}))
    mentors = [
        person(10, **flat, available_utc_hours=frozenset({5})),
        person(11, **flat, available_utc_hours=frozenset({5})),
    ]
    assert pair_score(mentor=mentors[1], mentee=a, rules=ONE) == 0.0
    assert match(mentors=mentors, mentees=[a, b], rules=ONE) == [(1, 11, 0.0), (2, 10, 0.0)]
