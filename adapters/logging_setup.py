"""Logging for `lingkar serve` and `lingkar demo`: the level, the format, and what never reaches the log."""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HANDLER_NAME = "lingkar"
# The platform request a record was logged for: set by the HTTP edge, inherited by the tasks the request spawns.
REQUEST_ID: ContextVar[str | None] = ContextVar("lingkar_request_id", default=None)

# Libraries that write SQL parameters, request or response bodies, or tokens at DEBUG/INFO: kept at WARNING
# whatever LINGKAR_LOG_LEVEL says.
CLAMPED = (
    "sqlalchemy", "aiosqlite", "asyncpg", "alembic",
    "slack_sdk", "slack_bolt", "adapters.slack.bolt",  # bolt logs to the logger the Slack adapter gives it
    "botbuilder", "botframework", "msrest", "msal", "urllib3", "requests_oauthlib",
    "aiohttp.access", "aiohttp.client", "aiohttp.server", "aiohttp.web", "aiohttp.websocket", "websockets",
    "apscheduler", "matplotlib", "PIL",
)
# Of those, the ones whose warnings can still quote a request (bolt: "Unhandled request ({body})"): only the
# wording before the quote is kept.
QUOTING = ("slack_sdk", "slack_bolt", "adapters.slack.bolt", "botbuilder", "botframework", "msrest")

_SECRETS = re.compile(
    r"xox[abeoprs]-[A-Za-z0-9-]+"  # Slack bot, user, app-level... tokens
    r"|xapp-[A-Za-z0-9-]+"
    r"|(?i:bearer|basic)\s+[A-Za-z0-9._~+/=-]+"  # Authorization headers (Bot Framework JWTs among them)
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"  # a JWT on its own
    r"|(?i:password|passwd|secret|client_secret|signing_secret|token)(?:['\"]?\s*[=:]\s*['\"]?)[^\s'\",&}]+"
    r"|(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"  # user:password in a database URL
)
# PostgreSQL explains a constraint violation with the values ("DETAIL:  Key (external_id)=(U123) already
# exists."); SQLAlchemy appends the statement's parameters unless the engine hides them.
_DETAIL = re.compile(r"^\s*DETAIL:.*$", re.MULTILINE)
_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\n|$)", re.DOTALL)
_QUOTE_START = re.compile(r"[\n({\[]")


def scrub(text: str) -> str:
    """The last line of defence: tokens, secrets, PostgreSQL's DETAIL lines and SQL parameters taken out."""
    text = _SECRETS.sub("[redacted]", text)
    text = _DETAIL.sub("DETAIL: [withheld]", text)
    return _PARAMETERS.sub("[parameters withheld]", text)


class PrivateFormatter(logging.Formatter):
    """The production format; everything it writes (message, exception, stack) goes through `scrub`."""

    def format(self, record: logging.LogRecord) -> str:
        if _is_library(record.name):
            record = _withhold_quotes(record)
        return scrub(super().format(record))


class PrivateJsonFormatter(JsonFormatter):
    """LINGKAR_LOG_FORMAT=json: one object a line (time, level, logger, message, request and incident ids where
    known), with the same quote-cutting as the text format and every text field through `scrub`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s",
                         rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})

    def format(self, record: logging.LogRecord) -> str:
        if _is_library(record.name):
            record = _withhold_quotes(record)
        return super().format(record)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def add_fields(self, log_record: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_record, record, message_dict)
        # Scrubbed field by field, before serialising: the patterns (DETAIL lines, SQL parameters) need the real
        # line breaks that JSON escapes. Anything else a record carries (`extra=`) stays out of the line.
        for key in list(log_record):
            value = log_record.pop(key)
            if key in _JSON_FIELDS and value is not None:
                log_record[key] = scrub(value) if isinstance(value, str) else value
        request = REQUEST_ID.get()
        if request is not None:
            log_record["request_id"] = request
        incident = getattr(record, "incident", None)
        if incident is not None:
            log_record["incident_id"] = scrub(str(incident))


_JSON_FIELDS = ("time", "level", "logger", "message", "exc_info", "stack_info")


def make_formatter(*, log_format: str = "text") -> logging.Formatter:
    """The one place the log format is chosen (LINGKAR_LOG_FORMAT: text or json)."""
    if log_format == "json":
        return PrivateJsonFormatter()
    if log_format != "text":
        raise ValueError(f"unknown log format {log_format!r}")
    return PrivateFormatter(FORMAT)


def configure_logging(*, level: str, stream: TextIO | None = None, log_format: str = "text") -> logging.Handler:
    """Log at `level` (LINGKAR_LOG_LEVEL) to `stream` (stderr), with the chatty libraries kept at WARNING.

    Replaces the handler an earlier call installed, so calling it again (`serve` after `main`) does not log
    twice; handlers others installed (a test's capture) stay.
    """
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter(log_format=log_format))
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in CLAMPED:
        logging.getLogger(name).setLevel(max(logging.WARNING, numeric))
    return handler


def _is_library(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in QUOTING)


def _withhold_quotes(record: logging.LogRecord) -> logging.LogRecord:
    """A copy of a library's record with its message cut before the first quoted body, list or line break."""
    message = record.getMessage()
    cut = _QUOTE_START.search(message)
    if cut is None:
        return record
    copy = logging.makeLogRecord(record.__dict__)
    copy.msg, copy.args = message[:cut.start()].rstrip() + " [details withheld]", None
    return copy
