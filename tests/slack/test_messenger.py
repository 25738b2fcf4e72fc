"""The Messenger on the mock Web API: DMs, updates, rate limits, failures, circle channels, images and files."""

from __future__ import annotations

import asyncio

import pytest

from adapters.slack.messenger import SlackMessenger
from adapters.slack.spaces import SlackSpaceRef, channel_name
from bot.kernel.messages import Header, Message, Text
from bot.kernel.ports import DeliveryError, MessageRef, Target, UnreachableMember
from tests.slack.conftest import TEAM, Sleeps
from tests.slack.mock_slack import MockSlack, Scripted


def user(ref: str) -> Target:
    return Target(platform="slack", workspace_id=TEAM, kind="user", ref=ref)


def channel(ref: str) -> Target:
    return Target(platform="slack", workspace_id=TEAM, kind="channel", ref=ref)


async def test_a_dm_opens_the_conversation_once(slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    first = await slack_messenger.send(user("U1"), Message(text="Hello <team> & friends"))
    second = await slack_messenger.send(user("U1"), Message(text="Again", blocks=(Header("Week 2"), Text("Again"))))
    assert len(mock_slack.calls_to("conversations.open")) == 1
    posts = mock_slack.calls_to("chat.postMessage")
    assert [p.args["channel"] for p in posts] == ["DU1", "DU1"]
    assert posts[0].args["text"] == "Hello &lt;team&gt; &amp; friends"
    assert posts[0].texts() == ["Hello &lt;team&gt; &amp; friends"]
    assert posts[1].blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Week 2", "emoji": True}}
    assert first.message_id != second.message_id and first.target == user("U1")

    await slack_messenger.update(second, Message(text="Edited"))
    edit = mock_slack.last("chat.update")
    assert (edit.args["channel"], edit.args["ts"], edit.texts()) == ("DU1", second.message_id, ["Edited"])


async def test_a_429_storm_is_retried_after_retry_after_and_nothing_is_lost(
        slack_messenger: SlackMessenger, mock_slack: MockSlack, sleeps: Sleeps) -> None:
    mock_slack.rate_limit("chat.postMessage", times=6, retry_after="2")
    refs = await asyncio.gather(*(slack_messenger.send(channel("C0CIRCLE"), Message(text=f"prompt {i}"))
                                  for i in range(4)))
    delivered = [c.args["text"] for c in mock_slack.calls_to("chat.postMessage") if c.args.get("text")]
    ok_texts = delivered[-4:]
    assert sorted(ok_texts) == [f"prompt {i}" for i in range(4)]  # each one went out, exactly once after retries
    assert len(mock_slack.calls_to("chat.postMessage")) == 4 + 6
    assert len({r.message_id for r in refs}) == 4
    assert len(sleeps.delays) == 6 and all(2.0 <= d < 2.3 for d in sleeps.delays)  # what Slack asked for


async def test_a_long_retry_after_goes_back_to_the_outbox(slack_messenger: SlackMessenger,
                                                          mock_slack: MockSlack, sleeps: Sleeps) -> None:
    mock_slack.rate_limit("chat.postMessage", times=1, retry_after="120")
    with pytest.raises(DeliveryError) as raised:
        await slack_messenger.send(channel("C0CIRCLE"), Message(text="digest"))
    assert raised.value.retry_after == 120.0 and not raised.value.permanent
    assert sleeps.delays == []  # a worker is not held for two minutes


async def test_slack_errors_become_delivery_errors(slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    mock_slack.script("chat.postMessage", Scripted(status=503, body={"ok": False, "error": "service_unavailable"}))
    with pytest.raises(DeliveryError) as transient:
        await slack_messenger.send(channel("C0CIRCLE"), Message(text="x"))
    assert not transient.value.permanent and transient.value.retry_after is None

    archived = mock_slack.add_channel("old-circle", archived=True)
    with pytest.raises(DeliveryError) as gone:
        await slack_messenger.send(channel(archived.id), Message(text="x"))
    assert gone.value.permanent and "is_archived" in str(gone.value)


async def test_a_member_who_left_is_unreachable(slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    with pytest.raises(UnreachableMember) as unknown:
        await slack_messenger.send(user("UGONE"), Message(text="Week 3 check-in"))
    assert "user_not_found" in str(unknown.value)
    mock_slack.add_user("UOLD", name="Old Timer", deleted=True)
    with pytest.raises(UnreachableMember):
        await slack_messenger.send(user("UOLD"), Message(text="Week 3 check-in"))
    with pytest.raises(UnreachableMember):
        await slack_messenger.directory.profile(team_id=TEAM, user_id="UOLD")
    assert mock_slack.calls_to("chat.postMessage") == []


def test_channel_names_follow_slacks_rules() -> None:
    assert channel_name("Leadership Circles — Kepemimpinan #1!") == "leadership-circles-kepemimpinan-1"
    assert channel_name("Café Über") == "cafe-uber"
    assert channel_name("???") == "lingkar-circle"
    long = channel_name("x" * 200, attempt=12)
    assert len(long) == 80 and long.endswith("-12")


async def test_open_space_avoids_taken_names_and_invites_in_batches(slack_messenger: SlackMessenger,
                                                                   mock_slack: MockSlack) -> None:
    mock_slack.add_channel("leadership-kepemimpinan")
    mock_slack.add_channel("leadership-kepemimpinan-2")
    members = [f"UM{i:03d}" for i in range(230)]
    for member in members:
        mock_slack.add_user(member)
    mock_slack.add_user("UOLD", deleted=True)
    wanted = [*members[:150], "UOLD", "UGONE", mock_slack.bot_user, *members[150:], members[0]]
    space = await slack_messenger.open_space(workspace_id=TEAM, platform="slack", name="leadership-Kepemimpinan",
                                             members=wanted, private=True)
    assert isinstance(space, SlackSpaceRef)
    assert space.name == "leadership-kepemimpinan-3"
    assert space.target == Target(platform="slack", workspace_id=TEAM, kind="channel",
                                  ref=mock_slack.channel_named("leadership-kepemimpinan-3").id)
    creates = mock_slack.calls_to("conversations.create")
    assert [c.args["name"] for c in creates] == ["leadership-kepemimpinan", "leadership-kepemimpinan-2",
                                                 "leadership-kepemimpinan-3"]
    assert all(c.args["is_private"] in ("1", "true", "True") for c in creates)
    batches = [c.args["users"].split(",") for c in mock_slack.calls_to("conversations.invite")]
    assert [len(b) for b in batches] == [100, 100, 32]  # 232 distinct people, without the bot and the repeat
    assert space.skipped == ("UOLD", "UGONE")
    created = mock_slack.channel_named("leadership-kepemimpinan-3")
    assert sorted(created.members) == sorted([mock_slack.bot_user, *members])


async def test_add_to_space_reports_when_nobody_could_be_added(slack_messenger: SlackMessenger,
                                                              mock_slack: MockSlack) -> None:
    space = await slack_messenger.open_space(workspace_id=TEAM, platform="slack", name="pair-7", members=["U1"])
    await slack_messenger.add_to_space(space, ["U2", "UGONE"])
    assert "U2" in mock_slack.channel_named("pair-7").members
    with pytest.raises(UnreachableMember):
        await slack_messenger.add_to_space(space, ["UGONE"])


async def test_a_pair_space_is_a_group_dm_with_the_bot(slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    space = await slack_messenger.open_space(workspace_id=TEAM, platform="slack", name="mentoring-pair-4",
                                             members=["U1", "U2"], group_chat=True)
    opened = mock_slack.last("conversations.open")
    assert opened.args["users"] == "U1,U2"
    assert mock_slack.calls_to("conversations.create") == []  # no channel named after the pair
    group = mock_slack.channels[space.target.ref]
    assert sorted(group.members) == sorted(["U1", "U2", mock_slack.bot_user])
    assert space.target == Target(platform="slack", workspace_id=TEAM, kind="channel", ref=group.id)
    await slack_messenger.send(space.target, Message(text="Welcome, Ayu and Budi"))
    assert mock_slack.last("chat.postMessage").args["channel"] == group.id
    again = await slack_messenger.open_space(workspace_id=TEAM, platform="slack", name="mentoring-pair-4",
                                             members=["U2", "U1"], group_chat=True)
    assert again.target == space.target  # Slack finds the same group DM again


async def test_a_pair_with_a_member_who_left_gets_no_group_dm(slack_messenger: SlackMessenger,
                                                              mock_slack: MockSlack) -> None:
    mock_slack.add_user("UOLD", deleted=True)
    with pytest.raises(UnreachableMember):  # the core falls back to each member's DM
        await slack_messenger.open_space(workspace_id=TEAM, platform="slack", name="pair-5",
                                         members=["U1", "UOLD"], group_chat=True)


async def test_more_people_than_a_group_dm_holds_get_a_channel(slack_messenger: SlackMessenger,
                                                               mock_slack: MockSlack) -> None:
    many = [f"UM{i}" for i in range(9)]
    for member in many:
        mock_slack.add_user(member)
    space = await slack_messenger.open_space(workspace_id=TEAM, platform="slack", name="big-pair", members=many,
                                             group_chat=True)
    assert space.name == "big-pair" and mock_slack.calls_to("conversations.open") == []


async def test_an_image_is_uploaded_with_files_upload_v2(slack_messenger: SlackMessenger,
                                                         mock_slack: MockSlack) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    ref = await slack_messenger.send_image(channel("C0ADMIN"), png, "Participation, week 4")
    requested = mock_slack.last("files.getUploadURLExternal")
    assert requested.args["filename"] == "image.png" and requested.args["length"] == str(len(png))
    assert mock_slack.last("upload").data == png
    completed = mock_slack.last("files.completeUploadExternal")
    assert completed.args["channel_id"] == "C0ADMIN"
    assert completed.args["files"][0]["title"] == "Participation, week 4"
    assert ref == MessageRef(target=channel("C0ADMIN"), message_id=completed.args["files"][0]["id"])


async def test_a_file_goes_to_the_members_dm(slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    await slack_messenger.send_file(user("U1"), b'{"me": 1}', "my-data.json", "Your data")
    assert mock_slack.last("files.completeUploadExternal").args["channel_id"] == "DU1"
    assert mock_slack.last("upload").data == b'{"me": 1}'
