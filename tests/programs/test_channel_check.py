"""`program create` and `program channel` check the channel before a program is saved there (issue 17): a private
channel Lingkar is not in is refused with the `/invite @Lingkar` step and nothing typed is lost; a public one is
joined; a platform that cannot answer now saves nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlmodel import select

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.events import Command
from bot.kernel.ports import DeliveryError, Target
from bot.kernel.replies import OpenForm, Response
from storage.tables import Program
from tests.helpers import WORKSPACE, actor, errors_of, form_of, say, submit, text_of


def _channel(ref: str) -> Target:
    return Target(platform="local", workspace_id=WORKSPACE, kind="channel", ref=ref)


async def _create_in(app: App, ref: str, *, locale: str = "en") -> list[Response]:
    return await app.core.handle(Command(actor("UADMIN", locale=locale), "program create", where=_channel(ref)))


async def _programs(app: App) -> list[Program]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Program))).all())


async def test_a_private_channel_lingkar_is_not_in_gets_the_invite_step_and_no_form(
        app: App, local: LocalMessenger) -> None:
    local.channel_access["CSECRET"] = "invite_needed"
    replies = await _create_in(app, "CSECRET")
    assert not [r for r in replies if isinstance(r, OpenForm)]
    assert "Type `/invite @Lingkar` in this channel first" in text_of(replies)
    assert "type the command again" in text_of(replies)


async def test_the_invite_step_speaks_the_admins_language(app: App, local: LocalMessenger) -> None:
    local.channel_access["CSECRET"] = "invite_needed"
    replies = await _create_in(app, "CSECRET", locale="id")
    assert "Ketik `/invite @Lingkar` di saluran ini" in text_of(replies)
    assert "Lalu ketik perintahnya lagi." in text_of(replies)


async def test_submitting_while_lingkar_is_not_in_the_channel_keeps_the_form_then_saves_after_the_invite(
        app: App, local: LocalMessenger) -> None:
    form = form_of(await _create_in(app, "CTEAM")).form
    local.channel_access["CTEAM"] = "invite_needed"  # removed from the channel while the admin was typing
    values = {"name": "Lead", "goal": "Grow leaders", "start_date": app.services.clock.now().date().isoformat()}
    replies = await submit(app, "UADMIN", form.form_id, dict(values), state=form.state)
    errors = errors_of(replies)
    assert "/invite @Lingkar" in errors["name"] and "everything you typed is still here" in errors["name"]
    assert await _programs(app) == []  # nothing saved
    local.channel_access["CTEAM"] = "ok"  # the admin typed /invite @Lingkar
    replies = await submit(app, "UADMIN", form.form_id, dict(values), state=form.state)
    assert "created as a draft" in text_of(replies)
    [program] = await _programs(app)
    assert program.announcement_target == _channel("CTEAM").key()


async def test_a_public_channel_is_joined_and_the_admin_is_told(app: App, local: LocalMessenger) -> None:
    form = form_of(await _create_in(app, "CPUBLIC")).form
    local.channel_access["CPUBLIC"] = "joined"
    values = {"name": "Lead", "goal": "Grow leaders", "start_date": app.services.clock.now().date().isoformat()}
    replies = await submit(app, "UADMIN", form.form_id, values, state=form.state)
    assert "created as a draft" in text_of(replies)
    assert "Lingkar joined this channel to post the program's announcements here." in text_of(replies)
    assert [p.announcement_target for p in await _programs(app)] == [_channel("CPUBLIC").key()]


async def test_an_archived_channel_or_a_platform_that_cannot_answer_saves_nothing(
        app: App, local: LocalMessenger) -> None:
    form = form_of(await _create_in(app, "CTEAM")).form
    values = {"name": "Lead", "goal": "Grow leaders", "start_date": app.services.clock.now().date().isoformat()}
    local.channel_access["CTEAM"] = "archived"
    assert "archived" in errors_of(await submit(app, "UADMIN", form.form_id, values, state=form.state))["name"]

    async def busy(target: Target) -> str:
        raise DeliveryError("conversations.info: rate limited", retry_after=30)

    local.ensure_member = busy  # type: ignore[assignment,method-assign]
    errors = errors_of(await submit(app, "UADMIN", form.form_id, values, state=form.state))
    assert "Nothing was saved" in errors["name"]
    assert await _programs(app) == []


async def test_a_direct_message_create_checks_no_channel(app: App, local: LocalMessenger) -> None:
    local.channel_access["CTEAM"] = "invite_needed"  # unrelated: the program is announced nowhere yet
    form = form_of(await say(app, "UADMIN", "program create")).form
    values = {"name": "Lead", "goal": "Grow leaders", "start_date": app.services.clock.now().date().isoformat()}
    assert "created as a draft" in text_of(await submit(app, "UADMIN", form.form_id, values, state=form.state))


async def test_program_channel_moves_only_to_a_channel_lingkar_can_post_in(app: App, local: LocalMessenger) -> None:
    form = form_of(await _create_in(app, "CTEAM")).form
    values = {"name": "Lead", "goal": "Grow leaders", "start_date": app.services.clock.now().date().isoformat()}
    await submit(app, "UADMIN", form.form_id, values, state=form.state)
    local.channel_access["CSECRET"] = "invite_needed"
    moved = await app.core.handle(Command(actor("UADMIN"), "program channel lead", where=_channel("CSECRET")))
    assert "/invite @Lingkar" in text_of(moved)
    assert [p.announcement_target for p in await _programs(app)] == [_channel("CTEAM").key()]  # stays where it was
    local.channel_access["CSECRET"] = "joined"
    moved = await app.core.handle(Command(actor("UADMIN"), "program channel lead", where=_channel("CSECRET")))
    assert "Lingkar joined this channel" in text_of(moved)
    assert [p.announcement_target for p in await _programs(app)] == [_channel("CSECRET").key()]
