"""A double of Sign in with Slack on 127.0.0.1: the authorize page (the person has already said yes: it redirects
back with a code), and the Web API methods openid.connect.token and openid.connect.userInfo, answering with the
shapes of Slack's documentation (https://docs.slack.dev/authentication/sign-in-with-slack). Strict like Slack:
unknown client, wrong secret, a redirect_uri other than the registered one, a code used twice are refused."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.dashboard.people import Person

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "slack-oidc-double-secret"


@dataclass
class Grant:
    person: Person
    nonce: str
    redirect_uri: str


@dataclass
class SlackOidcDouble:
    redirect_uri: str = ""  # what the Slack app's "Redirect URLs" lists
    person: Person | None = None  # who is signed in to Slack in this browser
    workspace_admins: set[tuple[str, str]] = field(default_factory=set)  # (team, user) with is_admin in users.info
    calls: list[str] = field(default_factory=list)
    url: str = ""
    _codes: dict[str, Grant] = field(default_factory=dict)
    _tokens: dict[str, Person] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537,
                                                                                      key_size=2048))

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/openid/connect/authorize"

    async def start(self) -> SlackOidcDouble:
        app = web.Application()
        app.router.add_get("/openid/connect/authorize", self._authorize)
        app.router.add_post("/api/openid.connect.token", self._token)
        app.router.add_route("*", "/api/openid.connect.userInfo", self._user_info)
        app.router.add_route("*", "/api/users.info", self._users_info)  # the bot token's view, for admin flags
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def code_for(self, person: Person, *, nonce: str = "") -> str:
        """A code as if `person` had approved a sign-in that this test did not start (forged-state tests)."""
        code = secrets.token_urlsafe(16)
        self._codes[code] = Grant(person, nonce, self.redirect_uri)
        return code

    async def _authorize(self, request: web.Request) -> web.Response:
        self.calls.append("authorize")
        query = request.query
        scopes = set(query.get("scope", "").replace(",", " ").split())
        if (query.get("client_id") != CLIENT_ID or query.get("response_type") != "code"
                or not {"openid"} <= scopes or query.get("redirect_uri") != self.redirect_uri):
            return web.Response(status=400, text="invalid_request")  # Slack shows an error page, no redirect
        if self.person is None:
            return web.Response(status=200, text="Sign in to your workspace")  # nobody signed in: Slack's login
        code = self.code_for(self.person, nonce=query.get("nonce", ""))
        back = {"code": code, "state": query.get("state", "")}
        raise web.HTTPFound(f"{self.redirect_uri}?{urlencode(back)}")

    def _client_ok(self, request: web.Request, form: dict[str, str]) -> bool:
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        else:
            user, secret = form.get("client_id", ""), form.get("client_secret", "")
        return user == CLIENT_ID and secret == CLIENT_SECRET

    async def _token(self, request: web.Request) -> web.Response:
        self.calls.append("openid.connect.token")
        form = {k: str(v) for k, v in (await request.post()).items()}
        if not self._client_ok(request, form):
            return web.json_response({"ok": False, "error": "invalid_client_id"})
        grant = self._codes.pop(form.get("code", ""), None)
        if grant is None:
            return web.json_response({"ok": False, "error": "invalid_code"})
        if form.get("redirect_uri") != grant.redirect_uri:
            return web.json_response({"ok": False, "error": "bad_redirect_uri"})
        access = f"xoxp-{secrets.token_hex(12)}"
        self._tokens[access] = grant.person
        return web.json_response({"ok": True, "access_token": access, "token_type": "Bearer",
                                  "id_token": self._id_token(grant), "state": ""})

    def _claims(self, person: Person) -> dict[str, Any]:
        return {"sub": person.user_id, "https://slack.com/user_id": person.user_id,
                "https://slack.com/team_id": person.tenant, "email": person.email, "email_verified": True,
                "name": person.name, "given_name": person.name.split()[0], "locale": f"{person.locale}-ID"
                if person.locale == "id" else "en-US", "https://slack.com/team_name": f"Team {person.tenant}",
                "https://slack.com/team_domain": person.tenant.lower()}

    def _id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {"iss": "https://slack.com", "aud": CLIENT_ID, "exp": now + 3600, "iat": now, "auth_time": now,
                  "nonce": grant.nonce, "at_hash": "x", **self._claims(grant.person)}
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": "double"})

    async def _user_info(self, request: web.Request) -> web.Response:
        self.calls.append("openid.connect.userInfo")
        header = request.headers.get("Authorization", "")
        form = {k: str(v) for k, v in (await request.post()).items()} if request.method == "POST" else {}
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else form.get("token", "")
        person = self._tokens.get(token)
        if person is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, **self._claims(person)})

    async def _users_info(self, request: web.Request) -> web.Response:
        self.calls.append("users.info")
        values = dict(request.query) | {k: str(v) for k, v in (await request.post()).items()}
        if not request.headers.get("Authorization", "").startswith("Bearer xoxb-"):
            return web.json_response({"ok": False, "error": "not_authed"})
        team, user = values.get("team_id", ""), values.get("user", "")
        admin = (team, user) in self.workspace_admins
        return web.json_response({"ok": True, "user": {"id": user, "team_id": team, "name": user.lower(),
                                                       "is_admin": admin, "is_owner": False, "deleted": False,
                                                       "locale": "en-US", "tz": "Asia/Jakarta", "profile": {}}})
