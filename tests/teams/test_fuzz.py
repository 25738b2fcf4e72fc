"""Fuzz /api/messages (local mode): any headers and bodies get an answer below 500 and no ERROR log line."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.teams.http import ROUTE
from tests.fuzzing import FUZZ, broken, header_text, json_values
from tests.teams.activities import BUDI, personal
from tests.teams.conftest import Teams
from tests.teams.mock_connector import MockConnector


def assert_calm(status: int, caplog: pytest.LogCaptureFixture) -> None:
    loud = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    caplog.clear()
    assert status < 500 and loud == [], (status, loud)


@FUZZ
@given(data=st.data())
async def test_broken_activities_are_answered_calmly(client: Teams, connector: MockConnector,
                                                     caplog: pytest.LogCaptureFixture, data: st.DataObject) -> None:
    template = personal(connector.url, BUDI, data.draw(st.sampled_from(["help", "status", "join", "my data"])))
    activity: Any = data.draw(st.one_of(broken(template), json_values))
    response = await client.client.post(ROUTE, data=json.dumps(activity).encode(),
                                        headers={"Content-Type": "application/json"})
    await response.read()
    await client.endpoint.bot.drain()
    assert_calm(response.status, caplog)


@FUZZ
@given(body=st.binary(max_size=200),
       headers=st.dictionaries(st.sampled_from(["Content-Type", "Authorization", "Content-Encoding", "X-Other"]),
                               header_text, max_size=3))
async def test_junk_requests_are_answered_calmly(client: Teams, caplog: pytest.LogCaptureFixture, body: bytes,
                                                 headers: dict[str, str]) -> None:
    response = await client.client.post(ROUTE, data=body, headers=headers)
    await response.read()
    assert_calm(response.status, caplog)


async def test_nul_characters_and_non_text_tenants_get_400(client: Teams, connector: MockConnector,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """Found by the fuzz on PostgreSQL: a NUL in a text field, or a tenant id sent as an object, reached the
    database and ended in the error hook."""
    with_nul = personal(connector.url, BUDI, "theme propose a\x00b")
    object_tenant = personal(connector.url, BUDI, "help")
    object_tenant["channelData"] = {"tenant": {"id": {"x": None}}}
    for activity in (with_nul, object_tenant):
        response = await client.client.post(ROUTE, data=json.dumps(activity).encode(),
                                            headers={"Content-Type": "application/json"})
        await response.read()
        await client.endpoint.bot.drain()
        assert response.status < 500
        assert_calm(response.status, caplog)
    with_nul_response = await client.client.post(ROUTE, data=json.dumps(with_nul).encode(),
                                                 headers={"Content-Type": "application/json"})
    assert with_nul_response.status == 400
