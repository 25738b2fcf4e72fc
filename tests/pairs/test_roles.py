"""Mandatory pair programs ask each member's role once, with buttons an attacker cannot bend; `program close`
counts who has not answered (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.i18n import Translator
from bot.kernel.message_codec import decode
from bot.kernel.messages import Buttons, Message
from bot.kernel.replies import Reply
from bot.pairs.roles import role_message
from storage.tables import Delivery, Enrollment, Program, ProgramFormat, ProgramState
from tests.helpers import admin_creates_program, plan, press, say, text_of

SLUG = "leadership-circles"


async def _mandatory(app: App, fmt: str = "one_on_one", users: tuple[str, ...] = ("A", "B", "C")) -> None:
    await admin_creates_program(app, format=fmt, participation="mandatory")
    await say(app, "UADMIN", f"program open {SLUG}")
    enrolled = text_of(await say(app, "UADMIN", f"program enroll {SLUG} " + " ".join(f"<@{u}>" for u in users)))
    assert f"{len(users)} member{'s' if len(users) != 1 else ''} enrolled" in enrolled, enrolled


async def _role_asks(app: App) -> dict[str, Message]:
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(col(Delivery.key).startswith("pair-role:"))
                                       .order_by(col(Delivery.id)))).all()
    asks = [(row.target.rsplit(":", 1)[1], decode(row.payload)) for row in rows]
    assert len(asks) == len(dict(asks)), "someone was asked twice"
    return dict(asks)


def _actions(message: Message) -> list[str]:
    return [b.action_id for block in message.blocks if isinstance(block, Buttons) for b in block.buttons]


async def _role(app: App, user: str) -> tuple[str | None, int]:
    async with app.uow() as uow:
        member = await uow.members.by_external_id(workspace_id=1, external_id=user)
        assert member is not None
        enrollment = await uow.enrollments.get(workspace_id=1, program_id=1, member_id=member.id or 0)
        assert enrollment is not None
        return enrollment.role, enrollment.capacity


async def test_a_mandatory_pair_program_asks_each_role_once_and_close_counts_who_has_not_answered(app: App) -> None:
    await _mandatory(app)
    now = app.services.clock.now()
    await plan(app.services.uow, now=now, config=app.services.config)
    await plan(app.services.uow, now=now, config=app.services.config)  # twice: still one question each
    asks = await _role_asks(app)
    assert sorted(asks) == ["A", "B", "C"]
    assert "pairs a mentor with a mentee" in asks["A"].text
    assert _actions(asks["A"]) == ["pair.role:1.mentor", "pair.role:1.mentee"]

    chose = await press(app, "A", "pair.role:1.mentor")
    assert "You're a mentor in Leadership Circles" in text_of(chose) and "How many mentees" in text_of(chose)
    capacity = chose[-1]
    assert isinstance(capacity, Reply) and _actions(capacity.message)[1] == "pair.capacity:1.2"
    assert "up to 2 mentees" in text_of(await press(app, "A", "pair.capacity:1.2"))
    assert "You're a mentee" in text_of(await press(app, "B", "pair.role:1.mentee"))
    assert await _role(app, "A") == ("mentor", 2) and await _role(app, "B") == ("mentee", 1)

    closed = text_of(await say(app, "UADMIN", f"program close {SLUG}"))
    assert "1 mentors and 1 mentees" in closed
    assert "1 member has not chosen mentor or mentee yet" in closed
    # Before matching the role can still change; once pairs are matched it stays.
    assert "You're a mentee" in text_of(await press(app, "A", "pair.role:1.mentee"))
    assert "You're a mentor" in text_of(await press(app, "A", "pair.role:1.mentor"))
    await say(app, "UADMIN", f"program form {SLUG}")
    assert "stays mentee" in text_of(await press(app, "B", "pair.role:1.mentor"))
    assert await _role(app, "B") == ("mentee", 1)
    # C answers late: into the running program's matching at once (A has room for two).
    late = text_of(await press(app, "C", "pair.role:1.mentee"))
    assert "You're a mentee" in late and "1 mentor who suits you is suggested" in late
    await plan(app.services.uow, now=now, config=app.services.config)
    assert sorted(await _role_asks(app)) == ["A", "B", "C"]


async def test_program_close_refuses_without_mentors_and_says_who_is_being_asked(app: App) -> None:
    await _mandatory(app, users=("A", "B"))
    refused = text_of(await say(app, "UADMIN", f"program close {SLUG}"))
    assert "(now 0 mentors, 0 mentees)" in refused and "asked in a direct message" in refused


async def test_role_buttons_refuse_what_a_client_could_forge(app: App) -> None:
    await _mandatory(app, users=("A",))
    now = app.services.clock.now()
    async with app.uow() as uow:
        other = await uow.workspaces.get_or_create(platform="local", external_id="W2", now=now)
        for workspace_id, slug, fmt in ((1, "circles", ProgramFormat.CIRCLES), (other.id, "theirs", "one_on_one")):
            uow.programs.add(Program(workspace_id=workspace_id or 0, name=slug, slug=slug, format=fmt,
                                     state=ProgramState.ENROLLING, created_at=now))
        await uow.commit()
    stale = "out of date"
    for forged in ("pair.role:999.mentor", "pair.role:1.boss", "pair.role:x.mentor", "pair.role:1",
                   "pair.role:2.mentor", "pair.role:3.mentor", "pair.capacity:1.9", "pair.capacity:1.0",
                   "pair.capacity:1.-1", "pair.capacity:3.2"):
        assert stale in text_of(await press(app, "A", forged)), forged
    assert "not enrolled in Leadership Circles" in text_of(await press(app, "OUTSIDER", "pair.role:1.mentor"))
    assert "Only mentors" in text_of(await press(app, "A", "pair.capacity:1.2"))
    assert await _role(app, "A") == (None, 1)
    async with app.uow() as uow:
        assert not (await uow.session.exec(select(Enrollment).where(Enrollment.program_id != 1))).all()


async def test_reverse_mentoring_asks_in_its_own_words_in_both_languages(app: App) -> None:
    await _mandatory(app, fmt="reverse", users=("A",))
    await plan(app.services.uow, now=app.services.clock.now(), config=app.services.config)
    ask = (await _role_asks(app))["A"]
    assert "a junior colleague mentors a senior one" in ask.text
    labels = [b.label for block in ask.blocks if isinstance(block, Buttons) for b in block.buttons]
    assert labels == ["Mentor (junior colleague)", "Mentee (senior colleague)"]
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=1)
    assert program is not None
    indonesian = role_message(Translator("id"), program)
    assert "rekan junior menjadi mentor bagi rekan senior" in indonesian.text
    assert "Mentor (karyawan junior yang mengajarkan keahlian digital ke rekan senior)" in indonesian.text
