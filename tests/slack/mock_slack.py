"""A local Slack Web API: records every call with its arguments, answers like Slack, fails on demand.

Serves /api/<method> (point `LINGKAR_SLACK_API_URL` / AsyncWebClient(base_url=...) at `mock.url`), the upload URLs
that files.getUploadURLExternal hands out, and response_urls (`mock.response_url(name)`). Binds 127.0.0.1 on a
free port. Scripted answers (`fail`, `rate_limit`, `script`) are consumed in order before the default behaviour.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-test-app-token"  # Socket Mode: only apps.connections.open takes it
JSON_FIELDS = ("blocks", "view", "attachments", "files")  # form-encoded calls carry these as JSON strings


@dataclass
class Call:
    method: str  # a Web API method ("chat.postMessage"), "upload" or "respond"
    args: dict[str, Any]
    path: str = ""
    data: bytes = b""  # the raw body of an upload

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.args.get("blocks")
        if blocks is None and isinstance(self.args.get("view"), dict):
            blocks = self.args["view"].get("blocks")
        return list(blocks or [])

    def texts(self) -> list[str]:
        """Every text object's text in the call's blocks (or view), in order."""
        found: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                    found.append(node["text"])
                    return
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.blocks)
        return found

    def text(self) -> str:
        return "\n".join(self.texts())


@dataclass
class Scripted:
    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool
    members: list[str] = field(default_factory=list)
    archived: bool = False


class MockSlack:
    def __init__(self, *, team_id: str = "T1", bot_user: str = "UBOT") -> None:
        self.team_id = team_id
        self.bot_user = bot_user
        self.users: dict[str, dict[str, Any]] = {}
        # Enterprise Grid: the same user id in other workspaces of the org, each with its own profile there
        self.team_users: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.channels: dict[str, Channel] = {}
        self.calls: list[Call] = []
        self.scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._server: TestServer | None = None
        self.socket: web.WebSocketResponse | None = None  # Socket Mode: the app's connection, once it connects
        self.socket_connected = asyncio.Event()
        self._socket_acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.add_user(bot_user, name="lingkar", bot=True)

    # -- the world -------------------------------------------------------------------------------------------------

    def add_user(self, user_id: str, *, name: str | None = None, locale: str = "en-US", tz: str = "Asia/Jakarta",
                 admin: bool = False, deleted: bool = False, bot: bool = False, team: str | None = None) -> None:
        """A user of the mock's workspace, or with `team` of another workspace (users.info with that team_id)."""
        shown = name or user_id.lower()
        users = self.users if team in (None, self.team_id) else self.team_users[str(team)]
        users[user_id] = {
            "id": user_id, "team_id": team or self.team_id, "name": shown.lower().replace(" ", "."), "deleted": deleted,
            "real_name": shown, "tz": tz, "locale": locale, "is_admin": admin, "is_owner": False, "is_bot": bot,
            "profile": {"display_name": shown, "real_name": shown},
        }

    def add_channel(self, name: str, *, private: bool = True, archived: bool = False) -> Channel:
        channel = Channel(id=f"C{next(self._ids):06d}", name=name, is_private=private, archived=archived)
        self.channels[channel.id] = channel
        return channel

    def channel_named(self, name: str) -> Channel:
        return next(c for c in self.channels.values() if c.name == name)

    # -- scripting ---------------------------------------------------------------------------------------------------

    def script(self, method: str, *answers: Scripted) -> None:
        self.scripts[method].extend(answers)

    def fail(self, method: str, error: str, *, times: int = 1, status: int = 200, **extra: Any) -> None:
        self.script(method, *[Scripted(status=status, body={"ok": False, "error": error, **extra})] * times)

    def rate_limit(self, method: str, *, times: int, retry_after: str = "0") -> None:
        self.script(method, *[Scripted(status=429, body={"ok": False, "error": "ratelimited"},
                                       headers={"Retry-After": retry_after})] * times)

    # -- reading what happened --------------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def last(self, method: str) -> Call:
        calls = self.calls_to(method)
        assert calls, f"no {method} call; calls were {[c.method for c in self.calls]}"
        return calls[-1]

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/respond/{name}"

    # -- serving ----------------------------------------------------------------------------------------------------

    @property
    def base(self) -> str:
        assert self._server is not None, "start() the mock first"
        return str(self._server.make_url("")).rstrip("/")

    @property
    def url(self) -> str:
        return f"{self.base}/api/"

    async def start(self) -> MockSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/link", self._link)
        self._server = TestServer(app, host="127.0.0.1", port=0)
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in JSON_FIELDS:
            if isinstance(args.get(key), str) and args[key][:1] in "[{":
                args[key] = json.loads(args[key])
        self.calls.append(Call(method=method, args=args, path=request.path))
        token = APP_TOKEN if method == "apps.connections.open" else TOKEN
        if request.headers.get("Authorization") != f"Bearer {token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self.scripts[method]:
            answer = self.scripts[method].popleft()
            return web.json_response(answer.body or {"ok": True}, status=answer.status, headers=answer.headers)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        return web.json_response(handler(args) if handler else {"ok": True})

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode's WebSocket: says hello, then carries envelopes out and the app's acks back."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.socket = socket
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "connection_info": {"app_id": "A1"}, "debug_info": {"host": "mock"}})
        self.socket_connected.set()
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                ack = json.loads(frame.data)
                waiting = self._socket_acks.pop(str(ack.get("envelope_id")), None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(ack)
        return socket

    async def push(self, kind: str, payload: dict[str, Any], *, envelope_id: str) -> dict[str, Any]:
        """Send one envelope over Socket Mode as Slack does, and wait for the app's ack of it."""
        await asyncio.wait_for(self.socket_connected.wait(), 10)
        assert self.socket is not None
        ack: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._socket_acks[envelope_id] = ack
        await self.socket.send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                     "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
                                     "retry_reason": ""})
        return await asyncio.wait_for(ack, 10)

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.calls.append(Call(method="upload", args={"file_id": request.match_info["file_id"]},
                               path=request.path, data=data))
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call(method="respond", args=body, path=request.path))
        if self.scripts["respond"]:
            answer = self.scripts["respond"].popleft()
            return web.Response(status=answer.status, text="expired_url")
        return web.Response(text="ok", content_type="text/plain")

    # -- default answers, one per Web API method ---------------------------------------------------------------------

    def _ts(self) -> str:
        return f"1767571200.{next(self._ids):06d}"

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://lingkar-test.slack.com/", "team": "Lingkar Test", "user": "lingkar",
                "team_id": self.team_id, "user_id": self.bot_user, "bot_id": "B0001", "is_enterprise_install": False}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.base.replace("http://", "ws://", 1) + "/link"}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        team = str(args.get("team_id") or self.team_id)
        users = self.users if team == self.team_id else self.team_users.get(team, {})
        user = users.get(str(args.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """One user: their DM with the bot. Several: their group DM with the bot, the same one each time."""
        ids = [u for u in str(args.get("users") or "").split(",") if u]
        if not 1 <= len(ids) <= 8:
            return {"ok": False, "error": "invalid_arguments"}
        for user_id in ids:
            user = self.users.get(user_id)
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            if user["deleted"]:
                return {"ok": False, "error": "user_disabled"}
        if len(ids) == 1:
            return {"ok": True, "channel": {"id": "D" + ids[0]}}
        members = sorted({*ids, self.bot_user})
        name = "mpdm-" + "--".join(members)
        existing = next((c for c in self.channels.values() if c.name == name), None)
        group = existing or self.add_channel(name, private=True)
        group.members = members
        return {"ok": True, "channel": {"id": group.id, "is_mpim": True}}

    def _post(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is not None and channel.archived:
            return {"ok": False, "error": "is_archived"}
        return {"ok": True, "channel": args.get("channel"), "ts": self._ts()}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._post(args)

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = self._post(args)
        return {"ok": True, "message_ts": answer["ts"]} if answer["ok"] else answer

    def _view(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {**(args.get("view") or {}), "id": f"V{next(self._ids):06d}"}}

    _views_open = _views_push = _views_update = _views_publish = _view

    def _conversations_create(self, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name"))
        if any(c.name == name for c in self.channels.values()):
            return {"ok": False, "error": "name_taken"}
        private = str(args.get("is_private")).lower() in ("1", "true")
        channel = self.add_channel(name, private=private)
        channel.members.append(self.bot_user)
        return {"ok": True, "channel": {"id": channel.id, "name": name, "is_private": private}}

    def _conversations_invite(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if len(users) > 1000:
            return {"ok": False, "error": "too_many_users"}
        errors = []
        for user_id in users:
            user = self.users.get(user_id)
            if user is None:
                errors.append({"user": user_id, "ok": False, "error": "user_not_found"})
            elif user["deleted"]:
                errors.append({"user": user_id, "ok": False, "error": "cant_invite"})
            elif user_id in channel.members:
                errors.append({"user": user_id, "ok": False, "error": "already_in_channel"})
            else:
                channel.members.append(user_id)
        if errors:  # with force=true Slack invites the others and names the ones it refused
            return {"ok": False, "error": errors[0]["error"], "errors": errors}
        return {"ok": True, "channel": {"id": channel.id, "name": channel.name}}

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):06d}"
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files") or []
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
