"""Where a member who arrives in a running program fits: a circle with room, of a theme they voted for, meeting
inside their working hours. Plain values in and out, like formation; intake.py loads them and acts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.circles.formation import rank_of

_RANK_CODES = ("first_choice", "second_choice", "third_choice")


@dataclass(frozen=True)
class Opening:
    """An active circle as a newcomer sees it."""

    circle_id: int
    theme_id: int | None
    size: int  # active members now
    shared: frozenset[int]  # UTC hours every active member works on the meeting day
    departments: frozenset[str]
    members: frozenset[int] = frozenset()  # member ids inside
    meeting_hour: int | None = None  # UTC hour of the circle's next session on its own timetable (None: the program's)


@dataclass(frozen=True)
class Fit:
    opening: Opening
    code: str  # formation's Why codes: first_choice ... later_choice, no_preference, themes_dropped
    rank: int | None
    shared_hours: int  # the circle's shared hours once the newcomer is in


@dataclass(frozen=True)
class Newcomer:
    theme_prefs: tuple[int, ...]  # ranked theme ids they voted for
    hours: frozenset[int]  # UTC hours they work on the meeting day
    department: str
    apart_from: frozenset[int] = frozenset()  # member ids the org data keeps them apart from (manager, team)


def best_fits(newcomer: Newcomer, openings: Sequence[Opening], *, size_max: int,
              meeting_hour: int) -> tuple[list[Fit], str]:
    """Circles the newcomer fits, best first (a circle without anyone the org data keeps them apart from, then
    their highest-ranked theme, then the most hours shared with the circle, then the smallest circle), and, when
    none fits, why: "full" (no circle has room), "hours" (the circles meet outside their working hours) or
    "theme" (the circles with room are not of a theme they chose). Each circle meets at its own hour
    (`Opening.meeting_hour`, else the program's `meeting_hour`).

    Themes they voted for that have no circle at all do not count: like formation, a member whose themes all
    dropped goes where there is room."""
    room = [o for o in openings if o.size < size_max]
    if not room:
        return [], "full"
    room = [o for o in room if (meeting_hour if o.meeting_hour is None else o.meeting_hour) in newcomer.hours]
    if not room:
        return [], "hours"
    running = {o.theme_id for o in openings}
    wanted = tuple(t for t in newcomer.theme_prefs if t in running)
    fits = []
    for opening in room:
        rank = rank_of(wanted, opening.theme_id)
        if wanted and rank is None:
            continue
        fits.append(Fit(opening=opening, code=_code(newcomer, wanted, rank), rank=rank,
                        shared_hours=len(opening.shared & newcomer.hours)))
    if not fits:
        return [], "theme"
    fits.sort(key=lambda f: (bool(f.opening.members & newcomer.apart_from), f.rank or 0, -f.shared_hours,
                             f.opening.size, f.opening.circle_id))
    return fits, ""


def _code(newcomer: Newcomer, wanted: tuple[int, ...], rank: int | None) -> str:
    if not newcomer.theme_prefs:
        return "no_preference"
    if not wanted or rank is None:
        return "themes_dropped"
    return rank_code(rank)


def rank_code(rank: int) -> str:
    """Formation's words for the rank of the theme a member got among the themes they voted for."""
    return _RANK_CODES[rank - 1] if rank <= len(_RANK_CODES) else "later_choice"


def why_of(fit: Fit, newcomer: Newcomer) -> dict[str, object]:
    """What CircleMember.why records, as formation does, so the circle's welcome and DMs explain it alike."""
    return {"code": fit.code, "rank": fit.rank, "mixed_departments": len(fit.opening.departments
                                                                         | {newcomer.department}),
            "shared_hours": fit.shared_hours, "late": True}
