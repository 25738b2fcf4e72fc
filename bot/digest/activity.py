"""What circles did, read from the running-circles tables (session logs, check-ins): the one place that knows them.

The digest, the chart and the export take every session and check-in figure from here, so a change
in how sessions or check-ins are stored is a change to this module only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import TypeVar

from bot.kernel.calendar import first_meeting_day, group_timetable, session_count, session_time
from bot.kernel.timetable import Timetable
from bot.sessions.timing import checkin_closes, checkin_due, session_day
from storage.tables import CheckIn, Circle, ModeratorMode, Program, SessionLog
from storage.uow import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Activity:
    circles_met: int = 0  # circles that met at a session scheduled in the window: logged, or a check-in says attended
    attendance_rate: float | None = None  # attendees / members able to come (not paused), over logged sessions
    checkin_rate: float | None = None  # check-ins received / expected, for the sessions in the window
    last_session: dict[int, datetime] = field(default_factory=dict)  # circle id -> latest logged session
    attended_by_week: dict[int, int] = field(default_factory=dict)  # program week (0-based) -> attendees


@dataclass
class WeekRates:
    """One program week of the charts, over the sessions (and pair meetings) that were over, each group's by its own
    timetable. Rates, not counts: a week without any session log is "not logged", never zero attendance."""

    sessions: int = 0  # circle sessions held that week
    met: int = 0  # of those, the ones that happened: logged, or a member checked in as having attended
    logged: int = 0  # of those, the ones a moderator logged
    attendees: int = 0  # over logged sessions
    seats: int = 0  # members able to come, over logged sessions
    checkins: int = 0  # circle and pair check-ins answered
    expected: int = 0  # circle and pair check-ins asked
    meetings: int = 0  # pair meetings held that week
    pairs_met: int = 0  # of those, the ones either side said they met at

    @property
    def met_rate(self) -> float | None:
        return self.met / self.sessions if self.sessions else None

    @property
    def attendance_rate(self) -> float | None:
        return min(1.0, self.attendees / self.seats) if self.seats else None

    @property
    def not_logged(self) -> bool:
        return self.sessions > 0 and self.logged == 0

    @property
    def checkin_rate(self) -> float | None:
        return min(1.0, self.checkins / self.expected) if self.expected else None

    @property
    def pairs_met_rate(self) -> float | None:
        return self.pairs_met / self.meetings if self.meetings else None


@dataclass(frozen=True)
class Attention:
    """A circle or pair an admin should look at, and why ("not_met", "checkins_stopped", "no_moderator")."""

    name: str  # a circle's; "" for a pair, which the digest names by its number only
    reasons: tuple[str, ...]
    pair_id: int | None = None


RECENT = 2  # "has not met for two sessions": the latest two held


@dataclass(frozen=True)
class CircleRecords:
    circle: Circle
    logs: list[SessionLog]
    checkins: list[CheckIn]


async def records(uow: UnitOfWork, circles: Sequence[Circle]) -> list[CircleRecords]:
    logs, checkins = await uow.running.records_of_circles(circle_ids=[c.id or 0 for c in circles])
    return [CircleRecords(c, logs.get(c.id or 0, []), checkins.get(c.id or 0, [])) for c in circles]


@dataclass(frozen=True)
class CircleTally:
    """One circle's sessions as the digest counts them: no names, no answers, only how many (issue 18: the digest
    read every check-in as an object; the database counts them now)."""

    circle: Circle
    table: Timetable  # the circle's own, computed once
    attendees: dict[int, int]  # logged session -> attendees logged, sessions in order
    answers: dict[int, int]  # session -> check-ins answered
    attended: frozenset[int]  # sessions a check-in says the member attended


async def tallies(uow: UnitOfWork, program: Program, circles: Sequence[Circle]) -> list[CircleTally]:
    ids = [c.id or 0 for c in circles]
    logs = await uow.digest_reads.session_attendees(circle_ids=ids)
    answers, attended = await uow.digest_reads.checkin_counts(circle_ids=ids)
    base = group_timetable(program, None)  # one object for every circle on the program's slot (_per_table)
    return [CircleTally(circle, group_timetable(program, circle) if circle.schedule else base,
                        logs.get(circle.id or 0, {}),
                        answers.get(circle.id or 0, {}), frozenset(attended.get(circle.id or 0, ())))
            for circle in circles]


def tally_of(program: Program, run: CircleRecords) -> CircleTally:
    """The tally of records already read (the dashboard's circle health reads each circle's check-ins anyway)."""
    answers: dict[int, int] = {}
    for checkin in sorted(run.checkins, key=lambda c: c.session_index):
        answers[checkin.session_index] = answers.get(checkin.session_index, 0) + 1
    return CircleTally(run.circle, group_timetable(program, run.circle),
                       {log.session_index: len(log.attendee_member_ids)
                        for log in sorted(run.logs, key=lambda x: x.session_index)},
                       answers, frozenset(c.session_index for c in run.checkins if c.attended))


@dataclass(frozen=True)
class SessionAt:
    """One session of a timetable with the moments the digest compares: computed once per distinct timetable."""

    index: int
    time: datetime
    due: datetime  # its check-in is asked (the session is over)
    closes: datetime  # its check-in closes
    day: date  # where it is held


def _session_at(table: Timetable, index: int) -> SessionAt:
    return SessionAt(index, session_time(table, index), checkin_due(table, index), checkin_closes(table, index),
                     session_day(table, index))


@lru_cache(maxsize=1024)
def sessions_of(table: Timetable) -> tuple[SessionAt, ...]:
    """Every session of the timetable. Circles mostly share a few timetables (frozen values): a digest over
    thousands of circles computed the same moments for each of them."""
    return tuple(_session_at(table, i) for i in range(session_count(table)))


def _at(table: Timetable, index: int) -> SessionAt:
    sessions = sessions_of(table)
    return sessions[index] if 0 <= index < len(sessions) else _session_at(table, index)


def _per_table(function: Callable[[Timetable], T]) -> Callable[[Timetable], T]:
    """`function` once per timetable object during one pass over circles (the objects stay alive in their tallies):
    hashing a Timetable, its aware datetimes, for a cache per circle cost more than what the cache saved."""
    seen: dict[int, T] = {}

    def of(table: Timetable) -> T:
        key = id(table)
        if key not in seen:
            seen[key] = function(table)
        return seen[key]
    return of


def _week(first: date, session: SessionAt) -> int:
    return max(0, (session.day - first).days // 7)


def program_week(program: Program, table: Timetable, index: int) -> int:
    """The program week (0-based, counted from its first meeting day) a group's session falls in, by the session's
    day where it is held: a circle meeting on Friday when the program meets on Wednesday is in that Wednesday's
    week. For the program's own slot this is index x cadence, as it always was."""
    return _week(first_meeting_day(program), _at(table, index))


def summarise(program: Program, circles: Sequence[CircleTally], *, sizes: dict[int, int], since: datetime,
              until: datetime) -> Activity:
    """Figures for the sessions scheduled in [since, until), each circle by its own timetable; `sizes`: each
    circle's members who can take part."""
    met = attendees = seats = checkins = expected = 0
    last: dict[int, datetime] = {}
    by_week: dict[int, int] = {}
    first = first_meeting_day(program)
    window = _per_table(lambda table: _in_window(table, since, until))
    for run in circles:
        circle_id = run.circle.id or 0
        in_window = window(run.table)
        size = sizes.get(circle_id, 0)
        logged = [n for index, n in run.attendees.items() if index in in_window]
        if logged or in_window & run.attended:
            met += 1  # as the chart counts it: an unlogged session members say they attended was held
        for n in logged:
            attendees += n
            seats += max(size, n)  # a paused member who came anyway still counts
        for index, n in run.attendees.items():
            session = _at(run.table, index)
            last[circle_id] = max(last.get(circle_id, session.time), session.time)
            week = _week(first, session)
            by_week[week] = by_week.get(week, 0) + n
        expected += size * len(in_window)
        checkins += sum(n for index, n in run.answers.items() if index in in_window)
    return Activity(
        circles_met=met,
        attendance_rate=round(attendees / seats, 3) if seats else None,
        checkin_rate=round(min(1.0, checkins / expected), 3) if expected else None,
        last_session=last,
        attended_by_week=by_week,
    )


@lru_cache(maxsize=2048)
def held_sessions(table: Timetable, until: datetime) -> tuple[SessionAt, ...]:
    """Cached: circles share a few timetables and the digest asks for every circle, and each comparison of aware
    datetimes in different zones calls utcoffset (3,334 scans were ~40% of a 10,000-member program's figures)."""
    return tuple(s for s in sessions_of(table) if s.due <= until)


def held(table: Timetable, until: datetime) -> list[int]:
    """A group's sessions over by `until` (a check-in is due once one is over)."""
    return [s.index for s in held_sessions(table, until)]


@lru_cache(maxsize=2048)
def _in_window(table: Timetable, since: datetime, until: datetime) -> frozenset[int]:
    """The sessions scheduled in [since, until), cached as held_sessions is."""
    return frozenset(s.index for s in sessions_of(table) if since <= s.time < until)


@lru_cache(maxsize=2048)
def _held_weeks(table: Timetable, first: date, until: datetime) -> tuple[tuple[int, int, bool], ...]:
    """(session, program week, check-ins closed by `until`) of each held session, cached as held_sessions is."""
    return tuple((s.index, _week(first, s), s.closes <= until) for s in held_sessions(table, until))


def circle_weeks(program: Program, circles: Sequence[CircleTally], *, sizes: dict[int, int],
                 until: datetime) -> dict[int, WeekRates]:
    """Program week -> rates, from every circle's sessions held by `until`. A session nobody logged still met when a
    member checked in saying they attended: unlogged sessions are not people dropping out."""
    weeks: dict[int, WeekRates] = {}
    first = first_meeting_day(program)
    held_weeks = _per_table(lambda table: _held_weeks(table, first, until))
    for run in circles:
        size = sizes.get(run.circle.id or 0, 0)
        for index, number, closed in held_weeks(run.table):
            answers = run.answers.get(index, 0)
            logged = run.attendees.get(index)
            met = logged is not None or index in run.attended
            if not (met or closed):  # just over, nothing in yet, check-ins still open: not yet a zero
                continue
            week = weeks.get(number)
            if week is None:
                week = weeks[number] = WeekRates()
            week.sessions += 1
            week.met += met
            if logged is not None:
                week.logged += 1
                week.attendees += logged
                week.seats += max(size, logged)
            if closed:  # a rate over answers still coming in would read as people not answering
                week.checkins += answers
                week.expected += max(size, answers)
    return weeks


def circle_attention(program: Program, circles: Sequence[CircleTally], *, members: dict[int, list[int]],
                     until: datetime) -> tuple[Attention, ...]:
    """Circles that have not met for their latest two sessions, whose check-ins stopped, or with no moderator where
    the program has one (none, or one who is no longer in the circle)."""
    flagged = []
    latest = _per_table(lambda table: set(held(table, until)[-RECENT:]))
    for run in circles:
        recent = latest(run.table)
        met = set(run.attendees) | run.attended
        answered = set(run.answers)
        reasons = []
        if len(recent) == RECENT and not met & recent:
            reasons.append("not_met")
        if len(recent) == RECENT and answered and not answered & recent:
            reasons.append("checkins_stopped")
        moderator = run.circle.moderator_member_id
        if program.moderator_mode != ModeratorMode.NONE and (moderator is None
                                                 or moderator not in members.get(run.circle.id or 0, [])):
            reasons.append("no_moderator")
        if reasons:
            flagged.append(Attention(run.circle.name, tuple(reasons)))
    return tuple(flagged)


SESSION_HEADER = ("circle_id", "circle", "session", "scheduled_at", "attendees", "attendee_names", "outcomes")
CHECKIN_HEADER = ("circle_id", "circle", "session", "member", "attended", "usefulness", "progress")


def session_rows(program: Program, circles: Sequence[CircleRecords], names: dict[int, str]) -> list[list[object]]:
    rows: list[list[object]] = []
    for run in circles:
        table = group_timetable(program, run.circle)
        for log in sorted(run.logs, key=lambda x: x.session_index):
            rows.append([run.circle.id, run.circle.name, log.session_index + 1,
                         session_time(table, log.session_index).isoformat(), len(log.attendee_member_ids),
                         "; ".join(names.get(m, str(m)) for m in log.attendee_member_ids), log.outcomes])
    return rows


def checkin_rows(circles: Sequence[CircleRecords], names: dict[int, str]) -> list[list[object]]:
    rows: list[list[object]] = []
    for run in circles:
        for checkin in sorted(run.checkins, key=lambda x: (x.session_index, x.member_id)):
            rows.append([run.circle.id, run.circle.name, checkin.session_index + 1,
                         names.get(checkin.member_id, str(checkin.member_id)), checkin.attended,
                         checkin.usefulness, checkin.progress])
    return rows
