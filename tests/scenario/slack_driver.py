"""The scenario on Slack: signed requests into Lingkar's bolt app, what people got read from the mock Web API."""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from adapters.bootstrap import App, bootstrap
from adapters.server import build_web_app
from adapters.settings import Settings
from adapters.slack.api import RateLimitRetry
from adapters.slack.blocks import decode_action
from adapters.slack.messenger import SlackMessenger
from adapters.slack.modals import Metadata
from adapters.slack.wiring import SLACK
from bot.kernel.clock import ManualClock
from tests.conftest import Database, create_schema
from tests.scenario.driver import Control, Driver, Received, unescape
from tests.scenario.kinds import ADMIN, CHANNEL, CIRCLE, PEOPLE, FileArrives
from tests.slack.conftest import SECRET, TEAM, Slack, Sleeps
from tests.slack.mock_slack import TOKEN, Call, MockSlack, texts_of

IDS = {person: "U" + person.upper() for person in PEOPLE}  # Slack user ids: UADMIN, UAYU, ...
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


class SlackDriver(Driver):
    platform = "slack"

    def __init__(self, *, app: App, clock: ManualClock, slack: Slack, channel: str) -> None:
        super().__init__(app=app, clock=clock)
        self.slack = slack
        self.mock = slack.mock
        self.channel = channel  # the program's channel, where everyone is
        self.person_of = {uid: person for person, uid in IDS.items()}
        self.seen = 0  # mock calls already read
        self.actor = ADMIN  # who did the step being collected (a modal opens for them)
        self.where: dict[str, str] = {}  # response_url name -> the channel its command or button was in

    def external_id(self, person: str) -> str:
        return IDS[person]

    # -- doing things, as Slack would post them -------------------------------------------------------------------

    async def say(self, person: str, text: str, *, where: str | None) -> None:
        uid = IDS[person]
        channel = f"D{uid}" if where is None else self.channel if where == CHANNEL else self.circle_of(person)
        assert where in (None, CHANNEL, CIRCLE), where
        self.actor = person
        self.where[f"cmd-{uid}"] = channel
        status, answer = await self.slack.command(_typed(text, self.person_of), user=uid, channel=channel)
        assert status == 200, (status, answer)
        if answer.get("text") or answer.get("blocks"):  # the command's answer, in the HTTP response itself
            ephemeral = answer.get("response_type") != "in_channel"
            self.inbox[person].append(self.received(answer, where=(channel, ephemeral)))

    async def press(self, person: str, received: Received, control: Control, *, chosen: Sequence[str]) -> None:
        uid = IDS[person]
        channel, ephemeral = received.where
        element = control.handle
        value: Any = None
        if control.kind == "select":
            value = next(o for o in _options(element) if o["value"] in chosen)
        elif control.kind == "multi":
            value = [o for o in _options(element) if o["value"] in chosen]
        self.actor = person
        self.where[f"act-{uid}"] = channel
        status, body = await self.slack.press(element, user=uid, channel=channel, ephemeral=ephemeral, value=value)
        assert status == 200, (status, body)

    async def fill(self, person: str, received: Received, values: dict[str, Any]) -> None:
        view = received.where
        self.actor = person
        status, body = await self.slack.submit(view, values, user=IDS[person])
        assert status == 200, (status, body)
        answer = json.loads(body) if body.startswith("{") else {}
        if answer.get("response_action") == "errors":  # shown under each field of the open modal
            self.inbox[person].append(Received(text="\n".join(answer["errors"].values())))
        elif answer.get("response_action") == "update":
            self.inbox[person].append(self.modal(answer["view"]))

    # -- the checks Slack does its own way -----------------------------------------------------------------------

    def form_values(self, form: Received) -> dict[str, str]:
        inputs = [b for b in form.where.get("blocks") or [] if b.get("type") == "input"]
        return {b["block_id"]: _initial(b["element"]) for b in inputs}

    async def own_view(self, person: str, control: str) -> tuple[Received, list[Received]]:
        """Slack cannot show one message differently to each member: pressing a shared ballot answers the voter with
        an ephemeral copy showing their choice, and the message in the channel stays as posted (never updated)."""
        copies = [r for r in self.inbox[person] if any(c.action_id.startswith(control) for c in r.controls)]
        assert copies, f"no ballot {control!r} reached {person}"
        return copies[-1], [r for r in copies if not r.where[1]]

    async def file_arrives(self, step: FileArrives) -> None:
        """Slack has no consent step: the deliverer's next run uploads the file into the member's DM."""
        self.mark()
        await self.tick(timedelta(0))
        self.collect()
        files = [r for r in self.latest(step.user) if r.image is not None]
        assert [f.image for f in files] == [step.title], f"{step.user} got files {[str(f) for f in files]}"
        assert files[0].where[0] == f"D{IDS[step.user]}", files[0].where  # their DM, nobody else's
        uploads = [c for c in self.mock.calls if c.method == "files.getUploadURLExternal"]
        assert uploads and uploads[-1].args.get("filename") == step.filename, uploads[-1:]

    def circle_of(self, person: str) -> str:
        for channel in self.mock.channels.values():
            if channel.id != self.channel and IDS[person] in channel.members:
                return channel.id
        raise AssertionError(f"{person} has no circle channel")

    # -- reading what people got ------------------------------------------------------------------------------

    def collect(self) -> None:
        calls, self.seen = self.mock.calls[self.seen:], len(self.mock.calls)
        for call in calls:
            self.read(call)

    def read(self, call: Call) -> None:
        match call.method:
            case "chat.postMessage" | "chat.update":
                channel = str(call.args.get("channel"))
                for person in self.people_in(channel):
                    self.inbox[person].append(self.received(call.args, where=(channel, False)))
            case "chat.postEphemeral":
                person = self.person_of[str(call.args["user"])]
                self.inbox[person].append(self.received(call.args, where=(str(call.args["channel"]), True)))
            case "respond":  # a response_url: only the member who typed the command or pressed the button
                name = call.path.rsplit("/", 1)[1]
                person = self.person_of[name.split("-", 1)[1]]
                self.inbox[person].append(self.received(call.args, where=(self.where[name], True)))
            case "views.open" | "views.push":
                view = call.args["view"]
                raw = str(view.get("private_metadata") or "")  # signed for the member the modal is for
                person = next((p for uid, p in self.person_of.items()
                               if Metadata.decode(raw, seal=self.slack.bot.messenger.seal(TEAM, uid))), self.actor)
                self.inbox[person].append(self.modal(view))
            case "files.completeUploadExternal":  # files_upload_v2's last call shares the file in the channel
                channel = str(call.args.get("channel_id"))
                for file in call.args.get("files") or []:
                    for person in self.people_in(channel):
                        title = str(file.get("title") or "")
                        self.inbox[person].append(Received(text=title, image=title, where=(channel, False)))
            case "conversations.create":
                created = self.mock.channel_named(str(call.args["name"]))
                self.spaces.append(frozenset(self.person_of[u] for u in created.members if u in self.person_of))

    def people_in(self, channel: str) -> list[str]:
        if channel.startswith("D"):
            return [self.person_of[channel[1:]]]
        found = self.mock.channels.get(channel)
        return [self.person_of[u] for u in found.members if u in self.person_of] if found else []

    def received(self, body: dict[str, Any], *, where: tuple[str, bool]) -> Received:
        blocks = list(body.get("blocks") or [])
        text = "\n".join(texts_of(blocks)) if blocks else str(body.get("text") or "")
        return Received(text=self.readable(text), controls=self.controls(blocks), where=where)

    def modal(self, view: dict[str, Any]) -> Received:
        fields = [b["block_id"] for b in view.get("blocks") or [] if b.get("type") == "input"]
        return Received(text=self.readable("\n".join(texts_of(view.get("blocks") or []))), form_fields=fields,
                        where=view)

    def controls(self, blocks: list[dict[str, Any]]) -> list[Control]:
        found = []
        for block in blocks:
            for element in block.get("elements") or [] if block.get("type") == "actions" else []:
                kind = {"button": "button", "static_select": "select", "multi_static_select": "multi"}[element["type"]]
                label = element["text"]["text"] if kind == "button" else element["placeholder"]["text"]
                found.append(Control(label=label.removeprefix("✓ "), action_id=decode_action(element["action_id"]),
                                     kind=kind, handle=element,
                                     options=[(o["text"]["text"], o["value"]) for o in _options(element)]))
        return found

    def readable(self, text: str) -> str:
        """Slack's mrkdwn as a person reads it: mentions as @Name, escapes undone."""
        return unescape(_MENTION.sub(lambda m: "@" + PEOPLE.get(self.person_of.get(m.group(1), ""), m.group(1)),
                                     text))


def _initial(element: dict[str, Any]) -> str:
    """What a modal's input shows when it opens."""
    if "initial_option" in element:
        return str(element["initial_option"]["value"])
    if "initial_options" in element:
        return ",".join(str(o["value"]) for o in element["initial_options"])
    return str(element.get("initial_value") or element.get("initial_date") or "")


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    if "options" in element:
        return list(element["options"])
    return [o for group in element.get("option_groups", []) for o in group["options"]]


def _typed(text: str, person_of: dict[str, str]) -> str:
    """What Slack posts for what a member typed: &, < and > escaped; a picked @mention as <@U…|name>."""
    parts = _MENTION.split(text)  # text, user id, text, ...
    return "".join(f"<@{part}|{person_of.get(part, part)}>" if i % 2 else
                   part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   for i, part in enumerate(parts))


@asynccontextmanager
async def slack_driver(*, database: Database, clock: ManualClock) -> AsyncIterator[SlackDriver]:
    """Lingkar served by build_web_app with Slack configured against a mock Web API with the scenario's people."""
    mock = await MockSlack(team_id=TEAM).start()
    try:
        for person, name in PEOPLE.items():
            mock.add_user(IDS[person], name=name, admin=person == ADMIN)
        channel = mock.add_channel("mentoring", private=False)
        channel.members.extend([mock.bot_user, *IDS.values()])
        settings = Settings(LINGKAR_DATABASE_URL=database.url, LINGKAR_ADMINS=IDS[ADMIN], SLACK_BOT_TOKEN=TOKEN,
                            SLACK_SIGNING_SECRET=SECRET, LINGKAR_SLACK_API_URL=mock.url)
        await create_schema(database)
        app = await bootstrap(settings, clock=clock, migrate=False, schema=database.schema)
        messenger = app.messenger.for_platform("slack")
        assert isinstance(messenger, SlackMessenger)
        for handler in messenger.api.client.retry_handlers:
            if isinstance(handler, RateLimitRetry):  # a retry would record its wait instead of waiting
                handler.sleep = Sleeps()
                handler.rng = random.Random(7)
        try:
            web_app = build_web_app(app)
            async with TestClient(TestServer(web_app, host="127.0.0.1", port=0)) as client:
                yield SlackDriver(app=app, clock=clock, slack=Slack(client, web_app[SLACK], mock),
                                  channel=channel.id)
        finally:
            await messenger.api.aclose()
            await app.close()
    finally:
        await mock.close()
