"""Any request can land on any replica: the scenario through a round-robin proxy over two `lingkar serve` processes
on one PostgreSQL database, each request on the other replica than the one before."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import aiohttp
import pytest

from adapters.bootstrap import App, bootstrap
from adapters.settings import Settings
from adapters.slack.app import ROUTE
from adapters.slack.messenger import FORM_BUTTON, SlackMessenger
from tests.conftest import PG_URL, START
from tests.replicas.cluster import REQUEST_TIMEOUT, Cluster, FileClock, cluster, postgres_database
from tests.scenario.driver import Driver
from tests.scenario.slack_driver import IDS, SlackDriver
from tests.scenario.steps import ADMIN, CHANNEL, PEOPLE, SCENARIO, Db, Say, ayu_checked_in
from tests.scenario.teams_driver import USERS, AnsweringConnector, TeamsDriver
from tests.slack.conftest import SECRET, TEAM, Slack
from tests.slack.mock_slack import TOKEN, MockSlack
from tests.teams.activities import CHANNEL as TEAMS_CHANNEL
from tests.teams.activities import TEAM as TEAMS_TEAM
from tests.teams.activities import installed_in_team

pytestmark = pytest.mark.skipif(not PG_URL, reason="replicas share one PostgreSQL: set LINGKAR_TEST_DATABASE_URL")

KEY = "replica-test-secret-key-shared-by-every-replica"
# The scenario through the check-in: joining with the profile modal, theme votes, the election's buttons, a check-in.
THROUGH_CHECKIN = SCENARIO[: next(i for i, s in enumerate(SCENARIO) if isinstance(s, Db) and s.check is ayu_checked_in)
                           + 1]


async def _post(url: str, *, data: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session, session.post(
            url, data=data, headers=headers) as response:
        return response.status, await response.text()


class ProxiedSlack(Slack):
    """The Slack harness, posting through the proxy; `settle` waits for both replicas' after-ack work."""

    def __init__(self, *, running: Cluster, mock: MockSlack, messenger: SlackMessenger) -> None:
        super().__init__(cast(Any, None), cast(Any, SimpleNamespace(messenger=messenger)), mock)
        self.running = running

    async def post(self, body: str, *, content_type: str, timestamp: int | None = None, secret: str | None = None,
                   extra_headers: dict[str, str] | None = None, settle: bool = True) -> tuple[int, str]:
        headers = {**self.headers(body, content_type=content_type, timestamp=timestamp or int(time.time()),
                                  secret=secret), **(extra_headers or {})}
        answer = await _post(self.running.proxy.url + ROUTE, data=body.encode(), headers=headers)
        if settle:
            await self.running.drain()
        return answer


class ProxiedTeams:
    def __init__(self, running: Cluster) -> None:
        self.running = running

    async def post(self, activity: dict[str, Any], *, headers: dict[str, str] | None = None) -> int:
        status, _ = await self.invoke(activity, headers=headers)
        return status

    async def invoke(self, activity: dict[str, Any], *, headers: dict[str, str] | None = None) -> tuple[int, str]:
        """An activity through the proxy; an invoke's answer (a card refresh) is the HTTP response's body."""
        answer = await _post(self.running.proxy.url + "/api/messages", data=json.dumps(activity).encode(),
                             headers={"Content-Type": "application/json", **(headers or {})})
        await self.running.drain()
        return answer


def alternated(running: Cluster) -> None:
    served = running.proxy.served
    assert len(served) > 30 and set(served) == {0, 1}
    assert all(a != b for a, b in itertools.pairwise(served))  # consecutive requests, other replica


@asynccontextmanager
async def in_process(url: str, clock: FileClock, env: dict[str, str]) -> AsyncIterator[App]:
    """The test's own view of the database (checks) and the scheduler's ticks on the scenario's clock."""
    app = await bootstrap(Settings(LINGKAR_DATABASE_URL=url, **env), clock=clock, migrate=False)  # type: ignore[arg-type]
    try:
        yield app
    finally:
        if app.platforms.slack is not None:
            await app.platforms.slack.api.aclose()
        await app.close()


async def test_the_slack_scenario_on_two_replicas(tmp_path: Path) -> None:
    mock = await MockSlack(team_id=TEAM).start()
    try:
        for person, name in PEOPLE.items():
            mock.add_user(IDS[person], name=name, admin=person == ADMIN)
        channel = mock.add_channel("mentoring", private=False)
        channel.members.extend([mock.bot_user, *IDS.values()])
        env = {"LINGKAR_ADMINS": IDS[ADMIN], "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
               "LINGKAR_SLACK_API_URL": mock.url, "LINGKAR_SECRET_KEY": KEY}
        clock = FileClock(START, tmp_path / "clock")
        async with postgres_database(PG_URL) as url, cluster(url=url, env=env, clock_file=clock.path,
                                                             logs=tmp_path) as running, \
                in_process(url, clock, env) as app:
            assert app.platforms.slack is not None
            slack = ProxiedSlack(running=running, mock=mock, messenger=app.platforms.slack)
            driver = SlackDriver(app=app, clock=clock, slack=slack, channel=channel.id)
            await driver.run(THROUGH_CHECKIN)
            await a_kept_form_crosses_replicas(driver, slack, running)
            await a_retried_event_is_handled_once(slack, running)
            alternated(running)
    finally:
        await mock.close()


async def a_kept_form_crosses_replicas(driver: Driver, slack: ProxiedSlack, running: Cluster) -> None:
    """The modal cannot open (an expired trigger): one replica keeps the form behind a button, the other opens it."""
    slack.mock.fail("views.open", "expired_trigger_id")
    await driver.step(Say(ADMIN, "program create", where=CHANNEL))
    kept_on = running.proxy.served[-1]
    opened = len(slack.mock.calls_to("views.open"))
    received, control = driver.find_control(ADMIN, FORM_BUTTON)
    await driver.press(ADMIN, received, control, chosen=())
    assert running.proxy.served[-1] != kept_on
    assert len(slack.mock.calls_to("views.open")) == opened + 1
    view = slack.mock.last("views.open").args["view"]
    assert "name" in [b["block_id"] for b in view["blocks"] if b.get("type") == "input"]
    await driver.press(ADMIN, received, control, chosen=())  # taken once: on the first replica it has expired
    assert len(slack.mock.calls_to("views.open")) == opened + 1


async def a_retried_event_is_handled_once(slack: ProxiedSlack, running: Cluster) -> None:
    event = {"type": "app_home_opened", "user": IDS[ADMIN], "tab": "home"}
    before = len(slack.mock.calls_to("views.publish"))
    status, _ = await slack.event(event, event_id="EvReplica1")
    assert status == 200
    first = running.proxy.served[-1]
    status, _ = await slack.event(event, event_id="EvReplica1", retry=1)  # Slack's retry, on the other replica
    assert status == 200 and running.proxy.served[-1] != first
    assert len(slack.mock.calls_to("views.publish")) == before + 1


async def test_the_teams_scenario_on_two_replicas(tmp_path: Path) -> None:
    connector = AnsweringConnector()
    await connector.start()
    try:
        connector.roster = [user.account for user in USERS.values()]
        connector.channels = [{"id": TEAMS_TEAM, "name": "General"}, {"id": TEAMS_CHANNEL, "name": "Mentoring"}]
        env = {"LINGKAR_ADMINS": USERS[ADMIN].aad, "LINGKAR_TEAMS_LOCAL": "true", "LINGKAR_SECRET_KEY": KEY}
        clock = FileClock(START, tmp_path / "clock")
        async with postgres_database(PG_URL) as url, cluster(url=url, env=env, clock_file=clock.path,
                                                             logs=tmp_path) as running, \
                in_process(url, clock, env) as app:
            teams = ProxiedTeams(running)
            assert await teams.post(installed_in_team(connector.url, USERS[ADMIN])) == 200
            driver = TeamsDriver(app=app, clock=clock, teams=cast(Any, teams), connector=connector)
            driver.collect()
            await driver.run(THROUGH_CHECKIN)
            alternated(running)
    finally:
        await connector.close()
