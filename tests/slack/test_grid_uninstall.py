"""Enterprise Grid: an org-wide install serves the org's workspaces from any replica (the org of each workspace is in
the database), and an org-wide removal marks every one of them inactive, leaving other orgs and workspaces with their
own install alone. A delivery whose token died just before the removal ends skipped with the reason."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select as core_select
from sqlmodel import col, select

from adapters.bootstrap import App, bootstrap
from adapters.local.messenger import LocalMessenger
from adapters.server import build_web_app
from adapters.settings import Settings
from adapters.slack.installations import EncryptedInstallationStore, ResultPages
from adapters.slack.tokens import TeamTokenClient, TokenCipher
from adapters.slack.wiring import SLACK
from adapters.workspace_erase import erase
from bot.kernel.clock import ManualClock
from bot.kernel.messages import Message
from bot.kernel.ports import Target
from scheduler.deliver import deliver_due
from scheduler.pacing import Pacer
from storage.tables import Delivery, Member, Workspace
from storage.tables.slack_oauth import slack_team_orgs
from tests.conftest import Database, create_schema
from tests.slack.conftest import SECRET, Slack
from tests.slack.mock_slack import Install, MockSlack
from tests.slack.test_oauth_install import CLIENT, KEY, core_rows, queue

ORG_TOKEN, OTHER_ORG_TOKEN, OWN_TOKEN = "xoxb-org-one", "xoxb-org-two", "xoxb-own-install"
# T1, T2: served by org E1's install. T9: in E1 but installed on its own. T5: served by org E2's install.
ORG_OF = {"T1": "E1", "T2": "E1", "T9": "E1", "T5": "E2"}


async def replica(database: Database, clock: ManualClock, mock: MockSlack) -> tuple[App, Any]:
    settings = Settings(LINGKAR_DATABASE_URL=database.url, SLACK_CLIENT_ID=CLIENT[0], SLACK_CLIENT_SECRET=CLIENT[1],
                        SLACK_SIGNING_SECRET=SECRET, LINGKAR_SLACK_TOKEN_KEYS=KEY, LINGKAR_SLACK_API_URL=mock.url)
    app = await bootstrap(settings, clock=clock, messenger_overrides={"local": LocalMessenger()}, migrate=False,
                          schema=database.schema)
    return app, build_web_app(app)


@pytest.fixture
async def replicas(database: Database, clock: ManualClock,
                   mock_slack: MockSlack) -> AsyncIterator[tuple[App, Slack, App, Slack]]:
    """Two Lingkar processes in "Add to Slack" mode on one database, with E1's and E2's org-wide installs and T9's
    own install stored (as the OAuth redirect stores them) and known to the Slack double."""
    mock_slack.client = CLIENT
    await create_schema(database)
    (one, web_one), (two, web_two) = [await replica(database, clock, mock_slack) for _ in range(2)]
    store = EncryptedInstallationStore(client_id=CLIENT[0], engine=one.engine, cipher=TokenCipher((KEY,)))
    for org, team, token in (("E1", None, ORG_TOKEN), ("E2", None, OTHER_ORG_TOKEN), ("E1", "T9", OWN_TOKEN)):
        await store.async_save(Installation(
            app_id="A1", enterprise_id=org, team_id=team, user_id="UINSTALLER", bot_token=token, bot_id=f"B{org}",
            bot_user_id="UBOT", bot_scopes="commands,chat:write", is_enterprise_install=team is None,
            installed_at=datetime(2026, 11, 1, tzinfo=UTC).timestamp()))
        mock_slack.tokens[token] = Install(team_id=team or org, team_name=team or org, token=token,
                                           enterprise_id=org)
    try:
        async with TestClient(TestServer(web_one, host="127.0.0.1", port=0)) as c1, \
                TestClient(TestServer(web_two, host="127.0.0.1", port=0)) as c2:
            yield one, Slack(c1, web_one[SLACK], mock_slack), two, Slack(c2, web_two[SLACK], mock_slack)
    finally:
        for app in (one, two):
            assert app.platforms.slack is not None
            await app.platforms.slack.api.aclose()
            await app.close()


async def grid_command(slack: Slack, *, team: str, user: str) -> int:
    org_wide = team != "T9"
    body = urlencode({"token": "legacy", "team_id": team, "enterprise_id": ORG_OF[team], "channel_id": "C0GENERAL",
                      "is_enterprise_install": "true" if org_wide else "false", "user_id": user,
                      "command": "/circle", "text": "help", "api_app_id": "A1", "trigger_id": slack.trigger(),
                      "response_url": slack.mock.response_url(f"{team}-{user}")})
    status, _ = await slack.post(body, content_type="application/x-www-form-urlencoded")
    return status


async def org_uninstalled(slack: Slack, *, org: str, team: str, event_id: str) -> int:
    """What Slack sends when an org admin removes an org-wide app: the org, is_enterprise_install, no team's own."""
    body = json.dumps({"token": "legacy", "enterprise_id": org, "team_id": team, "api_app_id": "A1",
                       "is_enterprise_install": True, "event": {"type": "app_uninstalled"}, "type": "event_callback",
                       "event_id": event_id, "event_time": 1767571200,
                       "authorizations": [{"enterprise_id": org, "team_id": None, "user_id": "UBOT",
                                           "is_bot": True, "is_enterprise_install": True}]})
    status, _ = await slack.post(body, content_type="application/json")
    return status


async def test_an_org_wide_removal_retires_every_workspace_the_org_served_as_any_replica_knows(
        replicas: tuple[App, Slack, App, Slack], clock: ManualClock) -> None:
    one, slack_one, two, slack_two = replicas
    mock = slack_one.mock
    for team, user in (("T1", "U1"), ("T2", "U2"), ("T9", "U3"), ("T5", "UADMIN")):
        assert await grid_command(slack_one, team=team, user=user) == 200
    tokens = {c.token for c in mock.calls if c.method not in ("respond",)}
    assert tokens == {ORG_TOKEN, OWN_TOKEN, OTHER_ORG_TOKEN}
    orgs = dict(await core_rows(one, core_select(slack_team_orgs.c.team_id, slack_team_orgs.c.enterprise_id)))
    assert orgs == {"T1": "E1", "T2": "E1", "T5": "E2"} | {"T9": "E1"}

    # The other replica never saw a request from T2 or T5, and there are two org installs: it finds each one's org
    # in the database and sends with that org's token.
    mock.calls.clear()
    await two.messenger.send(Target(platform="slack", workspace_id="T2", kind="user", ref="U2"), Message("e1"))
    await two.messenger.send(Target(platform="slack", workspace_id="T5", kind="user", ref="UADMIN"), Message("e2"))
    assert [(p.args["text"], p.token) for p in mock.calls_to("chat.postMessage")] == [
        ("e1", ORG_TOKEN), ("e2", OTHER_ORG_TOKEN)]

    # E1's org admin removes the app; the event reaches the other replica. Slack kills the org's token at once.
    mock.revoke(ORG_TOKEN)
    assert await org_uninstalled(slack_two, org="E1", team="T1", event_id="EvOrgGone") == 200
    async with one.uow() as uow:
        spaces = {w.external_id: w for w in (await uow.session.exec(select(Workspace)))}
        for team, user in (("T1", "U1"), ("T2", "U2"), ("T9", "U3"), ("T5", "UADMIN")):
            await queue(uow, spaces[team], user, key=f"{team}-after")
        await uow.commit()
    assert {team: w.inactive_reason for team, w in spaces.items()} == {
        "T1": "app_uninstalled", "T2": "app_uninstalled", "T9": None, "T5": None}
    mock.calls.clear()
    report = await deliver_due(uow_factory=one.uow, messenger=one.messenger, clock=clock, worker_id="w1",
                               pacer=Pacer.unlimited())
    assert (report.sent, report.failed, dict(report.skipped)) == (2, 0, {"workspace app_uninstalled": 2})
    assert sorted((p.args["text"], p.token) for p in mock.calls_to("chat.postMessage")) == [
        ("T5-after", OTHER_ORG_TOKEN), ("T9-after", OWN_TOKEN)]

    # The org installs again (what the OAuth redirect's success page does): its workspaces are served again.
    client = two.platforms.slack.api.client if two.platforms.slack else None
    assert isinstance(client, TeamTokenClient) and client.tokens is not None
    pages = ResultPages(default_locale="en", command="/circle", uow=two.uow, tokens=client.tokens)
    await pages.reactivate(Installation(app_id="A1", enterprise_id="E1", team_id=None, user_id="UINSTALLER",
                                        bot_token="xoxb-org-again", is_enterprise_install=True))
    async with one.uow() as uow:
        again = {w.external_id: w.inactive_since for w in (await uow.session.exec(select(Workspace)))}
    assert set(again.values()) == {None}


async def test_a_delivery_claimed_just_before_the_removal_is_skipped_with_the_reason(
        replicas: tuple[App, Slack, App, Slack], clock: ManualClock) -> None:
    """The token dies first (Slack answers account_inactive), the event follows: the delivery is neither failed nor its
    member marked unreachable; it waits, and ends skipped once the workspace is marked inactive."""
    one, slack_one, _, _ = replicas
    mock = slack_one.mock
    assert await grid_command(slack_one, team="T1", user="U1") == 200
    async with one.uow() as uow:
        t1 = (await uow.session.exec(select(Workspace).where(col(Workspace.external_id) == "T1"))).one()
        await queue(uow, t1, "U1", key="raced")
        await uow.commit()
    # Slack's answer for a bot token of a removed app (account_inactive), before the event reaches Lingkar.
    mock.fail("conversations.open", "account_inactive")
    mock.calls.clear()
    report = await deliver_due(uow_factory=one.uow, messenger=one.messenger, clock=clock, worker_id="w1",
                               pacer=Pacer.unlimited())
    assert (report.sent, report.failed, report.retried) == (0, 0, 1)
    assert [c.method for c in mock.calls] == ["conversations.open"]
    mock.revoke(ORG_TOKEN)
    assert await org_uninstalled(slack_one, org="E1", team="T1", event_id="EvRace") == 200
    clock.advance(timedelta(hours=2))
    mock.calls.clear()
    report = await deliver_due(uow_factory=one.uow, messenger=one.messenger, clock=clock, worker_id="w1",
                               pacer=Pacer.unlimited())
    assert (report.sent, report.failed, dict(report.skipped)) == (0, 0, {"workspace app_uninstalled": 1})
    assert mock.calls == []  # not tried again
    async with one.uow() as uow:
        row = (await uow.session.exec(select(Delivery).where(col(Delivery.key) == "raced"))).one()
        members = {m.external_id: m.reachable for m in (await uow.session.exec(select(Member)))}
    assert (row.status, row.last_error) == ("skipped", "workspace app_uninstalled")
    assert members == {"U1": True}  # the workspace went away, not the member


class RemovedMidSend:
    """The messenger, with the org's removal reaching Lingkar (through the other replica) while a send is under way:
    Slack has killed the token by the time the call arrives."""

    def __init__(self, app: App, slack: Slack) -> None:
        self.app, self.slack = app, slack

    async def send(self, target: Target, message: Message) -> Any:
        self.slack.mock.revoke(ORG_TOKEN)
        assert await org_uninstalled(self.slack, org="E1", team=target.workspace_id, event_id="EvMidSend") == 200
        return await self.app.messenger.send(target, message)


async def test_a_removal_during_the_send_skips_the_delivery_at_once(
        replicas: tuple[App, Slack, App, Slack], clock: ManualClock) -> None:
    one, slack_one, _, slack_two = replicas
    assert await grid_command(slack_one, team="T2", user="U2") == 200
    async with one.uow() as uow:
        t2 = (await uow.session.exec(select(Workspace).where(col(Workspace.external_id) == "T2"))).one()
        await queue(uow, t2, "U2", key="mid-send")
        await uow.commit()
    report = await deliver_due(uow_factory=one.uow, messenger=RemovedMidSend(one, slack_two),  # type: ignore[arg-type]
                               clock=clock, worker_id="w1", pacer=Pacer.unlimited())
    assert (report.sent, report.failed, report.retried, dict(report.skipped)) == (
        0, 0, 0, {"workspace app_uninstalled": 1})
    async with one.uow() as uow:
        row = (await uow.session.exec(select(Delivery).where(col(Delivery.key) == "mid-send"))).one()
    assert (row.status, row.last_error, row.attempts) == ("skipped", "workspace app_uninstalled", 1)


async def test_erasing_a_workspace_forgets_its_org(replicas: tuple[App, Slack, App, Slack], database: Database) -> None:
    if database.schema is not None:  # `erase` opens the database by URL alone: no per-test schema
        return
    one, slack_one, _, _ = replicas
    for team, user in (("T1", "U1"), ("T2", "U2")):
        assert await grid_command(slack_one, team=team, user=user) == 200
    assert await org_uninstalled(slack_one, org="E1", team="T1", event_id="EvGoneForGood") == 200
    said = await erase(database_url=database.url, platform="slack", external_id="T1", force=False)
    assert said.startswith("erased slack workspace T1")
    orgs = dict(await core_rows(one, core_select(slack_team_orgs.c.team_id, slack_team_orgs.c.enterprise_id)))
    assert orgs == {"T2": "E1"}
