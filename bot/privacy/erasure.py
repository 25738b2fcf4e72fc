"""Erasure: the member's identity and free text blanked everywhere, anonymous numbers kept."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from bot.kernel.context import Ctx
from bot.privacy.personal import NAME_SCRUBBED, PERSONAL_TABLES, QUOTES_SCRUBBED
from storage.repositories.erasure import Rows
from storage.tables import EnrollmentStatus, Member, ProgramState, Theme
from storage.uow import UnitOfWork

ERASED_PREFIX = "erased-"


# Shorter texts ("ok", "Sales") are too common to blank out of other people's messages without harming them.
MIN_QUOTE = 8


async def personal_rows(uow: UnitOfWork, member: Member) -> Rows:
    """Every declared table's rows that are the member's, by table name (parents before children)."""
    return await uow.erasure.personal_rows(specs=PERSONAL_TABLES, member=member)


# Enrollments that still hold or wait for a place: all end with the member (a waitlisted or invited one must not keep
# counting in `program show` or in others' places in line).
OPEN_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED, EnrollmentStatus.INVITED)


async def _leave_everything(ctx: Ctx) -> None:
    for enrollment in await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id,
                                                          active_only=False):
        if enrollment.status not in OPEN_STATUSES:
            continue
        held_a_place = enrollment.status == EnrollmentStatus.ACTIVE
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        enrollment.status, enrollment.left_at = EnrollmentStatus.LEFT, ctx.now
        ctx.uow.enrollments.add(enrollment)
        if held_a_place and program is not None and program.state != ProgramState.CLOSED:
            for hook in ctx.hooks.on_leave:  # circles and pairs let go of them as on any exit
                await hook(ctx, program)
    await ctx.uow.flush()


def _quotable(text: str | None) -> set[str]:
    """How a text the member wrote can turn up quoted in others' messages: whole, or one line of it."""
    whole = (text or "").strip()
    candidates = {whole, *(line.strip() for line in whole.splitlines())}
    return {c for c in candidates if len(c) >= MIN_QUOTE}


async def _sort_themes(uow: UnitOfWork, member: Member) -> tuple[list[Theme], list[Theme]]:
    """The themes the member proposed: (shared, theirs alone). A theme is shared content once someone else voted
    for it, an admin merged another theme into it, or it names a circle someone else was in."""
    shared: list[Theme] = []
    alone: list[Theme] = []
    for theme in await uow.themes.proposed_by(workspace_id=member.workspace_id, member_id=member.id or 0):
        theme_id = theme.id or 0
        in_circles: set[int] = set()
        for circle in await uow.circles.of_theme(theme_id=theme_id):
            in_circles |= await uow.circles.member_ids_ever(circle_id=circle.id or 0)
        others = (await uow.themes.voter_ids(theme_id=theme_id) | in_circles) - {member.id}
        (shared if others or await uow.themes.merged_into(theme_id=theme_id) else alone).append(theme)
    return shared, alone


async def _forget_themes(uow: UnitOfWork, themes: list[Theme]) -> set[str]:
    """Delete themes nobody else took up (a circle only this member was in lets go of its theme first); returns
    their titles, to be blanked wherever they were quoted (that circle's name, announcements)."""
    titles: set[str] = set()
    for theme in themes:
        titles |= _quotable(theme.title)
        for circle in await uow.circles.of_theme(theme_id=theme.id or 0):
            circle.theme_id = None
            uow.circles.add(circle)
        await uow.flush()
        await uow.themes.delete(theme_id=theme.id or 0)
    return titles


async def _erase_declared(uow: UnitOfWork, member: Member) -> tuple[set[str], set[str]]:
    """Apply every declared table's erasure; returns the platform ids found (a Teams user has two) and the texts
    the member wrote, as they could be quoted elsewhere."""
    # Their platform email is an identifier too: others' org records name it as their manager.
    identifiers = {member.external_id, *([member.email] if member.email else [])}
    texts = _quotable(member.job_title)
    rows = await personal_rows(uow, member)
    for name, found in rows.items():
        spec = next(s for s in PERSONAL_TABLES if s.table == name)
        for row in found:
            identifiers.update(str(row[c]) for c in spec.external_columns if row.get(c))
            for column in spec.text_columns:
                texts |= _quotable(row[column]) if isinstance(row[column], str) else set()
    await uow.erasure.erase_rows(specs=PERSONAL_TABLES, member=member, rows=rows)
    return identifiers, texts


async def _erase_deliveries(uow: UnitOfWork, member: Member, identifiers: set[str], platform: str,
                            workspace_ref: str) -> None:
    targets = [f"{platform}:{workspace_ref}:user:{i}" for i in identifiers]
    await uow.outbox.erase_for(workspace_id=member.workspace_id, member_id=member.id or 0, targets=targets,
                               external_ids=sorted(identifiers))


@dataclass(frozen=True)
class Erasure:
    token: str  # what the member's platform id became
    kept_themes: tuple[str, ...]  # titles of themes they proposed that stay as shared content, without their name


async def erase_member(ctx: Ctx) -> Erasure:
    """Erase the acting member's identity and free text everywhere (quotes of it in messages kept for others too);
    keep anonymous numbers, and themes others took up as shared content."""
    member, token = ctx.member, f"{ERASED_PREFIX}{uuid.uuid4().hex[:20]}"
    name = member.display_name
    await _leave_everything(ctx)
    shared, alone = await _sort_themes(ctx.uow, member)
    quotes = await _forget_themes(ctx.uow, alone)
    identifiers, written = await _erase_declared(ctx.uow, member)
    quotes |= written - {t.title for t in shared}  # a shared title stays, even where it matches their own words
    await _erase_deliveries(ctx.uow, member, identifiers, ctx.workspace.platform, ctx.workspace.external_id)
    member.display_name, member.external_id, member.manager_external_id = "", token, None
    member.department = member.team = member.job_title = member.email = ""
    member.start_date = None
    member.skills_offered, member.skills_wanted, member.interests = [], [], []
    member.profile_completed, member.reachable, member.erased = False, False, True
    ctx.uow.members.add(member)
    await ctx.uow.flush()
    await ctx.uow.erasure.scrub(workspace_id=ctx.workspace_id, identifiers=identifiers, name=name, token=token,
                                quotes=quotes, name_scrubbed=NAME_SCRUBBED, quotes_scrubbed=QUOTES_SCRUBBED)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="member.erased",
                         actor_member_id=member.id, detail={"member_id": member.id})
    return Erasure(token=token, kept_themes=tuple(t.title for t in shared))
