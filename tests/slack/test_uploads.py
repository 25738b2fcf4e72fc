"""An admin's org import uploaded in their DM with the bot: the file, the email directory and the command reach the
core together; everything else written in the DM gets a pointer to the slash command."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.bootstrap import App
from adapters.slack.uploads import from_slack_files
from adapters.uploads import MAX_BYTES
from bot.kernel.events import Command, Event
from bot.kernel.ports import Target
from bot.kernel.replies import Response
from tests.slack.conftest import TEAM, Slack
from tests.slack.mock_slack import MockSlack

CSV = b"email,department,team,manager\nayu.lestari@contoh.co.id,People,HR Ops,dewi.admin@contoh.co.id\n"


def dm_message(text: str, *, user: str = "UADMIN", files: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """A message.im event as Slack sends it: subtype file_share when files came with it."""
    event: dict[str, Any] = {"type": "message", "channel": f"D{user}", "channel_type": "im", "user": user,
                             "text": text, "ts": "1767571300.000200", "event_ts": "1767571300.000200", **extra}
    if files:
        event["subtype"] = "file_share"
        event["files"] = [{"id": f, "name": "org.csv", "file_access": "visible"} for f in files]
    return event


@pytest.fixture
def asked(slack: Slack, monkeypatch: pytest.MonkeyPatch) -> list[Command]:
    """The commands the DM listener gave the core (which still answers them)."""
    seen: list[Command] = []
    original = slack.bot.ask_core

    async def spy(event: Event) -> list[Response]:
        if isinstance(event, Command):
            seen.append(event)
        return await original(event)

    monkeypatch.setattr(slack.bot, "ask_core", spy)
    return seen


WORKING = "Working on it"  # said first when a file came with the command (the import is a slow one)


def dm_posts(mock: MockSlack, user: str = "UADMIN", *, working: bool = False) -> list[str]:
    texts = [c.args.get("text") or "" for c in mock.calls_to("chat.postMessage") if c.args.get("channel") == f"D{user}"]
    return [t for t in texts if working or not t.startswith(WORKING)]


async def test_an_uploaded_csv_reaches_the_core_with_the_workspace_directory(
        slack: Slack, asked: list[Command]) -> None:
    mock = slack.mock
    mock.add_user("UGONE", name="Eko Keluar", deleted=True)
    mock.add_user("UNOMAIL", name="Fajar Tamu", email="")
    file_id = mock.add_file("org.csv", CSV)
    status, _ = await slack.event(dm_message("admin import", files=[file_id]), event_id="EvImp1")
    assert status == 200
    [command] = asked
    assert command.text == "admin import" and command.attachment is not None
    assert (command.attachment.filename, command.attachment.data) == ("org.csv", CSV)
    assert command.attachment.directory == {"ayu.lestari@contoh.co.id": "U1", "budi.santoso@contoh.co.id": "U2",
                                            "citra.dewi@contoh.co.id": "U3", "dewi.admin@contoh.co.id": "UADMIN"}
    assert command.actor.email == "dewi.admin@contoh.co.id"  # users.info's email, lower-cased
    assert command.where == Target(platform="slack", workspace_id=TEAM, kind="user", ref="UADMIN")
    [download] = mock.calls_to("download")  # with the bot token (the mock serves a sign-in page otherwise)
    assert download.path.endswith(f"{file_id}/download/org.csv")
    assert [t.startswith(WORKING) for t in dm_posts(mock, working=True)] == [True, False]  # then the answer

    await slack.event(dm_message("admin import", files=[file_id]), event_id="EvImp1", retry=1)
    assert len(asked) == 1 and len(mock.calls_to("files.info")) == 1  # Slack's retry is dropped


async def test_the_rows_meet_slack_members_by_their_email(slack: Slack, lingkar: App) -> None:
    """End to end through bot/org: the directory matches people who never used Lingkar."""
    csv = (b"email,department,team\nAyu.Lestari@contoh.co.id,People,HR Ops\n"
           b"citra.dewi@CONTOH.co.id,Finance,Payroll\nnobody@contoh.co.id,Sales,Field\n")
    await slack.event(dm_message("admin import", files=[slack.mock.add_file("org.csv", csv)]), event_id="EvE2E")
    async with lingkar.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM,
                                                       now=lingkar.services.clock.now())
        ayu = await uow.members.by_external_id(workspace_id=workspace.id or 0, external_id="U1")
        citra = await uow.members.by_external_id(workspace_id=workspace.id or 0, external_id="U3")
    assert ayu is not None and (ayu.department, ayu.team) == ("People", "HR Ops")
    assert citra is not None and (citra.department, citra.team) == ("Finance", "Payroll")


async def test_the_import_runs_without_a_directory_and_says_so(slack: Slack, asked: list[Command]) -> None:
    slack.mock.fail("users.list", "missing_scope", needed="users:read.email")
    file_id = slack.mock.add_file("org.csv", CSV)
    await slack.event(dm_message("Admin  Import", files=[file_id]), event_id="EvImp2")
    [command] = asked
    assert command.attachment is not None and command.attachment.directory == {}
    assert command.attachment.data == CSV
    assert "users:read.email" in dm_posts(slack.mock)[-1]


async def test_the_import_without_a_file_is_still_the_cores_to_answer(slack: Slack, asked: list[Command]) -> None:
    await slack.event(dm_message("admin import"), event_id="EvImp3")
    [command] = asked
    assert command.attachment is None
    assert slack.mock.calls_to("users.list") == [] and len(dm_posts(slack.mock)) == 1


async def test_a_file_over_the_cap_is_refused_before_it_is_read(slack: Slack, asked: list[Command]) -> None:
    declared = slack.mock.add_file("huge.csv", b"email\n", size=MAX_BYTES + 1)
    await slack.event(dm_message("admin import", files=[declared]), event_id="EvBig1")
    assert slack.mock.calls_to("download") == []
    lying = slack.mock.add_file("lying.csv", b"x" * (MAX_BYTES + 1), size=10)  # says 10 bytes, streams more
    await slack.event(dm_message("admin import", files=[lying]), event_id="EvBig2")
    assert len(slack.mock.calls_to("download")) == 1
    assert asked == [] and slack.mock.calls_to("users.list") == []  # the core never saw either
    assert [text.startswith("That file is larger than 5 MB") for text in dm_posts(slack.mock)] == [True, True]


async def test_files_slack_will_not_serve_are_refused_with_a_reason(slack: Slack, asked: list[Command]) -> None:
    external = slack.mock.add_file("org.csv", CSV, external=True)
    await slack.event(dm_message("admin import", files=[external]), event_id="EvExt")
    refused = slack.mock.add_file("org.csv", CSV)
    slack.mock.fail("download", "error", status=403)
    await slack.event(dm_message("admin import", files=[refused]), event_id="EvRef")
    slack.mock.fail("files.info", "file_not_found")
    await slack.event(dm_message("admin import", files=["FMISSING"]), event_id="EvGone")
    assert asked == []
    replies = dm_posts(slack.mock)
    assert "not stored in Slack" in replies[0]
    assert replies[1].startswith("I could not download that file") and replies[2] == replies[1]


async def test_a_sign_in_page_instead_of_the_file_is_not_taken_for_a_csv(
        slack: Slack, asked: list[Command], monkeypatch: pytest.MonkeyPatch) -> None:
    file_id = slack.mock.add_file("org.csv", CSV)
    monkeypatch.setattr(slack.mock, "file_data", {})  # Slack's answer without files:read: HTML with a 200
    await slack.event(dm_message("admin import", files=[file_id]), event_id="EvHtml")
    assert asked == [] and dm_posts(slack.mock)[-1].startswith("I could not download that file")


async def test_other_messages_in_the_dm_get_a_pointer_in_the_members_language(
        slack: Slack, asked: list[Command], lingkar: App) -> None:
    slack.mock.add_user("U7", name="Sari Wulan", locale="id-ID")
    await slack.event(dm_message("help", user="U7"), event_id="EvHint1")
    file_id = slack.mock.add_file("notes.csv", CSV)
    await slack.event(dm_message("here is my CV", user="U7", files=[file_id]), event_id="EvHint2")
    hints = dm_posts(slack.mock, "U7")
    assert len(hints) == 2 and all("`/circle help`" in h and "Saya menerima perintah" in h for h in hints)
    assert asked == [] and slack.mock.calls_to("files.info") == []  # a file without the command is not read


@pytest.mark.parametrize("event", [
    dm_message("admin import", bot_id="B0001"),  # the bot's own post
    dm_message("admin import", subtype="message_changed"),  # an edit
    {**dm_message("admin import"), "channel_type": "channel", "channel": "C0GENERAL"},  # not the DM
    {**dm_message("admin import"), "user": None},
])
async def test_what_no_person_wrote_in_the_dm_is_ignored(slack: Slack, asked: list[Command],
                                                         event: dict[str, Any]) -> None:
    status, _ = await slack.event(event, event_id="EvIgnored")
    assert status == 200  # acked, so Slack does not send it again
    assert asked == [] and slack.mock.calls_to("chat.postMessage") == []


def test_the_bot_token_only_goes_to_slack(slack_messenger: Any) -> None:
    api = slack_messenger.api
    assert from_slack_files("https://files.slack.com/files-pri/T1-F1/download/org.csv", api=api)
    assert not from_slack_files("http://files.slack.com/files-pri/T1-F1/download/org.csv", api=api)
    assert not from_slack_files("https://files.slack.com.evil.example/org.csv", api=api)
    assert not from_slack_files("https://evilslack.com/org.csv", api=api)
    assert not from_slack_files("https://[::1/org.csv", api=api)


async def test_a_members_upload_is_refused_without_reading_the_file_or_the_directory(
        slack: Slack, asked: list[Command]) -> None:
    """Only admins import: a member's file is never downloaded and the workspace directory never read for them."""
    file_id = slack.mock.add_file("org.csv", CSV)
    await slack.event(dm_message("admin import", user="U1", files=[file_id]), event_id="EvNotAdmin")
    [command] = asked
    assert command.attachment is None
    assert slack.mock.calls_to("files.info") == [] and slack.mock.calls_to("users.list") == []
    assert "admin" in dm_posts(slack.mock, "U1")[-1].lower()


async def test_a_programs_script_file_reaches_the_core_without_the_directory(
        slack: Slack, asked: list[Command]) -> None:
    """`program script` takes a file too (CommandSpec.takes_file): read for an admin, with no email directory."""
    mock = slack.mock
    file_id = mock.add_file("script.json", b'{"stages": {')
    await slack.event(dm_message("program script nothing-here", files=[file_id]), event_id="EvScr1")
    [command] = asked
    assert command.attachment is not None and command.attachment.data == b'{"stages": {'
    assert command.attachment.directory == {} and mock.calls_to("users.list") == []
    assert "nothing-here" in dm_posts(mock)[-1]  # the core's answer: no such program
