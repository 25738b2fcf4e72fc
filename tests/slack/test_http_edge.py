"""The HTTP edge: Teams absent from a Slack-only server, slow and vanishing clients dropped quietly, malformed
Slack requests answered with a 4xx and no traceback."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

import pytest
from aiohttp import web

from adapters.bootstrap import App
from adapters.http_guard import Limits, make_runner
from adapters.server import build_web_app
from adapters.slack.modals import CALLBACK_ID
from tests.slack.conftest import TEAM, Slack

HANG_GUARD = 30.0  # only so a broken build fails instead of hanging; the limits under test are far shorter


@asynccontextmanager
async def served(web_app: web.Application) -> AsyncIterator[int]:
    """The app behind the same runner `lingkar serve` uses, on a free loopback port."""
    runner = make_runner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield int(runner.addresses[0][1])
    finally:
        await runner.cleanup()


async def until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    async with asyncio.timeout(HANG_GUARD):
        return await reader.read()


class Noticed(logging.Handler):
    """Set when the server logs that a request broke off (at DEBUG, as it should) or logs any error."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.event = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "adapters.http_guard" or record.levelno >= logging.ERROR:
            self.event.set()


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_slack_only_server_does_not_serve_teams(lingkar: App, slack: Slack,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="adapters.teams.wiring")
    build_web_app(lingkar)
    assert any("Teams: off" in r.getMessage() for r in caplog.records)
    response = await slack.client.post("/api/messages", json={"type": "message", "text": "program create"})
    assert response.status == 404


async def test_a_client_that_never_finishes_its_headers_is_dropped(lingkar: App) -> None:
    async with served(build_web_app(lingkar, limits=Limits(header_seconds=0.2))) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
        await writer.drain()
        assert await until_closed(reader) == b""  # closed without an answer: there was no request to answer
        writer.close()


async def test_a_client_that_never_finishes_its_body_gets_408_and_is_dropped(
    lingkar: App, caplog: pytest.LogCaptureFixture
) -> None:
    async with served(build_web_app(lingkar, limits=Limits(body_seconds=0.2, linger_seconds=0.2))) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"type\": ")
        await writer.drain()
        answer = await until_closed(reader)
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408")
    assert errors(caplog) == []


async def test_a_client_that_goes_away_mid_body_is_logged_at_debug_only(
    lingkar: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="adapters.http_guard")
    noticed = Noticed()
    logging.getLogger().addHandler(noticed)
    try:
        async with served(build_web_app(lingkar)) as port:
            for path in (b"/slack/events", b"/healthz"):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\": ")
                await writer.drain()
                writer.transport.abort()  # a reset, mid-body
                async with asyncio.timeout(HANG_GUARD):  # until the server noticed, quietly or not
                    await noticed.event.wait()
                noticed.event.clear()
    finally:
        logging.getLogger().removeHandler(noticed)
    assert errors(caplog) == []
    assert len([r for r in caplog.records if r.name == "adapters.http_guard" and r.levelno == logging.DEBUG]) == 2


async def test_an_oversized_body_gets_413(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    response = await slack.client.post("/slack/events", data=b"x" * 2_000_000,
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 413
    assert errors(caplog) == []


async def test_unsigned_or_unparseable_requests_get_4xx_without_a_traceback(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    raw = slack.client
    unsigned_junk = await raw.post("/slack/events", data=b"{not json", headers={"Content-Type": "application/json"})
    assert unsigned_junk.status == 401
    headers = {**slack.headers("token=x", content_type="application/x-www-form-urlencoded"),
               "X-Slack-Request-Timestamp": "abc"}
    assert (await raw.post("/slack/events", data=b"token=x", headers=headers)).status == 401
    not_utf8 = {**slack.headers("", content_type="application/json")}
    assert (await raw.post("/slack/events", data=b"\xff\xfe", headers=not_utf8)).status in (400, 401)
    assert (await slack.post("payload=%7Bnot+json", content_type="application/x-www-form-urlencoded"))[0] == 400
    assert (await slack.post("[1, 2]", content_type="application/json"))[0] == 400
    assert (await slack.post("{" * 100_000, content_type="application/json"))[0] == 400  # deeper than json can go
    assert errors(caplog) == []


async def test_signed_payloads_of_the_wrong_shape_get_4xx_without_a_traceback(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    user = {"id": "U1", "team_id": TEAM}
    no_action_id = {"type": "block_actions", "team": {"id": TEAM}, "user": user, "actions": [{"type": "button"}]}
    view_without_type = {"type": "view_submission", "team": {"id": TEAM}, "user": user,
                         "view": {"id": "V1", "callback_id": CALLBACK_ID, "private_metadata": "{}"}}
    user_is_a_number = {"type": "block_actions", "team": {"id": TEAM}, "user": 5,
                        "actions": [{"action_id": "a", "type": "button"}]}
    authorizations_a_string = {"type": "event_callback", "team_id": TEAM, "authorizations": "yes",
                               "event": {"type": "app_home_opened", "user": "U1"}}
    for payload in (no_action_id, view_without_type, user_is_a_number):
        assert (await slack.interact(payload))[0] == 400, payload
    assert (await slack.post(json.dumps(authorizations_a_string), content_type="application/json"))[0] == 400
    command_as_json = json.dumps({"command": "/circle", "text": 5, "user_id": "U1", "team_id": TEAM})
    assert (await slack.post(command_as_json, content_type="application/json"))[0] == 400
    junk_metadata = {**view_without_type, "view": {**view_without_type["view"], "type": "modal",
                                                   "private_metadata": "{junk"}}
    status, _ = await slack.interact(junk_metadata)
    assert status == 200  # a calm no-op: the modal closes, nothing happens
    assert errors(caplog) == []
    form = urlencode({"token": "x", "team_id": TEAM, "user_id": "U1", "command": "/circle", "text": "help",
                      "channel_id": "C0GENERAL", "response_url": slack.mock.response_url("cmd")})
    assert (await slack.post(form, content_type="application/x-www-form-urlencoded"))[0] == 200  # still works


async def test_a_signed_request_with_a_nul_character_gets_400(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    """PostgreSQL cannot store NUL in text: the fuzz test found a team id '\\x00' reaching the database as a 500."""
    form = urlencode({"token": "x", "team_id": "\x00", "user_id": "U1", "command": "/circle", "text": "help",
                      "channel_id": "", "response_url": ""})
    assert (await slack.post(form, content_type="application/x-www-form-urlencoded"))[0] == 400
    text_with_nul = urlencode({"token": "x", "team_id": TEAM, "user_id": "U1", "command": "/circle",
                               "text": "theme propose a\x00b", "channel_id": "C0GENERAL", "response_url": ""})
    assert (await slack.post(text_with_nul, content_type="application/x-www-form-urlencoded"))[0] == 400
    assert errors(caplog) == []
