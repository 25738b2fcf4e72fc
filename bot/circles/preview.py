"""`program form` as a dry run: the circles formation would make now, and why each member would be in theirs.

Nothing is written. The inputs are read exactly as `program form` reads them and formation is deterministic (seeded
by the program's id), so when nothing changes in between (a join, a leave, a vote, a profile's hours) the circles
`program form` commits are the ones shown here. The admin dashboard shows this before an admin confirms; its
`fingerprint` lets the confirmation notice that something did change and show the new proposal instead."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from bot.circles import formation
from bot.circles.voters import recorded_why
from bot.kernel.availability import available_utc_hours
from bot.kernel.calendar import first_meeting_day
from bot.kernel.org_records import kept_apart
from storage.repositories import forming as bulk
from storage.tables import CircleMemberStatus, CircleStatus, Member, Program, ProgramFormat, Theme, ThemeMode
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class FormationInputs:
    """What formation starts from: the selected themes, the enrolled members, their votes in the order given, and
    the pairs to keep apart (met in another program, or kept apart by the org data)."""

    selected: dict[int, Theme]
    members: dict[int, Member]
    votes: dict[int, tuple[int, ...]]
    candidates: list[formation.Candidate]
    recent: frozenset[frozenset[int]]


@dataclass(frozen=True)
class ProposedMember:
    member_id: int
    name: str
    why: dict[str, Any]  # as CircleMember.why will record it (read aloud by bot.circles.launch.why_line)


@dataclass(frozen=True)
class ProposedCircle:
    name: str
    theme: str
    members: tuple[ProposedMember, ...]
    launches: bool = True  # self-select: False for a picked circle below the minimum, which closes instead


@dataclass(frozen=True)
class WaitingMember:
    member_id: int
    name: str
    code: str  # formation.unplaced.<code>: too_few_members, no_room, no_theme; "below_minimum" for self-select


@dataclass(frozen=True)
class FormationPreview:
    kind: str  # "voted" (formation from votes), "self_select" (members picked circles), "pairs" (not circles)
    circles: tuple[ProposedCircle, ...] = ()
    waiting: tuple[WaitingMember, ...] = ()
    satisfaction: int = 100  # percent of first choices, as `program form`'s summary counts it

    @property
    def fingerprint(self) -> str:
        """Who would be in which circle, and who waits: equal fingerprints mean the same outcome."""
        shape = repr(([(c.name, c.launches, [m.member_id for m in c.members]) for c in self.circles],
                      [(w.member_id, w.code) for w in self.waiting]))
        return hashlib.sha256(shape.encode()).hexdigest()[:16]


async def formation_inputs(uow: UnitOfWork, *, workspace_id: int, program: Program) -> FormationInputs:
    """Read once, for `program form` and its preview alike."""
    program_id = program.id or 0
    selected = {t.id or 0: t for t in await uow.themes.selected(workspace_id=workspace_id, program_id=program_id)}
    members = {m.id or 0: m for m in await bulk.enrolled_members(uow, workspace_id=workspace_id,
                                                                 program_id=program_id)}
    votes = await bulk.vote_order(uow, program_id=program_id)
    day = first_meeting_day(program)
    # Formation ranks the selected themes a member approved, in their order (the rule the close announcement used).
    candidates = [formation.Candidate(
        member_id=mid, theme_prefs=tuple(t for t in votes.get(mid, ()) if t in selected),
        department=m.department or "-", seniority=m.seniority, available_utc_hours=available_utc_hours(m, day))
        for mid, m in sorted(members.items())]
    recent = await bulk.past_pairs_among(uow, workspace_id=workspace_id, exclude_program_id=program_id,
                                         member_ids=set(members))
    recent |= kept_apart(members.values(), same_team=program.exclude_same_team)
    return FormationInputs(selected, members, votes, candidates, frozenset(recent))


def run_formation(program: Program, inputs: FormationInputs) -> formation.FormationResult:
    """The call `program form` makes, with the program's sizes and its id as the seed."""
    return formation.form_circles(
        candidates=inputs.candidates, theme_ids=sorted(inputs.selected),
        sizes=formation.Sizes(min=program.size_min, target=program.size_target, max=program.size_max),
        recent_pairs=inputs.recent, seed=program.id or 0,
    )


async def preview_formation(uow: UnitOfWork, *, workspace_id: int, program: Program) -> FormationPreview:
    """The circles `program form` would make for this program now. Reads only; the caller's unit of work is
    rolled back or closed by the caller. Pair programs get kind "pairs" and nothing else."""
    if program.format != ProgramFormat.CIRCLES:
        return FormationPreview(kind="pairs")
    if program.theme_mode == ThemeMode.SELF_SELECT:
        return await _self_select(uow, workspace_id=workspace_id, program=program)
    inputs = await formation_inputs(uow, workspace_id=workspace_id, program=program)
    result = run_formation(program, inputs)
    formed = {c.theme_id for c in result.circles}
    counters: dict[int, int] = {}
    circles = []
    for found in result.circles:  # named as `program form` names them: "<theme> <n>", in formation's order
        theme = inputs.selected[found.theme_id]
        counters[found.theme_id] = counters.get(found.theme_id, 0) + 1
        members = tuple(
            ProposedMember(member_id=mid, name=inputs.members[mid].name,
                           why=recorded_why(result.why[mid], inputs.votes.get(mid, ()), found.theme_id, formed))
            for mid in found.member_ids)
        circles.append(ProposedCircle(name=f"{theme.title} {counters[found.theme_id]}", theme=theme.title,
                                      members=members))
    waiting = tuple(WaitingMember(member_id=u.member_id, name=inputs.members[u.member_id].name, code=u.code)
                    for u in result.unplaced)
    satisfaction = formation.preference_satisfaction(candidates=inputs.candidates, result=result)
    return FormationPreview(kind="voted", circles=tuple(circles), waiting=waiting,
                            satisfaction=round(satisfaction * 100))


async def _self_select(uow: UnitOfWork, *, workspace_id: int, program: Program) -> FormationPreview:
    """Self-select: each picked circle launches when it has reached the minimum, and its waiting list keeps waiting
    ("no_room"); the others close, and all their members wait ("below_minimum"), as finish_self_select does."""
    circles, waiting = [], []
    for circle in await uow.circles.of_program(workspace_id=workspace_id, program_id=program.id or 0):
        if circle.status != CircleStatus.ACTIVE:
            continue
        rows = await uow.circles.memberships(circle_id=circle.id or 0)
        queued = await uow.circles.memberships(circle_id=circle.id or 0, statuses=(CircleMemberStatus.WAITLISTED,))
        people = {m.id: m for m in await uow.members.many(workspace_id=workspace_id,
                                                          member_ids=[r.member_id for r in (*rows, *queued)])}
        members = tuple(ProposedMember(member_id=r.member_id, name=people[r.member_id].name,
                                       why=dict(r.why or {"code": "self_selected"}))
                        for r in rows if r.member_id in people)
        launches = len(rows) >= program.size_min
        circles.append(ProposedCircle(name=circle.name, theme=circle.name, members=members, launches=launches))
        if not launches:
            waiting += [WaitingMember(member_id=m.member_id, name=m.name, code="below_minimum") for m in members]
        waiting += [WaitingMember(member_id=r.member_id, name=people[r.member_id].name,
                                  code="no_room" if launches else "below_minimum")
                    for r in queued if r.member_id in people]
    return FormationPreview(kind="self_select", circles=tuple(circles), waiting=tuple(waiting))
