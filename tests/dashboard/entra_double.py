"""A double of Microsoft Entra ID's sign-in on 127.0.0.1 over TLS (a certificate made for the run, like the Graph
double's): the v2.0 OpenID discovery document, /authorize (the person has already consented: it redirects back
with a code) and /token (authorization_code with PKCE), answering like Entra: an RS256-signed id token with
aud, iss (the tenant's, also under "organizations"), tid, oid, nonce (what MSAL sent, its SHA-256), exp, and
client_info, which MSAL reads to build the account. Strict: the PKCE verifier must match the challenge, the
redirect_uri the registered one, a code works once."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import ssl
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.dashboard.people import Person
from tests.teams.graph_double import _certificate

CLIENT_ID = "6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
CLIENT_SECRET = "entra-double-secret"


@dataclass
class Grant:
    person: Person
    nonce: str
    redirect_uri: str
    challenge: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class EntraDouble:
    redirect_uri: str = ""
    person: Person | None = None
    calls: list[str] = field(default_factory=list)
    url: str = ""
    ca_file: str = ""
    _codes: dict[str, Grant] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _folder: tempfile.TemporaryDirectory[str] = field(
        default_factory=lambda: tempfile.TemporaryDirectory(prefix="entra-double-"))
    _key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537,
                                                                                      key_size=2048))

    async def start(self) -> EntraDouble:
        cert_file, key_file = _certificate(Path(self._folder.name))
        self.ca_file = str(cert_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/{tenant}/oauth2/v2.0/authorize", self._authorize)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/{tenant}/discovery/v2.0/keys", self._keys)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context).start()
        self.url = f"https://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        self._folder.cleanup()

    def _issuer(self, tenant: str) -> str:
        return f"{self.url}/{tenant}/v2.0"

    async def _discovery(self, request: web.Request) -> web.Response:
        self.calls.append("discovery")
        tenant = request.match_info["tenant"]
        base = f"{self.url}/{tenant}"
        # Entra's multi-tenant documents name the issuer with a {tenantid} placeholder.
        issuer = self._issuer("{tenantid}" if tenant in ("organizations", "common") else tenant)
        return web.json_response({
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize", "token_endpoint": f"{base}/oauth2/v2.0/token",
            "issuer": issuer, "jwks_uri": f"{base}/discovery/v2.0/keys", "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"]})

    async def _keys(self, _: web.Request) -> web.Response:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return web.json_response({"keys": [{**jwk, "kid": "double", "use": "sig"}]})

    async def _authorize(self, request: web.Request) -> web.Response:
        self.calls.append("authorize")
        query = request.query
        if (query.get("client_id") != CLIENT_ID or query.get("response_type") != "code"
                or query.get("redirect_uri") != self.redirect_uri or query.get("code_challenge_method") != "S256"
                or not query.get("code_challenge") or "openid" not in query.get("scope", "").split()):
            return web.Response(status=400, text="AADSTS50011: invalid request")
        if self.person is None:
            return web.Response(status=200, text="Pick an account")
        code = secrets.token_urlsafe(24)
        self._codes[code] = Grant(self.person, query.get("nonce", ""), self.redirect_uri, query["code_challenge"])
        back = {"code": code, "state": query.get("state", ""), "session_state": str(uuid.uuid4())}
        raise web.HTTPFound(f"{self.redirect_uri}?{urlencode(back)}")

    async def _token(self, request: web.Request) -> web.Response:
        self.calls.append("token")
        form = {k: str(v) for k, v in (await request.post()).items()}
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response({"error": "invalid_client", "error_description": "AADSTS7000215"}, status=401)
        grant = self._codes.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return web.json_response({"error": "invalid_grant", "error_description": "AADSTS70008"}, status=400)
        challenge = _b64(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        if form.get("redirect_uri") != grant.redirect_uri or challenge != grant.challenge:
            return web.json_response({"error": "invalid_grant", "error_description": "AADSTS501481"}, status=400)
        person = grant.person
        client_info = _b64(json.dumps({"uid": person.user_id, "utid": person.tenant}).encode())
        return web.json_response({"token_type": "Bearer", "scope": "openid profile email", "expires_in": 3599,
                                  "ext_expires_in": 3599, "access_token": secrets.token_urlsafe(32),
                                  "refresh_token": secrets.token_urlsafe(32), "id_token": self._id_token(grant),
                                  "client_info": client_info})

    def _id_token(self, grant: Grant) -> str:
        person, now = grant.person, int(time.time())
        claims: dict[str, Any] = {
            "aud": CLIENT_ID, "iss": self._issuer(person.tenant), "iat": now, "nbf": now, "exp": now + 3600,
            "name": person.name, "nonce": grant.nonce, "oid": person.user_id, "preferred_username": person.email,
            "sub": _b64(hashlib.sha256(person.user_id.encode()).digest()), "tid": person.tenant, "ver": "2.0"}
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": "double"})
