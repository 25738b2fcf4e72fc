"""A post Slack answers `not_in_channel` (a program's channel saved before channels were checked, or Lingkar removed
since): a public channel is joined and the post goes out once more; a private one fails for good, naming the fix."""

from __future__ import annotations

import pytest

from adapters.slack.messenger import SlackMessenger
from bot.kernel.messages import Message
from bot.kernel.ports import DeliveryError
from tests.slack.mock_slack import MockSlack
from tests.slack.test_channels import channel, membership

__all__ = ["membership"]  # the Slack double's channel membership (a fixture)


async def test_a_public_channel_the_bot_is_not_in_is_joined_and_the_post_arrives(
        slack_messenger: SlackMessenger, membership: MockSlack) -> None:
    town = membership.add_channel("town-square", private=False)
    ref = await slack_messenger.send(channel(town.id), Message("Enrollment is open"))
    posts = membership.calls_to("chat.postMessage")
    assert [(p.args["channel"], p.ok) for p in posts] == [(town.id, False), (town.id, True)]
    assert [c.args["channel"] for c in membership.calls_to("conversations.join")] == [town.id]
    assert ref.message_id and membership.bot_user in town.members


async def test_a_private_channel_fails_for_good_asking_for_an_invitation(
        slack_messenger: SlackMessenger, membership: MockSlack) -> None:
    secret = membership.add_channel("hr-private", private=True)
    with pytest.raises(DeliveryError) as refused:
        await slack_messenger.send(channel(secret.id), Message("Enrollment is open"))
    assert refused.value.permanent and "/invite @Lingkar" in str(refused.value)
    assert len(membership.calls_to("chat.postMessage")) == 1 and membership.calls_to("conversations.join") == []
