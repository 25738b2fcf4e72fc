"""The scenario on Teams: Bot Framework activities posted to /api/messages, what people got read from the mock
connector (sent and replied activities, card updates, new threads)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from adapters.bootstrap import App, bootstrap
from adapters.server import build_web_app
from adapters.settings import Settings
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.reliability import RetryPolicy
from adapters.teams.wiring import TEAMS
from bot.kernel.clock import ManualClock
from tests.conftest import Database, create_schema
from tests.scenario.driver import Control, Driver, Received
from tests.scenario.kinds import ADMIN, CHANNEL, CIRCLE, PEOPLE, FileArrives
from tests.scenario.teams_connector import AnsweringConnector as AnsweringConnector  # re-exported
from tests.teams.activities import CHANNEL as TEAMS_CHANNEL
from tests.teams.activities import TEAM, TENANT, User, in_channel, installed_in_team, personal, submit
from tests.teams.conftest import Sleeps, Teams
from tests.teams.mock_connector import Call
from tests.teams.universal_activities import refresh

USERS = {person: User(name, f"6b2f3c1e-0000-4000-8000-{index:012d}") for index, (person, name) in
         enumerate(PEOPLE.items(), 1)}
_AT = re.compile(r"<at>(.*?)</at>")
_ESCAPED = re.compile(r"\\(.)")
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"


class TeamsDriver(Driver):
    platform = "teams"

    def __init__(self, *, app: App, clock: ManualClock, teams: Teams, connector: AnsweringConnector) -> None:
        super().__init__(app=app, clock=clock)
        self.teams = teams
        self.connector = connector
        self.seen = 0
        self.by_conversation: dict[str, str] = {}  # 1:1 chats -> their person
        for person, user in USERS.items():
            self.by_conversation[user.personal] = person  # the chat a member opened with the bot
            self.by_conversation[f"a:personal-{user.teams_id}"] = person  # the chat the bot opened
        self.by_teams_id = {user.teams_id: person for person, user in USERS.items()}
        self.threads: dict[str, frozenset[str]] = {}  # circle thread (conversation id) -> its members

    def external_id(self, person: str) -> str:
        return USERS[person].aad

    # -- doing things, as Teams would post them ----------------------------------------------------------------

    async def say(self, person: str, text: str, *, where: str | None) -> None:
        user = USERS[person]
        mentioned = [p for p, u in USERS.items() if f"<@{u.aad}>" in text]
        for other in mentioned:  # what the member picked from Teams' @ list
            text = text.replace(f"<@{USERS[other].aad}>", f"@{USERS[other].name}")
        if where is None:
            activity = personal(self.connector.url, user, text)
            _mention(activity, [USERS[p] for p in mentioned])
        elif where == CHANNEL:
            activity = in_channel(self.connector.url, user, text, mentioned=[USERS[p] for p in mentioned])
        elif where == CIRCLE:
            thread = next(t for t, members in self.threads.items() if person in members)
            activity = in_channel(self.connector.url, user, text, mentioned=[USERS[p] for p in mentioned],
                                  root=thread.split(";messageid=", 1)[1])
        else:
            raise AssertionError(f"unknown place {where!r}")
        assert await self.teams.post(activity) == 200

    async def press(self, person: str, received: Received, control: Control, *, chosen: Sequence[str]) -> None:
        data = dict(control.handle)
        inputs = {data["input"]: ",".join(chosen)} if control.kind in ("select", "multi") else None
        await self._submit(person, received, data, inputs)

    async def fill(self, person: str, received: Received, values: dict[str, Any]) -> None:
        inputs = {f"f_{name}": ",".join(v) if isinstance(v, list) else v for name, v in values.items()
                  if v not in ("", None, [])}  # Teams leaves out the inputs nobody typed in
        await self._submit(person, received, received.where[2], inputs)

    async def _submit(self, person: str, received: Received, data: dict[str, Any],
                      inputs: dict[str, Any] | None) -> None:
        conversation, activity_id, _ = received.where
        place = self._place(conversation)
        activity = submit(self.connector.url, USERS[person], data, reply_to_id=activity_id, inputs=inputs,
                          conversation=place["conversation"])
        if "channelData" in place:
            activity["channelData"] = place["channelData"]
        assert await self.teams.post(activity) == 200

    def _place(self, conversation: str) -> dict[str, Any]:
        """The conversation (and for a channel or thread, the channelData) of an activity from `conversation`."""
        if conversation in self.by_conversation:
            return {"conversation": {"conversationType": "personal", "tenantId": TENANT, "id": conversation}}
        channel = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT, "id": conversation}
        return {"conversation": channel,
                "channelData": {"teamsChannelId": TEAMS_CHANNEL, "teamsTeamId": TEAM, "channel": {"id": TEAMS_CHANNEL},
                                "team": {"id": TEAM}, "tenant": {"id": TENANT}}}

    # -- the checks Teams does its own way -----------------------------------------------------------------------

    def form_values(self, form: Received) -> dict[str, str]:
        found: dict[str, str] = {}

        def walk(node: Any) -> None:
            if isinstance(node, list):
                for item in node:
                    walk(item)
            elif isinstance(node, dict):
                if str(node.get("type", "")).startswith("Input.") and str(node.get("id", "")).startswith("f_"):
                    found[str(node["id"]).removeprefix("f_")] = "" if node.get("value") is None else str(node["value"])
                for value in node.values():
                    walk(value)

        walk(form.raw)
        return found

    async def own_view(self, person: str, control: str) -> tuple[Received, list[Received]]:
        """Teams asks Lingkar for each member's view of a card with a `refresh` whenever they see it: the invoke is
        answered with that member's card, and nothing is sent, replied or updated."""
        copies = [r for r in self.inbox[person] if any(c.action_id.startswith(control) for c in r.controls)]
        shared = [r for r in copies if r.where[0] not in self.by_conversation]
        assert shared and "refresh" in shared[-1].raw, f"no refreshing ballot {control!r} reached {person}"
        ballot = shared[-1]
        posted = len(self.connector.of("send", "reply", "update", "create"))
        status, body = await self.teams.invoke(refresh(self.connector.url, USERS[person], ballot.raw,
                                                       like=self._place(ballot.where[0])))
        answered = json.loads(body)
        assert status == 200 and answered["statusCode"] == 200, (status, body[:300])
        assert answered["type"] == "application/vnd.microsoft.card.adaptive", answered["type"]
        assert len(self.connector.of("send", "reply", "update", "create")) == posted, "a refresh posted something"
        view = self.received({"attachments": [{"contentType": answered["type"], "content": answered["value"]}]},
                             where=ballot.where[:2])
        assert view.raw.get("refresh") == ballot.raw["refresh"], "the member's view stops refreshing"
        return view, shared

    async def file_arrives(self, step: FileArrives) -> None:
        """The consent card came with the answer to the last step (no scheduler tick), in the member's 1:1 chat."""
        cards = [r for r in self.latest(step.user) if r.image == step.filename]
        assert len(cards) == 1, f"{step.user} received: {[str(r) for r in self.latest(step.user)]}"
        assert cards[0].where[0] in self.by_conversation, cards[0].where
        assert cards[0].text.startswith(f"{step.fallback}: {step.title} ({step.filename}, "), cards[0].text

    # -- reading what people got ------------------------------------------------------------------------------

    def collect(self) -> None:
        calls, self.seen = self.connector.calls[self.seen:], len(self.connector.calls)
        for call in calls:
            self.read(call)

    def read(self, call: Call) -> None:
        answer = self.connector.answers.get(id(call), {})
        if call.kind == "create" and (call.body.get("channelData") or {}).get("channel"):
            thread = str(answer["id"])  # a circle's space: a thread opened by a card mentioning its members
            content = call.body["activity"]["attachments"][0]["content"]
            mentioned = {e["mentioned"]["id"] for e in content.get("msteams", {}).get("entities", [])}
            self.threads[thread] = frozenset(self.by_teams_id[m] for m in mentioned if m in self.by_teams_id)
            self.spaces.append(self.threads[thread])
            self.deliver(thread, str(answer.get("activityId") or ""), call.body["activity"])
        elif call.kind in ("send", "reply"):
            self.deliver(call.conversation_id, str(answer.get("id") or ""), call.body)
        elif call.kind == "update":  # the same card, changed in place
            self.deliver(call.conversation_id, call.activity_id, call.body)

    def deliver(self, conversation: str, activity_id: str, activity: dict[str, Any]) -> None:
        for person in self.people_in(conversation):
            self.inbox[person].append(self.received(activity, where=(conversation, activity_id)))

    def people_in(self, conversation: str) -> list[str]:
        if conversation in self.by_conversation:
            return [self.by_conversation[conversation]]
        if conversation in self.threads:
            return sorted(self.threads[conversation])
        if conversation.split(";", 1)[0] in (TEAMS_CHANNEL, TEAM):  # the team's channel: everyone reads it
            return list(USERS)
        return []

    def received(self, activity: dict[str, Any], *, where: tuple[str, str]) -> Received:
        attachment = (activity.get("attachments") or [{}])[0]
        if str(attachment.get("contentType", "")).startswith("image/"):
            title = str(attachment.get("name") or "")
            return Received(text=title, image=title, where=(*where, None))
        if attachment.get("contentType") == FILE_CONSENT:  # what a member reads is the text fallback
            return Received(text=str(activity.get("text") or ""), image=str(attachment.get("name") or ""),
                            where=(*where, None), raw=attachment)
        content = attachment.get("content") or {}
        texts: list[str] = []
        controls: list[Control] = []
        form: dict[str, Any] | None = None
        choices: dict[str, list[tuple[str, str]]] = {}

        def walk(node: Any) -> None:
            nonlocal form
            if isinstance(node, list):
                for item in node:
                    walk(item)
                return
            if not isinstance(node, dict):
                return
            kind = node.get("type")
            if kind == "TextBlock":
                texts.append(_readable(str(node["text"])))
            elif kind == "FactSet":
                texts.extend(_readable(f"{f['title']}\n{f['value']}") for f in node["facts"])
            elif kind == "Input.ChoiceSet":
                choices[node["id"]] = [(c["title"], c["value"]) for c in node["choices"]]
                texts.extend(title for title, _ in choices[node["id"]])
            elif kind == "Action.Submit":
                data = node.get("data") or {}
                texts.append(str(node["title"]))  # a button's title is part of what a person reads
                if data.get("lingkar") == "form":
                    form = data
                elif data.get("lingkar") == "action":
                    controls.append(Control(label=str(node["title"]).removeprefix("✓ "),
                                            action_id=str(data["action_id"]), kind="button", handle=data))
                elif data.get("lingkar") == "choice":
                    controls.append(Control(label=str(node["title"]), action_id=str(data["action_id"]),
                                            kind="multi" if data.get("multi") else "select", handle=data,
                                            options=choices.get(str(data["input"]), [])))
            for key, value in node.items():
                if key != "data":
                    walk(value)

        walk([content.get("body") or [], content.get("actions") or []])
        fields = [str(f) for f in form["fields"]] if form is not None else None
        return Received(text="\n".join(texts), controls=controls, form_fields=fields, where=(*where, form),
                        raw=content)


def _readable(text: str) -> str:
    """Card markdown as a person reads it: mentions as @Name, escapes undone, paragraphs as lines."""
    return _ESCAPED.sub(r"\1", _AT.sub(r"@\1", text)).replace("\n\n", "\n")


def _mention(activity: dict[str, Any], users: list[User]) -> None:
    """The <at> tags and mention entities Teams adds when a member @mentions people in a 1:1 chat."""
    for user in users:
        tag = f"<at>{user.name}</at>"
        activity["text"] = activity["text"].replace(f"@{user.name}", tag)
        activity["entities"].append({"type": "mention", "text": tag,
                                     "mentioned": {"id": user.teams_id, "name": user.name}})


@asynccontextmanager
async def teams_driver(*, database: Database, clock: ManualClock) -> AsyncIterator[TeamsDriver]:
    """Lingkar served by build_web_app (Teams in local mode), installed in a team whose members are the cast."""
    connector = AnsweringConnector()
    await connector.start()
    try:
        settings = Settings(LINGKAR_DATABASE_URL=database.url, LINGKAR_ADMINS=USERS[ADMIN].aad,
                            LINGKAR_TEAMS_LOCAL=True)
        await create_schema(database)
        app = await bootstrap(settings, clock=clock, migrate=False, schema=database.schema)
        messenger = app.messenger.for_platform("teams")
        assert isinstance(messenger, TeamsMessenger)
        sleeps = Sleeps()  # retries and pacing record their waits instead of waiting
        messenger.connection.sleep = sleeps
        messenger.connection.pacer.sleep = sleeps
        messenger.connection.pacer.clock = sleeps.clock
        messenger.connection.rng = random.Random(7)
        messenger.connection.policy = RetryPolicy(attempts=6, base=0.5, cap=30.0)
        try:
            web_app = build_web_app(app)
            async with TestClient(TestServer(web_app, host="127.0.0.1", port=0)) as client:
                teams = Teams(client, web_app[TEAMS])
                connector.roster = [user.account for user in USERS.values()]
                connector.channels = [{"id": TEAM, "name": "General"}, {"id": TEAMS_CHANNEL, "name": "Mentoring"}]
                assert await teams.post(installed_in_team(connector.url, USERS[ADMIN])) == 200
                driver = TeamsDriver(app=app, clock=clock, teams=teams, connector=connector)
                driver.collect()
                yield driver
        finally:
            await app.close()
    finally:
        await connector.close()
