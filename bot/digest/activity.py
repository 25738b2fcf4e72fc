"""What circles did, read from the running-circles tables (session logs, check-ins): the one place that knows them.

The digest, the chart and the export take every session and check-in figure from here, so a change
in how sessions or check-ins are stored is a change to this module only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.kernel.calendar import first_meeting_day, group_timetable, session_count, session_time
from bot.kernel.timetable import Timetable
from bot.sessions.timing import checkin_closes, checkin_due, session_day
from storage.tables import CheckIn, Circle, ModeratorMode, Program, SessionLog
from storage.uow import UnitOfWork


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


def program_week(program: Program, table: Timetable, index: int) -> int:
    """The program week (0-based, counted from its first meeting day) a group's session falls in, by the session's
    day where it is held: a circle meeting on Friday when the program meets on Wednesday is in that Wednesday's
    week. For the program's own slot this is index x cadence, as it always was."""
    return max(0, (session_day(table, index) - first_meeting_day(program)).days // 7)


def summarise(program: Program, circles: Sequence[CircleRecords], *, sizes: dict[int, int], since: datetime,
              until: datetime) -> Activity:
    """Figures for the sessions scheduled in [since, until), each circle by its own timetable; `sizes`: each
    circle's members who can take part."""
    met = attendees = seats = checkins = expected = 0
    last: dict[int, datetime] = {}
    by_week: dict[int, int] = {}
    for run in circles:
        circle_id = run.circle.id or 0
        table = group_timetable(program, run.circle)
        in_window = {i for i in range(session_count(table)) if since <= session_time(table, i) < until}
        size = sizes.get(circle_id, 0)
        logged = [log for log in run.logs if log.session_index in in_window]
        if logged or any(c.attended for c in run.checkins if c.session_index in in_window):
            met += 1  # as the chart counts it: an unlogged session members say they attended was held
        for log in logged:
            attendees += len(log.attendee_member_ids)
            seats += max(size, len(log.attendee_member_ids))  # a paused member who came anyway still counts
        for log in run.logs:
            moment = session_time(table, log.session_index)
            last[circle_id] = max(last.get(circle_id, moment), moment)
            week = program_week(program, table, log.session_index)
            by_week[week] = by_week.get(week, 0) + len(log.attendee_member_ids)
        expected += size * len(in_window)
        checkins += sum(1 for c in run.checkins if c.session_index in in_window)
    return Activity(
        circles_met=met,
        attendance_rate=round(attendees / seats, 3) if seats else None,
        checkin_rate=round(min(1.0, checkins / expected), 3) if expected else None,
        last_session=last,
        attended_by_week=by_week,
    )


def held(table: Timetable, until: datetime) -> list[int]:
    """A group's sessions over by `until` (a check-in is due once one is over)."""
    return [i for i in range(session_count(table)) if checkin_due(table, i) <= until]


def circle_weeks(program: Program, circles: Sequence[CircleRecords], *, sizes: dict[int, int],
                 until: datetime) -> dict[int, WeekRates]:
    """Program week -> rates, from every circle's sessions held by `until`. A session nobody logged still met when a
    member checked in saying they attended: unlogged sessions are not people dropping out."""
    weeks: dict[int, WeekRates] = {}
    for run in circles:
        table = group_timetable(program, run.circle)
        size = sizes.get(run.circle.id or 0, 0)
        logs = {log.session_index: log for log in run.logs}
        by_session: dict[int, list[CheckIn]] = {}  # grouped once: a year of check-ins per session was quadratic
        for checkin in run.checkins:
            by_session.setdefault(checkin.session_index, []).append(checkin)
        for index in held(table, until):
            answers = by_session.get(index, [])
            log = logs.get(index)
            met = log is not None or any(c.attended for c in answers)
            closed = checkin_closes(table, index) <= until
            if not (met or closed):  # just over, nothing in yet, check-ins still open: not yet a zero
                continue
            week = weeks.setdefault(program_week(program, table, index), WeekRates())
            week.sessions += 1
            week.met += met
            if log is not None:
                week.logged += 1
                week.attendees += len(log.attendee_member_ids)
                week.seats += max(size, len(log.attendee_member_ids))
            if closed:  # a rate over answers still coming in would read as people not answering
                week.checkins += len(answers)
                week.expected += max(size, len(answers))
    return weeks


def circle_attention(program: Program, circles: Sequence[CircleRecords], *, members: dict[int, list[int]],
                     until: datetime) -> tuple[Attention, ...]:
    """Circles that have not met for their latest two sessions, whose check-ins stopped, or with no moderator where
    the program has one (none, or one who is no longer in the circle)."""
    flagged = []
    for run in circles:
        recent = set(held(group_timetable(program, run.circle), until)[-RECENT:])
        met = {log.session_index for log in run.logs} | {c.session_index for c in run.checkins if c.attended}
        answered = {c.session_index for c in run.checkins}
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
