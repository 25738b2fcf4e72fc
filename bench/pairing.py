"""Benchmark mentor–mentee matching on seeded synthetic profiles: time and total score per matcher."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/pairing.py` from anywhere

from bot.pairs.matcher import Pair, Person, Rules, greedy_match, match, random_match, score_matrix

DEPARTMENTS = (
    "engineering",
    "product",
    "design",
    "sales",
    "marketing",
    "finance",
    "hr",
    "operations",
    "legal",
    "support",
)
SKILLS = tuple(f"skill{k:02d}" for k in range(40))
INTERESTS = tuple(f"interest{k:02d}" for k in range(30))
# Working-day start in UTC for offices in Jakarta, Singapore, Sydney, London and New York.
OFFICE_START_UTC = (2, 1, 23, 8, 13)


def _pick(
    rng: np.random.Generator, items: tuple[str, ...], low: int, high: int, p: np.ndarray | None = None
) -> frozenset[str]:
    return frozenset(rng.choice(items, size=int(rng.integers(low, high + 1)), replace=False, p=p).tolist())


def _people(
    rng: np.random.Generator, *, count: int, first_id: int, seniority: tuple[int, ...], capacity: tuple[int, int]
) -> list[Person]:
    # Skewed skill popularity, so some skills are in demand and scarce and the matchers disagree.
    skill_p = np.linspace(2.0, 0.5, len(SKILLS))
    skill_p /= skill_p.sum()
    people = []
    for k in range(count):
        dept = int(rng.integers(len(DEPARTMENTS)))
        team = int(rng.integers(20))
        start = OFFICE_START_UTC[int(rng.integers(len(OFFICE_START_UTC)))]
        people.append(
            Person(
                member_id=first_id + k,
                seniority=int(rng.choice(seniority)),
                department=DEPARTMENTS[dept],
                team=f"{DEPARTMENTS[dept]}-{team}",
                manager_id=10_000_000 + dept * 100 + team,  # one manager per team
                skills_offered=_pick(rng, SKILLS, 2, 6, skill_p),
                skills_wanted=_pick(rng, SKILLS, 1, 4, skill_p),
                interests=_pick(rng, INTERESTS, 1, 5),
                available_utc_hours=frozenset((start + h) % 24 for h in range(9)),
                capacity=int(rng.integers(capacity[0], capacity[1] + 1)),
            )
        )
    return people


def scenario(
    *, seed: int, mentees: int, mentors: int, capacity: tuple[int, int]
) -> tuple[list[Person], list[Person], Rules]:
    rng = np.random.default_rng(seed)
    mentee_list = _people(rng, count=mentees, first_id=1, seniority=(0, 0, 1, 1, 2), capacity=(1, 1))
    mentor_list = _people(rng, count=mentors, first_id=1_000_000, seniority=(1, 2, 2, 3, 3, 4), capacity=capacity)
    # Every 50th-or-so mentor refuses three mentees; a cool-down blocks mentees // 10 random pairs.
    step = max(1, mentors // 50)
    mentor_list = [
        replace(p, do_not_match=frozenset((rng.choice(mentees, size=3) + 1).tolist())) if k % step == 0 else p
        for k, p in enumerate(mentor_list)
    ]
    recent = frozenset(
        (int(mentor_list[int(rng.integers(mentors))].member_id), int(rng.integers(mentees)) + 1)
        for _ in range(mentees // 10)
    )
    return mentee_list, mentor_list, Rules(format="one_on_one", exclude_same_team=True, recent_pairs=recent)


T = TypeVar("T")


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run(*, seed: int, mentees: int, mentors: int, capacity: tuple[int, int]) -> None:
    mentee_list, mentor_list, rules = scenario(seed=seed, mentees=mentees, mentors=mentors, capacity=capacity)
    seats = sum(p.capacity for p in mentor_list)
    print(
        f"\n{mentees:,} mentees x {mentors:,} mentors (capacity {capacity[0]}-{capacity[1]}, {seats:,} seats), "
        f"format one_on_one, seed {seed}"
    )
    t_matrix, s = _timed(lambda: score_matrix(mentors=mentor_list, mentees=mentee_list, rules=rules))
    feasible = np.isfinite(s)
    print(f"  score matrix: {t_matrix:6.3f} s  ({feasible.mean():.1%} of pairs feasible)")
    # The matchers reuse the matrix, so "assign s" is the assignment alone and "total s" adds the matrix.
    matchers: list[tuple[str, Callable[[], list[Pair]]]] = [
        ("optimal", lambda: match(mentors=mentor_list, mentees=mentee_list, rules=rules, scores=s)),
        ("greedy", lambda: greedy_match(mentors=mentor_list, mentees=mentee_list, rules=rules, scores=s)),
        ("random", lambda: random_match(mentors=mentor_list, mentees=mentee_list, rules=rules, scores=s, seed=seed)),
    ]
    print(f"  {'matcher':<8} {'assign s':>9} {'total s':>8} {'matched':>8} {'total score':>12} {'mean':>6}")
    for name, fn in matchers:
        t_assign, pairs = _timed(fn)
        total = sum(score for _, _, score in pairs)
        mean = total / len(pairs) if pairs else 0.0
        print(f"  {name:<8} {t_assign:9.3f} {t_matrix + t_assign:8.3f} {len(pairs):8,} {total:12.2f} {mean:6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    run(seed=args.seed, mentees=3_000, mentors=3_000, capacity=(1, 1))
    run(seed=args.seed, mentees=1_000, mentors=300, capacity=(1, 5))


if __name__ == "__main__":
    main()
