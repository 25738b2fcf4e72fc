"""Universal Actions on Teams: presses answered with the card to show in place, per member; refreshes; forms closed
after use and shown again with their errors even when Teams does not say which card was pressed."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from adapters.bootstrap import App
from storage.tables import Member, ThemeVote
from tests.teams.activities import BUDI, SARI, in_channel, personal
from tests.teams.conftest import Teams
from tests.teams.helpers import enroll_directly, enrolled_member, teams_program
from tests.teams.mock_connector import MockConnector
from tests.teams.test_commands import signed, unsigned
from tests.teams.test_forms import ANSWERS, form_submit_data
from tests.teams.universal_activities import answer, execute, executes, refresh


def _posted(connector: MockConnector) -> int:
    """Messages sent or changed (member lookups aside)."""
    return len(connector.of("send", "reply", "update", "create"))


def _pick(card: dict[str, Any]) -> dict[str, Any]:
    [pick] = [e for e in card["body"] if e.get("type") == "Input.ChoiceSet"]
    return pick


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if str(e.get("type", "")).startswith("Input.")}


async def _ballot_in_channel(app: App, client: Teams, connector: MockConnector) -> tuple[dict[str, Any], Any]:
    program = await teams_program(app)
    for user in (BUDI, SARI):
        await enroll_directly(app, program, user.aad, name=user.name)
        await client.post(personal(connector.url, user, "status"))  # both have a 1:1 chat with the bot
    for title in ("Public speaking", "Managing up"):
        await client.post(personal(connector.url, BUDI, f"theme propose {title}"))
    post = in_channel(connector.url, BUDI, "theme vote")
    await client.post(post)
    return post, connector.to(post["conversation"]["id"])[-1]


async def test_a_vote_in_a_channel_is_answered_in_place_for_the_voter_alone(
    app: App, client: Teams, connector: MockConnector
) -> None:
    post, ballot = await _ballot_in_channel(app, client, connector)
    [send] = executes(ballot)
    assert send["verb"] == "lingkar.choice" and send["fallback"]["type"] == "Action.Submit"
    sent_before = _posted(connector)

    status, body = await client.invoke(execute(connector.url, BUDI, send["data"], like=post, verb=send["verb"],
                                               inputs={send["data"]["input"]: signed(_pick(ballot.card), "2")}))

    assert status == 200
    reply = answer(body)
    assert reply["statusCode"] == 200 and reply["type"] == "application/vnd.microsoft.card.adaptive"
    assert unsigned(_pick(reply["value"])["value"]) == "2"  # Budi's own choice, on the card he pressed
    assert _posted(connector) == sent_before  # nothing re-sent, nothing posted in the channel or privately
    async with app.uow() as uow:
        assert (await uow.session.exec(select(ThemeVote.theme_id))).all() == [2]


async def test_a_ballot_refreshes_to_each_members_own_choice_and_a_refresh_changes_nothing(
    app: App, client: Teams, connector: MockConnector
) -> None:
    post, ballot = await _ballot_in_channel(app, client, connector)
    [send] = executes(ballot)
    await client.invoke(execute(connector.url, BUDI, send["data"], like=post,
                                inputs={send["data"]["input"]: signed(_pick(ballot.card), "1", "2")}))
    assert ballot.card["refresh"]["action"]["type"] == "Action.Execute"
    assert "userIds" not in ballot.card["refresh"]  # up to 60 people: Teams refreshes for everyone
    sent_before = _posted(connector)

    _, budi_body = await client.invoke(refresh(connector.url, BUDI, ballot.card, like=post))
    _, sari_body = await client.invoke(refresh(connector.url, SARI, ballot.card, like=post))

    budi_view, sari_view = answer(budi_body)["value"], answer(sari_body)["value"]
    assert unsigned(_pick(budi_view)["value"]) == "1,2"
    assert unsigned(_pick(sari_view).get("value", "")) == ""  # Sari has not voted: nobody else's votes show
    assert budi_view["refresh"] == ballot.card["refresh"]  # the member's view keeps refreshing too
    async with app.uow() as uow:
        assert sorted((await uow.session.exec(select(ThemeVote.member_id))).all()) == [1, 1]  # Budi's two only
    assert _posted(connector) == sent_before  # a refresh only answers with the card


async def test_a_refresh_for_someone_outside_the_program_leaves_the_card_and_posts_nothing(
    app: App, client: Teams, connector: MockConnector
) -> None:
    post, ballot = await _ballot_in_channel(app, client, connector)
    outsider = type(BUDI)("Joko Widodo", "6b2f3c1e-0000-4000-8000-0000000000f1")
    sent_before = _posted(connector)

    status, body = await client.invoke(refresh(connector.url, outsider, ballot.card, like=post))

    assert status == 200 and answer(body)["statusCode"] == 404  # Teams keeps showing the card as it was
    assert _posted(connector) == sent_before


async def test_tampered_card_data_changes_nothing(app: App, client: Teams, connector: MockConnector) -> None:
    post, ballot = await _ballot_in_channel(app, client, connector)
    data = {**ballot.card["refresh"]["action"]["data"], "action_id": "theme.vote:1"}  # the view's signature, reused

    _, body = await client.invoke(execute(connector.url, BUDI, data, like=post))

    reply = answer(body)
    assert reply["type"] == "application/vnd.microsoft.activity.message" and "button" in reply["value"].lower()
    async with app.uow() as uow:
        assert (await uow.session.exec(select(ThemeVote))).all() == []


async def test_a_used_form_is_closed_and_the_profile_comes_back_as_stored(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await teams_program(app)
    await client.post(personal(connector.url, BUDI, "join leadership"))
    data = form_submit_data(connector.messages()[0])
    answers = {**ANSWERS, "f_skills_offered": "Excel, SQL; public Speaking", "f_work_start_hour": 9,
               "f_work_end_hour": 17}

    _, body = await client.invoke(execute(connector.url, BUDI, data, inputs=answers, verb="lingkar.form"))

    closed = answer(body)["value"]
    assert "sent" in closed["body"][0]["text"] and "actions" not in closed  # nothing left to press
    member, enrollments = await enrolled_member(app, BUDI.aad)
    assert [e.status for e in enrollments] == ["active"]
    assert member.skills_offered == ["Excel", "SQL", "public Speaking"]  # as typed
    await client.post(personal(connector.url, BUDI, "profile"))
    inputs = _inputs(connector.messages()[-1].card)
    assert inputs["f_work_start_hour"]["value"] == 9 and inputs["f_work_end_hour"]["value"] == 17
    assert inputs["f_skills_offered"]["value"] == "Excel, SQL, public Speaking"
    assert inputs["f_department"]["value"] == "Finance" and inputs["f_timezone"]["value"] == "Asia/Jakarta"

    _, body = await client.invoke(execute(connector.url, BUDI, data, inputs=answers, verb="lingkar.form"))
    assert "actions" not in answer(body)["value"]  # pressed again (another device): still closed, nothing redone
    assert connector.messages()[-1].text() == "This was already done, so nothing changed."


async def test_errors_come_back_under_their_fields_without_a_reply_to_id(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await teams_program(app)
    await client.post(personal(connector.url, BUDI, "join"))
    data = form_submit_data(connector.messages()[0])
    wrong = {**ANSWERS, "f_work_start_hour": "25", "f_department": ""}

    _, body = await client.invoke(execute(connector.url, BUDI, data, inputs=wrong, verb="lingkar.form"))

    shown = answer(body)["value"]
    ids = [e.get("id") for e in shown["body"]]
    under_hour = shown["body"][ids.index("f_work_start_hour") + 1]
    under_department = shown["body"][ids.index("f_department") + 1]
    assert under_hour["color"] == "Attention" and "hour" in under_hour["text"].lower()
    assert under_department["color"] == "Attention"
    assert _inputs(shown)["f_work_start_hour"]["value"] == 25  # what they typed stays
    assert connector.of("update") == []
    _, enrollments = await enrolled_member(app, BUDI.aad)
    assert enrollments == []

    [again] = executes(shown)  # the same form, still usable once
    _, body = await client.invoke(execute(connector.url, BUDI, again["data"], inputs=ANSWERS, verb="lingkar.form"))
    _, enrollments = await enrolled_member(app, BUDI.aad)
    assert [e.status for e in enrollments] == ["active"]


async def test_an_old_client_without_a_reply_to_id_gets_the_form_again_with_its_errors(
    app: App, client: Teams, connector: MockConnector
) -> None:
    """Action.Submit (the fallback) without replyToId: a new card, errors under the fields, named in text too."""
    await teams_program(app)
    await client.post(personal(connector.url, BUDI, "join"))
    form = connector.messages()[0]
    [button] = form.card["actions"]
    submitted = personal(connector.url, BUDI, "")
    del submitted["text"]
    submitted["value"] = {**button["fallback"]["data"], **ANSWERS, "f_work_end_hour": "99"}
    await client.post(submitted)

    shown = connector.messages()[-1]
    assert connector.of("update") == []  # Teams did not say which card: a new one, not an update of a guess
    ids = [e.get("id") for e in shown.card["body"]]
    under = shown.card["body"][ids.index("f_work_end_hour") + 1]
    assert under["color"] == "Attention" and "0 to 23" in under["text"]
    assert _inputs(shown.card)["f_work_end_hour"]["value"] == 99 and _inputs(shown.card)["f_department"]["value"] == (
        "Finance")
    async with app.uow() as uow:
        member = (await uow.session.exec(select(Member).where(Member.external_id == BUDI.aad))).one()
    assert member.profile_completed is False
