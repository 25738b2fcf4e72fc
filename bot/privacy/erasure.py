"""Erasure: the member's identity and free text blanked everywhere, anonymous numbers kept."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Column, Select, String, Table, Text, cast, delete, func, or_, select, update
from sqlmodel import SQLModel

from bot.kernel.context import Ctx
from bot.privacy.personal import NAME_SCRUBBED, PERSONAL_TABLES, QUOTES_SCRUBBED
from storage.repositories.outbox import FILE_KIND
from storage.tables import DeliveryStatus, EnrollmentStatus, Member, ProgramState, Theme
from storage.uow import UnitOfWork

ERASED_PREFIX = "erased-"


REDACTED = "…"  # what a former member's name, or a quote of what they wrote, becomes inside messages kept for others


# Shorter texts ("ok", "Sales") are too common to blank out of other people's messages without harming them.
MIN_QUOTE = 8


def _table(name: str) -> Table | None:
    return SQLModel.metadata.tables.get(name)


async def _fetch(uow: UnitOfWork, statement: Select[Any]) -> list[dict[str, Any]]:
    result = await uow.session.exec(statement)  # type: ignore[call-overload]  # Core select of a Table
    return [dict(row._mapping) for row in result.all()]


async def personal_rows(uow: UnitOfWork, member: Member) -> dict[str, list[dict[str, Any]]]:
    """Every declared table's rows that are the member's, by table name (parents before children)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for spec in PERSONAL_TABLES:
        table = _table(spec.table)
        if table is None:
            continue  # declared for a capability this deployment does not have (yet)
        conditions = [table.c[c] == member.id for c in spec.member_columns]
        conditions += [table.c[c] == member.external_id for c in spec.external_columns]
        if spec.via is not None:
            parent_ids = [row["id"] for row in found.get(spec.via[1], [])]
            conditions.append(table.c[spec.via[0]].in_(parent_ids))
        query = select(table)
        if "workspace_id" in table.c:
            query = query.where(table.c.workspace_id == member.workspace_id)
        rows = await _fetch(uow, query.where(or_(*conditions))) if conditions else []
        if spec.member_list_columns:  # JSON lists cannot be searched portably: read the workspace's rows
            seen = {row["id"] for row in rows}
            for row in await _fetch(uow, query):
                if row["id"] not in seen and any(member.id in (row[c] or []) for c in spec.member_list_columns):
                    rows.append(row)
        found[spec.table] = sorted(rows, key=lambda row: row["id"])
    return found


async def _leave_everything(ctx: Ctx) -> None:
    for enrollment in await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        enrollment.status, enrollment.left_at = EnrollmentStatus.LEFT, ctx.now
        ctx.uow.session.add(enrollment)
        if program is not None and program.state != ProgramState.CLOSED:
            for hook in ctx.hooks.on_leave:  # circles and pairs let go of them as on any exit
                await hook(ctx, program)
    await ctx.uow.flush()


def _cleared(table: Table, column: str, value: Any) -> Any:
    if isinstance(table.c[column].type, JSON):
        return type(value)() if isinstance(value, list | dict) else None
    return None if table.c[column].nullable else ""


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
    identifiers, texts = {member.external_id}, _quotable(member.job_title)
    for name, rows in (await personal_rows(uow, member)).items():
        spec = next(s for s in PERSONAL_TABLES if s.table == name)
        table = _table(name)
        assert table is not None
        for row in rows:
            identifiers.update(str(row[c]) for c in spec.external_columns if row.get(c))
            for column in spec.text_columns:
                texts |= _quotable(row[column]) if isinstance(row[column], str) else set()
        if spec.delete:
            if rows:
                await uow.session.exec(delete(table).where(table.c.id.in_([row["id"] for row in rows])))
            continue
        for row in rows:
            changes = {c: _cleared(table, c, row[c]) for c in spec.text_columns}
            changes.update({c: None for c in spec.unlink_columns if row[c] == member.id})
            if spec.extra is not None:
                changes.update(spec.extra(row))
            if changes:
                await uow.session.exec(update(table).where(table.c.id == row["id"]).values(**changes))
    return identifiers, texts


async def _erase_deliveries(uow: UnitOfWork, member: Member, identifiers: set[str], platform: str,
                            workspace_ref: str) -> None:
    table = _table("delivery")
    assert table is not None
    targets = [f"{platform}:{workspace_ref}:user:{i}" for i in identifiers]
    theirs = (table.c.workspace_id == member.workspace_id) & or_(table.c.member_id == member.id,
                                                                  table.c.target.in_(targets))
    await uow.session.exec(update(table).where(theirs, table.c.status.in_(
        [DeliveryStatus.PENDING, DeliveryStatus.SENDING])).values(status=DeliveryStatus.SKIPPED, last_error="erased"))
    await uow.session.exec(update(table).where(theirs).values(payload={"text": "", "blocks": []}, image=None))
    # Exports made before the erasure may hold their data: no copy is kept, and unsent ones are not sent.
    files = (table.c.workspace_id == member.workspace_id) & (table.c.kind == FILE_KIND)
    await uow.session.exec(update(table).where(files, table.c.status == DeliveryStatus.PENDING)
                           .values(status=DeliveryStatus.SKIPPED, last_error="cancelled by an erasure"))
    await uow.session.exec(update(table).where(files).values(image=None))


def _holds_text(column: Column[Any]) -> bool:
    kind = getattr(column.type, "impl", column.type)  # SQLModel's AutoString is a TypeDecorator over String
    return isinstance(column.type, String | JSON) or isinstance(kind, String | JSON)


def _whole(identifiers: set[str], name: str | None = None, quotes: set[str] | frozenset[str] = frozenset()
           ) -> re.Pattern[str]:
    """The needles as whole words only: erasing user U1 must not touch U12's messages, nor "Al" turn "Also".

    Platform ids match exactly (they are case-sensitive, and an id like "MENTEE" must not eat the word
    "mentee" in a role column); a display name and quotes of what the member wrote match in any case,
    the longest first (a whole note before one line of it).
    """
    parts = [re.escape(n) for n in sorted(identifiers, key=len, reverse=True)]
    texts = sorted({*quotes, *([name] if name else [])}, key=len, reverse=True)
    parts += [f"(?i:{re.escape(text)})" for text in texts]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(parts)})(?![\w-])")


def _replace(value: Any, pattern: re.Pattern[str], replacement: Callable[[re.Match[str]], str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_replace(v, pattern, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, pattern, replacement) for k, v in value.items()}
    return value


async def _scrub_identity(uow: UnitOfWork, workspace_id: int, identifiers: set[str], name: str, token: str,
                          quotes: set[str] | frozenset[str] = frozenset()) -> None:
    """Wherever a platform id survives (message targets, keys, archived texts) it becomes the token; in kept
    texts meant for others, the name and quotes of what the member wrote are blanked out too."""
    def replacement(match: re.Match[str]) -> str:
        return token if match.group(0) in identifiers else REDACTED

    for table in SQLModel.metadata.sorted_tables:
        if "workspace_id" not in table.c or "id" not in table.c:
            continue
        for column in table.c:
            if not _holds_text(column):
                continue
            needles = set(identifiers)
            scrub_name = (table.name, column.name) in NAME_SCRUBBED and len(name) >= 2
            if scrub_name:
                needles.add(name)
            quoted = quotes if (table.name, column.name) in QUOTES_SCRUBBED else frozenset()
            needles |= quoted
            variants = {n.lower() for n in needles} | {json.dumps(n)[1:-1].lower() for n in needles}
            text = func.lower(cast(column, Text))
            rows = await _fetch(uow, select(table.c.id, column.label("value")).where(
                table.c.workspace_id == workspace_id, or_(*[text.contains(v, autoescape=True) for v in variants])))
            pattern = _whole(set(identifiers), name if scrub_name else None, quoted)
            for row in rows:
                new = _replace(row["value"], pattern, replacement)
                if new != row["value"]:
                    await uow.session.exec(update(table).where(table.c.id == row["id"]).values({column.name: new}))


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
    member.department = member.team = member.job_title = ""
    member.skills_offered, member.skills_wanted, member.interests = [], [], []
    member.profile_completed, member.reachable, member.erased = False, False, True
    ctx.uow.members.add(member)
    await ctx.uow.flush()
    await _scrub_identity(ctx.uow, ctx.workspace_id, identifiers, name, token, quotes)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="member.erased",
                         actor_member_id=member.id, detail={"member_id": member.id})
    return Erasure(token=token, kept_themes=tuple(t.title for t in shared))
