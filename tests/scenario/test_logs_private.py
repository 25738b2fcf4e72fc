"""The whole scenario at DEBUG, then a database error at INFO: no name, member text, token or secret in the log."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from adapters.logging_setup import CLAMPED, configure_logging, make_formatter
from bot.kernel.clock import ManualClock
from storage.repositories.tenancy import WorkspaceRepository
from storage.tables import Member
from tests.conftest import Database
from tests.scenario import slack_driver as slack_module
from tests.scenario.slack_driver import slack_driver
from tests.scenario.steps import AYU, FAJAR, PEOPLE, SCENARIO, Db, Fill, Say, Sees, Step
from tests.slack.conftest import SECRET
from tests.slack.mock_slack import TOKEN

# Every free-text field of the scenario gets a marker nobody else would write.
MARKED = {
    **{name: f"{name} Qzname{person}" for person, name in PEOPLE.items()},
    "Grow leaders across departments": "Grow Qzgoal leaders",
    "What is said here stays here": "Qzrules stays here",
    "45 minutes": "Qzduration minutes",
    "Finance": "Qzdeptfinance", "Sales & Ops": "Qzdeptsales & Ops", "Engineering": "Qzdepteng",
    "Legal": "Qzdeptlegal", "Analyst": "Qzjobtitle", "Excel, budgeting": "Qzskilloffered, budgeting",
    "public speaking": "Qzskillwanted", "hiking": "Qzinterest",
    "Giving feedback": "Qzthemefeedback", "Career growth": "Qzthemecareer", "Public speaking": "Qzthemespeaking",
    "Practised giving feedback": "Qzcheckin practice", "The small group": "Qzpollkeep",
}
LEAVE_REASON = "Qzleavereason too busy"
FORCED = "Qzforcederror"  # in the statement whose failure the error hook logs
SECRETS = (TOKEN, SECRET)
MARKER = re.compile(r"qz[a-z]", re.IGNORECASE)


def mark(value: Any) -> Any:
    if isinstance(value, str):
        for plain, marked in MARKED.items():
            value = value.replace(plain, marked)
        return value
    if isinstance(value, tuple):
        return tuple(mark(v) for v in value)
    if isinstance(value, list):
        return [mark(v) for v in value]
    if isinstance(value, Mapping):
        return {k: mark(v) for k, v in value.items()}
    return value


def marked_scenario() -> list[Step]:
    """The end-to-end scenario with the markers typed in; the database checks compare the plain values."""
    steps: list[Step] = []
    for step in SCENARIO:
        if isinstance(step, Db):
            continue
        changes = {f.name: mark(getattr(step, f.name)) for f in dataclasses.fields(step)
                   if f.name not in ("user", "where")}
        steps.append(dataclasses.replace(step, **changes))  # type: ignore[type-var]
    return [
        *steps,
        Say(FAJAR, "leave"),
        Fill(FAJAR, {"reason": LEAVE_REASON}),
        Say(AYU, "theme propose Qzthemefailing"),  # the database fails it (below)
        Sees(AYU, "incident"),
    ]


@pytest.fixture
def log_state() -> Iterator[None]:
    """configure_logging changes process-wide levels and handlers: put them back for the other tests."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in CLAMPED}
    root_level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(root_level)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)


async def failing_lookup(self: WorkspaceRepository, **_: str) -> Any:
    """A write the database refuses, with member data in it (NOT NULL: PostgreSQL quotes the failing row)."""
    await self._session.exec(insert(Member).values(  # type: ignore[call-overload]
        workspace_id=1, external_id=FORCED, display_name=FORCED, department=FORCED, created_at=None))


async def test_nothing_private_reaches_the_log(database: Database, clock: ManualClock, log_state: None,
                                               caplog: pytest.LogCaptureFixture,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slack_module, "PEOPLE", mark(dict(PEOPLE)))  # the mock Slack's users carry the markers
    stream = io.StringIO()
    configure_logging(level="DEBUG", stream=stream)  # what `lingkar serve` does with LINGKAR_LOG_LEVEL=DEBUG
    caplog.set_level(logging.DEBUG)
    assert logging.getLogger("bot.kernel.core").isEnabledFor(logging.DEBUG)
    steps = marked_scenario()
    async with slack_driver(database=database, clock=clock) as driver:
        await driver.run(steps[:-2])
        configure_logging(level="INFO", stream=stream)
        monkeypatch.setattr(WorkspaceRepository, "with_member", failing_lookup)  # every event starts with it
        await driver.run(steps[-2:])

    failures = [r.exc_info[1] for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], DBAPIError)]
    # The error hook logged the database's refusal, whose statement carried the markers.
    assert failures and FORCED in str(failures[0].params), "the forced error never reached the error hook"
    assert "SQL parameters hidden" in str(failures[0])

    formatter = make_formatter()
    written = [stream.getvalue(), *(formatter.format(r) for r in caplog.records)]
    for text in written:
        found = MARKER.findall(text)
        assert not found, next(line for line in text.splitlines() if MARKER.search(line))
        for secret in SECRETS:
            assert secret not in text


def test_library_warnings_lose_the_body_they_quote() -> None:
    """Bolt warns "Unhandled request ({body})" at WARNING, which the clamp lets through: the body is cut."""
    record = logging.makeLogRecord({"name": "adapters.slack.bolt", "levelno": logging.WARNING, "levelname": "WARNING",
                                    "msg": "Unhandled request (%s)", "args": ({"text": "Qzbody from a member"},)})
    formatted = make_formatter().format(record)
    assert "Unhandled request [details withheld]" in formatted and not MARKER.search(formatted)


def test_tokens_are_redacted_wherever_they_appear() -> None:
    record = logging.makeLogRecord({"name": "adapters.anything", "levelno": logging.ERROR, "levelname": "ERROR",
                                    "msg": "calling with %s and %s", "args": (f"Bearer {TOKEN}", TOKEN)})
    formatted = make_formatter().format(record)
    assert TOKEN not in formatted and "[redacted]" in formatted


def test_chatty_libraries_stay_at_warning_even_at_debug(log_state: None) -> None:
    configure_logging(level="DEBUG", stream=io.StringIO())
    assert logging.getLogger("adapters.bot").isEnabledFor(logging.DEBUG)
    for name in ("aiosqlite", "sqlalchemy.engine.Engine", "slack_sdk.web.async_base_client", "slack_bolt",
                 "msrest.http_logger", "botbuilder", "aiohttp.access", "asyncpg"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
