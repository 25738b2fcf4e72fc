"""Issue 17 §2 on the Slack double: `program create` joins the public channel it is typed in (so the announcement
does not end in `not_in_channel`), asks for `/invite @Lingkar` in a private one and keeps the modal's answers;
circle channels are archived after the closing message; an archived channel's name is never reused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import select

from adapters.bootstrap import App
from adapters.slack.messenger import SlackMessenger
from bot.kernel.messages import Message
from bot.kernel.ports import DeliveryError, Target
from scheduler.deliver import deliver_due
from storage.tables import Program
from tests.slack.conftest import TEAM, Slack
from tests.slack.mock_slack import MockSlack

Answer = Callable[[dict[str, Any]], dict[str, Any]]


def channel(ref: str) -> Target:
    return Target(platform="slack", workspace_id=TEAM, kind="channel", ref=ref)


@pytest.fixture
def membership(mock_slack: MockSlack) -> MockSlack:
    """conversations.info and conversations.join as Slack answers them, and chat.postMessage refusing a channel the
    bot is not in (`not_in_channel`): the double's defaults know no membership."""
    world, bot = mock_slack, mock_slack.bot_user
    posting: Answer = world._chat_postMessage

    def info(args: dict[str, Any]) -> dict[str, Any]:
        found = world.channels.get(str(args.get("channel")))
        if found is None or (found.is_private and bot not in found.members):  # a private channel hides itself
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": found.id, "name": found.name, "is_private": found.is_private,
                                        "is_archived": found.archived, "is_member": bot in found.members}}

    def join(args: dict[str, Any]) -> dict[str, Any]:
        found = world.channels.get(str(args.get("channel")))
        if found is None:
            return {"ok": False, "error": "channel_not_found"}
        if found.is_private:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        if found.archived:
            return {"ok": False, "error": "is_archived"}
        if bot not in found.members:
            found.members.append(bot)
        return {"ok": True, "channel": {"id": found.id, "name": found.name}}

    def post(args: dict[str, Any]) -> dict[str, Any]:
        found = world.channels.get(str(args.get("channel")))
        if found is not None and not found.archived and bot not in found.members:
            return {"ok": False, "error": "not_in_channel"}
        return posting(args)

    world._conversations_info = info  # type: ignore[attr-defined]
    world._conversations_join = join  # type: ignore[attr-defined]
    world._chat_postMessage = post  # type: ignore[method-assign]
    return world


async def programs(app: App) -> list[Program]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Program))).all())


def answers(app: App) -> dict[str, Any]:
    return {"name": "Leadership Circles", "goal": "Grow leaders",
            "start_date": app.services.clock.now().date().isoformat()}


async def deliver(app: App) -> None:
    await deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=app.services.clock, worker_id="test")


async def test_a_public_channel_is_joined_at_program_create_and_the_announcement_arrives(
        slack: Slack, lingkar: App, membership: MockSlack) -> None:
    town = membership.add_channel("town-square", private=False)
    await slack.command("program create", user="UADMIN", channel=town.id)
    assert [c.args["channel"] for c in membership.calls_to("conversations.join")] == [town.id]
    assert membership.bot_user in town.members
    view = membership.last("views.open").args["view"]
    status, body = await slack.submit(view, answers(lingkar), user="UADMIN")
    assert status == 200 and body == ""
    [program] = await programs(lingkar)
    assert program.announcement_target == channel(town.id).key()
    assert len(membership.calls_to("conversations.join")) == 1  # a member now: checked, not joined again

    await slack.command(f"program open {program.slug}", user="UADMIN", channel=town.id)
    await deliver(lingkar)
    posts = [c for c in membership.calls_to("chat.postMessage") if c.args.get("channel") == town.id]
    assert posts and all(c.ok for c in posts)  # no not_in_channel
    assert "Leadership Circles" in posts[-1].text()


async def test_a_private_channel_asks_for_an_invitation_and_the_modal_keeps_the_answers(
        slack: Slack, lingkar: App, membership: MockSlack, slack_messenger: SlackMessenger) -> None:
    secret = membership.add_channel("hr-private", private=True)
    _, reply = await slack.command("program create", user="UADMIN", channel=secret.id)
    assert membership.calls_to("views.open") == [] and membership.calls_to("conversations.join") == []
    told = json.dumps(reply)
    assert "/invite @Lingkar" in told and "type the command again" in told

    # The modal was opened in a channel Lingkar was in; it was removed before the admin pressed the button.
    team = membership.add_channel("hr-team", private=True)
    team.members.append(membership.bot_user)
    await slack.command("program create", user="UADMIN", channel=team.id)
    view = membership.last("views.open").args["view"]
    team.members.remove(membership.bot_user)
    status, body = await slack.submit(view, answers(lingkar), user="UADMIN")
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "errors"  # the modal stays open, with what was typed
    assert "/invite @Lingkar" in answer["errors"]["name"]
    assert await programs(lingkar) == []

    team.members.append(membership.bot_user)  # the admin typed /invite @Lingkar in the channel
    status, body = await slack.submit(view, answers(lingkar), user="UADMIN")
    assert status == 200 and body == ""
    assert [p.announcement_target for p in await programs(lingkar)] == [channel(team.id).key()]


async def test_ensure_member_reads_each_slack_answer(slack_messenger: SlackMessenger, membership: MockSlack) -> None:
    public = membership.add_channel("open", private=False)
    archived = membership.add_channel("old-circle", private=False, archived=True)
    assert await slack_messenger.ensure_member(channel(public.id)) == "joined"
    assert await slack_messenger.ensure_member(channel(public.id)) == "ok"
    assert await slack_messenger.ensure_member(channel(archived.id)) == "archived"
    assert await slack_messenger.ensure_member(channel("CUNKNOWN")) == "invite_needed"
    assert await slack_messenger.ensure_member(Target(platform="slack", workspace_id=TEAM, kind="user",
                                                      ref="U1")) == "ok"
    newer = membership.add_channel("older-app", private=False)
    membership.fail("conversations.join", "missing_scope", needed="channels:join")  # installed before the scope
    assert await slack_messenger.ensure_member(channel(newer.id)) == "invite_needed"
    membership.fail("conversations.info", "internal_error", status=500, times=3)
    with pytest.raises(DeliveryError) as raised:
        await slack_messenger.ensure_member(channel(newer.id))
    assert not raised.value.permanent  # Slack's own trouble: the admin is asked to try again, nothing is saved


async def test_a_circle_channel_is_archived_after_its_closing_message(
        slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    space = await slack_messenger.open_space(workspace_id=TEAM, platform="slack", name="Leadership Circle A",
                                             members=["U1", "U2"])
    await slack_messenger.send(space.target, Message(text="Thank you, circle: this was our last session."))
    await slack_messenger.archive_space(space.target)
    methods = [c.method for c in mock_slack.calls if c.args.get("channel") == space.target.ref]
    assert methods[-2:] == ["chat.postMessage", "conversations.archive"]
    assert mock_slack.channel_named("leadership-circle-a").archived


async def test_an_archived_channel_is_never_reused_a_new_circle_gets_a_new_name(
        slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    first = await slack_messenger.open_space(workspace_id=TEAM, platform="slack", name="Leadership Circle A",
                                             members=["U1"])
    await slack_messenger.archive_space(first.target)
    again = await slack_messenger.open_space(workspace_id=TEAM, platform="slack", name="Leadership Circle A",
                                             members=["U2"])
    assert again.name == "leadership-circle-a-2" and again.target.ref != first.target.ref
    assert mock_slack.channels[again.target.ref].members == [mock_slack.bot_user, "U2"]
    assert mock_slack.channels[first.target.ref].members == [mock_slack.bot_user, "U1"]  # U2 not added to the old


async def test_an_archived_channel_listed_by_slack_is_not_taken_for_our_own(
        slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    """Even when conversations.list shows an archived channel of ours under the name (is_archived), it is skipped."""
    old = mock_slack.add_channel("mentoring-b", private=True, archived=True)
    old.creator = mock_slack.bot_user
    listing = {"ok": True, "channels": [{"id": old.id, "name": old.name, "is_private": True, "is_archived": True,
                                         "creator": mock_slack.bot_user}], "response_metadata": {"next_cursor": ""}}
    mock_slack._conversations_list = lambda args: listing  # type: ignore[method-assign]
    space = await slack_messenger.open_space(workspace_id=TEAM, platform="slack", name="Mentoring B",
                                             members=["U3"])
    assert space.name == "mentoring-b-2" and space.target.ref != old.id
    assert mock_slack.channel_named("mentoring-b-2").members == [mock_slack.bot_user, "U3"]
