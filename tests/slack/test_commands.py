"""The slash command end to end: signed requests into Lingkar's server, the mock Web API recording the answers."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from typing import Any, Literal

import pytest
from sqlmodel import select

from adapters.bootstrap import App
from adapters.slack.modals import Metadata
from bot.kernel.events import Event
from bot.kernel.replies import Response
from scheduler.deliver import deliver_due
from storage.tables import EnrollmentStatus, Pair, Program
from tests.helpers import PROFILE
from tests.slack.conftest import TEAM, Slack, slack_program
from tests.slack.mock_slack import Scripted


async def enrollment_of(app: App, user: str) -> tuple[Any, Any]:
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM,
                                                       now=app.services.clock.now())
        member = await uow.members.by_external_id(workspace_id=workspace.id or 0, external_id=user)
        if member is None:
            return None, None
        enrollments = await uow.enrollments.of_member(workspace_id=workspace.id or 0, member_id=member.id or 0)
        return member, (enrollments[0] if enrollments else None)


async def test_join_opens_the_profile_modal(slack: Slack, lingkar: App) -> None:
    program = await slack_program(lingkar)
    status, answer = await slack.command("join", user="U1", channel="C0GENERAL")
    assert status == 200
    assert answer == {"raw": ""}  # nothing to show in the channel: the modal is the answer
    opened = slack.mock.last("views.open")
    assert opened.args["trigger_id"] == "trigger-1"
    view = opened.args["view"]
    assert view["type"] == "modal"
    assert view["title"]["text"] == "Your profile"
    assert view["close"]["text"] == "Cancel"
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(blocks)[:3] == ["department", "seniority", "job_title"]
    assert blocks["department"]["optional"] is False and blocks["job_title"]["optional"] is True
    assert blocks["work_start_hour"]["element"]["type"] == "number_input"
    assert blocks["work_start_hour"]["element"]["max_value"] == "23"
    assert blocks["timezone"]["element"]["initial_option"]["value"] == "Asia/Jakarta"  # from users.info
    metadata = Metadata.decode(view["private_metadata"], seal=slack.bot.messenger.seal(TEAM, "U1"))
    assert metadata is not None and metadata.nonce  # signed for U1 in this workspace, single-use
    assert replace(metadata, nonce=None) == Metadata(
        form_id="profile", state=f"join:{program.id}", channel="C0GENERAL", user="U1",
        response_url=slack.mock.response_url("cmd-U1"))


async def test_submitting_the_modal_enrolls_the_member(slack: Slack, lingkar: App) -> None:
    program = await slack_program(lingkar)
    await slack.command("join", user="U1")
    view = slack.mock.last("views.open").args["view"]
    status, body = await slack.submit(view, {**PROFILE, "department": "Finance & Risk"}, user="U1")
    assert status == 200 and body == ""  # the modal closes
    member, enrollment = await enrollment_of(lingkar, "U1")
    assert enrollment is not None and enrollment.program_id == program.id
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert member.display_name == "Ayu Lestari" and member.department == "Finance & Risk"
    # The answer goes back where the command was typed, through its response_url, only to the member.
    reply = slack.mock.last("respond")
    assert reply.path == "/respond/cmd-U1"
    assert reply.args["response_type"] == "ephemeral"
    assert "Welcome to Leadership Circles!" in reply.text()
    assert "Finance &amp; Risk" in reply.text()


async def test_a_reply_falls_back_to_an_ephemeral_post_then_a_dm(slack: Slack, lingkar: App) -> None:
    await slack_program(lingkar)
    await slack.command("join", user="U2", channel="C0GENERAL")
    view = slack.mock.last("views.open").args["view"]
    slack.mock.script("respond", Scripted(status=404))  # the response_url expired
    slack.mock.fail("chat.postEphemeral", "not_in_channel")
    await slack.submit(view, PROFILE, user="U2")
    ephemeral = slack.mock.last("chat.postEphemeral")
    assert ephemeral.args["channel"] == "C0GENERAL" and ephemeral.args["user"] == "U2"
    dm = slack.mock.last("chat.postMessage")
    assert dm.args["channel"] == "DU2"
    assert "Welcome to Leadership Circles!" in dm.text()


async def test_validation_errors_show_under_the_fields(slack: Slack, lingkar: App) -> None:
    await slack_program(lingkar)
    await slack.command("join", user="U1")
    view = slack.mock.last("views.open").args["view"]
    status, body = await slack.submit(view, {**PROFILE, "department": "", "work_start_hour": "25"}, user="U1")
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {"department": "This field is required.",
                                "work_start_hour": "Enter a whole hour from 0 to 23."}
    _, enrollment = await enrollment_of(lingkar, "U1")
    assert enrollment is None
    assert slack.mock.calls_to("respond") == []


async def test_status_help_and_unknown_commands_answer_in_the_ack(slack: Slack, lingkar: App) -> None:
    status, answer = await slack.command("status")
    assert status == 200 and answer["response_type"] == "ephemeral"
    assert "You're not enrolled in any program yet." in answer["text"]

    _, answer = await slack.command("")
    assert answer["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                                              "text": "Lingkar: mentoring circles and pairs"}}
    assert any("join [program]" in b.get("text", {}).get("text", "") for b in answer["blocks"])

    _, answer = await slack.command("frobnicate &lt;now&gt;")  # Slack escapes what the member typed
    assert "I didn't understand \"frobnicate <now>\"" not in answer["text"]  # escaped, not raw
    assert "I didn't understand \"frobnicate &lt;now&gt;\"" in answer["text"]
    assert slack.mock.calls_to("respond") == []  # answered in the HTTP response itself, no extra call


async def test_indonesian_members_get_indonesian_answers(slack: Slack, lingkar: App) -> None:
    slack.mock.add_user("U7", name="Putu", locale="id-ID")
    _, answer = await slack.command("status", user="U7")
    assert "Anda belum terdaftar" in answer["text"]


async def test_a_bad_signature_is_refused_and_reaches_nothing(slack: Slack, lingkar: App) -> None:
    body = "team_id=T1&user_id=U1&command=%2Fcircle&text=status&channel_id=C1&trigger_id=t"
    status, _ = await slack.post(body, content_type="application/x-www-form-urlencoded", secret="not-the-secret")
    assert status == 401
    headers = slack.headers(body, content_type="application/x-www-form-urlencoded")
    response = await slack.client.post("/slack/events", data=(body + "&text=join").encode(), headers=headers)
    assert response.status == 401  # the body changed after signing
    assert slack.mock.calls_to("users.info") == []
    member, _ = await enrollment_of(lingkar, "U1")
    assert member is None


async def test_a_stale_timestamp_is_refused(slack: Slack, lingkar: App) -> None:
    body = "team_id=T1&user_id=U1&command=%2Fcircle&text=status&channel_id=C1&trigger_id=t"
    status, _ = await slack.post(body, content_type="application/x-www-form-urlencoded",
                                 timestamp=int(time.time()) - 6 * 60)  # a replay from six minutes ago
    assert status == 401
    assert slack.mock.calls_to("users.info") == []


async def test_a_slow_command_is_acknowledged_then_answered_by_response_url(slack: Slack, lingkar: App) -> None:
    assert lingkar.core.is_slow("export")
    status, answer = await slack.command("export", user="U1")
    assert status == 200
    assert answer == {"text": "Working on it… I'll post the answer here when it's ready.",
                      "response_type": "ephemeral"}
    later = slack.mock.last("respond")
    assert later.path == "/respond/cmd-U1"
    assert later.args["response_type"] == "ephemeral"
    assert later.text()  # the core's answer (here: only admins may export)
    assert "Working on it" not in later.text()


async def test_mentions_reach_the_core_in_neutral_form(slack: Slack, lingkar: App) -> None:
    status, answer = await slack.command("admin add <@U2|budi>", user="UADMIN")
    assert status == 200
    assert "<@U2>" in answer["text"]  # the core's mention, rendered as a Slack mention
    _, answer = await slack.command("admin list", user="UADMIN")
    assert "<@U2>" in answer["text"]


async def test_a_command_that_runs_long_is_acknowledged_in_time(slack: Slack, lingkar: App,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    release = asyncio.Event()
    handle = lingkar.core.handle

    async def busy(event: Event) -> list[Response]:
        await release.wait()  # the database is busy until the test says otherwise
        return await handle(event)

    monkeypatch.setattr(lingkar.core, "handle", busy)
    slack.bot.ack_budget = 0.01
    status, answer = await slack.command("status", settle=False)
    assert status == 200
    assert answer["text"] == "Working on it… I'll post the answer here when it's ready."
    release.set()
    await slack.bot.background.drain()
    assert "You're not enrolled in any program yet." in slack.mock.last("respond").text()


async def test_the_core_takes_events_a_few_at_a_time(slack: Slack, lingkar: App,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    entered: list[str] = []
    in_core, queued, release = asyncio.Event(), asyncio.Event(), asyncio.Event()
    handle = lingkar.core.handle

    async def first_one_blocks(event: Event) -> list[Response]:
        entered.append(event.actor.user_id)
        if len(entered) == 1:
            in_core.set()
            await release.wait()
        return await handle(event)

    class Gate(asyncio.Semaphore):
        async def acquire(self) -> Literal[True]:
            if self.locked():
                queued.set()
            return await super().acquire()

    monkeypatch.setattr(lingkar.core, "handle", first_one_blocks)
    slack.bot.gate = Gate(1)
    first = asyncio.create_task(slack.command("status", user="U1", settle=False))
    await in_core.wait()
    # The core is busy: the second command is acknowledged at once, empty, instead of holding Slack's request.
    status, second_ack = await asyncio.wait_for(slack.command("status", user="U2", settle=False), 10)
    assert status == 200 and second_ack == {"raw": ""}
    await queued.wait()
    assert entered == ["U1"]  # the second waits its turn instead of crowding the database
    assert slack.mock.calls_to("respond") == []
    release.set()
    _, first_answer = await first
    assert "not enrolled" in first_answer["text"]  # the first was in the core: its answer rides in the ack
    await slack.bot.background.drain()
    assert entered == ["U1", "U2"]
    later = slack.mock.last("respond")  # the second's answer, through its response_url, only to that member
    assert later.path == "/respond/cmd-U2" and later.args["response_type"] == "ephemeral"
    assert "not enrolled" in later.text()


async def test_a_member_is_served_when_users_info_fails(slack: Slack, lingkar: App) -> None:
    slack.mock.fail("users.info", "internal_error", status=500)
    status, answer = await slack.command("status", user="U3")
    assert status == 200 and "You're not enrolled in any program yet." in answer["text"]
    member, _ = await enrollment_of(lingkar, "U3")
    assert member.display_name == "u3"  # the command's user_name until users.info answers
    await slack.command("status", user="U3")
    member, _ = await enrollment_of(lingkar, "U3")
    assert member.display_name == "Citra Dewi"  # the next request looked again and found the name


async def test_a_pair_set_by_an_admin_meets_in_a_group_dm(slack: Slack, lingkar: App) -> None:
    now = lingkar.services.clock.now()
    async with lingkar.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM, now=now)
        uow.programs.add(Program(workspace_id=workspace.id or 0, name="Reverse Mentoring", slug="reverse",
                                 state="enrolling", format="reverse", created_at=now))
        await uow.commit()
    for user, role, seniority in (("U1", "mentor", "1"), ("U2", "mentee", "4")):
        await slack.command("join", user=user)
        await slack.submit(slack.mock.last("views.open").args["view"],
                           {**PROFILE, "role": role, "seniority": seniority, "capacity": "1"}, user=user)
    status, answer = await slack.command("pair set reverse <@U1|ayu> <@U2|budi>", user="UADMIN")
    assert status == 200 and "Ayu Lestari" in answer["text"], answer
    opened = slack.mock.last("conversations.open")
    assert opened.args["users"] == "U1,U2"  # mentor and mentee, with the bot: their own group DM
    assert slack.mock.calls_to("conversations.create") == []
    async with lingkar.uow() as uow:
        [pair] = (await uow.session.exec(select(Pair))).all()
    group = slack.mock.channels[pair.space.rsplit(":", 1)[-1]]
    assert sorted(group.members) == sorted(["U1", "U2", slack.mock.bot_user])
    assert pair.space == f"slack:{TEAM}:channel:{group.id}"
    await deliver_due(uow_factory=lingkar.uow, messenger=lingkar.messenger, clock=lingkar.services.clock,
                      worker_id="test")
    welcome = slack.mock.last("chat.postMessage")
    assert welcome.args["channel"] == group.id and "Budi Santoso" in welcome.text()
