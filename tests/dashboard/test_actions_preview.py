"""The formation preview (bot/circles/preview.py): a dry run that writes nothing and shows the circles `program form`
then commits, with each member's reason (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, func, select

from adapters.bootstrap import App
from bot.circles.launch import why_line
from bot.circles.preview import FormationPreview, preview_formation
from bot.kernel.events import Actor, Command, FormSubmitted
from bot.kernel.i18n import Translator
from bot.kernel.ports import Target
from storage.tables import Circle, CircleMember, Delivery, Program, ProgramState
from tests.helpers import PROFILE, WORKSPACE, enroll, form_of, make_program, press, say, text_of

SLUG = "leadership"
USERS = [f"U{i:02d}" for i in range(14)]
DEPARTMENTS = ("Finance", "Engineering", "Sales", "Legal")


async def ready_program(app: App, *, platform: str = "local", tenant: str = WORKSPACE, slug: str = SLUG,
                        users: list[str] = USERS, name: str = "Leadership Circles") -> Program:
    """A circle program of (platform, tenant), open for enrollment, its members joined with profiles (departments
    and seniority varied), three proposed themes and varied votes: ready to close."""
    now = app.services.clock.now()
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform=platform, external_id=tenant, now=now)
        program = Program(workspace_id=workspace.id or 0, name=name, slug=slug, state=ProgramState.ENROLLING,
                          created_at=now, size_min=3, size_target=4, size_max=5, start_date=date(2026, 1, 5),
                          announcement_target=Target(platform=platform, workspace_id=tenant, kind="channel",
                                                     ref="CANNOUNCE").key())
        uow.programs.add(program)
        await uow.commit()

    def person(user: str) -> Actor:
        return Actor(platform=platform, workspace_id=tenant, user_id=user, display_name=f"Member {user}",
                     locale="en")

    for i, user in enumerate(users):
        opened = form_of(await app.core.handle(Command(person(user), f"join {slug}")))
        await app.core.handle(FormSubmitted(person(user), "profile", state=opened.form.state, values={
            **PROFILE, "department": DEPARTMENTS[i % 4], "seniority": str(i % 5)}))
    for title in ("Feedback", "Career growth", "Public speaking"):
        await app.core.handle(Command(person(users[0]), f"theme propose {title}"))
    async with app.uow() as uow:  # `theme vote` takes the themes' numbers (their ids)
        a, b, c = [t.id for t in await uow.themes.of_program(workspace_id=program.workspace_id,
                                                             program_id=program.id or 0)]
    for index, user in enumerate(users):
        await app.core.handle(Command(person(user), f"theme vote {(f'{a} {b}', f'{b} {c}', f'{c} {a}')[index % 3]}"))
    return program


async def forming_program(app: App, *, slug: str = SLUG, users: list[str] = USERS) -> Program:
    """ready_program in the local platform, closed for enrollment by the chat's `program close`: ready to form."""
    program = await ready_program(app, slug=slug, users=users)
    closed = text_of(await say(app, "UADMIN", f"program close {slug}"))
    assert "closed" in closed.lower(), closed
    async with app.uow() as uow:
        found = await uow.programs.get(workspace_id=program.workspace_id, program_id=program.id or 0)
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


async def test_a_self_select_preview_is_what_program_form_launches(app: App) -> None:
    program = await make_program(app, slug="picks", theme_mode="self_select", size_min=2, size_target=2, size_max=2,
                                 start_date=date(2026, 1, 5))
    for user in ("U00", "U01", "U02", "U03"):
        await enroll(app, user, program)
    await say(app, "U00", "theme propose Feedback")
    await say(app, "U00", "theme propose Negotiation")
    for user in ("U00", "U01", "U02", "U03"):
        await say(app, user, "theme vote 1 2")
    await say(app, "UADMIN", "program close picks")
    async with app.uow() as uow:
        first, second, *rest = await uow.circles.of_program(workspace_id=program.workspace_id,
                                                            program_id=program.id or 0)
    # U02 waits for a seat in the first; U03 is alone in the second.
    for user, circle in (("U00", first), ("U01", first), ("U02", first), ("U03", second)):
        await press(app, user, f"circle.pick:{circle.id}")
    preview = await _preview(app, await _reloaded(app, program))
    assert preview.kind == "self_select"
    assert [(c.name, c.launches, len(c.members)) for c in preview.circles] == [
        (first.name, True, 2), (second.name, False, 1), *((c.name, False, 0) for c in rest)]
    assert sorted(w.code for w in preview.waiting) == ["below_minimum", "no_room"]
    assert "1 circle started;" in text_of(await say(app, "UADMIN", "program form picks"))
    async with app.uow() as uow:
        after = {c.name: c.status for c in await uow.circles.of_program(workspace_id=program.workspace_id,
                                                                          program_id=program.id or 0)}
    assert after == {c.name: "active" if c.launches else "closed" for c in preview.circles}


async def _reloaded(app: App, program: Program) -> Program:
    async with app.uow() as uow:
        found = await uow.programs.get(workspace_id=program.workspace_id, program_id=program.id or 0)
        assert found is not None
        return found
