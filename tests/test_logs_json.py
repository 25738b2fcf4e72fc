"""LINGKAR_LOG_FORMAT=json: one JSON object a line with level, logger, message, time and ids; scrubbed as text is."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import ValidationError

from adapters.logging_setup import CLAMPED, HANDLER_NAME, configure_logging, make_formatter
from adapters.metrics import Metrics, request_middleware
from adapters.settings import Settings

TOKEN = "xoxb-1111-2222-abcdefghijklmnop"
MEMBER_TEXT = "Qzmy private goal"
KEYS = {"time", "level", "logger", "message"}


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """JSON logging at DEBUG into a buffer; the process-wide levels and handlers put back afterwards."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in CLAMPED}
    root_level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    configure_logging(level="DEBUG", stream=stream, log_format="json")
    yield stream
    root.setLevel(root_level)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    written = stream.getvalue().splitlines()
    assert written, "nothing was logged"
    parsed = [json.loads(line) for line in written]  # every line on its own is one JSON object
    for record in parsed:
        assert isinstance(record, dict) and record.keys() >= KEYS, record
        datetime.fromisoformat(record["time"])
    return parsed


def test_every_line_is_an_object_with_level_logger_message_and_time(json_log: io.StringIO) -> None:
    log = logging.getLogger("bot.kernel.core")
    log.info("tick: planned %d, sent %d", 3, 2)
    log.error("unhandled error %s for a command", "ab12cd34", extra={"incident": "ab12cd34"})
    [info, error] = lines(json_log)
    assert (info["level"], info["logger"], info["message"]) == ("INFO", "bot.kernel.core", "tick: planned 3, sent 2")
    assert "incident_id" not in info and "request_id" not in info
    assert (error["level"], error["incident_id"]) == ("ERROR", "ab12cd34")


def test_the_scrub_still_applies_to_every_field(json_log: io.StringIO) -> None:
    log = logging.getLogger("adapters.slack.messenger")
    log.warning("calling Slack with token=%s and Authorization: Bearer %s", TOKEN, TOKEN)
    try:
        raise RuntimeError(f"insert failed [parameters: ('{MEMBER_TEXT}',)]\nDETAIL:  Key (goal)=({MEMBER_TEXT})")
    except RuntimeError:
        log.exception("the database refused a write")
    logging.getLogger("slack_bolt").warning("Unhandled request (%s)", {"text": MEMBER_TEXT})
    log.info("with extras", extra={"goal": MEMBER_TEXT, "token": TOKEN})  # extras never reach the line
    written = json_log.getvalue()
    assert TOKEN not in written and MEMBER_TEXT not in written, written
    warning, failure, library, extras = lines(json_log)
    assert "[redacted]" in warning["message"]
    assert "[parameters withheld]" in failure["exc_info"] and "DETAIL: [withheld]" in failure["exc_info"]
    assert library["message"] == "Unhandled request [details withheld]"
    assert set(extras) == KEYS


async def test_the_lines_a_request_causes_carry_its_id(json_log: io.StringIO) -> None:
    log = logging.getLogger("adapters.slack.app")

    async def handler(_: web.Request) -> web.Response:
        log.info("handling a Slack request")
        return web.Response(text="ok")

    web_app = web.Application(middlewares=[request_middleware(Metrics(), platforms={"/slack/events": "slack"})])
    web_app.router.add_post("/slack/events", handler)
    async with TestClient(TestServer(web_app, host="127.0.0.1", port=0)) as client:
        for _ in range(2):
            assert (await client.post("/slack/events", data=b"x")).status == 200
    log.info("outside any request")
    ours = [line for line in lines(json_log) if line["logger"] == "adapters.slack.app"]
    first, second, outside = ours
    assert first["request_id"] and second["request_id"] and first["request_id"] != second["request_id"]
    assert "request_id" not in outside


def test_text_stays_the_default_and_nothing_else_is_accepted() -> None:
    assert Settings().log_format == "text"
    assert Settings(LINGKAR_LOG_FORMAT="json").log_format == "json"
    with pytest.raises(ValidationError):
        Settings(LINGKAR_LOG_FORMAT="xml")
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "plain"})
    assert not make_formatter().format(record).startswith("{")
    with pytest.raises(ValueError):
        make_formatter(log_format="xml")


def test_configuring_again_replaces_the_json_handler(json_log: io.StringIO) -> None:
    configure_logging(level="INFO", stream=json_log, log_format="json")
    ours = [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]
    assert len(ours) == 1
    logging.getLogger("adapters.cli").info("once")
    assert len(lines(json_log)) == 1
