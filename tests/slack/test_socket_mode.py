"""Socket Mode: with SLACK_APP_TOKEN, Lingkar connects out (apps.connections.open, then a WebSocket) and answers
the envelopes Slack sends over it, with no public URL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.bootstrap import App
from adapters.server import build_web_app
from adapters.slack.app import SlackBot
from adapters.slack.wiring import SLACK, start_socket_mode
from tests.slack.conftest import TEAM, slack_program
from tests.slack.mock_slack import APP_TOKEN, MockSlack


@pytest.fixture
async def bot(lingkar: App) -> AsyncIterator[SlackBot]:
    """Lingkar's Slack side as `lingkar serve` starts it with SLACK_APP_TOKEN set, connected to the mock."""
    web_app = build_web_app(lingkar)
    handler = await start_socket_mode(web_app, lingkar.settings.model_copy(update={"slack_app_token": APP_TOKEN}))
    assert handler is not None
    try:
        yield web_app[SLACK]
    finally:
        await handler.close_async()


@pytest.fixture
def connected(bot: SlackBot, mock_slack: MockSlack) -> MockSlack:
    return mock_slack


def command(text: str, *, user: str = "U1") -> dict[str, str]:
    return {"token": "legacy", "team_id": TEAM, "team_domain": "lingkar-test", "channel_id": "C0GENERAL",
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/circle",
            "text": text, "api_app_id": "A1", "trigger_id": "trigger-socket-1",
            "response_url": "http://127.0.0.1:9/unused"}


async def test_socket_mode_connects_with_the_app_token_and_answers_a_command(connected: MockSlack) -> None:
    [opened] = connected.calls_to("apps.connections.open")
    assert opened.args == {}  # the app token travels in the Authorization header, which the mock checked
    ack = await connected.push("slash_commands", command("status"), envelope_id="env-1")
    assert ack["envelope_id"] == "env-1"
    assert "You're not enrolled in any program yet." in ack["payload"]["text"]
    assert ack["payload"]["response_type"] == "ephemeral"


async def test_socket_mode_opens_the_join_modal(connected: MockSlack, bot: SlackBot, lingkar: App) -> None:
    await slack_program(lingkar)
    ack = await connected.push("slash_commands", command("join"), envelope_id="env-2")
    assert ack["envelope_id"] == "env-2"
    await bot.background.drain()
    view = connected.last("views.open").args
    assert view["trigger_id"] == "trigger-socket-1" and view["view"]["type"] == "modal"


async def test_socket_mode_takes_events_and_buttons(connected: MockSlack, bot: SlackBot, lingkar: App) -> None:
    second = await slack_program(lingkar, name="Data Guild", slug="data")
    await slack_program(lingkar, name="Leadership Circles", slug="leadership")
    event = {"token": "legacy", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback",
             "event_id": "Ev0SOCKET1", "event_time": 1767571200,
             "event": {"type": "app_home_opened", "user": "U1", "channel": "D0U1", "tab": "home"}}
    ack = await connected.push("events_api", event, envelope_id="env-3")
    assert ack["envelope_id"] == "env-3"
    await bot.background.drain()
    assert connected.last("views.publish").args["user_id"] == "U1"

    press = {"type": "block_actions", "team": {"id": TEAM, "domain": "lingkar-test"},
             "user": {"id": "U1", "team_id": TEAM}, "api_app_id": "A1", "trigger_id": "trigger-socket-2",
             "container": {"type": "message", "message_ts": "1767571200.000100", "channel_id": "C0GENERAL",
                           "is_ephemeral": True},
             "channel": {"id": "C0GENERAL"},
             "actions": [{"action_id": f"join:{second.id}#1", "block_id": "b1", "type": "button",
                          "value": bot.messenger.seal(TEAM).value(f"join:{second.id}", ""),
                          "action_ts": "1767571300.000001"}]}
    ack = await connected.push("interactive", press, envelope_id="env-4")
    assert ack["envelope_id"] == "env-4"
    await bot.background.drain()
    opened = connected.last("views.open").args
    assert opened["trigger_id"] == "trigger-socket-2" and f"join:{second.id}" in opened["view"]["private_metadata"]
