"""The scenario on Teams with Microsoft Graph: circles meet in private group chats that the Graph double creates;
what people got is read from the mock connector as on plain Teams, a chat reaching only its members."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from adapters.bootstrap import App, bootstrap
from adapters.server import build_web_app
from adapters.settings import Settings
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.reliability import RetryPolicy
from adapters.teams.wiring import TEAMS
from bot.kernel.clock import ManualClock
from tests.conftest import Database, create_schema
from tests.scenario.driver import Control, Received
from tests.scenario.steps import ADMIN, CIRCLE
from tests.scenario.teams_driver import USERS, AnsweringConnector, TeamsDriver
from tests.teams.activities import BOT, TEAM, TENANT, _base, in_group_chat, installed_in_team, submit
from tests.teams.activities import CHANNEL as TEAMS_CHANNEL
from tests.teams.conftest import Sleeps, Teams
from tests.teams.graph_double import CLIENT_ID, CLIENT_SECRET, TEAMS_APP_ID, Chat, GraphDouble


class TeamsGraphDriver(TeamsDriver):
    def __init__(self, *, app: App, clock: ManualClock, teams: Teams, connector: AnsweringConnector,
                 graph: GraphDouble) -> None:
        super().__init__(app=app, clock=clock, teams=teams, connector=connector)
        self.graph = graph
        self.by_aad = {user.aad: person for person, user in USERS.items()}

    def collect(self) -> None:
        """A chat Graph created is a space of exactly its members (Graph's record, not the welcome's mentions)."""
        for chat in self.graph.chats.values():
            if chat.id not in self.threads:
                members = frozenset(self.by_aad[m] for m in chat.members if m in self.by_aad)
                self.threads[chat.id] = members
                self.spaces.append(members)
        super().collect()

    async def say(self, person: str, text: str, *, where: str | None) -> None:
        if where != CIRCLE:
            await super().say(person, text, where=where)
            return
        chat = next(c for c, members in self.threads.items() if person in members)
        assert chat in self.graph.chats, "a circle on Teams with Graph meets in a group chat"
        assert await self.teams.post(in_group_chat(self.connector.url, USERS[person], text, chat=chat)) == 200

    async def press(self, person: str, received: Received, control: Control, *, chosen: Sequence[str]) -> None:
        if received.where[0] not in self.graph.chats:
            await super().press(person, received, control, chosen=chosen)
            return
        data = dict(control.handle)
        inputs = {data["input"]: ",".join(chosen)} if control.kind in ("select", "multi") else None
        await self._submit_in_chat(person, received, data, inputs)

    async def fill(self, person: str, received: Received, values: dict[str, Any]) -> None:
        if received.where[0] not in self.graph.chats:
            await super().fill(person, received, values)
            return
        inputs = {f"f_{name}": ",".join(v) if isinstance(v, list) else v for name, v in values.items()
                  if v not in ("", None, [])}
        await self._submit_in_chat(person, received, received.where[2], inputs)

    async def _submit_in_chat(self, person: str, received: Received, data: dict[str, Any],
                              inputs: dict[str, Any] | None) -> None:
        conversation, activity_id, _ = received.where
        shape = {"isGroup": True, "conversationType": "groupChat", "tenantId": TENANT, "id": conversation}
        activity = submit(self.connector.url, USERS[person], data, reply_to_id=activity_id, inputs=inputs,
                          conversation=shape)
        assert await self.teams.post(activity) == 200


def installed_in_chat(service_url: str, chat: Chat) -> dict[str, Any]:
    """What Teams sends the bot once Graph installed it in a group chat: a conversationUpdate adding the bot."""
    installer = next(user for user in USERS.values() if user.aad == chat.members[0])
    conversation = {"isGroup": True, "conversationType": "groupChat", "tenantId": TENANT, "id": chat.id}
    activity = _base(service_url, installer, conversation, type="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
    del activity["entities"]
    return activity


@asynccontextmanager
async def teams_graph_driver(*, database: Database, clock: ManualClock) -> AsyncIterator[TeamsGraphDriver]:
    """Lingkar (Teams in local mode) with Microsoft Graph pointed at the double, installed in the cast's team."""
    connector = AnsweringConnector()
    await connector.start()
    graph = await GraphDouble(tenants={TENANT}, users={user.aad for user in USERS.values()}).start()
    try:
        settings = Settings(  # type: ignore[call-arg]
            LINGKAR_DATABASE_URL=database.url, LINGKAR_ADMINS=USERS[ADMIN].aad, LINGKAR_TEAMS_LOCAL=True,
            MicrosoftAppType="MultiTenant", LINGKAR_GRAPH_TEAMS_APP_ID=TEAMS_APP_ID, LINGKAR_GRAPH_CLIENT_ID=CLIENT_ID,
            LINGKAR_GRAPH_CLIENT_SECRET=CLIENT_SECRET, LINGKAR_GRAPH_URL=graph.graph_url,
            LINGKAR_GRAPH_AUTHORITY=graph.url, LINGKAR_GRAPH_CA_FILE=graph.ca_file)
        await create_schema(database)
        app = await bootstrap(settings, clock=clock, migrate=False, schema=database.schema)
        messenger = app.messenger.for_platform("teams")
        assert isinstance(messenger, TeamsMessenger) and messenger.chats is not None
        sleeps = Sleeps()  # retries and pacing record their waits instead of waiting
        messenger.connection.sleep = messenger.connection.pacer.sleep = messenger.chats.graph.sleep = sleeps
        messenger.connection.pacer.clock = sleeps.clock
        messenger.connection.rng = random.Random(7)
        messenger.connection.policy = RetryPolicy(attempts=6, base=0.5, cap=30.0)
        try:
            web_app = build_web_app(app)
            async with TestClient(TestServer(web_app, host="127.0.0.1", port=0)) as client:
                teams = Teams(client, web_app[TEAMS])

                async def bot_added(_tenant: str, chat: Chat) -> None:  # no drain: the open is still running
                    response = await client.post("/api/messages", json=installed_in_chat(connector.url, chat))
                    assert response.status == 200

                graph.on_install = bot_added
                connector.roster = [user.account for user in USERS.values()]
                connector.channels = [{"id": TEAM, "name": "General"}, {"id": TEAMS_CHANNEL, "name": "Mentoring"}]
                assert await teams.post(installed_in_team(connector.url, USERS[ADMIN])) == 200
                driver = TeamsGraphDriver(app=app, clock=clock, teams=teams, connector=connector, graph=graph)
                driver.collect()
                yield driver
        finally:
            await app.close()
    finally:
        await graph.close()
        await connector.close()

