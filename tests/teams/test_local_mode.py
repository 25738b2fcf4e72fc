"""Teams local mode: switched on explicitly, alone, and only for requests whose TCP peer is this machine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from adapters import server
from adapters.bootstrap import App
from adapters.cli import app as cli
from adapters.server import build_web_app
from adapters.settings import Settings
from adapters.teams.wiring import TEAMS
from storage.tables import ConversationRecord, Member, Program, Workspace
from tests.teams.activities import User, personal
from tests.teams.conftest import Teams
from tests.teams.mock_connector import MockConnector

# LINGKAR_ADMINS in the Teams `app` fixture: this member may run admin commands.
ADMIN = User("Dewi HR", "UADMIN")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def as_peer(address: str) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """Make every request look as if its TCP peer were `address`: what another machine's request looks like."""

    @web.middleware
    async def peer(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await handler(request.clone(remote=address))

    return peer


@pytest.fixture
async def remote(app: App) -> AsyncIterator[Teams]:
    """The real app and route, reached from 203.0.113.7 (another machine) instead of the loopback interface."""
    web_app = build_web_app(app)
    web_app.middlewares.insert(0, as_peer("203.0.113.7"))
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        yield Teams(client, web_app[TEAMS])


async def count(app: App, table: Any) -> int:
    async with app.uow() as uow:
        return int((await uow.session.exec(select(func.count()).select_from(table))).one())


async def test_another_machine_claiming_a_loopback_service_url_is_refused_and_changes_nothing(
    app: App, remote: Teams, client: Teams, connector: MockConnector
) -> None:
    # The attack from the issue: an admin's id and a serviceUrl on "this machine", sent from elsewhere.
    forged = personal(connector.url, ADMIN, "program create")
    assert "127.0.0.1" in forged["serviceUrl"]
    assert await remote.post(forged) == 403
    assert await remote.post(personal(connector.url, ADMIN, "join")) == 403
    assert connector.calls == []
    for table in (Workspace, Member, Program, ConversationRecord):
        assert await count(app, table) == 0, table.__name__
    # The same activity from this machine (the Emulator's case) is answered: the refusal was the peer's doing.
    assert await client.post(personal(connector.url, ADMIN, "join")) == 200
    assert connector.messages()
    assert await count(app, Workspace) == 1 and await count(app, ConversationRecord) == 1


async def test_a_request_relayed_by_a_proxy_on_this_machine_is_refused(
    app: App, client: Teams, connector: MockConnector
) -> None:
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        status = await client.post(personal(connector.url, ADMIN, "join"), headers={header: "203.0.113.7"})
        assert status == 403, header
    assert connector.calls == []
    assert await count(app, Member) == 0


def test_local_mode_and_an_app_id_together_are_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(LINGKAR_TEAMS_LOCAL=True, MicrosoftAppId="9e1a7c1f-0000-4000-8000-000000000001")
    assert "LINGKAR_TEAMS_LOCAL" in str(raised.value) and "MicrosoftAppId" in str(raised.value)
    assert Settings(LINGKAR_TEAMS_LOCAL=True).teams_local  # alone, it is fine
    assert not Settings().teams_local  # and off unless switched on


def test_serve_says_what_is_wrong_in_one_line_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINGKAR_TEAMS_LOCAL", "true")
    monkeypatch.setenv("MicrosoftAppId", "9e1a7c1f-0000-4000-8000-000000000001")

    async def must_not_start(settings: Settings) -> None:
        raise AssertionError("the server started with contradicting settings")

    monkeypatch.setattr(server, "serve", must_not_start)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = result.output.strip().splitlines()
    assert "LINGKAR_TEAMS_LOCAL" in line and "MicrosoftAppId" in line and "Traceback" not in result.output
