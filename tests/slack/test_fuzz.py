"""Fuzz /slack/events: any headers and bodies, signed or not, get an answer below 500 and no ERROR log line."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.slack.app import ROUTE
from adapters.slack.modals import CALLBACK_ID
from tests.fuzzing import FUZZ, broken, header_text, json_values
from tests.slack.conftest import TEAM, Slack

USER = {"id": "U1", "team_id": TEAM}
TEMPLATES: list[dict[str, Any]] = [
    {"type": "block_actions", "team": {"id": TEAM, "domain": "lingkar-test"}, "user": USER, "api_app_id": "A1",
     "trigger_id": "trigger-1", "response_url": "http://127.0.0.1:9/response", "channel": {"id": "C0GENERAL"},
     "container": {"type": "message", "message_ts": "1767571200.000100", "channel_id": "C0GENERAL",
                   "is_ephemeral": False},
     "actions": [{"action_id": "help", "block_id": "b1", "type": "button", "value": "x",
                  "action_ts": "1767571300.000001"}]},
    {"type": "block_actions", "team": {"id": TEAM}, "user": USER, "container": {"type": "view", "view_id": "VHOME"},
     "view": {"id": "VHOME", "type": "home"},
     "actions": [{"action_id": "pick", "type": "multi_static_select", "selected_options": [{"value": "a"}]}]},
    {"type": "view_submission", "team": {"id": TEAM}, "user": USER, "trigger_id": "trigger-2",
     "view": {"id": "VMODAL", "type": "modal", "callback_id": CALLBACK_ID, "private_metadata": '{"f":"x"}',
              "blocks": [{"type": "input", "block_id": "name"}],
              "state": {"values": {"name": {"name": {"type": "plain_text_input", "value": "Budi"}}}}}},
    {"type": "view_closed", "team": {"id": TEAM}, "user": USER,
     "view": {"id": "VMODAL", "type": "modal", "callback_id": CALLBACK_ID}},
    {"type": "event_callback", "team_id": TEAM, "api_app_id": "A1", "event_id": "Ev1", "event_time": 1767571200,
     "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
     "event": {"type": "app_home_opened", "user": "U1", "tab": "home", "view": {"team_id": TEAM}}},
    {"type": "url_verification", "token": "legacy", "challenge": "abc"},
]
COMMAND = {"token": "legacy", "team_id": TEAM, "channel_id": "C0GENERAL", "user_id": "U1", "user_name": "u1",
           "command": "/circle", "text": "help", "response_url": "http://127.0.0.1:9/cmd", "trigger_id": "t"}
FORM = "application/x-www-form-urlencoded"

signed_bodies = st.one_of(
    st.tuples(st.sampled_from(TEMPLATES).flatmap(broken).map(lambda p: urlencode({"payload": json.dumps(p)})),
              st.just(FORM)),
    st.tuples(st.sampled_from(TEMPLATES).flatmap(broken).map(json.dumps), st.just("application/json")),
    st.tuples(json_values.map(json.dumps), st.sampled_from(["application/json", FORM, "text/plain"])),
    st.tuples(st.text(max_size=60).map(lambda t: urlencode({"payload": t})), st.just(FORM)),
    st.tuples(st.dictionaries(st.sampled_from(sorted(COMMAND)), st.text(max_size=20)).map(
        lambda d: urlencode({**COMMAND, **d})), st.just(FORM)),
)
unsigned = st.fixed_dictionaries(
    {"body": st.binary(max_size=200),
     "headers": st.dictionaries(st.sampled_from(["Content-Type", "X-Slack-Request-Timestamp", "X-Slack-Signature",
                                                 "X-Slack-Retry-Num", "Content-Encoding", "X-Other"]),
                                header_text, max_size=4)})


def assert_calm(status: int, caplog: pytest.LogCaptureFixture) -> None:
    loud = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    caplog.clear()
    assert status < 500 and loud == [], (status, loud)


@FUZZ
@given(body=signed_bodies, timestamp=st.one_of(st.none(), header_text))
async def test_signed_junk_is_answered_calmly(slack: Slack, caplog: pytest.LogCaptureFixture,
                                              body: tuple[str, str], timestamp: str | None) -> None:
    text, content_type = body
    headers = slack.headers(text, content_type=content_type)
    if timestamp is not None:  # signed with whatever timestamp header was drawn, numeric or not
        signature = slack.verifier.generate_signature(timestamp=timestamp, body=text)
        headers.update({"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature or ""})
    response = await slack.client.post(ROUTE, data=text.encode(), headers=headers)
    await response.read()
    await slack.bot.background.drain()  # the work after the ack must not fail loudly either
    assert_calm(response.status, caplog)


@FUZZ
@given(request=unsigned)
async def test_unsigned_junk_is_answered_calmly(slack: Slack, caplog: pytest.LogCaptureFixture,
                                                request: dict[str, Any]) -> None:
    response = await slack.client.post(ROUTE, data=request["body"], headers=request["headers"])
    await response.read()
    assert_calm(response.status, caplog)
