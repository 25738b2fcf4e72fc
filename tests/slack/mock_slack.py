"""A local Slack Web API: records every call with its arguments, answers like Slack, fails on demand.

Serves /api/<method> (point `LINGKAR_SLACK_API_URL` / AsyncWebClient(base_url=...) at `mock.url`), the upload URLs
that files.getUploadURLExternal hands out, and response_urls (`mock.response_url(name)`). Binds 127.0.0.1 on a
free port. Scripted answers (`fail`, `rate_limit`, `script`) are consumed in order before the default behaviour.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from tests.slack.mock_slack_world import SlackWorld

TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-test-app-token"  # Socket Mode: only apps.connections.open takes it
JSON_FIELDS = ("blocks", "view", "attachments", "files")  # form-encoded calls carry these as JSON strings



def texts_of(blocks: Any) -> list[str]:
    """Every text in rendered blocks, in order: what a person reads of a Slack message."""
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

    walk(blocks)
    return found

@dataclass
class Call:
    method: str  # a Web API method ("chat.postMessage"), "upload" or "respond"
    args: dict[str, Any]
    path: str = ""
    data: bytes = b""  # the raw body of an upload
    status: int = 200  # what the mock answered: 429 or 500 when `flaky` struck (then `ok` is false)
    ok: bool = True
    token: str = ""  # the bearer token the call carried: whose workspace it acted in

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.args.get("blocks")
        if blocks is None and isinstance(self.args.get("view"), dict):
            blocks = self.args["view"].get("blocks")
        return list(blocks or [])

    def texts(self) -> list[str]:
        """Every text object's text in the call's blocks (or view), in order."""
        return texts_of(self.blocks)

    def text(self) -> str:
        return "\n".join(self.texts())


@dataclass
class Install:
    """One workspace's installation of the app: its team, its bot user and the bot token Slack gave it."""

    team_id: str
    team_name: str
    token: str
    bot_user: str = "UBOT"
    enterprise_id: str | None = None

    def auth_test(self) -> dict[str, Any]:
        return {"ok": True, "url": f"https://{self.team_id.lower()}.slack.com/", "team": self.team_name,
                "user": "lingkar", "team_id": self.team_id, "user_id": self.bot_user, "bot_id": f"B{self.team_id}",
                "enterprise_id": self.enterprise_id, "is_enterprise_install": False}


@dataclass
class Scripted:
    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


class MockSlack(SlackWorld):
    """The world of SlackWorld, served over HTTP (and Socket Mode), recording each call, failing on demand."""

    def __init__(self, *, team_id: str = "T1", bot_user: str = "UBOT") -> None:
        super().__init__(team_id=team_id, bot_user=bot_user)
        self.calls: list[Call] = []
        self.scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self._server: TestServer | None = None
        self.socket: web.WebSocketResponse | None = None  # Socket Mode: the app's connection, once it connects
        self.socket_connected = asyncio.Event()
        self._socket_acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.flakiness: dict[str, tuple[float, float, float]] = {}  # method -> shares of 429, 500, lost answers
        self.flaky_rng = random.Random(0)
        self.answers_to_lose: Counter[str] = Counter()  # method -> how many of its next answers are lost
        self.tokens: dict[str, Install] = {TOKEN: Install(team_id=team_id, team_name="Lingkar Test", token=TOKEN,
                                                          bot_user=bot_user)}  # bot tokens Slack accepts
        self.oauth_codes: dict[str, Install] = {}  # "Add to Slack": code -> what oauth.v2.access installs
        self.client: tuple[str, str] | None = None  # the app's client id and secret, for oauth.v2.access
        self._bearer = TOKEN  # the token of the call being answered

    # -- scripting ---------------------------------------------------------------------------------------------------

    def script(self, method: str, *answers: Scripted) -> None:
        self.scripts[method].extend(answers)

    def fail(self, method: str, error: str, *, times: int = 1, status: int = 200, **extra: Any) -> None:
        self.script(method, *[Scripted(status=status, body={"ok": False, "error": error, **extra})] * times)

    def rate_limit(self, method: str, *, times: int, retry_after: str = "0") -> None:
        self.script(method, *[Scripted(status=429, body={"ok": False, "error": "ratelimited"},
                                       headers={"Retry-After": retry_after})] * times)

    def flaky(self, methods: tuple[str, ...], *, throttled: float, broken: float, lost: float = 0.5,
              seed: int | None = None) -> None:
        """A seeded share of these methods' calls answers 429 (Retry-After: 0) and another share 500; `lost` of
        those 500s come after Slack did the work (the channel exists, the invitation went through): only the
        answer is lost, as when a load balancer times out. Broken ones pass `broken=0`."""
        self.flakiness.update({m: (throttled, broken, lost) for m in methods})
        if seed is not None:
            self.flaky_rng = random.Random(seed)

    def lose_answers(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` take effect, then answer 500 (flaky calls may strike first)."""
        self.answers_to_lose[method] += times

    def add_install(self, code: str, *, team_id: str, team_name: str, token: str, bot_user: str = "UBOT",
                    enterprise_id: str | None = None) -> None:
        """An admin of `team_id` approves the app: Slack will hand out `token` for `code` (once)."""
        self.oauth_codes[code] = Install(team_id=team_id, team_name=team_name, token=token, bot_user=bot_user,
                                         enterprise_id=enterprise_id)

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:  # the workspace that installed with this token
        install = self.tokens.get(self._bearer)
        return install.auth_test() if install and self._bearer != TOKEN else super()._auth_test(args)

    def revoke(self, token: str) -> None:  # the app was removed there: Slack answers invalid_auth from now on
        self.tokens.pop(token, None)

    def _oauth_v2_access(self, args: dict[str, Any], authorization: str) -> dict[str, Any]:
        """Slack's documented answer (api.slack.com/methods/oauth.v2.access): the bot token, its scopes, the team."""
        given = (str(args.get("client_id") or ""), str(args.get("client_secret") or ""))
        if authorization.startswith("Basic "):
            user, _, password = base64.b64decode(authorization.removeprefix("Basic ")).decode().partition(":")
            given = (user, password)
        if self.client is None or given != self.client:
            return {"ok": False, "error": "invalid_client_id"}
        install = self.oauth_codes.pop(str(args.get("code") or ""), None)
        if install is None:
            return {"ok": False, "error": "invalid_code"}
        self.tokens[install.token] = install
        team, org = {"id": install.team_id, "name": install.team_name}, install.enterprise_id
        return {"ok": True, "access_token": install.token, "token_type": "bot", "scope": "commands,chat:write",
                "bot_user_id": install.bot_user, "app_id": "A1", "team": team,
                "enterprise": {"id": org, "name": "Lingkar Org"} if org else None, "is_enterprise_install": False,
                "authed_user": {"id": "UINSTALLER", "scope": "", "token_type": "user"}}

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
        app.router.add_get("/files-pri/{path:.+}", self._download)
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
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.calls.append(Call(method=method, args=args, path=request.path, token=bearer))
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_v2_access(args, request.headers.get("Authorization", "")))
        if (method == "apps.connections.open" and bearer != APP_TOKEN) or \
                (method != "apps.connections.open" and bearer not in self.tokens):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        self._bearer = bearer
        if self.scripts[method]:
            answer = self.scripts[method].popleft()
            return web.json_response(answer.body or {"ok": True}, status=answer.status, headers=answer.headers)
        throttled, broken, lost = self.flakiness.get(method, (0.0, 0.0, 0.0))
        roll = self.flaky_rng.random()
        if roll < throttled:
            self.calls[-1].status, self.calls[-1].ok = 429, False
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "0"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if roll < throttled + broken or self.answers_to_lose[method] > 0:
            if self.answers_to_lose[method] > 0 and roll >= throttled + broken:
                self.answers_to_lose[method] -= 1
                lost = 1.0
            if self.flaky_rng.random() < lost and handler:
                handler(args)  # done, but the answer is lost
            self.calls[-1].status, self.calls[-1].ok = 500, False
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        body: dict[str, Any] = handler(args) if handler else {"ok": True}
        self.calls[-1].ok = bool(body.get("ok"))
        return web.json_response(body)

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

    async def _download(self, request: web.Request) -> web.Response:
        """url_private_download: the file for the bot token; without it Slack's sign-in page (HTML, 200)."""
        self.calls.append(Call(method="download", args={"path": request.match_info["path"]}, path=request.path))
        if self.scripts["download"]:
            answer = self.scripts["download"].popleft()
            return web.Response(status=answer.status, text="error")
        file_id = request.match_info["path"].split("/", 1)[0].removeprefix(f"{self.team_id}-")
        if request.headers.get("Authorization") != f"Bearer {TOKEN}" or file_id not in self.file_data:
            return web.Response(text="<html>Sign in to Slack</html>", content_type="text/html")
        return web.Response(body=self.file_data[file_id], content_type="text/csv")

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call(method="respond", args=body, path=request.path))
        if self.scripts["respond"]:
            answer = self.scripts["respond"].popleft()
            return web.Response(status=answer.status, text="expired_url")
        return web.Response(text="ok", content_type="text/plain")
