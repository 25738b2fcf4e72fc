"""Circle formation: members to themes by preference (a min-cost flow), then themes to mixed circles."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.circles.formation.roster import Roster, hours_mask, shared_mask, time_key
from bot.circles.formation.split import split_theme
from bot.sessions.theme_plan import Bounds, plan_themes, quarters, step_seed

_RANK_CODES = ("first_choice", "second_choice", "third_choice")


@dataclass(frozen=True)
class Candidate:
    member_id: int
    theme_prefs: tuple[int, ...]  # ranked theme ids, most wanted first; may be empty (no preference)
    department: str
    seniority: int  # 0 = junior ... 4 = executive
    available_utc_hours: frozenset[int]  # UTC hours (0-23) this member works on the meeting day


@dataclass(frozen=True)
class Sizes:
    min: int
    target: int
    max: int


@dataclass(frozen=True)
class Why:
    # first_choice, second_choice, third_choice, later_choice (4th or later), no_preference,
    # theme_full (a ranked theme ran but had no room), themes_dropped (none of the ranked themes ran)
    code: str
    rank: int | None  # 1-based rank of the theme in the member's prefs, None if not in prefs
    mixed_departments: int  # number of distinct departments in the circle
    shared_hours: int  # UTC hours the whole circle shares


@dataclass(frozen=True)
class FormedCircle:
    theme_id: int
    member_ids: tuple[int, ...]  # sorted


@dataclass(frozen=True)
class Unplaced:
    member_id: int
    # too_few_members (fewer than sizes.min in all), no_room (the remainder no split into circles can
    # hold; the last in input order wait), no_theme (no theme offered)
    code: str


@dataclass(frozen=True)
class FormationResult:
    circles: tuple[FormedCircle, ...]
    why: dict[int, Why]  # member_id -> why, for every placed member
    unplaced: tuple[Unplaced, ...]


@dataclass(frozen=True)
class ThemeAssignment:
    theme_of: dict[int, int]  # member_id -> theme_id, for every placed member
    circles_per_theme: dict[int, int]  # theme_id -> circles planned (capacity k*min..k*max); open themes
    unplaced: tuple[Unplaced, ...]


def rank_of(prefs: Sequence[int], theme_id: int | None) -> int | None:
    for i, t in enumerate(prefs):
        if t == theme_id:
            return i + 1
    return None


def rank_score(rank: int | None) -> float:
    """Satisfaction in the theme a member ranked `rank`: 1, 0.75, 0.5, then 0.25; unranked 0."""
    return quarters(rank) / 4


def theme_satisfaction(*, candidates: Sequence[Candidate], theme_of: Mapping[int, int]) -> float:
    """Mean rank_score over members who stated preferences; unplaced ones count 0, no-preference ones skip."""
    scores = [
        rank_score(rank_of(c.theme_prefs, theme_of.get(c.member_id))) for c in candidates if c.theme_prefs
    ]
    return sum(scores) / len(scores) if scores else 1.0


def preference_satisfaction(*, candidates: Sequence[Candidate], result: FormationResult) -> float:
    """1.0 = everyone with preferences got their first choice; 2nd 0.75, 3rd 0.5, later 0.25, other 0."""
    theme_of = {m: c.theme_id for c in result.circles for m in c.member_ids}
    return theme_satisfaction(candidates=candidates, theme_of=theme_of)


def _validate(candidates: Sequence[Candidate], sizes: Sizes, min_shared_hours: int) -> None:
    if not 1 <= sizes.min <= sizes.target <= sizes.max:
        raise ValueError(f"sizes must satisfy 1 <= min <= target <= max, got {sizes}")
    if not 0 <= min_shared_hours <= 24:
        raise ValueError("min_shared_hours must be between 0 and 24")
    ids = [c.member_id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate member_id among candidates")
    if any(h < 0 or h > 23 for c in candidates for h in c.available_utc_hours):
        raise ValueError("available_utc_hours must be within 0..23")


def assign_themes(
    *, candidates: Sequence[Candidate], theme_ids: Sequence[int], sizes: Sizes, seed: int = 0
) -> ThemeAssignment:
    """Choose circles per theme from demand, then solve the member-to-theme flow exactly for those counts
    (bot/sessions/theme_plan: the rule the enrollment-close announcement uses too)."""
    _validate(candidates, sizes, 0)
    bounds = Bounds(sizes.min, sizes.target, sizes.max)
    plan = plan_themes(prefs=[c.theme_prefs for c in candidates], theme_ids=theme_ids, bounds=bounds, seed=seed)
    if plan.placed == 0:
        code = "no_theme" if not theme_ids else "too_few_members"
        return ThemeAssignment({}, {}, tuple(Unplaced(c.member_id, code) for c in candidates))
    # Input order is the waiting list: when the count cannot be split into circles, the last ones wait.
    placed, waiting = candidates[:plan.placed], candidates[plan.placed:]
    theme_of = {c.member_id: t for c, t in zip(placed, plan.theme_of, strict=True)}
    return ThemeAssignment(theme_of, plan.circles, tuple(Unplaced(c.member_id, "no_room") for c in waiting))


def form_circles(
    *,
    candidates: Sequence[Candidate],
    theme_ids: Sequence[int],
    sizes: Sizes,
    recent_pairs: frozenset[frozenset[int]] = frozenset(),
    seed: int = 0,
    min_shared_hours: int = 2,
) -> FormationResult:
    """Place every member once: themes by preference, then circles mixing departments with shared hours.

    1. assign_themes: circles per theme from demand, members to themes by an exact min-cost flow.
    2. per theme: group members around a meeting slot of min_shared_hours consecutive UTC hours, deal
       each group round-robin by department and seniority avoiding recent pairs, then a bounded swap
       search for circles still short of hours or holding a recent pair. Where hours cannot be shared
       the circle is formed anyway and Why.shared_hours says so.
    Deterministic for a given input and seed (random.Random(seed) only).
    """
    _validate(candidates, sizes, min_shared_hours)
    rng = random.Random(seed)
    rng.getrandbits(32)  # the theme step's draw (step_seed), so the circles' draws below stay as they were
    assignment = assign_themes(candidates=candidates, theme_ids=theme_ids, sizes=sizes, seed=step_seed(seed))
    roster = _roster(candidates, recent_pairs, rng)
    position = {c.member_id: i for i, c in enumerate(candidates)}
    by_theme: dict[int, list[int]] = defaultdict(list)
    for member_id, t in assignment.theme_of.items():
        by_theme[t].append(position[member_id])
    circles: list[FormedCircle] = []
    why: dict[int, Why] = {}
    for t in sorted(by_theme):
        members = sorted(by_theme[t])
        split = split_theme(
            members,
            roster=roster,
            min_size=sizes.min,
            target=sizes.target,
            max_size=sizes.max,
            min_shared_hours=min_shared_hours,
            rng=rng,
        )
        for circle in split:
            circles.append(FormedCircle(t, tuple(sorted(candidates[i].member_id for i in circle))))
            mixed = len({roster.dept[i] for i in circle})
            shared = shared_mask(circle, roster).bit_count()
            for i in circle:
                why[candidates[i].member_id] = Why(
                    _why_code(candidates[i], t, assignment),
                    rank_of(candidates[i].theme_prefs, t),
                    mixed,
                    shared,
                )
    circles.sort(key=lambda c: (c.theme_id, c.member_ids))
    unplaced = tuple(sorted(assignment.unplaced, key=lambda u: u.member_id))
    return FormationResult(tuple(circles), why, unplaced)


def _why_code(c: Candidate, theme_id: int, assignment: ThemeAssignment) -> str:
    if not c.theme_prefs:
        return "no_preference"
    rank = rank_of(c.theme_prefs, theme_id)
    if rank is None:
        open_wanted = any(t in assignment.circles_per_theme for t in c.theme_prefs)
        return "theme_full" if open_wanted else "themes_dropped"
    return _RANK_CODES[rank - 1] if rank <= len(_RANK_CODES) else "later_choice"


def _roster(
    candidates: Sequence[Candidate], recent_pairs: frozenset[frozenset[int]], rng: random.Random
) -> Roster:
    position = {c.member_id: i for i, c in enumerate(candidates)}
    dept_code: dict[str, int] = {}
    partners: dict[int, set[int]] = defaultdict(set)
    for pair in recent_pairs:
        if len(pair) != 2:
            continue
        a, b = (position.get(m) for m in pair)
        if a is not None and b is not None:
            partners[a].add(b)
            partners[b].add(a)
    key_cache: dict[frozenset[int], float] = {}
    for c in candidates:
        if c.available_utc_hours not in key_cache:
            key_cache[c.available_utc_hours] = time_key(c.available_utc_hours)
    return Roster(
        dept=[dept_code.setdefault(c.department, len(dept_code)) for c in candidates],
        seniority=[c.seniority for c in candidates],
        mask=[hours_mask(c.available_utc_hours) for c in candidates],
        partners={m: frozenset(p) for m, p in partners.items()},
        time_key=[key_cache[c.available_utc_hours] for c in candidates],
        tiebreak=[rng.random() for _ in candidates],
    )
