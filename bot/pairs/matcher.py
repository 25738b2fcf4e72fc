"""Mentor–mentee matching: optimal assignment, shortlists with reasons, and greedy/random baselines.

Scoring lives in bot/pairs/scoring.py (re-exported here); see Weights and SENIORITY_FIT there for
what a score is made of and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from bot.pairs.scoring import (
    EXCLUDED,
    FORMATS,
    PARTS,
    SENIORITY_FIT,
    Person,
    Rules,
    Weights,
    pair_score,
    score_matrix,
    scores_and_parts,
)

if TYPE_CHECKING:  # numpy loads on first use: a server that never pairs does not hold it
    import numpy as np

__all__ = [
    "EXCLUDED",
    "FORMATS",
    "SENIORITY_FIT",
    "Pair",
    "Person",
    "Reason",
    "Rules",
    "Suggestion",
    "Weights",
    "greedy_match",
    "match",
    "pair_score",
    "random_match",
    "score_matrix",
    "shortlist",
]

Pair = tuple[int, int, float]  # (mentee_id, mentor_id, score)

# Added to every feasible pair inside the solver only, so that a feasible pair scoring exactly 0 is
# still preferred over leaving the mentee unmatched. It can move the reported optimum by at most
# (pairs x 1e-9), far below any difference a person would notice.
_TIE_BONUS = 1e-9


@dataclass(frozen=True)
class Reason:
    """Structured so the caller can localise the one-line "why"."""

    code: str  # strongest weighted component (a PARTS name), or "none" when every component is 0
    skills: tuple[str, ...]  # matched skills (mentor offers ∩ mentee wants), sorted
    interests: tuple[str, ...]  # shared interests, sorted
    shared_hours: int


@dataclass(frozen=True)
class Suggestion:
    mentor_id: int
    score: float
    reason: Reason


def _scores(
    scores: np.ndarray | None, mentors: Sequence[Person], mentees: Sequence[Person], rules: Rules
) -> np.ndarray:
    # Callers that already hold the matrix (the bench, a shortlist-then-match flow) pass it in.
    if scores is None:
        return score_matrix(mentors=mentors, mentees=mentees, rules=rules)
    if scores.shape != (len(mentees), len(mentors)):
        raise ValueError(f"scores has shape {scores.shape}, expected {(len(mentees), len(mentors))}")
    return scores


def _pairs(
    chosen: Sequence[tuple[int, int]], scores: np.ndarray, mentors: Sequence[Person], mentees: Sequence[Person]
) -> list[Pair]:
    # One stable output order for every matcher: by the mentee's position in the input.
    return [(mentees[i].member_id, mentors[j].member_id, float(scores[i, j])) for i, j in sorted(chosen)]


def match(
    *, mentors: Sequence[Person], mentees: Sequence[Person], rules: Rules, scores: np.ndarray | None = None
) -> list[Pair]:
    """Pairs maximising the total score; each mentor takes at most `capacity` mentees.

    Excluded pairs are never matched; a mentee with no feasible mentor (or none left) stays unmatched.
    """
    import numpy as np  # on first use, for memory (docs/architecture.md)
    s = _scores(scores, mentors, mentees, rules)
    feasible = np.isfinite(s)
    rows = np.flatnonzero(feasible.any(axis=1))
    capacity = np.array([p.capacity for p in mentors], dtype=np.int64)
    cols = np.flatnonzero(feasible.any(axis=0) & (capacity > 0))
    if rows.size == 0 or cols.size == 0:
        return []
    # A mentor becomes one column per seat; more seats than candidate mentees would only grow the problem.
    slot_mentor = np.repeat(cols, np.minimum(capacity[cols], rows.size))
    sub = s[np.ix_(rows, slot_mentor)]
    # Excluded cells count as 0 = "unmatched"; feasible scores are >= 0, so the solver never prefers
    # an excluded cell to a feasible one and any excluded cell it picks is simply dropped below.
    sub_feasible = np.isfinite(sub)
    solver = np.where(sub_feasible, sub + _TIE_BONUS, 0.0)
    # scipy costs ~55 MB resident: imported on the first match, so a server that never pairs never holds it
    # (docs/architecture.md, "lazy imports"). Not to dodge an import cycle.
    from scipy.optimize import linear_sum_assignment

    r, c = linear_sum_assignment(solver, maximize=True)
    keep = sub_feasible[r, c]
    chosen = list(zip(rows[r[keep]].tolist(), slot_mentor[c[keep]].tolist(), strict=True))
    return _pairs(chosen, s, mentors, mentees)


def greedy_match(
    *, mentors: Sequence[Person], mentees: Sequence[Person], rules: Rules, scores: np.ndarray | None = None
) -> list[Pair]:
    """Baseline: take feasible pairs from the best score down while both sides are still free."""
    import numpy as np  # on first use, for memory (docs/architecture.md)
    s = _scores(scores, mentors, mentees, rules)
    n, m = s.shape
    flat = s.ravel()
    edges = np.flatnonzero(np.isfinite(flat))
    edges = edges[np.argsort(-flat[edges], kind="stable")]
    remaining = np.array([p.capacity for p in mentors], dtype=np.int64)
    matched = np.zeros(n, dtype=bool)
    chosen: list[tuple[int, int]] = []
    # Walk the sorted edges in chunks, dropping already-dead edges with numpy first: the tail of a
    # 9-million-edge list is almost all dead, and a pure Python walk over it takes seconds.
    for start in range(0, edges.size, 1 << 16):
        chunk = edges[start : start + (1 << 16)]
        i_all, j_all = np.divmod(chunk, m)
        alive = ~matched[i_all] & (remaining[j_all] > 0)
        for i, j in zip(i_all[alive].tolist(), j_all[alive].tolist(), strict=True):
            if not matched[i] and remaining[j] > 0:
                matched[i] = True
                remaining[j] -= 1
                chosen.append((i, j))
        if matched.all() or not remaining.any():
            break
    return _pairs(chosen, s, mentors, mentees)


def random_match(
    *,
    mentors: Sequence[Person],
    mentees: Sequence[Person],
    rules: Rules,
    seed: int = 0,
    scores: np.ndarray | None = None,
) -> list[Pair]:
    """Baseline: mentees in random order each take a random feasible mentor with a free seat."""
    import numpy as np  # on first use, for memory (docs/architecture.md)
    s = _scores(scores, mentors, mentees, rules)
    rng = np.random.default_rng(seed)
    feasible = np.isfinite(s)
    remaining = np.array([p.capacity for p in mentors], dtype=np.int64)
    chosen: list[tuple[int, int]] = []
    for i in rng.permutation(len(mentees)).tolist():
        options = np.flatnonzero(feasible[i] & (remaining > 0))
        if options.size:
            j = int(rng.choice(options))
            remaining[j] -= 1
            chosen.append((i, j))
    return _pairs(chosen, s, mentors, mentees)


def _reason(mentor: Person, mentee: Person, parts: Mapping[str, float]) -> Reason:
    # max() keeps the first of equal values, so ties go to the earlier PARTS entry (skills first).
    code = max(PARTS, key=lambda name: parts[name])
    return Reason(
        code=code if parts[code] > 0 else "none",
        skills=tuple(sorted(mentor.skills_offered & mentee.skills_wanted)),
        interests=tuple(sorted(mentor.interests & mentee.interests)),
        shared_hours=len(mentor.available_utc_hours & mentee.available_utc_hours),
    )


def shortlist(
    *,
    mentee: Person,
    mentors: Sequence[Person],
    rules: Rules,
    taken: Mapping[int, int] = MappingProxyType({}),
    size: int = 3,
    exclude: frozenset[int] = frozenset(),
) -> list[Suggestion]:
    """The best `size` feasible mentors with a free seat, best first, each with the reason why.

    `taken` maps mentor_id to the mentees they have now; `exclude` holds mentor ids this mentee
    must not be offered again (declined, timed out, ended before). Ties go to the lower mentor_id
    so the same inputs always give the same shortlist.
    """
    if size < 0:
        raise ValueError("size must be >= 0")
    if size == 0 or not mentors:
        return []
    total, parts = scores_and_parts(mentors=mentors, mentees=[mentee], rules=rules, keep_parts=True)
    row = total[0]
    candidates = [
        j
        for j, p in enumerate(mentors)
        if row[j] != EXCLUDED and p.member_id not in exclude and p.capacity - taken.get(p.member_id, 0) > 0
    ]
    candidates.sort(key=lambda j: (-row[j], mentors[j].member_id))
    return [
        Suggestion(
            mentor_id=mentors[j].member_id,
            score=float(row[j]),
            reason=_reason(mentors[j], mentee, {name: float(parts[name][0, j]) for name in PARTS}),
        )
        for j in candidates[:size]
    ]
