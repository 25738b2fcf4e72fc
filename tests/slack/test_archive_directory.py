"""Issue 14 on the Slack Web API: archiving a circle's channel, the workspace's email directory (users.list, paged)
and the member's email in the Actor (users.info)."""

from __future__ import annotations

import pytest

from adapters.slack.messenger import SlackMessenger
from bot.kernel.ports import DeliveryError, Target
from tests.slack.conftest import TEAM, Sleeps
from tests.slack.mock_slack import MockSlack


def channel(ref: str) -> Target:
    return Target(platform="slack", workspace_id=TEAM, kind="channel", ref=ref)


async def test_a_channel_is_archived_once_and_archived_already_counts_as_done(
        slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    circle = mock_slack.add_channel("lingkar-leadership-1")
    await slack_messenger.archive_space(channel(circle.id))
    assert circle.archived
    await slack_messenger.archive_space(channel(circle.id))  # a retried delivery, or archived by hand
    assert [c.args["channel"] for c in mock_slack.calls_to("conversations.archive")] == [circle.id, circle.id]
    assert mock_slack.calls_to("conversations.archive")[-1].ok is False  # Slack said already_archived


async def test_archiving_waits_out_a_short_429_and_hands_a_long_one_back(
        slack_messenger: SlackMessenger, mock_slack: MockSlack, sleeps: Sleeps) -> None:
    circle = mock_slack.add_channel("lingkar-leadership-2")
    mock_slack.rate_limit("conversations.archive", times=1, retry_after="3")
    await slack_messenger.archive_space(channel(circle.id))
    assert circle.archived and len(sleeps.delays) == 1 and 3.0 <= sleeps.delays[0] < 3.3

    later = mock_slack.add_channel("lingkar-leadership-3")
    mock_slack.rate_limit("conversations.archive", times=1, retry_after="90")
    with pytest.raises(DeliveryError) as raised:
        await slack_messenger.archive_space(channel(later.id))
    assert raised.value.retry_after == 90.0 and not raised.value.permanent and not later.archived


async def test_archiving_a_channel_slack_does_not_know_fails_for_good(
        slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    with pytest.raises(DeliveryError) as raised:
        await slack_messenger.archive_space(channel("C0GONE"))
    assert raised.value.permanent and "channel_not_found" in str(raised.value)
    mock_slack.fail("conversations.archive", "not_in_channel")
    circle = mock_slack.add_channel("lingkar-leadership-4")
    with pytest.raises(DeliveryError) as refused:
        await slack_messenger.archive_space(channel(circle.id))
    assert refused.value.permanent and not circle.archived


async def test_the_directory_reads_every_page_and_keeps_only_people_with_an_email(
        slack_messenger: SlackMessenger, mock_slack: MockSlack, sleeps: Sleeps) -> None:
    for n in range(430):
        mock_slack.add_user(f"UP{n:04d}", name=f"Pegawai {n}")
    mock_slack.add_user("UOLD", name="Mantan Pegawai", deleted=True)
    mock_slack.add_user("UGUEST", name="Tamu", email="")
    mock_slack.add_user("BHELPER", name="Helper Bot", bot=True, email="helper@contoh.co.id")
    mock_slack.rate_limit("users.list", times=1, retry_after="1")  # the first page, then asked again
    found = await slack_messenger.email_directory(workspace_id=TEAM, platform="slack")
    assert len(found) == 430 + 4  # the fixture's four people besides
    assert found["pegawai.7@contoh.co.id"] == "UP0007" and found["dewi.admin@contoh.co.id"] == "UADMIN"
    assert all(email == email.lower() for email in found)
    assert not {"UOLD", "UGUEST", "BHELPER", "UBOT"} & set(found.values())
    pages = mock_slack.calls_to("users.list")
    assert [c.args.get("cursor") for c in pages] == [None, None, "page-200", "page-400"]
    assert len(sleeps.delays) == 1  # the 429 was waited out, and no page was lost to it


async def test_a_directory_slack_will_not_give_is_an_error_not_an_empty_workspace(
        slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    mock_slack.fail("users.list", "missing_scope", needed="users:read.email")
    with pytest.raises(DeliveryError) as raised:
        await slack_messenger.email_directory(workspace_id=TEAM, platform="slack")
    assert raised.value.permanent and "missing_scope" in str(raised.value)


async def test_the_actor_carries_the_lower_cased_email_when_slack_shows_one(
        slack_messenger: SlackMessenger, mock_slack: MockSlack) -> None:
    mock_slack.add_user("U8", name="Tamu Tanpa Email", email="")
    ayu = await slack_messenger.directory.actor(team_id=TEAM, user_id="U1")
    guest = await slack_messenger.directory.actor(team_id=TEAM, user_id="U8")
    assert (ayu.email, guest.email) == ("ayu.lestari@contoh.co.id", None)
    mock_slack.fail("users.info", "internal_error", times=3, status=500)
    unknown = await slack_messenger.directory.actor(team_id=TEAM, user_id="U2")  # no profile: still served
    assert unknown.email is None and unknown.user_id == "U2"
