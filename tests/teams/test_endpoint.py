"""/api/messages itself: authentication, malformed input, the error hook, slow commands."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.bootstrap import App, bootstrap
from adapters.server import build_web_app
from adapters.settings import Settings
from bot.kernel.clock import ManualClock
from tests.conftest import Database, create_schema
from tests.teams.activities import ADMIN, BUDI, TENANT, in_channel, personal
from tests.teams.conftest import Teams
from tests.teams.helpers import make_admin
from tests.teams.mock_connector import MockConnector


@pytest.fixture
async def secured(database: Database, clock: ManualClock) -> AsyncIterator[App]:
    """Lingkar with a Microsoft app id and password: every request must carry a valid Bot Framework token."""
    settings = Settings(LINGKAR_DATABASE_URL=database.url, MicrosoftAppId="9e1a7c1f-0000-4000-8000-000000000001",
                        MicrosoftAppPassword="not-a-real-secret", MicrosoftAppTenantId=TENANT)
    await create_schema(database)
    built = await bootstrap(settings, clock=clock, migrate=False, schema=database.schema)
    try:
        yield built
    finally:
        await built.close()


async def test_an_unsigned_request_is_refused_when_an_app_id_is_configured(
    secured: App, connector: MockConnector
) -> None:
    async with TestClient(TestServer(build_web_app(secured), host="127.0.0.1")) as client:
        response = await client.post("/api/messages", json=personal(connector.url, BUDI, "join"))
        assert response.status == 401
        forged = await client.post("/api/messages", json=personal(connector.url, BUDI, "join"),
                                   headers={"Authorization": ""})
        assert forged.status == 401
    assert connector.calls == []  # nothing was answered
    async with secured.uow() as uow:  # and nothing was stored about the caller
        assert await uow.conversations.workspace_id(platform="teams", external_id=TENANT) is None


async def test_local_mode_only_answers_a_service_on_this_machine(client: Teams, connector: MockConnector) -> None:
    elsewhere = personal("http://10.20.30.40:8080/", BUDI, "status")
    assert await client.post(elsewhere) == 401
    assert await client.post(personal(connector.url, BUDI, "status")) == 200  # the Emulator's case
    assert len(connector.messages()) == 1


async def test_malformed_activities_get_400(client: Teams, connector: MockConnector) -> None:
    raw = client.client
    bad_json = await raw.post("/api/messages", data=b"{not json", headers={"Content-Type": "application/json"})
    assert bad_json.status == 400
    assert (await raw.post("/api/messages", json=["a", "list"])).status == 400
    no_type = personal(connector.url, BUDI, "help")
    del no_type["type"]
    assert (await raw.post("/api/messages", json=no_type)).status == 400
    no_conversation = personal(connector.url, BUDI, "help")
    del no_conversation["conversation"]
    assert (await raw.post("/api/messages", json=no_conversation)).status == 400
    wrong_types = {**personal(connector.url, BUDI, "help"), "entities": "not a list", "timestamp": "yesterday"}
    assert (await raw.post("/api/messages", json=wrong_types)).status == 400
    text = await raw.post("/api/messages", data=b"type=message", headers={"Content-Type": "text/plain"})
    assert text.status == 415
    assert connector.calls == []


async def test_an_unexpected_failure_is_logged_and_apologised_for(
    client: Teams, connector: MockConnector, caplog: pytest.LogCaptureFixture
) -> None:
    connector.fail(500, kinds=("reply",))  # the answer to "status" cannot be delivered: not a retryable status
    assert await client.post(personal(connector.url, BUDI, "status")) == 200
    [(status, lost)] = connector.failed
    [apology] = connector.messages()
    assert status == 500 and lost.text() != apology.text()
    assert "something went wrong" in apology.text() and "incident" in apology.text()
    incident = apology.text().rsplit("incident ", 1)[1].strip(")\\")
    assert any(incident in record.getMessage() for record in caplog.records)
    assert all("status" not in record.getMessage() for record in caplog.records)  # no message bodies in logs


async def test_a_slow_command_is_acknowledged_then_answered_in_the_same_thread(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await make_admin(app, ADMIN.aad)
    activity = in_channel(connector.url, ADMIN, "program form nothing-here")
    assert app.core.is_slow("program form nothing-here")
    await client.post(activity)
    thread = activity["conversation"]["id"]
    first, answer = connector.to(thread)
    assert "On it" in first.text()
    assert answer.kind == "send"  # posted into the thread the admin wrote in (its id names the thread)
    assert "nothing-here" in answer.text()
