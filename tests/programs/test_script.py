"""`program script`: an admin sees a program's script and gets it as a file, changes it by sending the edited file,
and resets it; an invalid file saves nothing; members and other workspaces' programs are refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from adapters.bootstrap import App
from bot.kernel.events import Attachment, Command
from bot.kernel.replies import Response
from bot.sessions.scripts import default_script, script_for
from storage.tables import Delivery, Program, ProgramFormat, ProgramState
from tests.helpers import actor, make_program, say, text_of

DEFAULT = default_script("reverse")


async def _program(app: App) -> Program:
    return await make_program(app, name="Reverse Mentoring", slug="reverse", format=ProgramFormat.REVERSE, weeks=8,
                              state=ProgramState.RUNNING)


async def _send(app: App, user: str, text: str, data: bytes, *, locale: str = "en") -> list[Response]:
    return await app.core.handle(Command(actor(user, locale=locale), text,
                                         attachment=Attachment("script.json", data)))


async def _stored(app: App) -> Program:
    async with app.uow() as uow:
        found = (await uow.session.exec(select(Program).where(Program.slug == "reverse"))).first()
    assert found is not None
    return found


def _edited() -> dict[str, object]:
    raw = DEFAULT.to_json()
    stages = raw["stages"]
    stages["implementation"]["prompts"].append({"text": {  # type: ignore[index]
        "en": "Junior mentor: show one shortcut you use daily.", "id": "Mentor junior: tunjukkan satu jalan pintas."}})
    stages["orientation"]["guidance"]["en"] = "Start by listening."  # type: ignore[index]
    return raw


async def test_show_summarises_by_stage_and_sends_the_file(app: App) -> None:
    await _program(app)
    reply = text_of(await say(app, "UADMIN", "program script reverse"))
    assert "Script of Reverse Mentoring" in reply and "default script" in reply
    assert "• Getting to know each other: session 1 (3 prompts)" in reply
    assert "• Halfway review: session 5 (2 prompts)" in reply and "session 3, 4, 6, 7" in reply
    assert "– Junior mentor: share what you work…" in reply
    async with app.uow() as uow:
        files = (await uow.session.exec(select(Delivery).where(Delivery.kind == "file"))).all()
    assert len(files) == 1 and files[0].target == "local:W1:user:UADMIN" and files[0].image is not None
    assert json.loads(files[0].image) == DEFAULT.to_json()


async def test_a_valid_upload_is_saved_and_says_what_changed(app: App) -> None:
    await _program(app)
    reply = text_of(await _send(app, "UADMIN", "program script reverse", json.dumps(_edited()).encode()))
    assert "is saved" in reply
    assert "• Getting to know each other: guidance changed" in reply
    assert "• Working on goals: 1 prompt added" in reply and "Halfway" not in reply
    program = await _stored(app)
    script = script_for(program)
    assert script.stage("orientation").guidance["en"] == "Start by listening."
    assert len(script.stage("implementation").prompts) == len(DEFAULT.stage("implementation").prompts) + 1
    assert "An admin has changed" in text_of(await say(app, "UADMIN", "program script reverse"))
    again = text_of(await _send(app, "UADMIN", "program script reverse", json.dumps(_edited()).encode()))
    assert "Nothing changed" in again


async def test_an_invalid_upload_lists_errors_in_the_admins_language_and_saves_nothing(app: App) -> None:
    await _program(app)
    raw = _edited()
    raw["stages"]["orientation"]["prompts"][0]["text"]["id"] = " "  # type: ignore[index]
    raw["stages"]["extra"] = {}  # type: ignore[index]
    reply = text_of(await _send(app, "UADMIN", "program script reverse", json.dumps(raw).encode(), locale="id"))
    assert "tidak disimpan" in reply and "2 masalah" in reply
    assert "$.stages.orientation.prompts[0].text.id: teks dalam bahasa ini kosong" in reply
    assert "$.stages.extra: tahap tidak dikenal" in reply
    broken = text_of(await _send(app, "UADMIN", "program script reverse", b'{"stages": {'))
    assert "bukan JSON yang valid di sekitar baris 1" in broken  # the admin reads Indonesian now
    assert (await _stored(app)).script == {}


async def test_reset_returns_to_the_default(app: App) -> None:
    await _program(app)
    await _send(app, "UADMIN", "program script reverse", json.dumps(_edited()).encode())
    assert (await _stored(app)).script != {}
    reply = text_of(await say(app, "UADMIN", "program script reverse reset"))
    assert "back on the default script" in reply and "1 prompt removed" in reply
    assert (await _stored(app)).script == {}
    assert "Nothing changed" in text_of(await say(app, "UADMIN", "program skrip reverse reset"))


async def test_members_and_other_workspaces_programs_are_refused(app: App) -> None:
    await _program(app)
    refused = text_of(await _send(app, "UMEMBER", "program script reverse", json.dumps(_edited()).encode()))
    assert "Only Lingkar admins" in refused
    now = datetime(2026, 1, 5, tzinfo=UTC)
    async with app.uow() as uow:
        other = await uow.workspaces.get_or_create(platform="local", external_id="W2", now=now)
        uow.programs.add(Program(workspace_id=other.id or 0, name="Elsewhere", slug="elsewhere",
                                 format=ProgramFormat.PEER, created_at=now))
        await uow.commit()
    forged = text_of(await _send(app, "UADMIN", "program script elsewhere", json.dumps(_edited()).encode()))
    assert "elsewhere" in forged and "saved" not in forged
    async with app.uow() as uow:
        programs = (await uow.session.exec(select(Program))).all()
    assert all(p.script == {} for p in programs)
