"""Slack fixtures: the mock Web API, Lingkar with Slack configured, and a client that signs requests like Slack."""

from __future__ import annotations

import json
import random
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from adapters.bootstrap import App, bootstrap
from adapters.local.messenger import LocalMessenger
from adapters.server import build_web_app
from adapters.settings import Settings
from adapters.slack.api import RateLimitRetry
from adapters.slack.app import ROUTE, SlackBot
from adapters.slack.messenger import SlackMessenger
from adapters.slack.wiring import SLACK
from bot.kernel.clock import ManualClock
from storage.tables import Program, ProgramState
from tests.conftest import Database, create_schema
from tests.slack.mock_slack import TOKEN, MockSlack

SECRET = "test-signing-secret"
TEAM = "T1"


class Sleeps:
    """Stands in for the retry handler's asyncio.sleep: records each wait instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
async def mock_slack() -> AsyncIterator[MockSlack]:
    mock = await MockSlack(team_id=TEAM).start()
    for user, name in (("U1", "Ayu Lestari"), ("U2", "Budi Santoso"), ("U3", "Citra Dewi")):
        mock.add_user(user, name=name)
    mock.add_user("UADMIN", name="Dewi Admin", admin=True)
    try:
        yield mock
    finally:
        await mock.close()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def lingkar(database: Database, clock: ManualClock, local: LocalMessenger, mock_slack: MockSlack,
                  sleeps: Sleeps) -> AsyncIterator[App]:
    settings = Settings(LINGKAR_DATABASE_URL=database.url, LINGKAR_ADMINS="UADMIN", SLACK_BOT_TOKEN=TOKEN,
                        SLACK_SIGNING_SECRET=SECRET, LINGKAR_SLACK_API_URL=mock_slack.url)
    await create_schema(database)
    built = await bootstrap(settings, clock=clock, messenger_overrides={"local": local}, migrate=False,
                            schema=database.schema)
    messenger = built.messenger.for_platform("slack")
    assert isinstance(messenger, SlackMessenger)
    for handler in messenger.api.client.retry_handlers:
        if isinstance(handler, RateLimitRetry):
            handler.sleep = sleeps
            handler.rng = random.Random(7)
    try:
        yield built
    finally:
        await messenger.api.aclose()
        await built.close()


@pytest.fixture
def slack_messenger(lingkar: App) -> SlackMessenger:
    messenger = lingkar.messenger.for_platform("slack")
    assert isinstance(messenger, SlackMessenger)
    return messenger


class Slack:
    """Posts to Lingkar's /slack/events as Slack does: form-encoded commands, `payload=` for interactivity, JSON for
    events, each signed with the signing secret (v0 HMAC over `v0:<timestamp>:<body>`)."""

    def __init__(self, client: TestClient[Any, Any], bot: SlackBot, mock: MockSlack) -> None:
        self.client = client
        self.bot = bot
        self.mock = mock
        self.verifier = SignatureVerifier(SECRET)
        self._triggers = 0

    def headers(self, body: str, *, content_type: str, timestamp: int | None = None,
                secret: str | None = None) -> dict[str, str]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        verifier = SignatureVerifier(secret) if secret else self.verifier
        signature = verifier.generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature, "Content-Type": content_type}

    async def post(self, body: str, *, content_type: str, timestamp: int | None = None, secret: str | None = None,
                   extra_headers: dict[str, str] | None = None, settle: bool = True) -> tuple[int, str]:
        """Post and read Slack's answer; `settle` also waits for the work that follows the ack."""
        headers = {**self.headers(body, content_type=content_type, timestamp=timestamp, secret=secret),
                   **(extra_headers or {})}
        response = await self.client.post(ROUTE, data=body.encode(), headers=headers)
        text = await response.text()
        if settle:
            await self.bot.background.drain()
        return response.status, text

    def trigger(self) -> str:
        self._triggers += 1
        return f"trigger-{self._triggers}"

    async def command(self, text: str, *, user: str = "U1", channel: str = "C0GENERAL", command: str = "/circle",
                      settle: bool = True) -> tuple[int, dict[str, Any]]:
        body = urlencode({
            "token": "legacy", "team_id": TEAM, "team_domain": "lingkar-test", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": command, "text": text,
            "api_app_id": "A1", "response_url": self.mock.response_url(f"cmd-{user}"), "trigger_id": self.trigger(),
        })
        status, answer = await self.post(body, content_type="application/x-www-form-urlencoded", settle=settle)
        return status, (json.loads(answer) if answer.startswith("{") else {"raw": answer})

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, content_type="application/x-www-form-urlencoded")

    async def press(self, element: dict[str, Any], *, user: str = "U1", channel: str | None = "C0GENERAL",
                    ephemeral: bool = False, value: dict[str, Any] | list[dict[str, Any]] | None = None,
                    home: bool = False) -> tuple[int, str]:
        """Press a rendered button (or pick from a rendered menu: `value` is the chosen option object)."""
        action: dict[str, Any] = {"action_id": element["action_id"], "block_id": "b1", "type": element["type"],
                                  "action_ts": "1767571300.000001"}
        if element["type"] == "button":
            action["value"] = element.get("value", "")
        elif element["type"] == "static_select":
            action["selected_option"] = value
        else:
            action["selected_options"] = value or []
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": TEAM, "domain": "lingkar-test"},
            "user": {"id": user, "team_id": TEAM}, "api_app_id": "A1", "trigger_id": self.trigger(),
            "actions": [action],
        }
        if home:
            payload["container"] = {"type": "view", "view_id": "VHOME"}
            payload["view"] = {"id": "VHOME", "type": "home"}
        else:
            payload["container"] = {"type": "message", "message_ts": "1767571200.000100", "channel_id": channel,
                                    "is_ephemeral": ephemeral}
            payload["channel"] = {"id": channel}
            payload["response_url"] = self.mock.response_url(f"act-{user}")
        return await self.interact(payload)

    async def submit(self, view: dict[str, Any], values: dict[str, Any], *, user: str = "U1") -> tuple[int, str]:
        """Submit a modal the bot opened, typing `values` (by block id) into its inputs."""
        state: dict[str, dict[str, Any]] = {}
        for block in view["blocks"]:
            if block.get("type") != "input":
                continue
            element = block["element"]
            state[block["block_id"]] = {element["action_id"]: _typed(element, values.get(block["block_id"]))}
        payload = {
            "type": "view_submission", "team": {"id": TEAM, "domain": "lingkar-test"},
            "user": {"id": user, "team_id": TEAM}, "api_app_id": "A1", "trigger_id": self.trigger(),
            "view": {**view, "id": "VMODAL", "state": {"values": state}},
        }
        return await self.interact(payload)

    async def event(self, event: dict[str, Any], *, event_id: str = "Ev1",
                    retry: int | None = None) -> tuple[int, str]:
        body = json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A1", "event": event,
                           "type": "event_callback", "event_id": event_id, "event_time": 1767571200})
        extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(body, content_type="application/json", extra_headers=extra)


def _typed(element: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind == "static_select":
        chosen = next((o for o in _options(element) if o["value"] == value), None)
        return {"type": kind, "selected_option": chosen}
    if kind == "multi_static_select":
        return {"type": kind, "selected_options": [o for o in _options(element) if o["value"] in (value or [])]}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    return {"type": kind, "value": None if value in (None, "") else str(value)}


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    if "options" in element:
        return list(element["options"])
    return [o for group in element.get("option_groups", []) for o in group["options"]]


@pytest.fixture
async def slack(lingkar: App, mock_slack: MockSlack) -> AsyncIterator[Slack]:
    web_app = build_web_app(lingkar)
    async with TestClient(TestServer(web_app, host="127.0.0.1", port=0)) as client:
        yield Slack(client, web_app[SLACK], mock_slack)


async def slack_program(app: App, *, name: str = "Leadership Circles", slug: str = "leadership",
                        state: str = ProgramState.ENROLLING) -> Program:
    now: datetime = app.services.clock.now()
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM, now=now)
        program = Program(workspace_id=workspace.id or 0, name=name, slug=slug, state=state, created_at=now)
        uow.programs.add(program)
        await uow.commit()
        return program
