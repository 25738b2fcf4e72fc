"""The formation preview (bot/circles/preview.py): a dry run that writes nothing and shows the circles `program form`
then commits, with each member's reason (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, func, select

from adapters.bootstrap import App
from bot.circles.launch import why_line
from bot.circles.preview import FormationPreview, preview_formation
from bot.kernel.i18n import Translator
from storage.tables import Circle, CircleMember, Delivery, Program
from tests.helpers import enroll, make_program, say, text_of

SLUG = "leadership"
USERS = [f"U{i:02d}" for i in range(14)]
DEPARTMENTS = ("Finance", "Engineering", "Sales", "Legal")


async def forming_program(app: App, *, slug: str = SLUG, users: list[str] = USERS) -> Program:
    """A circle program closed for enrollment with three selected themes and varied votes: ready to form."""
    program = await make_program(app, slug=slug, size_min=3, size_target=4, size_max=5, start_date=date(2026, 1, 5))
    for i, user in enumerate(users):
        await enroll(app, user, program, department=DEPARTMENTS[i % 4], seniority=str(i % 5))
    for title in ("Feedback", "Career growth", "Public speaking"):
        await say(app, users[0], f"theme propose {title}")
    for index, user in enumerate(users):
        await say(app, user, ("theme vote 1 2", "theme vote 2 3", "theme vote 3 1")[index % 3])
    closed = text_of(await say(app, "UADMIN", f"program close {slug}"))
    assert "closed" in closed.lower(), closed
    async with app.uow() as uow:
        found = await uow.programs.get(workspace_id=1, program_id=program.id or 0)
        assert found is not None and found.state == "forming"
        return found


async def _preview(app: App, program: Program) -> FormationPreview:
    async with app.uow() as uow:
        return await preview_formation(uow, workspace_id=program.workspace_id, program=program)


async def _committed(app: App, program: Program) -> list[tuple[str, list[int], list[dict[str, object]]]]:
    async with app.uow() as uow:
        circles = (await uow.session.exec(select(Circle).where(Circle.program_id == program.id)
                                          .order_by(col(Circle.id)))).all()
        out = []
        for circle in circles:
            rows = (await uow.session.exec(select(CircleMember).where(CircleMember.circle_id == circle.id)
                                           .order_by(col(CircleMember.member_id)))).all()
            out.append((circle.name, [r.member_id for r in rows], [dict(r.why or {}) for r in rows]))
        return out


async def _row_counts(app: App) -> tuple[int, int, int]:
    async with app.uow() as uow:
        return tuple([  # type: ignore[return-value]
            (await uow.session.exec(select(func.count()).select_from(table))).one()
            for table in (Circle, CircleMember, Delivery)])


async def test_the_preview_writes_nothing_and_program_form_commits_exactly_it(app: App) -> None:
    program = await forming_program(app)
    before = await _row_counts(app)
    preview = await _preview(app, program)
    assert await _row_counts(app) == before  # a dry run: no circle, no membership, no message queued
    assert preview.kind == "voted" and len(preview.circles) >= 3
    everyone = [m.member_id for c in preview.circles for m in c.members] + [w.member_id for w in preview.waiting]
    assert len(everyone) == len(set(everyone)) == len(USERS)  # every enrolled member once: placed or waiting
    again = await _preview(app, program)
    assert again.fingerprint == preview.fingerprint  # deterministic: nothing changed, nothing differs

    replies = text_of(await say(app, "UADMIN", f"program form {SLUG}"))
    assert "formed" in replies.lower(), replies
    committed = await _committed(app, program)
    shown = [(c.name, [m.member_id for m in c.members], [m.why for m in c.members]) for c in preview.circles]
    assert committed == shown


async def test_the_preview_says_why_in_the_admins_language(app: App) -> None:
    program = await forming_program(app)
    preview = await _preview(app, program)
    first = preview.circles[0]
    member = first.members[0]
    english = why_line(Translator("en"), member.why, first.theme)
    indonesian = why_line(Translator("id"), member.why, first.theme)
    assert first.theme in english and "choice" in english
    assert first.theme in indonesian and "pilihan" in indonesian


async def test_a_change_after_the_preview_changes_its_fingerprint(app: App) -> None:
    program = await forming_program(app, users=USERS[:13])
    preview = await _preview(app, program)
    await enroll(app, "ULATE", program, department="Legal")  # joins while the admin looks at the preview
    await say(app, "ULATE", "theme vote 1")
    changed = await _preview(app, program)
    assert changed.fingerprint != preview.fingerprint


async def test_pair_programs_have_no_circle_preview(app: App) -> None:
    program = await make_program(app, slug="pairs", format="one_on_one", state="forming")
    preview = await _preview(app, program)
    assert preview.kind == "pairs" and preview.circles == ()
