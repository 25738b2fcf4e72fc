"""Buttons, menus, ballots, App Home and kept forms, through signed interactivity and event requests."""

from __future__ import annotations

from typing import Any

from adapters.bootstrap import App
from adapters.slack.messenger import SlackMessenger
from adapters.slack.modals import Metadata
from bot.kernel.messages import Form, TextInput
from bot.kernel.ports import Target
from tests.helpers import PROFILE
from tests.slack.conftest import TEAM, Slack, slack_program


def elements(blocks: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == kind]


async def enroll(slack: Slack, user: str) -> None:
    await slack.command("join", user=user)
    await slack.submit(slack.mock.last("views.open").args["view"], PROFILE, user=user)


async def test_a_button_press_reaches_the_core_and_opens_its_form(slack: Slack, lingkar: App) -> None:
    await slack_program(lingkar, name="Leadership Circles", slug="leadership")
    second = await slack_program(lingkar, name="Data Guild", slug="data")
    _, answer = await slack.command("join", user="U1")
    buttons = elements(answer["blocks"], "button")
    assert [b["text"]["text"] for b in buttons] == ["Leadership Circles", "Data Guild"]
    assert buttons[1]["action_id"] == f"join:{second.id}#1"  # unique within the block, decoded on the way in
    status, _ = await slack.press(buttons[1], user="U1")
    assert status == 200
    view = slack.mock.last("views.open").args["view"]
    metadata = Metadata.decode(view["private_metadata"], seal=slack.bot.messenger.seal(TEAM, "U1"))
    assert metadata is not None and metadata.state == f"join:{second.id}"


async def test_a_ballot_vote_replaces_the_members_own_ephemeral_ballot(slack: Slack, lingkar: App) -> None:
    await slack_program(lingkar)
    await enroll(slack, "U1")
    await slack.command("theme propose Public speaking", user="U1")
    await slack.command("theme propose Negotiation", user="U1")
    _, ballot = await slack.command("theme vote", user="U1")
    menu = elements(ballot["blocks"], "multi_static_select")[0]
    assert [o["text"]["text"] for o in menu["options"]] == ["1. Public speaking", "2. Negotiation"]
    assert "initial_options" not in menu
    status, _ = await slack.press(menu, user="U1", ephemeral=True, value=[menu["options"][1]])
    assert status == 200
    replaced = slack.mock.last("respond")
    assert replaced.path == "/respond/act-U1"
    assert replaced.args["replace_original"] is True
    updated = elements(replaced.blocks, "multi_static_select")[0]
    assert updated["initial_options"] == [menu["options"][1]]
    assert "2. Negotiation" in replaced.text().split("\n")[-1]  # "Your votes: 2. Negotiation"


async def test_a_vote_on_a_shared_channel_message_stays_private(slack: Slack, lingkar: App) -> None:
    await slack_program(lingkar)
    await enroll(slack, "U1")
    await slack.command("theme propose Public speaking", user="U1")
    _, ballot = await slack.command("theme vote", user="U1")
    menu = elements(ballot["blocks"], "multi_static_select")[0]
    await slack.press(menu, user="U1", channel="C0CIRCLE", ephemeral=False, value=[menu["options"][0]])
    answer = slack.mock.last("respond")
    assert answer.args["replace_original"] is False  # the channel's message stays as everyone sees it
    assert answer.args["response_type"] == "ephemeral"
    assert slack.mock.calls_to("chat.update") == []


async def test_a_choice_of_few_options_is_buttons_with_the_value(slack: Slack, lingkar: App,
                                                                 slack_messenger: SlackMessenger) -> None:
    from bot.kernel.messages import Choice, Message, Option

    message = Message(text="Pick", blocks=(Choice("leave:1", (Option("Yes", "y"), Option("No", "n")),
                                                  label="Sure?", selected=("n",)),))
    blocks = slack_messenger.render(message, t=slack_messenger.translator())["blocks"]
    yes, no = elements(blocks, "button")
    seal = slack_messenger.seal("")  # values are signed for their action and workspace
    assert (seal.read_value("leave:1", yes["value"]), yes["action_id"], seal.read_value("leave:1", no["value"]),
            no["action_id"]) == ("y", "leave:1#0", "n", "leave:1#1")
    assert no["style"] == "primary" and no["text"]["text"] == "✓ No"


async def test_app_home_is_published_once_per_event(slack: Slack, lingkar: App) -> None:
    slack.mock.add_user("U9", name="<!channel> *Mallory* <https://evil.example|win>")
    event = {"type": "app_home_opened", "user": "U9", "channel": "DU9", "tab": "home", "event_ts": "1767571200.1"}
    status, _ = await slack.event(event, event_id="Ev100")
    assert status == 200
    published = slack.mock.last("views.publish")
    assert published.args["user_id"] == "U9"
    view = published.args["view"]
    assert view["type"] == "home"
    assert view["blocks"][0]["type"] == "header"
    assert view["blocks"][0]["text"]["type"] == "plain_text"  # Slack shows plain text as typed, never as markup
    assert "Mallory" in view["blocks"][0]["text"]["text"]
    assert not [t for t in _mrkdwn(view["blocks"]) if "<!" in t or "<http" in t]
    # Slack retries the same event (X-Slack-Retry-Num): it is taken once.
    status, _ = await slack.event(event, event_id="Ev100", retry=1)
    assert status == 200
    assert len(slack.mock.calls_to("views.publish")) == 1
    await slack.event({**event, "tab": "messages"}, event_id="Ev101")
    assert len(slack.mock.calls_to("views.publish")) == 1  # the Messages tab needs nothing


def _mrkdwn(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return found


async def test_a_malicious_name_and_theme_title_stay_text(slack: Slack, lingkar: App) -> None:
    slack.mock.add_user("U9", name="<!here> Mallory")
    await slack_program(lingkar)
    await enroll(slack, "U9")
    # What Slack sends when a member types @channel, a link and a literal "<@U2>" into the command.
    _, answer = await slack.command("theme propose <!channel> &amp; <https://evil.example|free money> &lt;@U2&gt;",
                                    user="U9")
    text = answer["text"] + "".join(_mrkdwn(answer.get("blocks", [])))
    assert "<!channel>" not in text and "<https://" not in text and "<@U2>" not in text
    assert "@channel &amp; https://evil.example @U2" in text
    async with lingkar.uow() as uow:
        now = lingkar.services.clock.now()
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM, now=now)
        member = await uow.members.by_external_id(workspace_id=workspace.id or 0, external_id="U9")
    assert member is not None and member.display_name == "<!here> Mallory"  # stored as typed, escaped when shown


async def test_a_home_button_press_answers_by_dm_and_refreshes_home(slack: Slack, lingkar: App) -> None:
    await slack_program(lingkar)
    await slack.press({"type": "button", "action_id": "nonexistent:1#0"}, user="U1", home=True)
    dm = slack.mock.last("chat.postMessage")
    assert dm.args["channel"] == "DU1"
    assert dm.text()  # the core's "this button is no longer valid" answer
    assert slack.mock.last("views.publish").args["user_id"] == "U1"


async def test_a_kept_form_opens_from_its_button(slack: Slack, lingkar: App,
                                                 slack_messenger: SlackMessenger) -> None:
    await slack_program(lingkar)
    form = Form(form_id="profile", title="Your profile", inputs=(TextInput("department", "Department"),),
                submit="Save")
    target = Target(platform="slack", workspace_id=TEAM, kind="user", ref="U2")
    await slack_messenger.open_form(target.key(), form)
    sent = slack.mock.last("chat.postMessage")
    assert sent.args["channel"] == "DU2"
    button = elements(sent.blocks, "button")[0]
    assert button["text"]["text"] == "Open: Your profile"
    await slack.press(button, user="U2", channel="DU2")
    view = slack.mock.last("views.open").args["view"]
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["department"]
    await slack.press(button, user="U2", channel="DU2")  # used once: a second press says it expired
    assert "no longer available" in slack.mock.last("respond").text()
