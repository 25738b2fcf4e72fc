"""From enrollments to the pure matcher (bot/pairs/matcher.py): people, rules, shortlists and their "why" lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.kernel.availability import available_utc_hours
from bot.kernel.context import Scope
from bot.kernel.i18n import Translator
from bot.pairs import matcher as pairing
from storage.tables import Enrollment, Member, PairRequestStatus, Program

MENTOR, MENTEE = "mentor", "mentee"


@dataclass
class Pool:
    """Everyone in a pair program, as the matcher sees them, plus what we need to talk to them."""

    program: Program
    members: dict[int, Member]
    mentors: list[pairing.Person]
    mentees: list[pairing.Person]
    rules: pairing.Rules

    def mentor(self, member_id: int) -> pairing.Person:
        return next(p for p in self.mentors if p.member_id == member_id)

    def mentee(self, member_id: int) -> pairing.Person:
        return next(p for p in self.mentees if p.member_id == member_id)


def _person(member: Member, enrollment: Enrollment, program: Program, managers: dict[str, int]) -> pairing.Person:
    # A manager who is in the program is known by their member id (so a direct report line is excluded);
    # others get a stable negative stand-in so that two reports of the same manager still share it.
    manager = None
    if member.manager_external_id:
        manager = managers.setdefault(member.manager_external_id, -(len(managers) + 1))
    day = program.start_date or member.created_at.date()
    return pairing.Person(
        member_id=member.id or 0, seniority=member.seniority, department=member.department or "-",
        team=" ".join(member.team.casefold().split()) or None, manager_id=manager,  # as circles compare teams
        skills_offered=_folded(member.skills_offered), skills_wanted=_folded(member.skills_wanted),
        interests=_folded(member.interests), available_utc_hours=available_utc_hours(member, day),
        capacity=max(0, enrollment.capacity), do_not_match=frozenset(enrollment.avoid_member_ids),
    )


def _folded(items: list[str]) -> frozenset[str]:
    """Profiles keep skills as typed ("SQL"); matching ignores case, as scoring expects."""
    return frozenset(i.casefold() for i in items)


async def load_pool(ctx: Scope, program: Program) -> Pool:
    assert program.id is not None
    enrollments = await ctx.uow.enrollments.of_program(workspace_id=ctx.workspace_id, program_id=program.id)
    members = {m.id or 0: m for m in await ctx.uow.members.many(
        workspace_id=ctx.workspace_id, member_ids=[e.member_id for e in enrollments])}
    managers = {m.external_id: m.id or 0 for m in members.values()}
    mentors: list[pairing.Person] = []
    mentees: list[pairing.Person] = []
    for enrollment in enrollments:
        member = members.get(enrollment.member_id)
        if member is None or member.erased or enrollment.role not in (MENTOR, MENTEE):
            continue  # no role yet (enrolled by an admin): asked first (bot/pairs/roles.py), matched once they answer
        person = _person(member, enrollment, program, managers)
        (mentors if enrollment.role == MENTOR else mentees).append(person)
    since = ctx.now - timedelta(days=program.pair_cooldown_days)
    recent = frozenset((p.mentor_member_id, p.mentee_member_id)
                       for p in await ctx.uow.pairs.history(workspace_id=ctx.workspace_id, since=since)
                       if p.program_id != program.id)
    rules = pairing.Rules(format=program.format, exclude_same_team=program.exclude_same_team, recent_pairs=recent)
    return Pool(program=program, members=members, mentors=mentors, mentees=mentees, rules=rules)


async def taken_seats(ctx: Scope, program: Program) -> dict[int, int]:
    seats: dict[int, int] = {}
    for pair in await ctx.uow.pairs.of_program(workspace_id=ctx.workspace_id, program_id=program.id or 0):
        seats[pair.mentor_member_id] = seats.get(pair.mentor_member_id, 0) + 1
    return seats


async def excluded_for(ctx: Scope, program: Program, mentee_id: int) -> frozenset[int]:
    """Mentors this mentee should not be offered again: declined, timed out, or an ended pair."""
    gone = {r.mentor_member_id for r in await ctx.uow.pairs.requests_of_mentee(program_id=program.id or 0,
                                                                             mentee_member_id=mentee_id)
            if r.status in (PairRequestStatus.DECLINED, PairRequestStatus.TIMED_OUT)}
    gone |= {p.mentor_member_id for p in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id,
                                                                     member_id=mentee_id, active_only=False)
             if p.program_id == program.id and p.mentee_member_id == mentee_id}
    return frozenset(gone)


async def shortlist_for(ctx: Scope, pool: Pool, mentee_id: int) -> list[pairing.Suggestion]:
    return pairing.shortlist(mentee=pool.mentee(mentee_id), mentors=pool.mentors, rules=pool.rules,
                             taken=await taken_seats(ctx, pool.program),
                             exclude=await excluded_for(ctx, pool.program, mentee_id))


def why(t: Translator, reason: pairing.Reason) -> str:
    """One line a mentee can act on: the strongest reason first, then what they share."""
    parts = [t(f"pairs.why.{reason.code}")]
    if reason.skills:
        parts.append(t("pairs.why.skills", skills=", ".join(reason.skills[:3])))
    if reason.interests:
        parts.append(t("pairs.why.interests", interests=", ".join(reason.interests[:3])))
    if reason.shared_hours:
        parts.append(t("pairs.why.hours", hours=reason.shared_hours))
    return "; ".join(parts)
