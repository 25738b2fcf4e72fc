"""What Slack sends back is signed and single-use: edited metadata, values of another workspace, replayed submits."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from adapters.bootstrap import App
from adapters.slack.messenger import SlackMessenger
from adapters.slack.modals import Metadata
from bot.kernel.messages import Button, Buttons, Message
from storage.tables import Program, ThemeVote
from tests.slack.conftest import TEAM, Slack, slack_program
from tests.slack.test_interactions import elements, enroll

OTHER = "T2"


async def programs(app: App) -> list[Program]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Program))).all())


async def program_modal(slack: Slack) -> dict[str, Any]:
    await slack.command("program create", user="UADMIN", channel="C0GENERAL")
    view: dict[str, Any] = slack.mock.last("views.open").args["view"]
    return view


def answers(app: App) -> dict[str, Any]:
    return {"name": "Leadership Circles", "goal": "Grow leaders",
            "start_date": app.services.clock.now().date().isoformat()}


def refused(body: str) -> bool:
    """The modal was replaced by one saying the form is no longer valid."""
    answer = json.loads(body)
    return answer.get("response_action") == "update" and "no longer valid" in json.dumps(answer["view"])


async def test_edited_metadata_is_refused_and_creates_nothing(slack: Slack, lingkar: App) -> None:
    view = await program_modal(slack)
    text, stamp, signature = view["private_metadata"].rsplit(".", 2)
    data = json.loads(text)
    assert data["s"] == "slack:T1:channel:C0GENERAL"
    edited = json.dumps({**data, "s": f"slack:{OTHER}:channel:C0THEIRS"}, separators=(",", ":"))
    status, body = await slack.submit({**view, "private_metadata": f"{edited}.{stamp}.{signature}"}, answers(lingkar),
                                      user="UADMIN")
    assert status == 200 and refused(body)
    assert await programs(lingkar) == []


async def test_metadata_signed_for_another_workspace_or_member_is_refused(
    slack: Slack, lingkar: App, slack_messenger: SlackMessenger
) -> None:
    view = await program_modal(slack)
    metadata = Metadata("program.create", f"slack:{OTHER}:channel:C0THEIRS", channel="C0THEIRS", user="UADMIN")
    foreign = metadata.encode(seal=slack_messenger.seal(OTHER, "UADMIN"))  # a real form of workspace T2
    status, body = await slack.submit({**view, "private_metadata": foreign}, answers(lingkar), user="UADMIN")
    assert status == 200 and refused(body)
    # The admin's own form, sent by another member of the same workspace.
    status, body = await slack.submit(view, answers(lingkar), user="U1")
    assert status == 200 and refused(body)
    assert await programs(lingkar) == []


async def test_the_same_submission_twice_makes_one_program_and_answers_already_done(
    slack: Slack, lingkar: App
) -> None:
    view = await program_modal(slack)
    status, _ = await slack.submit(view, answers(lingkar), user="UADMIN")
    assert status == 200
    status, _ = await slack.submit(view, answers(lingkar), user="UADMIN")  # Create pressed again, or a replay
    assert status == 200
    assert [p.slug for p in await programs(lingkar)] == ["leadership-circles"]  # no "-2"
    assert "already done" in slack.mock.last("respond").text()


async def test_a_submission_with_errors_does_not_use_the_form_up(slack: Slack, lingkar: App) -> None:
    view = await program_modal(slack)
    _, body = await slack.submit(view, {"name": "Leadership"}, user="UADMIN")
    assert json.loads(body)["response_action"] == "errors"
    await slack.submit(view, answers(lingkar), user="UADMIN")  # fixed: accepted, and only now used up
    await slack.submit(view, answers(lingkar), user="UADMIN")
    assert len(await programs(lingkar)) == 1
    assert "already done" in slack.mock.last("respond").text()


async def test_a_button_signed_for_another_workspace_or_moved_to_another_action_does_nothing(
    slack: Slack, lingkar: App, slack_messenger: SlackMessenger
) -> None:
    first = await slack_program(lingkar, name="Leadership Circles", slug="leadership")
    second = await slack_program(lingkar, name="Data Guild", slug="data")
    message = Message(text="Join", blocks=(Buttons((Button("Join", f"join:{first.id}"),)),))
    [foreign] = elements(slack_messenger.render(message, t=slack_messenger.translator(), team_id=OTHER)["blocks"],
                         "button")
    await slack.press(foreign, user="U1")
    assert "no longer valid" in slack.mock.last("respond").text()
    [own] = elements(slack_messenger.render(message, t=slack_messenger.translator(), team_id=TEAM)["blocks"],
                     "button")
    await slack.press({**own, "action_id": f"join:{second.id}#0"}, user="U1")  # its value vouches for join:first
    assert "no longer valid" in slack.mock.last("respond").text()
    assert slack.mock.calls_to("views.open") == []
    await slack.press(own, user="U1")  # untouched, the same button works
    assert len(slack.mock.calls_to("views.open")) == 1


async def test_an_edited_menu_option_does_not_vote(slack: Slack, lingkar: App) -> None:
    await slack_program(lingkar)
    await enroll(slack, "U1")
    await slack.command("theme propose Public speaking", user="U1")
    await slack.command("theme propose Negotiation", user="U1")
    _, ballot = await slack.command("theme vote", user="U1")
    menu = elements(ballot["blocks"], "multi_static_select")[0]
    option = menu["options"][0]
    text, signature = option["value"].rsplit(".", 1)
    await slack.press(menu, user="U1", ephemeral=True, value=[{**option, "value": f"{int(text) + 1}.{signature}"}])
    assert "no longer valid" in slack.mock.last("respond").text()
    async with lingkar.uow() as uow:
        assert list((await uow.session.exec(select(ThemeVote))).all()) == []
