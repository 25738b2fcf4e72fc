"""Tests for circle formation: placement invariants, preferences, mixing, hours, pairs and exactness."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from bot.circles.formation import (
    FormationResult,
    FormedCircle,
    Sizes,
    Unplaced,
    Why,
    form_circles,
    preference_satisfaction,
    rank_score,
)
from tests.circles.formation_support import cand, pairs_in

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
        "from bot.circles.formation import Candidate, Sizes, form_circles\n"
        "import random\n"
        "r = random.Random(3)\n"
        "people = [Candidate(i, tuple(r.sample(range(1, 6), 2)), r.choice(['Eng', 'Ops', 'HR', 'Sales']),\n"
        "          r.randrange(5), frozenset(range(r.randrange(6), 12))) for i in range(80)]\n"
        "recent = frozenset(frozenset(r.sample(range(80), 2)) for _ in range(60))\n"
        "print(form_circles(candidates=people, theme_ids=[1, 2, 3, 4, 5], sizes=Sizes(4, 6, 8),\n"
        "                   recent_pairs=recent, seed=11))\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    outputs = set()
    for hash_seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": root}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
