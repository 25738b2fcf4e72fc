"""Slack workspace admins and owners are Lingkar admins in chat (LINGKAR_WORKSPACE_ADMINS_ARE_ADMINS): the dashboard
asks users.info with the bot token, as the chat does, since Sign in with Slack's claims do not say it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.dashboard.identity import Identity, admit
from bot.kernel.clock import ManualClock
from tests.conftest import Database
from tests.dashboard.conftest import Dashboard, new_client, running_dashboard, sign_in
from tests.dashboard.entra_double import EntraDouble
from tests.dashboard.people import SLACK_MEMBER, Person
from tests.dashboard.slack_oidc_double import SlackOidcDouble

BOT = {"SLACK_BOT_TOKEN": "xoxb-dashboard-test", "SLACK_SIGNING_SECRET": "signing-secret"}


@pytest.fixture
async def with_slack_bot(database: Database, clock: ManualClock,
                         idp_doubles: tuple[SlackOidcDouble, EntraDouble]) -> AsyncIterator[Dashboard]:
    idp_doubles[0].workspace_admins.add((SLACK_MEMBER.tenant, SLACK_MEMBER.user_id))
    async with running_dashboard(database, clock, idp_doubles, **BOT) as found:
        yield found


async def test_a_slack_workspace_admin_gets_in_as_in_chat(with_slack_bot: Dashboard) -> None:
    async with new_client(with_slack_bot) as client:
        assert (await sign_in(with_slack_bot, client, SLACK_MEMBER)).status == 303
    assert "users.info" in with_slack_bot.slack.calls
    admin = await admit(with_slack_bot.app, Identity("slack", SLACK_MEMBER.tenant, SLACK_MEMBER.user_id))
    assert admin is not None and admin.actor().is_workspace_admin  # core commands run with the chat's rights
    assert await with_slack_bot.app.core.is_admin(admin.actor())
    plain = Person("slack", SLACK_MEMBER.tenant, "U2", "Budi Santoso")  # users.info: not a workspace admin
    async with new_client(with_slack_bot) as client:
        assert (await sign_in(with_slack_bot, client, plain)).status == 403


async def test_unless_the_setting_turns_that_rule_off(database: Database, clock: ManualClock,
                                                      idp_doubles: tuple[SlackOidcDouble, EntraDouble]) -> None:
    idp_doubles[0].workspace_admins.add((SLACK_MEMBER.tenant, SLACK_MEMBER.user_id))
    async with running_dashboard(database, clock, idp_doubles, LINGKAR_WORKSPACE_ADMINS_ARE_ADMINS=False,
                                 **BOT) as found, new_client(found) as client:
        assert (await sign_in(found, client, SLACK_MEMBER)).status == 403
