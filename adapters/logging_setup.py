"""Logging for `lingkar serve` and `lingkar demo`: the level, the format, and what never reaches the log."""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HANDLER_NAME = "lingkar"

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


def make_formatter() -> logging.Formatter:
    """The one place the log format is chosen."""
    return PrivateFormatter(FORMAT)


def configure_logging(*, level: str, stream: TextIO | None = None) -> logging.Handler:
    """Log at `level` (LINGKAR_LOG_LEVEL) to `stream` (stderr), with the chatty libraries kept at WARNING.

    Replaces the handler an earlier call installed, so calling it again (`serve` after `main`) does not log
    twice; handlers others installed (a test's capture) stay.
    """
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter())
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
