"""Private circles and pairs on Teams: group chats through Microsoft Graph (the Graph double), posts through the
Bot Connector (the mock connector). Verified against these doubles, not a live tenant."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from botbuilder.schema import Activity
from pydantic import ValidationError

from adapters.bootstrap import App, bootstrap
from adapters.local.messenger import LocalMessenger
from adapters.settings import Settings
from adapters.teams.messenger import TeamsMessenger, TeamsSpaceRef, visible_to_team
from bot.kernel.clock import ManualClock
from bot.kernel.messages import Message
from bot.kernel.ports import DeliveryError, Target
from tests.conftest import Database, create_schema
from tests.teams.activities import ADMIN, BUDI, CHANNEL, SARI, TENANT, User, in_group_chat, installed_in_team
from tests.teams.conftest import Sleeps, Teams
from tests.teams.graph_double import CLIENT_ID, CLIENT_SECRET, TEAMS_APP_ID, GraphDouble
from tests.teams.helpers import references
from tests.teams.mock_connector import MockConnector

RINA = User("Rina Putri", "6b2f3c1e-0000-4000-8000-00000000c0a1")
PARENT = Target(platform="teams", workspace_id=TENANT, kind="channel", ref=CHANNEL)


def graph_settings(database: Database, graph: GraphDouble, **extra: str) -> Settings:
    values = {"LINGKAR_DATABASE_URL": database.url, "LINGKAR_ADMINS": "UADMIN", "LINGKAR_TEAMS_LOCAL": "true",
              "LINGKAR_GRAPH_TEAMS_APP_ID": TEAMS_APP_ID, "LINGKAR_GRAPH_CLIENT_ID": CLIENT_ID,
              "LINGKAR_GRAPH_CLIENT_SECRET": CLIENT_SECRET, "LINGKAR_GRAPH_URL": graph.graph_url,
              "LINGKAR_GRAPH_AUTHORITY": graph.url, "LINGKAR_GRAPH_CA_FILE": graph.ca_file,
              "MicrosoftAppType": "MultiTenant", **extra}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def graph() -> AsyncIterator[GraphDouble]:
    double = await GraphDouble(tenants={TENANT}).start()
    try:
        yield double
    finally:
        await double.close()


@pytest.fixture
async def app(database: Database, clock: ManualClock, local: LocalMessenger, graph: GraphDouble) -> AsyncIterator[App]:
    """The Teams fixtures' app (conftest), with Microsoft Graph pointed at the double."""
    await create_schema(database)
    built = await bootstrap(graph_settings(database, graph), clock=clock, messenger_overrides={"local": local},
                            migrate=False, schema=database.schema)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def installed(client: Teams, connector: MockConnector, teams: TeamsMessenger, sleeps: Sleeps) -> TeamsMessenger:
    """Lingkar installed in the team (its service URL and bot account are known); Graph's waits recorded."""
    assert teams.chats is not None
    teams.chats.graph.sleep = sleeps
    connector.roster = [u.account for u in (ADMIN, BUDI, SARI, RINA)]
    assert await client.post(installed_in_team(connector.url, ADMIN)) == 200
    return teams


async def open_circle(teams: TeamsMessenger, *members: User, name: str = "Growth Mindset") -> TeamsSpaceRef:
    space = await teams.open_space(workspace_id=TENANT, platform="teams", name=name, members=[m.aad for m in members],
                                   parent=PARENT)
    assert isinstance(space, TeamsSpaceRef)
    return space


async def test_a_circle_meets_in_a_private_group_chat(
    app: App, installed: TeamsMessenger, graph: GraphDouble, connector: MockConnector
) -> None:
    space = await open_circle(installed, BUDI, SARI, RINA)

    [token] = graph.of("token")  # MSAL's client-credentials request, for this tenant and Graph's .default scope
    assert token.path == f"/{TENANT}/oauth2/v2.0/token"
    assert token.body["grant_type"] == "client_credentials" and token.body["scope"] == f"{graph.url}.default"
    [create] = graph.of("create_chat")
    assert create.body["chatType"] == "group" and create.body["topic"] == "Growth Mindset"
    assert [m["user@odata.bind"] for m in create.body["members"]] == [
        f"{graph.graph_url}users('{u.aad}')" for u in (BUDI, SARI, RINA)]
    chat = graph.chats[space.target.ref]
    assert chat.members == [BUDI.aad, SARI.aad, RINA.aad] and chat.apps == [TEAMS_APP_ID]
    [install] = graph.of("install_app")
    assert install.body == {"teamsApp@odata.bind": f"{graph.graph_url}appCatalogs/teamsApps/{TEAMS_APP_ID}"}

    assert space.target.kind == "space" and space.visible_to_team is False and not visible_to_team(space.target)
    assert connector.of("create") == []  # no thread in the channel
    [welcome] = connector.to(chat.id)
    assert "Only the circle's members and Lingkar are in it" in welcome.text()
    mentioned = {e["mentioned"]["id"] for e in welcome.card["msteams"]["entities"]}
    assert mentioned == {BUDI.teams_id, SARI.teams_id, RINA.teams_id}
    stored = {r.key: r for r in await references(app)}[chat.id]
    assert stored.scope == "space" and stored.reference["conversation"]["conversationType"] == "groupChat"

    await installed.send(space.target, Message(text="Session 2 starts in an hour."))
    assert connector.to(chat.id)[-1].text() == "Session 2 starts in an hour."


async def test_what_is_said_in_the_chat_is_said_in_the_circle(client: Teams, installed: TeamsMessenger,
                                                             connector: MockConnector) -> None:
    space = await open_circle(installed, BUDI, SARI)
    bot = client.endpoint.bot
    in_circle = Activity().deserialize(in_group_chat(connector.url, BUDI, "help", chat=space.target.ref))
    assert await bot._where(in_circle, "groupChat", BUDI.aad) == space.target
    elsewhere = Activity().deserialize(in_group_chat(connector.url, BUDI, "help"))  # any other group chat
    assert (await bot._where(elsewhere, "groupChat", BUDI.aad)).kind == "channel"


async def test_a_pair_gets_its_own_chat_and_welcome(installed: TeamsMessenger, graph: GraphDouble,
                                                    connector: MockConnector) -> None:
    space = await installed.open_space(workspace_id=TENANT, platform="teams", name="leadership-pair-7",
                                       members=[BUDI.aad, SARI.aad], group_chat=True)
    [chat] = graph.chats.values()
    assert space.target.ref == chat.id and chat.members == [BUDI.aad, SARI.aad]
    assert "Only the two of you and Lingkar" in connector.to(chat.id)[0].text()


async def test_a_retried_open_finds_its_chat_again(installed: TeamsMessenger, graph: GraphDouble,
                                                   connector: MockConnector) -> None:
    """Teams may refuse the first post while it lets the bot in: the open is retried later, on the same chat."""
    connector.fail(403, kinds=("send",))
    with pytest.raises(DeliveryError) as failed:
        await open_circle(installed, BUDI, SARI)
    assert not failed.value.permanent and failed.value.retry_after == 30

    space = await open_circle(installed, BUDI, SARI)
    assert len(graph.of("create_chat")) == 1 and list(graph.chats) == [space.target.ref]
    assert len(graph.of("install_app")) == 2 and graph.chats[space.target.ref].apps == [TEAMS_APP_ID]  # 409: kept
    assert len(connector.to(space.target.ref)) == 1


async def test_people_graph_cannot_add_are_skipped_and_a_chat_of_one_stays_a_thread(
    installed: TeamsMessenger, graph: GraphDouble, connector: MockConnector
) -> None:
    space = await open_circle(installed, BUDI, SARI, User("Legacy", "29:legacy-id"))
    assert space.skipped == ("29:legacy-id",) and graph.chats[space.target.ref].members == [BUDI.aad, SARI.aad]

    alone = await open_circle(installed, BUDI, User("Legacy", "29:legacy-id"), name="Tiny circle")
    assert alone.visible_to_team is True and ";messageid=" in alone.target.ref and visible_to_team(alone.target)
    assert len(graph.of("create_chat")) == 1 and len(connector.of("create")) == 1
    # A thread promises no privacy it cannot keep: its first message says the team channel can read it.
    assert "Everyone in this team channel can read this thread" in json.dumps(connector.of("create")[0].body)


async def test_a_newcomer_is_added_to_the_chat(installed: TeamsMessenger, graph: GraphDouble,
                                               connector: MockConnector) -> None:
    space = await open_circle(installed, BUDI, SARI)
    await installed.add_to_space(space, [RINA.aad])
    [added] = graph.of("add_member")
    assert added.body["user@odata.bind"] == f"{graph.graph_url}users('{RINA.aad}')"
    assert "visibleHistoryStartDateTime" not in added.body  # earlier talk stays with those who were there
    assert graph.chats[space.target.ref].members[-1] == RINA.aad
    assert "You were added to this private chat" in connector.to(space.target.ref)[-1].text()

    await installed.add_to_space(space, [RINA.aad])  # a retried change: Graph's 409 is no failure
    assert len(graph.of("add_member")) == 2 and graph.chats[space.target.ref].members.count(RINA.aad) == 1


async def test_throttling_waits_as_graph_says(installed: TeamsMessenger, graph: GraphDouble,
                                              sleeps: Sleeps) -> None:
    graph.refuse(429, "create_chat", code="TooManyRequests", retry_after="7")
    graph.refuse(503, "install_app", code="ServiceUnavailable", retry_after="2")
    space = await open_circle(installed, BUDI, SARI)
    assert sleeps.delays == [7.0, 2.0]
    assert len(graph.of("create_chat")) == 2 and graph.chats[space.target.ref].apps == [TEAMS_APP_ID]


async def test_refusals_fail_for_good_with_graphs_code(installed: TeamsMessenger, graph: GraphDouble,
                                                       connector: MockConnector) -> None:
    graph.refuse(403, "create_chat", code="Forbidden")
    with pytest.raises(DeliveryError, match=r"403 \(Forbidden\)") as refused:
        await open_circle(installed, BUDI, SARI)
    assert refused.value.permanent and graph.chats == {} and connector.messages() == []


async def test_a_tenant_without_consent_is_told_plainly(installed: TeamsMessenger, graph: GraphDouble) -> None:
    graph.tenants.clear()  # the tenant's admin never consented to Lingkar's Graph permissions
    with pytest.raises(DeliveryError, match=r"unauthorized_client.*consented") as refused:
        await open_circle(installed, BUDI, SARI)
    assert refused.value.permanent and graph.of("create_chat") == []


def test_the_teams_app_id_needs_graph_credentials(database: Database) -> None:
    with pytest.raises(ValidationError, match="LINGKAR_GRAPH_TEAMS_APP_ID is set without credentials"):
        Settings(LINGKAR_DATABASE_URL=database.url, LINGKAR_GRAPH_TEAMS_APP_ID=TEAMS_APP_ID)  # type: ignore[call-arg]
