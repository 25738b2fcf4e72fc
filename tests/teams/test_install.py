"""Installing Lingkar: references stored for people and channels, a welcome in the 1:1 chat, uninstalling."""

from __future__ import annotations

from adapters.bootstrap import App
from tests.teams.activities import (
    ADMIN,
    BUDI,
    CHANNEL,
    SARI,
    TEAM,
    TENANT,
    installed_in_team,
    installed_personally,
)
from tests.teams.conftest import Teams
from tests.teams.helpers import references
from tests.teams.mock_connector import MockConnector


async def test_a_personal_install_stores_the_chat_and_says_hello(
    app: App, client: Teams, connector: MockConnector
) -> None:
    assert await client.post(installed_personally(connector.url, BUDI)) == 200
    [row] = await references(app)
    assert (row.scope, row.key, row.alias, row.name, row.reachable) == (
        "user", BUDI.aad, BUDI.teams_id, "Budi Santoso", True)
    assert row.reference["conversation"]["id"] == BUDI.personal
    assert row.reference["serviceUrl"] == connector.url
    assert row.reference["bot"]["id"] == "28:9e1a7c1f-bot"
    assert "activityId" not in row.reference  # proactive sends post; they do not reply to an old message
    [welcome] = connector.messages()
    assert welcome.conversation_id == BUDI.personal and "I am Lingkar" in welcome.text()

    uninstall = {**installed_personally(connector.url, BUDI), "action": "remove"}
    await client.post(uninstall)
    [row] = await references(app)
    assert row.reachable is False


async def test_a_team_install_stores_the_channel_and_the_roster_without_overwriting_chats(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    connector.roster = [BUDI.account, SARI.account, ADMIN.account]
    connector.channels = [{"id": TEAM}, {"id": CHANNEL, "name": "Mentoring circles"}]
    await client.post(installed_in_team(connector.url, ADMIN))

    rows = {(r.scope, r.key): r for r in await references(app)}
    assert set(rows) == {("user", BUDI.aad), ("user", SARI.aad), ("user", ADMIN.aad), ("channel", TEAM),
                         ("channel", CHANNEL)}
    assert rows[("channel", CHANNEL)].name == "Mentoring circles"
    assert rows[("channel", CHANNEL)].reference["conversation"]["id"] == CHANNEL
    assert [c.conversation_id for c in connector.of("channels")] == [TEAM]
    assert rows[("channel", TEAM)].reference["conversation"]["id"] == TEAM
    assert rows[("user", BUDI.aad)].reference["conversation"]["id"] == BUDI.personal  # kept his real chat
    assert rows[("user", SARI.aad)].reference["conversation"]["id"] == ""  # a chat is opened when needed
    assert rows[("user", SARI.aad)].alias == SARI.teams_id and rows[("user", SARI.aad)].name == "Sari Wulandari"
    [listing] = connector.of("members")
    assert listing.conversation_id == TEAM
    assert [m for m in connector.messages() if m.conversation_id == TEAM] == []  # no chatter in the channel
    assert TENANT


async def test_channels_created_and_deleted_later_are_followed_and_upgrades_stay_quiet(
    app: App, client: Teams, connector: MockConnector
) -> None:
    created = installed_in_team(connector.url, ADMIN)
    del created["membersAdded"]
    created["channelData"] = {"eventType": "channelCreated", "channel": {"id": CHANNEL, "name": "Circles"},
                              "team": {"id": TEAM}, "tenant": {"id": TENANT}}
    created["conversation"]["id"] = CHANNEL
    await client.post(created)
    [row] = await references(app)
    assert (row.scope, row.key, row.name, row.reachable) == ("channel", CHANNEL, "Circles", True)

    deleted = {**created, "channelData": {**created["channelData"], "eventType": "channelDeleted"}}
    await client.post(deleted)
    [row] = await references(app)
    assert row.reachable is False

    await client.post({**installed_personally(connector.url, BUDI), "action": "add-upgrade"})
    assert connector.messages() == []  # an app upgrade is not a first meeting
