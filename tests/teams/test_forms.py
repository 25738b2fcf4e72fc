"""Joining through Teams: the command, its card form, validation errors on the card, the enrolment."""

from __future__ import annotations

from typing import Any

from adapters.bootstrap import App
from tests.teams.activities import BUDI, SARI, in_channel, personal, submit
from tests.teams.conftest import Teams
from tests.teams.helpers import enrolled_member, teams_program
from tests.teams.mock_connector import Call, MockConnector

ANSWERS = {
    "f_department": "Finance", "f_seniority": "1", "f_job_title": "Analyst", "f_skills_offered": "Excel, budgeting",
    "f_skills_wanted": "public speaking", "f_interests": "hiking", "f_timezone": "Asia/Jakarta",
    "f_work_start_hour": "8", "f_work_end_hour": "17", "f_locale": "en",
}


def form_submit_data(call: Call) -> dict[str, Any]:
    """The form's button: a Universal Action, with an Action.Submit carrying the same data for clients without
    them."""
    [action] = call.card["actions"]
    assert action["type"] == "Action.Execute" and action["verb"] == "lingkar.form"
    assert action["fallback"]["type"] == "Action.Submit"
    assert action["fallback"]["data"] == action["data"]
    data: dict[str, Any] = action["data"]
    return data


def inputs_of(call: Call) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in call.card["body"] if str(e.get("type", "")).startswith("Input.")}


async def test_join_sends_a_card_form_and_its_submission_enrolls_the_member(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await teams_program(app)
    assert await client.post(personal(connector.url, BUDI, "join leadership")) == 200

    [form] = connector.messages()
    assert form.conversation_id == BUDI.personal
    inputs = inputs_of(form)
    assert inputs["f_department"]["type"] == "Input.Text" and inputs["f_department"]["isRequired"] is True
    assert inputs["f_timezone"]["type"] == "Input.ChoiceSet"
    assert {"title": "Asia/Jakarta", "value": "Asia/Jakarta"} in inputs["f_timezone"]["choices"]
    assert inputs["f_work_start_hour"] == {**inputs["f_work_start_hour"], "type": "Input.Number", "min": 0, "max": 23}
    data = form_submit_data(form)
    assert data["form_id"] == "profile" and data["state"].startswith("join:")

    status = await client.post(submit(connector.url, BUDI, data, reply_to_id="1001", inputs=ANSWERS))
    assert status == 200
    member, enrollments = await enrolled_member(app, BUDI.aad)
    assert member.department == "Finance" and member.skills_offered == ["Excel", "budgeting"]
    assert member.display_name == "Budi Santoso" and member.timezone == "Asia/Jakarta"
    assert [e.status for e in enrollments] == ["active"]
    reply = connector.messages()[-1]
    assert reply.conversation_id == BUDI.personal
    assert "Leadership Circles" in reply.text()
    [closed] = connector.of("update")  # the submitted form became a receipt: it cannot be sent twice
    assert closed.activity_id == "1001" and "sent" in closed.text()


async def test_invalid_answers_rerender_the_card_with_errors_and_what_was_typed(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await teams_program(app)
    await client.post(personal(connector.url, BUDI, "join"))
    data = form_submit_data(connector.messages()[0])

    wrong = {**ANSWERS, "f_work_start_hour": "25", "f_department": "Finance & Ops"}
    await client.post(submit(connector.url, BUDI, data, reply_to_id="1001", inputs=wrong))

    [update] = connector.of("update")
    assert update.activity_id == "1001" and update.conversation_id == BUDI.personal
    body = update.card["body"]
    ids = [e.get("id") for e in body]
    start = ids.index("f_work_start_hour")
    error = body[start + 1]
    assert error["type"] == "TextBlock" and error["color"] == "Attention" and "hour" in error["text"].lower()
    assert inputs_of(update)["f_work_start_hour"]["value"] == 25  # what they typed, not the old value
    assert inputs_of(update)["f_department"]["value"] == "Finance & Ops"
    assert form_submit_data(update)["form_id"] == "profile"  # the card can be submitted again
    _, enrollments = await enrolled_member(app, BUDI.aad)
    assert enrollments == []

    await client.post(submit(connector.url, BUDI, form_submit_data(update), reply_to_id="1001", inputs=ANSWERS))
    _, enrollments = await enrolled_member(app, BUDI.aad)
    assert [e.status for e in enrollments] == ["active"]


async def test_a_form_asked_for_in_a_channel_goes_to_the_private_chat(
    app: App, client: Teams, connector: MockConnector
) -> None:
    await teams_program(app)
    await client.post(personal(connector.url, SARI, "status"))  # Sari has a 1:1 chat with the bot
    activity = in_channel(connector.url, SARI, "join leadership")
    await client.post(activity)

    channel_posts = connector.to(activity["conversation"]["id"])
    assert len(channel_posts) == 1 and "private chat" in channel_posts[0].text()
    private = connector.to(SARI.personal)[-1]
    assert any(e.get("id") == "f_department" for e in private.card["body"])
