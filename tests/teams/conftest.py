"""Teams fixtures: the local connector service, and the Lingkar web app with its /api/messages endpoint."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from adapters.server import build_web_app
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.reliability import RetryPolicy
from adapters.teams.wiring import TEAMS, TeamsEndpoint
from bot.kernel.clock import ManualClock
from tests.conftest import Database, started_app
from tests.teams.mock_connector import MockConnector


class Sleeps:
    """Stands in for asyncio.sleep and the monotonic clock of retries and pacing: sleeping records the delay
    and moves this clock on, so nothing really waits."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.now = 1000.0

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
async def app(database: Database, clock: ManualClock, local: LocalMessenger) -> AsyncIterator[App]:
    """Lingkar with Teams in local mode (the Emulator's: no app id, requests from this machine only)."""
    async with started_app(database, clock, {"local": local}, LINGKAR_TEAMS_LOCAL=True) as built:
        yield built


@pytest.fixture
async def connector() -> AsyncIterator[MockConnector]:
    mock = await MockConnector().start()
    try:
        yield mock
    finally:
        await mock.close()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def teams(app: App, sleeps: Sleeps) -> TeamsMessenger:
    messenger = app.messenger.for_platform("teams")
    assert isinstance(messenger, TeamsMessenger)
    messenger.connection.sleep = sleeps
    messenger.connection.pacer.sleep = sleeps
    messenger.connection.pacer.clock = sleeps.clock
    messenger.connection.rng = random.Random(7)
    messenger.connection.policy = RetryPolicy(attempts=6, base=0.5, cap=30.0)
    return messenger


class Teams:
    """Posts activities to Lingkar's /api/messages as the Teams service would."""

    def __init__(self, client: TestClient[Any, Any], endpoint: TeamsEndpoint) -> None:
        self.client = client
        self.endpoint = endpoint

    async def post(self, activity: dict[str, Any], *, headers: dict[str, str] | None = None) -> int:
        response = await self.client.post("/api/messages", json=activity, headers=headers or {})
        await response.read()
        await self.endpoint.bot.drain()
        return response.status


    async def invoke(self, activity: dict[str, Any]) -> tuple[int, str]:
        """Post an invoke; Teams reads its answer from the HTTP response."""
        response = await self.client.post("/api/messages", json=activity)
        body = await response.text()
        await self.endpoint.bot.drain()
        return response.status, body


@pytest.fixture
async def client(app: App, teams: TeamsMessenger) -> AsyncIterator[Teams]:
    web_app = build_web_app(app)
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as test_client:
        yield Teams(test_client, web_app[TEAMS])
