"""Issue 16 item 2 on real Teams activities: `program create` in the admin's 1:1 chat offers the team channels
Lingkar was installed in (read from the team's channel list at install), and the program lives in the one chosen;
with Lingkar in no team yet, the reply gives the steps instead of a form."""

from __future__ import annotations

from typing import Any

from adapters.bootstrap import App
from tests.teams.activities import (
    ADMIN,
    CHANNEL,
    TEAM,
    TENANT,
    installed_in_team,
    installed_personally,
    personal,
    submit,
)
from tests.teams.conftest import Teams
from tests.teams.helpers import make_admin
from tests.teams.mock_connector import Call, MockConnector
from tests.teams.test_forms import form_submit_data

PROGRAM = {"f_name": "Leadership Circles", "f_goal": "Grow leaders", "f_start_date": "2026-02-02", "f_weeks": "12",
           "f_cadence": "weekly", "f_meeting_weekday": "2", "f_meeting_time": "10:00", "f_timezone": "Asia/Jakarta",
           "f_participation": "voluntary", "f_size_min": "3", "f_size_target": "4", "f_size_max": "5",
           "f_moderator_mode": "elected", "f_theme_mode": "employee_voted"}


def buttons(call: Call) -> list[tuple[str, dict[str, Any]]]:
    """Every button of a card (title and the data pressing it sends back)."""
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("Action.Execute", "Action.Submit") and isinstance(node.get("data"), dict):
                found.append((str(node.get("title")), node["data"]))
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call.card)
    return found


async def program_target(app: App) -> str | None:
    async with app.uow() as uow:
        workspace_id = await uow.conversations.workspace_id(platform="teams", external_id=TENANT)
        programs = await uow.programs.all_in(workspace_id=workspace_id or 0)
        return programs[0].announcement_target if programs else None


async def test_create_in_the_personal_chat_asks_for_a_team_channel_and_uses_it(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await make_admin(app, ADMIN.aad)
    connector.roster = [ADMIN.account]
    connector.channels = [{"id": TEAM}, {"id": CHANNEL, "name": "Mentoring circles"}]
    await client.post(installed_in_team(connector.url, ADMIN))
    await client.post(personal(connector.url, ADMIN, "program create"))

    asked = connector.messages()[-1]
    assert asked.conversation_id == ADMIN.personal
    assert "Which team channel should the new program live in?" in asked.text()
    offered = buttons(asked)
    assert [title for title, _ in offered] == ["General", "Mentoring circles"]

    await client.post(submit(connector.url, ADMIN, offered[1][1], reply_to_id="2001"))
    form = connector.messages()[-1]
    data = form_submit_data(form)
    assert data["form_id"] == "program.create"
    await client.post(submit(connector.url, ADMIN, data, reply_to_id="2002", inputs=PROGRAM))
    assert "created as a draft" in connector.messages()[-1].text()
    assert await program_target(app) == f"teams:{TENANT}:channel:{CHANNEL}"


async def test_create_in_the_personal_chat_with_lingkar_in_no_team_gives_the_steps(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await make_admin(app, ADMIN.aad)
    await client.post(installed_personally(connector.url, ADMIN))
    await client.post(personal(connector.url, ADMIN, "program create"))
    reply = connector.messages()[-1]
    assert "Lingkar is not in any team channel yet" in reply.text()
    assert "add Lingkar to the team" in reply.text() and "program create" in reply.text()
    assert buttons(reply) == [] and await program_target(app) is None
