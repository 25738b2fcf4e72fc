"""/metrics: scraped over HTTP after signed Slack requests, Slack forms, Teams turns and a scheduler tick, and closed
without the token."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from adapters.bootstrap import App, bootstrap
from adapters.local.messenger import LocalMessenger
from adapters.server import build_web_app
from adapters.settings import Settings
from adapters.slack.api import RateLimitRetry
from adapters.slack.messenger import SlackMessenger
from adapters.slack.wiring import SLACK
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.wiring import TEAMS
from bot.kernel.clock import ManualClock
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue
from bot.kernel.ports import Target
from tests.conftest import Database, create_schema
from tests.helpers import PROFILE

# The Slack harness's fixtures, used here by name.
from tests.slack.conftest import SECRET, TEAM, Slack, Sleeps, lingkar, mock_slack, slack, slack_program, sleeps  # noqa: F401
from tests.slack.mock_slack import TOKEN, MockSlack
from tests.teams.activities import BUDI, installed_personally, personal
from tests.teams.conftest import Teams
from tests.teams.mock_connector import MockConnector

METRICS_TOKEN = "scrape-me-please"
AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture
async def metered(database: Database, clock: ManualClock, local: LocalMessenger, mock_slack: MockSlack,  # noqa: F811
                  sleeps: Sleeps) -> AsyncIterator[tuple[App, Slack]]:  # noqa: F811
    """Lingkar with Slack and a metrics token, behind its real web app."""
    settings = Settings(LINGKAR_DATABASE_URL=database.url, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                        LINGKAR_SLACK_API_URL=mock_slack.url, LINGKAR_METRICS_TOKEN=METRICS_TOKEN)
    await create_schema(database)
    built = await bootstrap(settings, clock=clock, messenger_overrides={"local": local}, migrate=False,
                            schema=database.schema)
    messenger = built.messenger.for_platform("slack")
    assert isinstance(messenger, SlackMessenger)
    for handler in messenger.api.client.retry_handlers:
        if isinstance(handler, RateLimitRetry):
            handler.sleep, handler.rng = sleeps, random.Random(7)
    web_app = build_web_app(built)
    try:
        async with TestClient(TestServer(web_app, host="127.0.0.1", port=0)) as client:
            yield built, Slack(client, web_app[SLACK], mock_slack)
    finally:
        await messenger.api.aclose()
        await built.close()


async def scrape(edge: Slack) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return await scrape_client(edge.client)


async def scrape_client(client: TestClient[Any, Any]) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await client.get("/metrics", headers=AUTH)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_requests_latencies_and_core_time_after_signed_commands(metered: tuple[App, Slack]) -> None:
    _, edge = metered
    before = await scrape(edge)
    assert value(before, "lingkar_requests_total", platform="slack", outcome="ok") == 0
    for text in ("help", "help"):
        status, _ = await edge.command(text)
        assert status == 200
    refused = await edge.client.post("/slack/events", data=b"command=/circle", headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": "1",
        "X-Slack-Signature": "v0=forged"})
    assert refused.status == 401
    after = await scrape(edge)
    assert value(after, "lingkar_requests_total", platform="slack", outcome="ok") == 2
    assert value(after, "lingkar_requests_total", platform="slack", outcome="refused") == 1
    assert value(after, "lingkar_ack_seconds_count", platform="slack") == 3
    assert value(after, "lingkar_ack_seconds_bucket", platform="slack", le="+Inf") == 3
    assert value(after, "lingkar_answer_seconds_count", platform="slack", kind="command") == 2
    assert value(after, "lingkar_core_seconds_count", platform="slack") == 2
    assert value(after, "lingkar_core_seconds_sum", platform="slack") > 0
    assert value(after, "lingkar_requests_total", platform="teams", outcome="ok") == 0  # Teams is off here


async def test_deliveries_429s_queue_and_planner_after_a_tick(metered: tuple[App, Slack],
                                                              clock: ManualClock) -> None:
    app, edge = metered
    now = clock.now()
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM, now=now)
        for channel in ("C0ONE", "C0TWO"):
            await enqueue(uow, workspace_id=workspace.id or 0, key=f"test:{channel}", kind="dm",
                          target=Target(platform="slack", workspace_id=TEAM, kind="channel", ref=channel),
                          message=Message(text="hello"), due_at=now - timedelta(seconds=90))
        await uow.commit()
    queued = await scrape(edge)
    assert value(queued, "lingkar_queue_pending") == 2
    assert value(queued, "lingkar_queue_oldest_pending_seconds") == 90
    # The first send is rate limited once (and retried inside the call), the next one refused for good.
    edge.mock.rate_limit("chat.postMessage", times=1)
    edge.mock.fail("chat.postMessage", "channel_not_found")
    report = await app.scheduler.run_once()
    assert (report.delivered.sent, report.delivered.failed) == (1, 1)
    after = await scrape(edge)
    assert value(after, "lingkar_deliveries_total", state="sent") == 1
    assert value(after, "lingkar_deliveries_total", state="failed") == 1
    assert value(after, "lingkar_deliveries_total", state="retried") == 0
    assert value(after, "lingkar_platform_rate_limited_total", platform="slack") == 1
    assert value(after, "lingkar_platform_retries_total", platform="slack") == 1
    assert value(after, "lingkar_planner_seconds_count") == 1
    assert value(after, "lingkar_planner_failures_total") == 0
    assert value(after, "lingkar_queue_pending") == 0
    assert value(after, "lingkar_queue_oldest_pending_seconds") == 0


async def test_metrics_need_the_bearer_token(metered: tuple[App, Slack]) -> None:
    _, edge = metered
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": METRICS_TOKEN},
                    {"Authorization": f"Basic {METRICS_TOKEN}"}):
        response = await edge.client.get("/metrics", headers=headers)
        assert response.status == 401, headers
        assert "lingkar_" not in await response.text()
    assert (await edge.client.get("/metrics", headers=AUTH)).status == 200


async def test_no_token_no_metrics_endpoint(slack: Slack) -> None:  # noqa: F811
    """The shared fixture sets no LINGKAR_METRICS_TOKEN: /metrics is not served at all."""
    response = await slack.client.get("/metrics", headers={"Authorization": "Bearer "})
    assert response.status == 404


async def test_slack_form_submissions_are_answer_time(metered: tuple[App, Slack]) -> None:
    app, edge = metered
    await slack_program(app)
    await edge.command("join", user="U1")
    view = edge.mock.last("views.open").args["view"]
    status, body = await edge.submit(view, {**PROFILE, "department": "", "work_start_hour": "25"}, user="U1")
    assert status == 200 and "errors" in body  # answered in the ack, under the fields
    status, _ = await edge.submit(view, PROFILE, user="U1")
    assert status == 200
    after = await scrape(edge)
    assert value(after, "lingkar_answer_seconds_count", platform="slack", kind="form") == 2
    assert value(after, "lingkar_answer_seconds_count", platform="slack", kind="command") == 1  # the join
    assert value(after, "lingkar_core_seconds_count", platform="slack") == 3


@pytest.fixture
async def teams_metered(database: Database, clock: ManualClock, local: LocalMessenger,
                        sleeps: Sleeps) -> AsyncIterator[tuple[Teams, MockConnector, TestClient[Any, Any]]]:  # noqa: F811
    """Lingkar with Teams (the Emulator's local mode) and a metrics token, its connector a local mock."""
    settings = Settings(LINGKAR_DATABASE_URL=database.url, LINGKAR_TEAMS_LOCAL=True,
                        LINGKAR_METRICS_TOKEN=METRICS_TOKEN)
    await create_schema(database)
    built = await bootstrap(settings, clock=clock, messenger_overrides={"local": local}, migrate=False,
                            schema=database.schema)
    messenger = built.messenger.for_platform("teams")
    assert isinstance(messenger, TeamsMessenger)
    messenger.connection.sleep = sleeps  # a Retry-After is recorded, not waited out
    messenger.connection.rng = random.Random(7)
    connector = await MockConnector().start()
    web_app = build_web_app(built)
    try:
        async with TestClient(TestServer(web_app, host="127.0.0.1", port=0)) as client:
            yield Teams(client, web_app[TEAMS]), connector, client
    finally:
        await connector.close()
        await built.close()


async def test_teams_429s_retries_and_core_time(teams_metered: tuple[Teams, MockConnector, TestClient[Any, Any]],
                                                sleeps: Sleeps) -> None:  # noqa: F811
    teams, connector, client = teams_metered
    assert await teams.post(installed_personally(connector.url, BUDI)) == 200
    before = await scrape_client(client)
    assert value(before, "lingkar_core_seconds_count", platform="teams") == 0
    # The answer to `help` is throttled twice, then goes through, inside the same call.
    sent = len(connector.messages())
    connector.fail(429, times=2, kinds=("send", "reply"), retry_after="2")
    assert await teams.post(personal(connector.url, BUDI, "help")) == 200
    assert sleeps.delays == [2.0, 2.0]
    assert len(connector.messages()) == sent + 1 and len(connector.failed) == 2
    after = await scrape_client(client)
    assert value(after, "lingkar_platform_rate_limited_total", platform="teams") == 2
    assert value(after, "lingkar_platform_retries_total", platform="teams") == 2
    assert value(after, "lingkar_platform_rate_limited_total", platform="slack") == 0
    assert value(after, "lingkar_core_seconds_count", platform="teams") == 1
    assert value(after, "lingkar_answer_seconds_count", platform="teams", kind="message") == 1
    # A 500 is not a 429 and not retried in the call: the answer is lost to this turn, counted as neither.
    connector.fail(500, times=1, kinds=("send", "reply"))
    await teams.post(personal(connector.url, BUDI, "help"))
    last = await scrape_client(client)
    assert value(last, "lingkar_platform_rate_limited_total", platform="teams") == 2
    assert value(last, "lingkar_platform_retries_total", platform="teams") == 2
    assert value(last, "lingkar_core_seconds_count", platform="teams") == 2
