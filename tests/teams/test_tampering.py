"""What a Teams card carries back is signed and single-use: edited data, data of another tenant or member, replays."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from adapters.bootstrap import App
from adapters.teams.cards import message_card
from adapters.teams.messenger import TeamsMessenger
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Message
from storage.tables import Enrollment, Program
from tests.teams.activities import (
    ADMIN,
    BUDI,
    SARI,
    TENANT,
    in_channel,
    installed_in_team,
    installed_personally,
    personal,
    submit,
)
from tests.teams.conftest import Teams
from tests.teams.helpers import make_admin, teams_program
from tests.teams.mock_connector import Call, MockConnector
from tests.teams.test_forms import ANSWERS

SLACK_CHANNEL = "slack:T1:channel:C0GENERAL"  # the attack: a Slack channel named in a Teams card


def submit_data(call: Call) -> dict[str, Any]:
    return dict(call.card["actions"][0]["data"])


def program_answers(app: App) -> dict[str, str]:
    return {"f_name": "Leadership Circles", "f_goal": "Grow leaders",
            "f_start_date": app.services.clock.now().date().isoformat()}


def button_data(card: dict[str, Any]) -> dict[str, Any]:
    """What the card's first button sends back."""
    return dict(next(a["data"] for e in card["body"] if e.get("type") == "ActionSet" for a in e["actions"]))


async def programs(app: App) -> list[Program]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Program))).all())


async def program_form(app: App, client: Teams, connector: MockConnector) -> dict[str, Any]:
    await make_admin(app, ADMIN.aad)
    # In the team channel the program will live in (typed in a 1:1 chat, Lingkar first asks which channel).
    connector.roster = [ADMIN.account]
    await client.post(installed_in_team(connector.url, ADMIN))
    await client.post(in_channel(connector.url, ADMIN, "program create"))
    [form] = connector.of("send")  # the form itself comes to the admin's 1:1 chat; the channel gets a reply
    data = submit_data(form)
    assert data["form_id"] == "program.create"
    return data


async def test_a_program_card_whose_state_was_edited_to_a_slack_channel_creates_nothing(
    app: App, client: Teams, connector: MockConnector
) -> None:
    data = await program_form(app, client, connector)
    tampered = {**data, "state": SLACK_CHANNEL}
    assert await client.post(submit(connector.url, ADMIN, tampered, reply_to_id="1001",
                                    inputs=program_answers(app))) == 200
    assert await programs(app) == []  # nothing to announce anywhere, Slack least of all
    assert "no longer valid" in connector.messages()[-1].text()


async def test_create_pressed_twice_makes_one_program_and_the_second_press_is_already_done(
    app: App, client: Teams, connector: MockConnector
) -> None:
    data = await program_form(app, client, connector)
    pressed = submit(connector.url, ADMIN, data, reply_to_id="1001", inputs=program_answers(app))
    assert await client.post(pressed) == 200
    assert await client.post({**pressed, "id": "replayed-activity"}) == 200
    assert [p.slug for p in await programs(app)] == ["leadership-circles"]  # no "-2"
    assert "already done" in connector.messages()[-1].text()


async def test_a_form_with_errors_can_still_be_sent_once_fixed(
    app: App, client: Teams, connector: MockConnector
) -> None:
    data = await program_form(app, client, connector)
    await client.post(submit(connector.url, ADMIN, data, reply_to_id="1001", inputs={"f_name": "Leadership"}))
    assert await programs(app) == []
    [rerendered] = connector.of("update")
    assert submit_data(rerendered)["seal"]  # the same form again, still signed
    await client.post(submit(connector.url, ADMIN, submit_data(rerendered), reply_to_id="1001",
                             inputs=program_answers(app)))
    assert len(await programs(app)) == 1


async def test_a_form_opened_for_one_member_cannot_be_sent_by_another(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await teams_program(app)
    await client.post(personal(connector.url, BUDI, "join leadership"))
    data = submit_data(connector.messages()[-1])
    assert data["form_id"] == "profile"
    await client.post(submit(connector.url, SARI, data, reply_to_id="1001", inputs=ANSWERS))
    assert "no longer valid" in connector.messages()[-1].text()
    async with app.uow() as uow:
        assert list((await uow.session.exec(select(Enrollment))).all()) == []  # nobody joined with Budi's form


async def test_a_button_signed_for_another_tenant_or_edited_does_nothing(
    app: App, client: Teams, connector: MockConnector, teams: TeamsMessenger
) -> None:
    first = await teams_program(app)
    second = await teams_program(app, name="Reverse Mentoring", slug="reverse")
    await client.post(installed_personally(connector.url, BUDI))
    elsewhere = Message(text="Join", blocks=(Buttons((Button("Join", f"join:{first.id}"),)),))
    card = message_card(elsewhere, t=Translator("en"), people={}, seal=teams.seal("another-tenant"))
    foreign = button_data(card)
    sent = len(connector.messages())
    await client.post(submit(connector.url, BUDI, foreign, reply_to_id="1002"))
    await client.post(submit(connector.url, BUDI, {**foreign, "action_id": f"join:{second.id}"}, reply_to_id="1002"))
    answers = connector.messages()[sent:]
    assert [("no longer valid" in a.text()) for a in answers] == [True, True]  # and no profile form opened
    assert all(not a.card.get("actions") for a in answers)
    # The same button signed for this tenant is accepted: the refusal was the signature's doing.
    here = message_card(elsewhere, t=Translator("en"), people={}, seal=teams.seal(TENANT))
    await client.post(submit(connector.url, BUDI, button_data(here), reply_to_id="1003"))
    assert submit_data(connector.messages()[-1])["form_id"] == "profile"
