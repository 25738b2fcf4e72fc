"""One Slack user id in two workspaces (Enterprise Grid) is two people: names, languages and admin rights never mix."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from adapters.bootstrap import App
from adapters.slack.messenger import SlackMessenger
from bot.kernel.messages import Header, Message, Text
from bot.kernel.ports import Target
from tests.slack.conftest import TEAM, Slack
from tests.slack.mock_slack import MockSlack

OTHER = "T2"
SHARED = "UGRID1"  # the same user id, a workspace admin in T1 and a plain member in T2
ADMIN_NAME, MEMBER_NAME = "Putri Admin Satu", "Rudi Anggota Dua"


def two_workspaces(mock: MockSlack) -> None:
    mock.add_user(SHARED, name=ADMIN_NAME, admin=True, locale="id-ID")
    mock.add_user(SHARED, name=MEMBER_NAME, team=OTHER, locale="en-US")


async def command_in(slack: Slack, team: str, text: str, *, user: str = SHARED) -> dict[str, Any]:
    """The slash command as Slack sends it from `team` (tests.slack.conftest.Slack.command speaks for T1 only)."""
    body = urlencode({
        "token": "legacy", "team_id": team, "team_domain": team.lower(), "channel_id": "C0GENERAL",
        "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/circle", "text": text,
        "api_app_id": "A1", "response_url": slack.mock.response_url(f"cmd-{team}"), "trigger_id": slack.trigger(),
    })
    status, answer = await slack.post(body, content_type="application/x-www-form-urlencoded")
    assert status == 200
    return json.loads(answer) if answer.startswith("{") else {"raw": answer}


def answered(slack: Slack, team: str, answer: dict[str, Any]) -> str:
    """What the member read: the ack's text, or what went to the command's response_url."""
    texts = [str(answer.get("text") or "")]
    texts += [str(c.args.get("text") or "") for c in slack.mock.calls_to("respond")
              if c.path.endswith(f"cmd-{team}")]
    return "\n".join(texts)


async def member_named(app: App, team: str, user: str) -> str | None:
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=team,
                                                       now=app.services.clock.now())
        member = await uow.members.by_external_id(workspace_id=workspace.id or 0, external_id=user)
        return member.display_name if member else None


async def test_an_admin_in_one_workspace_is_not_an_admin_in_the_other(slack: Slack, lingkar: App) -> None:
    two_workspaces(slack.mock)
    await command_in(slack, TEAM, "program create")  # warms the cache with T1's profile of the id
    assert len(slack.mock.calls_to("views.open")) == 1  # T1's admin gets the program form

    await command_in(slack, OTHER, "status")  # first contact in T2: the member is stored there
    answer = await command_in(slack, OTHER, "program create")
    assert len(slack.mock.calls_to("views.open")) == 1, "T2's plain member was treated as T1's admin"
    assert "Only Lingkar admins can do that" in answered(slack, OTHER, answer)  # in T2's language, English
    asked = [c.args.get("team_id") for c in slack.mock.calls_to("users.info")]
    assert asked == [TEAM, OTHER]  # one lookup per workspace, each saying which workspace it means
    assert await member_named(lingkar, TEAM, SHARED) == ADMIN_NAME
    assert await member_named(lingkar, OTHER, SHARED) == MEMBER_NAME


async def test_a_cold_lookup_asks_for_the_workspace_of_the_request(slack: Slack, lingkar: App) -> None:
    """With nothing cached, T2's request must not be answered with the org's default (T1) profile either."""
    two_workspaces(slack.mock)
    await command_in(slack, OTHER, "status")
    answer = await command_in(slack, OTHER, "program create")
    assert slack.mock.calls_to("views.open") == []
    assert "Only Lingkar admins can do that" in answered(slack, OTHER, answer)
    assert await member_named(lingkar, OTHER, SHARED) == MEMBER_NAME


async def test_messages_use_each_workspaces_own_name_and_language(slack_messenger: SlackMessenger,
                                                                  mock_slack: MockSlack) -> None:
    """The outbox's sends: the DM channel, the language and a mention's name come from the target's workspace."""
    two_workspaces(mock_slack)
    directory = slack_messenger.directory
    assert (await directory.profile(team_id=TEAM, user_id=SHARED)).is_admin
    assert not (await directory.profile(team_id=OTHER, user_id=SHARED)).is_admin
    assert directory.name(team_id=OTHER, user_id=SHARED) == MEMBER_NAME
    assert slack_messenger.translator(SHARED, team_id=TEAM).locale == "id"
    assert slack_messenger.translator(SHARED, team_id=OTHER).locale == "en"
    assert slack_messenger.translator(SHARED, team_id="T3").locale == "en"  # unknown there: the default

    mock_slack.add_user("UGRID2", name="Sari Satu")
    message = Message(text="hello", blocks=(Header(f"Your circle with <@{SHARED}>"), Text("Welcome")))
    await slack_messenger.send(Target(platform="slack", workspace_id=OTHER, kind="channel", ref="C0CIRCLE"), message)
    header = mock_slack.last("chat.postMessage").texts()[0]
    assert header == f"Your circle with @{MEMBER_NAME}"  # a header cannot mention: the name shown is T2's
