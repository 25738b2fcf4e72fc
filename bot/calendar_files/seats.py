"""Who sits in which circle or pair, and the invite each of them gets: the same for the planner and `calendar`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import NamedTuple, Protocol

from bot.kernel.i18n import Translator, format_moment
from bot.sessions.invites import Invite, Series, schedule_print, series_of
from bot.sessions.timing import zone
from storage.tables import (
    Circle,
    CircleStatus,
    Member,
    Pair,
    PairStatus,
    Program,
    ProgramFormat,
)
from storage.uow import UnitOfWork

PREFIX = "ics"  # planner keys: "ics:{program}:{group tag}:{member}:{sequence}:{fingerprint}"
CANCELLED = "cancel"  # the fingerprint of a whole-series cancellation (they left, or moved)
ENDED = "end"  # the fingerprint of the cancellation of the sessions an early end took away


class Person(Protocol):
    """Who a seat is for, or is with: a Member, or the columns of one (storage/repositories/seat_reads)."""

    @property
    def id(self) -> int | None: ...
    @property
    def external_id(self) -> str: ...
    @property
    def locale(self) -> str | None: ...
    @property
    def timezone(self) -> str: ...
    @property
    def reachable(self) -> bool: ...
    @property
    def erased(self) -> bool: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Seat:
    """One member's place in one circle or pair of a program."""

    program: Program
    member: Person
    tag: str  # "c{circle id}" or "p{pair id}": the group in keys and UIDs
    name: str  # the circle's name; for a pair, the partner's name
    other_key: str  # i18n key of the line naming the moderator or partner
    other: str  # the moderator's or partner's name; "" when the circle has no moderator yet
    since: datetime  # their sessions are the ones after this: placed in the circle, pair formed
    series: Series

    @cached_property
    def sessions(self) -> list[datetime]:
        return self.series.held_after(self.since)

    @property
    def uid(self) -> str:
        return f"lingkar-{self.program.workspace_id}-{self.program.id}-{self.tag}-{self.member.id}@lingkar"

    @property
    def print(self) -> str:
        return schedule_print(self.series, self.sessions, name=self.name, location=self.program.video_link)

    def key_prefix(self) -> str:
        return f"{PREFIX}:{self.program.id}:{self.tag}:{self.member.id}:"


class Sent(NamedTuple):
    sequence: int
    print: str


def history(keys: Sequence[str]) -> dict[tuple[str, int], Sent]:
    """The latest invite planned per (group tag, member), read back from the planner's idempotency keys."""
    latest: dict[tuple[str, int], Sent] = {}
    for key in keys:
        parts = key.split(":")
        if len(parts) != 6 or parts[0] != PREFIX or not parts[3].isdigit() or not parts[4].isdigit():
            continue
        seat, sent = (parts[2], int(parts[3])), Sent(int(parts[4]), parts[5])
        if seat not in latest or sent.sequence > latest[seat].sequence:
            latest[seat] = sent
    return latest


def sent_key(program_id: int | None, tag: str, member_id: int | None, sent: Sent) -> str:
    return f"{PREFIX}:{program_id}:{tag}:{member_id}:{sent.sequence}:{sent.print}"


async def program_seats(uow: UnitOfWork, program: Program) -> list[Seat]:
    """Everyone placed in an active circle or pair of the program whose enrollment is active, reachable or not."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    # Placements, enrollments and people as plain columns: the planner reads every seat of every running program on
    # every tick (issue 18), and only the few whose invite changed are sent one.
    active = await uow.seat_reads.enrolled(workspace_id=workspace_id, program_id=program_id)
    circles = {c.id: c for c in await uow.circles.of_program(workspace_id=workspace_id, program_id=program_id)
               if c.status == CircleStatus.ACTIVE}
    places = await uow.seat_reads.places(workspace_id=workspace_id, program_id=program_id)
    pairs = [p for p in await uow.pairs.of_program(workspace_id=workspace_id, program_id=program_id)
             if p.status == PairStatus.ACTIVE]
    wanted = {m.member_id for m in places} | {p.mentor_member_id for p in pairs} | {
        p.mentee_member_id for p in pairs} | {c.moderator_member_id for c in circles.values() if c.moderator_member_id}
    people: dict[int | None, Person] = {card.id: card for card in await uow.seat_reads.cards(
        workspace_id=workspace_id, program_id=program_id, member_ids=sorted(wanted))}
    series = {circle_id: series_of(program, circle) for circle_id, circle in circles.items()}
    seats = [_circle_seat(program, circles[m.circle_id], people, m.member_id, m.joined_at,
                          series=series[m.circle_id]) for m in places]
    for pair in pairs:
        seats += [_pair_seat(program, pair, people, who) for who in (pair.mentor_member_id, pair.mentee_member_id)
                  if who in active]
    return [seat for seat in seats if seat is not None]


async def member_seats(uow: UnitOfWork, member: Member) -> list[Seat]:
    """The member's seats in every running program."""
    seats: list[Seat] = []
    programs: dict[int, Program | None] = {}
    for membership in await uow.circles.membership_of(workspace_id=member.workspace_id, member_id=member.id or 0):
        programs.setdefault(membership.program_id, None)
    for pair in await uow.pairs.of_member(workspace_id=member.workspace_id, member_id=member.id or 0):
        programs.setdefault(pair.program_id, None)
    for program_id in programs:
        program = await uow.programs.get(workspace_id=member.workspace_id, program_id=program_id)
        if program is not None and program.state == "running":
            seats += [s for s in await program_seats(uow, program) if s.member.id == member.id]
    return seats


def _circle_seat(program: Program, circle: Circle, people: Mapping[int | None, Person], member_id: int,
                 joined: datetime, *, series: Series | None = None) -> Seat | None:
    member = people.get(member_id)
    if member is None:
        return None
    moderator = people.get(circle.moderator_member_id) if circle.moderator_member_id else None
    return Seat(program=program, member=member, tag=f"c{circle.id}", name=circle.name,
                other_key="calendar.desc_moderator", other=moderator.name if moderator else "", since=joined,
                series=series or series_of(program, circle))


def _pair_seat(program: Program, pair: Pair, people: Mapping[int | None, Person], member_id: int) -> Seat | None:
    member = people.get(member_id)
    is_mentor = member_id == pair.mentor_member_id
    partner = people.get(pair.mentee_member_id if is_mentor else pair.mentor_member_id)
    if member is None or partner is None:
        return None
    if program.format == ProgramFormat.PEER:
        line = "calendar.desc_partner"
    else:
        line = "calendar.desc_mentee" if is_mentor else "calendar.desc_mentor"
    return Seat(program=program, member=member, tag=f"p{pair.id}", name=partner.name, other_key=line,
                other=partner.name, since=pair.started_at, series=series_of(program, pair))


async def former_seat(uow: UnitOfWork, program: Program, tag: str, member_id: int) -> Seat | None:
    """The seat someone had in a group they are no longer in (left, moved, the pair ended), for its cancellation."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    members = await uow.members.many(workspace_id=workspace_id, member_ids=[member_id])
    if not members or members[0].erased:
        return None  # nobody to tell, or nothing may be sent to them any more
    start = datetime.min.replace(tzinfo=UTC)  # every session of the old series
    if tag.startswith("c"):
        circle = await uow.circles.get(workspace_id=workspace_id, circle_id=int(tag[1:]))
        return None if circle is None else _circle_seat(program, circle, {member_id: members[0]}, member_id, start)
    pairs = [p for p in await uow.pairs.of_program(workspace_id=workspace_id, program_id=program_id,
                                                   active_only=False) if f"p{p.id}" == tag]
    if not pairs:
        return None
    others = await uow.members.many(workspace_id=workspace_id, member_ids=[pairs[0].mentor_member_id,
                                                                           pairs[0].mentee_member_id])
    return _pair_seat(program, pairs[0], {m.id: m for m in others}, member_id)


def summary(seat: Seat, t: Translator) -> str:
    return seat.name if seat.tag.startswith("c") else t("calendar.pair_summary", partner=seat.name)


def description(seat: Seat, t: Translator) -> str:
    """The basics, without prompts: program, group, moderator or partner, link, cadence, how to get it again."""
    lines = [t("calendar.desc_program", program=seat.program.name)]
    if seat.tag.startswith("c"):
        lines.append(t("calendar.desc_circle", circle=seat.name))
    if seat.other:
        lines.append(t(seat.other_key, name=seat.other))
    if seat.program.video_link:
        lines.append(t("calendar.desc_link", link=seat.program.video_link))
    lines.append(_how_often(seat, t))
    lines.append(t("calendar.desc_again"))
    return "\n".join(lines)


def _how_often(seat: Seat, t: Translator) -> str:
    """How many sessions and how often; after a change of schedule, how often from when, in the member's zone."""
    sessions, series = seat.sessions, seat.series
    every = "two_weeks" if series.interval_weeks == 2 else "week"
    if series.one_rule(sessions) or not sessions:
        return t.n(f"calendar.every_{every}", len(sessions), count=len(sessions))
    since = next(s for s in sessions if series.slot(s).stretch == series.slot(sessions[-1]).stretch)
    reader = zone(seat.member.timezone, fallback=series.slot(since).zone).key
    return t.n(f"calendar.changed_every_{every}", len(sessions), count=len(sessions),
             when=format_moment(since, timezone=reader, locale=t.locale))


def request(seat: Seat, t: Translator, sequence: int) -> Invite:
    return Invite(uid=seat.uid, sequence=sequence, summary=summary(seat, t), description=description(seat, t),
                  location=seat.program.video_link, series=seat.series, sessions=tuple(seat.sessions))


def cancellation(seat: Seat, t: Translator, sequence: int, *, whole: bool) -> Invite:
    """Whole: they left the group; otherwise the sessions an early end took away (RECURRENCE-ID each)."""
    sessions = seat.sessions if whole else seat.series.cancelled_after(seat.since)
    return Invite(uid=seat.uid, sequence=sequence, summary=summary(seat, t), description=t("calendar.desc_cancelled"),
                  location=seat.program.video_link, series=seat.series, sessions=tuple(sessions), method="CANCEL",
                  whole=whole)
