"""/metrics: scraped over HTTP after signed Slack requests and a scheduler tick, and closed without the token."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta

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
from bot.kernel.clock import ManualClock
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue
from bot.kernel.ports import Target
from tests.conftest import Database, create_schema

# The Slack harness's fixtures, used here by name.
from tests.slack.conftest import SECRET, TEAM, Slack, Sleeps, lingkar, mock_slack, slack, sleeps  # noqa: F401
from tests.slack.mock_slack import TOKEN, MockSlack

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
    response = await edge.client.get("/metrics", headers=AUTH)
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
