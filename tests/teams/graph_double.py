"""A Microsoft Graph double: the token endpoint MSAL asks (client credentials) and the v1.0 chat calls, over TLS on
127.0.0.1 with a certificate made for the run, answering with the shapes of Microsoft's documentation (Create chat,
Add app to chat, Add member to chat). Records every call so tests assert on content; fails on demand."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import itertools
import re
import ssl
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CLIENT_ID = "0b7c5a1e-1111-4000-8000-00000000c11e"
CLIENT_SECRET = "graph-double-secret"
TEAMS_APP_ID = "5f0a3b7e-2222-4000-8000-0000000a9915"  # the app's id in the tenant's catalog
_BIND = re.compile(r"^(?P<base>https://[^/]+/v1\.0/)users\('(?P<id>[0-9a-fA-F-]{36})'\)$")
_APP = re.compile(r"^(?P<base>https://[^/]+/v1\.0/)appCatalogs/teamsApps/(?P<id>[^/]+)$")


@dataclass
class GraphCall:
    kind: str  # token, create_chat, install_app, add_member
    path: str
    body: dict[str, Any]
    token: str = ""


@dataclass
class Chat:
    id: str
    topic: str
    members: list[str]
    apps: list[str] = field(default_factory=list)


@dataclass
class Refusal:
    status: int
    kind: str
    code: str
    retry_after: str | None = None


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: the double's, and the CA bundle clients trust for it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "graph-double")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "graph.pem", folder / "graph.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class GraphDouble:
    """`tenants`: the tenants whose admin consented (others get Entra's unauthorized_client). `users`: the
    directory (None: any object id exists). `on_install(tenant, chat)`: what Teams does next (the bot's
    conversationUpdate). Stops itself after `lifetime` seconds if a test forgets to."""

    def __init__(self, *, tenants: set[str], users: set[str] | None = None, lifetime: float = 600.0) -> None:
        self.tenants = tenants
        self.users = users
        self.lifetime = lifetime
        self.calls: list[GraphCall] = []
        self.chats: dict[str, Chat] = {}
        self.refusals: list[Refusal] = []
        self.on_install: Callable[[str, Chat], Awaitable[None]] | None = None
        self._tokens = itertools.count(1)
        self._chat_ids = itertools.count(1)
        self._folder = tempfile.TemporaryDirectory(prefix="graph-double-")
        self.ca_file = ""
        self._runner: web.AppRunner | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.url = ""

    @property
    def graph_url(self) -> str:
        return f"{self.url}v1.0/"

    async def start(self) -> GraphDouble:
        cert_file, key_file = _certificate(Path(self._folder.name))
        self.ca_file = str(cert_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/v1.0/chats", self._create_chat)
        app.router.add_post("/v1.0/chats/{chat}/installedApps", self._install_app)
        app.router.add_post("/v1.0/chats/{chat}/members", self._add_member)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"https://127.0.0.1:{port}/"
        self._timer = asyncio.get_running_loop().call_later(self.lifetime, lambda: asyncio.ensure_future(self.close()))
        return self

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        self._folder.cleanup()

    def refuse(self, status: int, kind: str, *, code: str = "", times: int = 1, retry_after: str | None = None) -> None:
        self.refusals.extend(Refusal(status, kind, code, retry_after) for _ in range(times))

    def of(self, kind: str) -> list[GraphCall]:
        return [c for c in self.calls if c.kind == kind]

    # -- Microsoft Entra: what MSAL's confidential client asks -----------------------------------------------

    async def _openid(self, request: web.Request) -> web.Response:
        base = f"{self.url}{request.match_info['tenant']}"
        return web.json_response({"token_endpoint": f"{base}/oauth2/v2.0/token",
                                  "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                                  "issuer": f"{base}/v2.0", "token_endpoint_auth_methods_supported": [
                                      "client_secret_post", "private_key_jwt", "client_secret_basic"]})

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.calls.append(GraphCall("token", request.path, {k: str(v) for k, v in form.items()}))
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response({"error": "invalid_client", "error_description":
                                      "AADSTS7000215: Invalid client secret provided."}, status=401)
        if request.match_info["tenant"] not in self.tenants:
            return web.json_response({"error": "unauthorized_client", "error_description":
                                      "AADSTS700016: Application not found in the directory."}, status=400)
        if form.get("grant_type") != "client_credentials" or form.get("scope") != f"{self.url.rstrip('/')}/.default":
            return web.json_response({"error": "invalid_scope"}, status=400)
        token = f"{request.match_info['tenant']}.token-{next(self._tokens)}"
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                  "access_token": token})

    # -- Graph v1.0 ------------------------------------------------------------------------------------------

    async def _enter(self, request: web.Request, kind: str) -> tuple[GraphCall, web.Response | None]:
        body = await request.json()
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        call = GraphCall(kind, request.path, body, token)
        self.calls.append(call)
        if not re.match(r"^[0-9a-f-]{36}\.token-\d+$", token):
            return call, _error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        for index, refusal in enumerate(self.refusals):
            if refusal.kind == kind:
                del self.refusals[index]
                headers = {"Retry-After": refusal.retry_after} if refusal.retry_after else {}
                return call, _error(refusal.status, refusal.code or "Refused", "Refused by the test.", headers)
        return call, None

    def _users(self, binds: list[str]) -> list[str] | web.Response:
        found: list[str] = []
        for bind in binds:
            match = _BIND.match(bind)
            if match is None or match["base"] != self.graph_url:
                return _error(400, "BadRequest", "Invalid bind property name user@odata.bind.")
            if self.users is not None and match["id"] not in self.users:
                return _error(404, "NotFound", "User not found.")
            found.append(match["id"])
        return found

    async def _create_chat(self, request: web.Request) -> web.Response:
        call, refusal = await self._enter(request, "create_chat")
        if refusal is not None:
            return refusal
        body = call.body
        members = body.get("members") or []
        if body.get("chatType") != "group" or len(members) < 2 or any(
                m.get("@odata.type") != "#microsoft.graph.aadUserConversationMember" or m.get("roles") != ["owner"]
                for m in members):
            return _error(400, "BadRequest", "A group chat needs two or more aadUserConversationMember owners.")
        users = self._users([str(m.get("user@odata.bind", "")) for m in members])
        if isinstance(users, web.Response):
            return users
        chat = Chat(id=f"19:{next(self._chat_ids):032x}@thread.v2", topic=str(body.get("topic") or ""),
                    members=users)
        self.chats[chat.id] = chat
        now = "2026-11-30T19:00:00.000Z"
        return web.json_response({"@odata.context": f"{self.graph_url}$metadata#chats/$entity", "id": chat.id,
                                  "topic": chat.topic or None, "createdDateTime": now, "lastUpdatedDateTime": now,
                                  "chatType": "group"}, status=201)

    async def _install_app(self, request: web.Request) -> web.Response:
        call, refusal = await self._enter(request, "install_app")
        if refusal is not None:
            return refusal
        chat = self.chats.get(request.match_info["chat"])
        match = _APP.match(str(call.body.get("teamsApp@odata.bind", "")))
        if chat is None:
            return _error(404, "NotFound", "Chat not found.")
        if match is None or match["base"] != self.graph_url or match["id"] != TEAMS_APP_ID:
            return _error(404, "NotFound", "The app is not in the tenant's catalog.")
        if match["id"] in chat.apps:
            return _error(409, "Conflict", "The app is already installed in this chat.")
        chat.apps.append(match["id"])
        if self.on_install is not None:
            tenant = call.token.split(".", 1)[0]
            await self.on_install(tenant, chat)
        return web.Response(status=201)

    async def _add_member(self, request: web.Request) -> web.Response:
        call, refusal = await self._enter(request, "add_member")
        if refusal is not None:
            return refusal
        chat = self.chats.get(request.match_info["chat"])
        if chat is None:
            return _error(404, "NotFound", "Chat not found.")
        users = self._users([str(call.body.get("user@odata.bind", ""))])
        if isinstance(users, web.Response):
            return users
        if users[0] in chat.members:
            return _error(409, "Conflict", "The user is already a member.")
        chat.members.append(users[0])
        return web.json_response({"@odata.context": f"{self.graph_url}$metadata#chats('{chat.id}')/members/$entity",
                                  "@odata.type": "#microsoft.graph.aadUserConversationMember",
                                  "id": f"MCMjMSMj{users[0]}", "roles": ["owner"], "userId": users[0],
                                  "visibleHistoryStartDateTime": "0001-01-01T00:00:00Z"}, status=201)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    """Graph's error shape: {"error": {"code", "message", "innerError": {...}}}."""
    return web.json_response({"error": {"code": code, "message": message, "innerError": {
        "date": "2026-11-30T19:00:00", "request-id": "00000000-0000-4000-8000-000000000000"}}},
        status=status, headers=headers)
