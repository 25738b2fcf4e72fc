"""A local Bot Connector service: records every call the bot makes, answers like Teams, fails on demand."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    kind: str  # send, reply, update, create, member, members, channels
    conversation_id: str = ""
    activity_id: str = ""
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def card(self) -> dict[str, Any]:
        """The Adaptive Card of a sent or updated activity."""
        attachments = self.body.get("attachments") or []
        assert attachments, f"no attachment in {self.body!r}"
        content: dict[str, Any] = attachments[0]["content"]
        return content

    def texts(self) -> list[str]:
        """Every TextBlock text of the card, in order (nested ones too)."""
        found: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") == "TextBlock":
                    found.append(node["text"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.card.get("body", []))
        return found

    def text(self) -> str:
        return "\n".join(self.texts())


@dataclass
class Failure:
    status: int
    kinds: tuple[str, ...]
    retry_after: str | None = None
    conversation_id: str | None = None


class MockConnector:
    """Answers the Bot Connector REST API on 127.0.0.1 (free port). Failures are consumed in order."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failed: list[tuple[int, Call]] = []
        self.failures: list[Failure] = []
        self.blocked: set[str] = set()  # conversation ids whose user blocked the bot: 403 forever
        self.roster: list[dict[str, Any]] = []  # what pagedmembers / members/{id} answer
        self.files: dict[str, bytes] = {}  # what a personal chat's file downloadUrl serves (files_url(name))
        self.channels: list[dict[str, Any]] = []  # what a team's channel list answers
        self.uploads: list[tuple[str, bytes, dict[str, str]]] = []  # OneDrive uploads: (name, bytes, headers)
        self.upload_failures = 0  # the next uploads refused with 503
        self.flakiness: dict[str, tuple[float, float]] = {}  # call kind -> shares of 429 and 500 answers
        self.flaky_rng = random.Random(0)
        self._ids = itertools.count(1000)
        self._server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("/"))

    async def start(self) -> MockConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_get("/v3/conversations/{cid}/pagedmembers", self._members)
        app.router.add_get("/v3/teams/{cid}/conversations", self._channels)
        app.router.add_put("/upload/{name}", self._upload)  # stands in for a OneDrive upload session
        app.router.add_get("/files/{name}", self._file)  # stands in for a OneDrive download link
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    def fail(self, status: int, *, times: int = 1, kinds: tuple[str, ...] = ("send", "reply", "update", "create"),
             retry_after: str | None = None, conversation_id: str | None = None) -> None:
        self.failures.extend(Failure(status, kinds, retry_after, conversation_id) for _ in range(times))

    def flaky(self, kinds: tuple[str, ...], *, throttled: float, broken: float, seed: int | None = None) -> None:
        """A seeded share of these kinds of calls answers 429 (Retry-After: 1) and another share 500, always before
        the connector does anything: nothing is created or posted by a failed call."""
        self.flakiness.update({kind: (throttled, broken) for kind in kinds})
        if seed is not None:
            self.flaky_rng = random.Random(seed)

    def of(self, *kinds: str) -> list[Call]:
        return [c for c in self.calls if c.kind in kinds]

    def messages(self) -> list[Call]:
        """Activities posted (sent or replied), in order."""
        return self.of("send", "reply")

    def to(self, conversation_id: str) -> list[Call]:
        return [c for c in self.messages() if c.conversation_id == conversation_id]

    def _next_failure(self, call: Call) -> web.Response | None:
        if call.conversation_id in self.blocked and call.kind in ("send", "reply", "update"):
            return web.json_response({"error": {"code": "BotDisabledByAdmin", "message": "blocked"}}, status=403)
        # A new thread has no conversation in its path: a failure for a channel matches the threads opened in it.
        where = (call.conversation_id, ((call.body.get("channelData") or {}).get("channel") or {}).get("id"))
        for index, failure in enumerate(self.failures):
            if call.kind in failure.kinds and (failure.conversation_id is None or failure.conversation_id in where):
                del self.failures[index]
                headers = {"Retry-After": failure.retry_after} if failure.retry_after is not None else {}
                return web.json_response({"error": {"code": "Throttled", "message": "slow down"}},
                                         status=failure.status, headers=headers)
        throttled, broken = self.flakiness.get(call.kind, (0.0, 0.0))
        roll = self.flaky_rng.random()
        if roll < throttled:
            return web.json_response({"error": {"code": "Throttled", "message": "slow down"}}, status=429,
                                     headers={"Retry-After": "1"})
        if roll < throttled + broken:
            return web.json_response({"error": {"code": "ServiceError", "message": "internal"}}, status=500)
        return None

    async def _record(self, request: web.Request, kind: str) -> tuple[Call, web.Response | None]:
        body = await request.json() if request.can_read_body else {}
        call = Call(kind=kind, conversation_id=request.match_info.get("cid", ""),
                    activity_id=request.match_info.get("aid", ""), body=body)
        refusal = self._next_failure(call)
        if refusal is not None:
            self.failed.append((refusal.status, call))
        else:
            self.calls.append(call)
        return call, refusal

    async def _send(self, request: web.Request) -> web.Response:
        _, refusal = await self._record(request, "send")
        return refusal or web.json_response({"id": str(next(self._ids))}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        _, refusal = await self._record(request, "reply")
        return refusal or web.json_response({"id": str(next(self._ids))}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        call, refusal = await self._record(request, "update")
        return refusal or web.json_response({"id": call.activity_id})

    async def _create(self, request: web.Request) -> web.Response:
        call, refusal = await self._record(request, "create")
        if refusal is not None:
            return refusal
        channel = (call.body.get("channelData") or {}).get("channel", {}).get("id")
        activity_id = str(next(self._ids))
        if channel:  # a new thread in a channel: Teams names it after its first message
            return web.json_response({"id": f"{channel};messageid={activity_id}", "activityId": activity_id},
                                     status=201)
        member = (call.body.get("members") or [{}])[0].get("id", "")
        return web.json_response({"id": f"a:personal-{member}"}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        """One member of a conversation or team, by Teams user id or Entra object id (TeamsInfo.get_member):
        whatever the roster entry holds (email and userPrincipalName when a test gives them)."""
        call, _ = await self._record(request, "member")
        wanted = call.activity_id = request.match_info["mid"]
        for member in self.roster:
            if wanted in (member["id"], member.get("aadObjectId")):
                return web.json_response(member)
        return web.json_response({"error": {"code": "NotFound"}}, status=404)

    async def _members(self, request: web.Request) -> web.Response:
        await self._record(request, "members")
        return web.json_response({"members": self.roster})

    async def _channels(self, request: web.Request) -> web.Response:
        await self._record(request, "channels")
        return web.json_response({"conversations": self.channels})

    def file_url(self, name: str) -> str:
        return f"{self.url}files/{name}"

    async def _file(self, request: web.Request) -> web.Response:
        self.calls.append(Call(kind="download", activity_id=request.match_info["name"]))
        data = self.files.get(request.match_info["name"])
        if data is None:
            return web.json_response({"error": {"code": "itemNotFound"}}, status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    def upload_url(self, name: str) -> str:
        return f"{self.url}upload/{name}"

    async def _upload(self, request: web.Request) -> web.Response:
        if self.upload_failures:
            self.upload_failures -= 1
            return web.json_response({"error": {"code": "serviceNotAvailable"}}, status=503)
        self.uploads.append((request.match_info["name"], await request.read(), dict(request.headers)))
        return web.json_response({"id": "01ONEDRIVEITEM", "name": request.match_info["name"]}, status=201)
