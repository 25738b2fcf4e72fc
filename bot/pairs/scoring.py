"""Mentor–mentee pair scoring: the profile model, the rules and a vectorised score matrix."""

# A feasible pair's score is sum(weight x component), each component in [0, 1] (see Weights):
#   skill_fit 0.40, seniority 0.25, shared_interests 0.15, cross_functional 0.10, hours 0.10.
# The defaults sum to 1, so scores are in [0, 1]; an excluded pair is EXCLUDED (-inf).

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy loads on first use: a server that never pairs does not hold it
    import numpy as np


FORMATS = ("one_on_one", "peer", "reverse")

# Entry of score_matrix for a pair that must never be matched (hard exclusion).
EXCLUDED = -math.inf

# Seniority fit per format, indexed by (mentor.seniority - mentee.seniority) + 4, i.e. diff -4 .. +4.
# NaN is a hard exclusion. Why these numbers:
# - one_on_one: a mentor one or two levels up has walked the mentee's path recently; a bigger gap
#   still works but the advice is further from the mentee's day; equal seniority is allowed but
#   worth nothing; an inverted pair is not 1-on-1 mentoring at all, so it is excluded.
# - peer: peers are at the same level; one level apart is still a peer; from three levels apart
#   the pair is worth nothing on seniority (soft, not excluded: a small program may need it).
# - reverse: the junior is the mentor; one level below is a weak reverse pair, two or more is the
#   classic "graduate mentors an executive" set-up; a more senior "mentor" is excluded.
_NO = math.nan
SENIORITY_FIT: dict[str, tuple[float, ...]] = {
    #              -4    -3    -2    -1    0    +1   +2   +3   +4
    "one_on_one": (_NO, _NO, _NO, _NO, 0.0, 1.0, 1.0, 0.6, 0.3),
    "peer": (0.0, 0.0, 0.2, 0.8, 1.0, 0.8, 0.2, 0.0, 0.0),
    "reverse": (1.0, 1.0, 1.0, 0.6, 0.0, _NO, _NO, _NO, _NO),
}

# Score components, in the order in which ties for the "why" (Reason.code) are broken.
PARTS = ("skill_fit", "shared_interests", "seniority", "cross_functional", "hours")


@dataclass(frozen=True)
class Person:
    member_id: int
    seniority: int  # 0 junior .. 4 executive
    department: str
    team: str | None
    manager_id: int | None
    skills_offered: frozenset[str]  # lowercased
    skills_wanted: frozenset[str]
    interests: frozenset[str]
    available_utc_hours: frozenset[int]  # UTC hours (0-23) they work
    capacity: int = 1  # mentors only: mentees at once
    do_not_match: frozenset[int] = frozenset()  # member ids

    def __post_init__(self) -> None:
        # The seniority table has nine cells; anything outside 0..4 would index the wrong one silently.
        if not 0 <= self.seniority <= 4:
            raise ValueError(f"seniority must be 0..4, got {self.seniority}")
        if any(not 0 <= h <= 23 for h in self.available_utc_hours):
            raise ValueError("available_utc_hours must be within 0..23")
        if self.capacity < 0:
            raise ValueError("capacity must be >= 0")


@dataclass(frozen=True)
class Weights:
    """Weights of the score components; the defaults sum to 1, so a feasible score is in [0, 1].

    Each component is first scaled to [0, 1]:
    - skill_fit: share of the mentee's wanted skills that the mentor offers (0 if nothing wanted).
      Heaviest, because a questionnaire-based match exists to put a need next to someone who has it.
    - shared_interests: shared interests, full at ``interests_full_at`` (rapport, not the goal).
    - seniority: the format's table in SENIORITY_FIT.
    - cross_functional: 1 when departments differ and the rules prefer cross-functional pairs.
    - hours: shared working UTC hours, full at ``hours_full_at``; one shared hour is enough to
      meet, a few more leave room to reschedule.
    """

    skill_fit: float = 0.40
    shared_interests: float = 0.15
    seniority: float = 0.25
    cross_functional: float = 0.10
    hours: float = 0.10
    interests_full_at: int = 3
    hours_full_at: int = 4

    def __post_init__(self) -> None:
        # Feasible scores must stay >= 0: the assignment treats "unmatched" as worth 0.
        if min(self.skill_fit, self.shared_interests, self.seniority, self.cross_functional, self.hours) < 0:
            raise ValueError("weights must be >= 0")
        if self.interests_full_at < 1 or self.hours_full_at < 1:
            raise ValueError("*_full_at must be >= 1")


@dataclass(frozen=True)
class Rules:
    format: str  # "one_on_one" | "peer" | "reverse"
    exclude_same_manager: bool = True  # also excludes a direct reporting line (one manages the other)
    exclude_same_team: bool = False
    prefer_cross_functional: bool = True
    # (mentor_id, mentee_id) inside the cool-down; blocked in both orientations, since the
    # cool-down is about the two people, not about who mentored whom.
    recent_pairs: frozenset[tuple[int, int]] = frozenset()
    weights: Weights = field(default_factory=Weights)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {self.format!r}")


def _incidence(rows: Sequence[frozenset[Hashable]], vocab: dict[Hashable, int]) -> np.ndarray:
    import numpy as np  # on first use, for memory (docs/architecture.md)
    out = np.zeros((len(rows), len(vocab)))
    for i, items in enumerate(rows):
        cols = [vocab[x] for x in items if x in vocab]
        out[i, cols] = 1.0
    return out


def _shared_counts(a: Sequence[frozenset[Hashable]], b: Sequence[frozenset[Hashable]]) -> np.ndarray:
    """|a[i] & b[j]| for every i, j (float64), as one matrix product of 0/1 incidence matrices."""
    import numpy as np  # on first use, for memory (docs/architecture.md)
    # Only items present on both sides can be shared, so the vocabulary (and the product) stays small.
    # The counts are small integers, hence exact whatever order BLAS sums in: a 1 x 1 call and a
    # 3,000 x 3,000 call give bit-identical entries.
    common = set().union(*a) & set().union(*b)
    if not common:
        return np.zeros((len(a), len(b)))
    vocab = {x: k for k, x in enumerate(common)}
    return _incidence(a, vocab) @ _incidence(b, vocab).T


def _codes(*columns: Sequence[Hashable | None]) -> list[np.ndarray]:
    """Encode values as ints shared across columns; None is -1 so "both unknown" never counts as equal."""
    import numpy as np  # on first use, for memory (docs/architecture.md)
    table: dict[Hashable, int] = {}
    return [
        np.fromiter((-1 if v is None else table.setdefault(v, len(table)) for v in col), dtype=np.int64, count=len(col))
        for col in columns
    ]


def _equal(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return (rows[:, None] == cols[None, :]) & (rows[:, None] >= 0)


def _block_ids(
    blocked: np.ndarray,
    mentee_at: dict[int, list[int]],
    mentor_at: dict[int, list[int]],
    mentee_id: int,
    mentor_id: int,
) -> None:
    import numpy as np  # on first use, for memory (docs/architecture.md)
    rows, cols = mentee_at.get(mentee_id), mentor_at.get(mentor_id)
    if rows and cols:
        blocked[np.ix_(rows, cols)] = True


def _exclusions(mentors: Sequence[Person], mentees: Sequence[Person], rules: Rules) -> np.ndarray:
    """Boolean (mentees x mentors) matrix of hard exclusions other than seniority direction."""
    mentee_ids, mentor_ids, mentee_mgr, mentor_mgr = _codes(
        [p.member_id for p in mentees],
        [p.member_id for p in mentors],
        [p.manager_id for p in mentees],
        [p.manager_id for p in mentors],
    )
    blocked = _equal(mentee_ids, mentor_ids)  # the same person on both sides
    if rules.exclude_same_manager:
        blocked |= _equal(mentee_mgr, mentor_mgr)
        # A manager mentoring their own report (either way) has the same conflict as sharing one.
        blocked |= _equal(mentee_mgr, mentor_ids) | _equal(mentee_ids, mentor_mgr)
    if rules.exclude_same_team:
        mentee_team, mentor_team = _codes([p.team for p in mentees], [p.team for p in mentors])
        blocked |= _equal(mentee_team, mentor_team)
    # Cool-downs and do-not-match lists are sparse: visit their entries instead of building matrices.
    mentee_at: dict[int, list[int]] = {}
    mentor_at: dict[int, list[int]] = {}
    for i, p in enumerate(mentees):
        mentee_at.setdefault(p.member_id, []).append(i)
    for j, p in enumerate(mentors):
        mentor_at.setdefault(p.member_id, []).append(j)
    for a, b in rules.recent_pairs:
        _block_ids(blocked, mentee_at, mentor_at, mentee_id=b, mentor_id=a)
        _block_ids(blocked, mentee_at, mentor_at, mentee_id=a, mentor_id=b)
    for p in mentees:
        for other in p.do_not_match:
            _block_ids(blocked, mentee_at, mentor_at, mentee_id=p.member_id, mentor_id=other)
    for p in mentors:
        for other in p.do_not_match:
            _block_ids(blocked, mentee_at, mentor_at, mentee_id=other, mentor_id=p.member_id)
    return blocked


def scores_and_parts(
    *, mentors: Sequence[Person], mentees: Sequence[Person], rules: Rules, keep_parts: bool = False
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The score matrix and, if asked, each weighted component (the "why" of a suggestion)."""
    import numpy as np  # on first use, for memory (docs/architecture.md)
    # Written for speed at 3,000 x 3,000: every full-size temporary is 72 MB and costs more in page
    # faults than in arithmetic, so components are built in place and added with `where=`.
    w = rules.weights
    n, m = len(mentees), len(mentors)
    parts: dict[str, np.ndarray] = {}
    mentee_sen = np.array([p.seniority for p in mentees], dtype=np.intp)
    mentor_sen = np.array([p.seniority for p in mentors], dtype=np.intp)

    # Seniority first, from a 5 x 5 lookup holding -inf for the wrong direction: the total starts
    # out already excluding those pairs, and adding finite components keeps them at -inf.
    table = np.asarray(SENIORITY_FIT[rules.format]) * w.seniority
    table[np.isnan(table)] = EXCLUDED
    level = np.arange(5)
    lookup = table[level[None, :] - level[:, None] + 4]  # [mentee level, mentor level]
    total = lookup[np.ix_(mentee_sen, mentor_sen)]
    if keep_parts:
        parts["seniority"] = np.where(np.isfinite(total), total, 0.0)

    wanted = np.array([len(p.skills_wanted) for p in mentees], dtype=np.float64)
    skill = _shared_counts([p.skills_wanted for p in mentees], [p.skills_offered for p in mentors])
    skill *= (w.skill_fit / np.maximum(wanted, 1.0))[:, None]
    total += skill

    for name, counts, full_at in (
        (
            "shared_interests",
            _shared_counts([p.interests for p in mentees], [p.interests for p in mentors]),
            w.interests_full_at,
        ),
        (
            "hours",
            _shared_counts([p.available_utc_hours for p in mentees], [p.available_utc_hours for p in mentors]),
            w.hours_full_at,
        ),
    ):
        np.minimum(counts, full_at, out=counts)
        counts *= getattr(w, name) / full_at
        total += counts
        if keep_parts:
            parts[name] = counts
    if keep_parts:
        parts["skill_fit"] = skill

    cross = np.zeros((n, m), dtype=bool)
    if rules.prefer_cross_functional:
        mentee_dept, mentor_dept = _codes([p.department for p in mentees], [p.department for p in mentors])
        np.not_equal(mentee_dept[:, None], mentor_dept[None, :], out=cross)
        np.add(total, w.cross_functional, out=total, where=cross)
    if keep_parts:
        parts["cross_functional"] = cross * w.cross_functional

    np.copyto(total, EXCLUDED, where=_exclusions(mentors, mentees, rules))
    return total, parts


def score_matrix(*, mentors: Sequence[Person], mentees: Sequence[Person], rules: Rules) -> np.ndarray:
    """Scores of shape (len(mentees), len(mentors)); EXCLUDED (-inf) where a pair must never be matched."""
    return scores_and_parts(mentors=mentors, mentees=mentees, rules=rules)[0]


def pair_score(*, mentor: Person, mentee: Person, rules: Rules) -> float | None:
    """The score of one pair (the same value as its score_matrix entry), or None if excluded."""
    # Going through the matrix code keeps one definition of the score and bit-identical values.
    value = float(score_matrix(mentors=[mentor], mentees=[mentee], rules=rules)[0, 0])
    return None if value == EXCLUDED else value
