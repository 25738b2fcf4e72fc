"""Commands and card buttons from Teams: mentions both ways, buttons, polls updated in place."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from adapters.bootstrap import App
from storage.tables import ThemeVote, WorkspaceAdmin
from tests.teams.activities import ADMIN, BUDI, SARI, TENANT, in_channel, in_group_chat, personal, submit
from tests.teams.conftest import Teams
from tests.teams.helpers import enroll_directly, make_admin, references, teams_program
from tests.teams.mock_connector import Call, MockConnector


def signed(pick: dict[str, Any], *values: str) -> str:
    """What a member's pick sends: the signed values of the chosen options (`<value>.<signature>`)."""
    return ",".join(next(c["value"] for c in pick["choices"] if c["value"].rsplit(".", 1)[0] == v) for v in values)


def unsigned(value: str) -> str:
    return ",".join(v.rsplit(".", 1)[0] for v in value.split(",") if v)


def submits(call: Call) -> list[dict[str, Any]]:
    """Every Action.Submit on a card (inside ActionSets and at the card's end)."""
    found = [a for e in call.card["body"] if e.get("type") == "ActionSet" for a in e["actions"]]
    return found + list(call.card.get("actions", []))


async def test_mentions_become_member_ids_and_come_back_as_teams_mentions(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await make_admin(app, ADMIN.aad)
    connector.roster = [SARI.account]  # Teams tells the bot who a mentioned user id is
    activity = in_channel(connector.url, ADMIN, "admin add @Sari Wulandari", mentioned=[SARI])
    assert activity["text"] == "<at>Lingkar</at> admin add <at>Sari Wulandari</at>"
    await client.post(activity)

    async with app.uow() as uow:
        admins = (await uow.session.exec(select(WorkspaceAdmin.user_external_id))).all()
    assert sorted(admins) == sorted([ADMIN.aad, SARI.aad])  # the Entra object id, not the Teams user id
    [lookup] = [c for c in connector.of("member") if c.activity_id == SARI.teams_id]
    assert lookup.conversation_id == "19:team-general@thread.tacv2"
    [reply] = connector.to(activity["conversation"]["id"])
    assert reply.texts() == ["<at>Sari Wulandari</at> is now a Lingkar admin."]
    assert reply.card["msteams"]["entities"] == [{
        "type": "mention", "text": "<at>Sari Wulandari</at>",
        "mentioned": {"id": SARI.teams_id, "name": "Sari Wulandari"}}]


async def test_a_card_button_is_an_action(app: App, client: Teams, connector: MockConnector) -> None:
    first = await teams_program(app)
    await teams_program(app, name="Reverse Mentoring", slug="reverse")
    await client.post(personal(connector.url, BUDI, "join"))
    [choose] = connector.messages()
    buttons = {b["title"]: b["data"] for b in submits(choose)}
    assert set(buttons) == {"Leadership Circles", "Reverse Mentoring"}
    assert buttons["Leadership Circles"]["action_id"] == f"join:{first.id}"
    assert unsigned(buttons["Leadership Circles"]["value"]) == ""  # signed, for that action and this tenant

    await client.post(submit(connector.url, BUDI, buttons["Leadership Circles"], reply_to_id="1001"))
    form = connector.messages()[-1]
    data = submits(form)[-1]["data"]
    assert data["form_id"] == "profile" and data["state"] == f"join:{first.id}"


async def test_a_ballot_is_a_pick_list_and_voting_updates_it_in_place(
    app: App, client: Teams, connector: MockConnector
) -> None:
    program = await teams_program(app)
    await enroll_directly(app, program, BUDI.aad, name=BUDI.name)
    for title in ("Public speaking", "Managing up"):
        await client.post(personal(connector.url, BUDI, f"theme propose {title}"))
    await client.post(personal(connector.url, BUDI, "theme vote"))
    ballot = connector.messages()[-1]
    [pick] = [e for e in ballot.card["body"] if e.get("type") == "Input.ChoiceSet"]
    assert pick["isMultiSelect"] is True and [c["title"] for c in pick["choices"]] == [
        "1. Public speaking", "2. Managing up"]
    [send] = submits(ballot)
    assert send["data"]["input"] == pick["id"]

    await client.post(submit(connector.url, BUDI, send["data"], reply_to_id="1003",
                             inputs={pick["id"]: signed(pick, "2", "1")}))
    async with app.uow() as uow:
        votes = (await uow.session.exec(select(ThemeVote.theme_id))).all()
    assert sorted(votes) == [1, 2]
    [update] = connector.of("update")
    assert update.activity_id == "1003" and update.conversation_id == BUDI.personal
    [updated_pick] = [e for e in update.card["body"] if e.get("type") == "Input.ChoiceSet"]
    assert unsigned(updated_pick["value"]) == "1,2"


async def test_a_button_pressed_in_a_channel_answers_privately(
    app: App, client: Teams, connector: MockConnector
) -> None:
    program = await teams_program(app)
    await enroll_directly(app, program, BUDI.aad, name=BUDI.name)
    await client.post(personal(connector.url, BUDI, "status"))
    await client.post(personal(connector.url, BUDI, "theme propose Public speaking"))
    channel_post = in_channel(connector.url, BUDI, "theme vote")
    await client.post(channel_post)
    ballot = connector.to(channel_post["conversation"]["id"])[-1]
    [send] = submits(ballot)
    [pick] = [e for e in ballot.card["body"] if e.get("type") == "Input.ChoiceSet"]
    pressed = submit(connector.url, BUDI, send["data"], reply_to_id="1009",
                     inputs={send["data"]["input"]: signed(pick, "1")},
                     conversation=channel_post["conversation"])
    pressed["channelData"] = {**channel_post["channelData"]}
    await client.post(pressed)
    assert connector.of("update") == []  # the shared card does not show one member's choice to everyone
    private = connector.to(BUDI.personal)[-1]
    [pick] = [e for e in private.card["body"] if e.get("type") == "Input.ChoiceSet"]
    assert unsigned(pick["value"]) == "1"
    assert TENANT  # the tenant of the activities is the workspace


async def test_a_group_chat_is_answered_in_the_chat_and_remembered(
    app: App, client: Teams, connector: MockConnector
) -> None:
    activity = in_group_chat(connector.url, SARI, "status")
    await client.post(activity)
    [reply] = connector.messages()
    assert reply.conversation_id == "19:meeting-chat@thread.v2" and reply.activity_id == activity["id"]
    assert "enrolled" in reply.text()
    rows = {(r.scope, r.key) for r in await references(app)}
    assert rows == {("channel", "19:meeting-chat@thread.v2"), ("user", SARI.aad)}
