"""The shared scenario on Teams with Microsoft Graph (the Graph double): circles meet in private group chats."""

from __future__ import annotations

from bot.kernel.clock import ManualClock
from tests.conftest import Database
from tests.scenario.steps import SCENARIO
from tests.scenario.teams_driver import USERS
from tests.scenario.teams_graph_driver import teams_graph_driver
from tests.teams.graph_double import TEAMS_APP_ID


async def test_the_scenario_with_private_group_chats(database: Database, clock: ManualClock) -> None:
    async with teams_graph_driver(database=database, clock=clock) as driver:
        await driver.run(SCENARIO)

        chats = list(driver.graph.chats.values())
        assert sorted(sorted(driver.by_aad[m] for m in chat.members) for chat in chats) == [
            ["ayu", "citra", "eko"], ["budi", "fajar"]]
        assert all(chat.apps == [TEAMS_APP_ID] for chat in chats)
        # No circle thread in the team's channel: everything circle-bound went to its chat, and only there.
        assert not any((call.body.get("channelData") or {}).get("channel") for call in driver.connector.of("create"))
        for chat in chats:
            posts = driver.connector.to(chat.id)
            assert posts and "Only the circle's members and Lingkar are in it" in posts[0].text()
            outsiders = {p for p, u in USERS.items() if u.aad not in chat.members}
            assert all(not any(r.where[0] == chat.id for r in driver.inbox[p]) for p in outsiders)
