"""Sign in with Microsoft (Entra ID): MSAL's authorization code flow with PKCE (initiate_auth_code_flow /
acquire_token_by_auth_code_flow). The flow (state, PKCE verifier, nonce) lives in the session between the redirect
and the callback; MSAL checks the state and the nonce on the way back.

MSAL (1.38+) no longer validates the id token, so this module does: audience, issuer (the tenant's, also under
"organizations"), expiry, and the tenant when one is configured. The token comes straight from Entra's token
endpoint over TLS, so its signature is not checked (OpenID Connect Core 3.1.3.7). Teams members are known by their
Entra object id (adapters/teams/inbound.user_id_of) and Teams workspaces by their tenant id, so the claims `oid` and
`tid` are exactly the chat's user and workspace."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import msal
from aiohttp import web

from adapters.dashboard.errors import PageError
from adapters.dashboard.identity import Identity
from adapters.dashboard.keys import LINGKAR_KEY
from adapters.dashboard.signin_flow import complete, keep_provider_state, provider_state, redirect_uri
from adapters.settings import Settings
from adapters.teams.graph import _TrustingSession

log = logging.getLogger(__name__)
PROVIDER = "microsoft"
MICROSOFT_HOST = "login.microsoftonline.com"
SKEW = 300  # seconds of clock difference tolerated on exp / nbf
_FLOW_KEYS = ("state", "redirect_uri", "scope", "code_verifier", "nonce", "claims_challenge")


def configured(settings: Settings) -> bool:
    return bool(settings.dashboard_entra_client_id and settings.dashboard_entra_client_secret)


@dataclass
class Entra:
    """One MSAL application per process: building it fetches the authority's discovery document (blocking I/O,
    so in a thread, once)."""

    settings: Settings
    _app: msal.ConfidentialClientApplication | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def authority(self) -> str:
        return f"{self.settings.entra_authority.rstrip('/')}/{self.settings.dashboard_entra_tenant.strip()}"

    async def app(self) -> msal.ConfidentialClientApplication:
        async with self._lock:
            if self._app is None:
                settings = self.settings
                known = urlsplit(settings.entra_authority).hostname == MICROSOFT_HOST
                self._app = await asyncio.to_thread(
                    msal.ConfidentialClientApplication, settings.dashboard_entra_client_id,
                    client_credential=settings.dashboard_entra_client_secret, authority=self.authority,
                    http_client=_TrustingSession(settings.entra_ca_file) if settings.entra_ca_file else None,
                    instance_discovery=None if known else False, timeout=20)
            return self._app


ENTRA = web.AppKey("lingkar_dashboard_entra", Entra)


def add_routes(app: web.Application) -> None:
    app[ENTRA] = Entra(app[LINGKAR_KEY].settings)
    app.router.add_get("/signin/microsoft", start)
    app.router.add_get("/signin/microsoft/callback", callback)


async def start(request: web.Request) -> web.Response:
    settings = request.app[LINGKAR_KEY].settings
    try:
        client = await request.app[ENTRA].app()
        flow = await asyncio.to_thread(client.initiate_auth_code_flow, [],
                                       redirect_uri=redirect_uri(settings, PROVIDER), prompt="select_account")
    except (ValueError, OSError) as error:  # discovery failed: Entra unreachable, a wrong tenant or authority
        log.warning("Sign in with Microsoft is unavailable: %s", type(error).__name__)
        raise PageError(503, "dashboard.error.signin_failed") from None
    # What the callback needs, without the long authorize URL: the session is a cookie.
    keep_provider_state(request, PROVIDER, {key: flow[key] for key in _FLOW_KEYS if key in flow})
    raise web.HTTPSeeOther(flow["auth_uri"])


async def callback(request: web.Request) -> web.Response:
    flow = provider_state(request, PROVIDER)
    if request.query.get("error"):  # the person cancelled, or Entra refused before any code
        raise PageError(400, "dashboard.error.signin_cancelled")
    entra = request.app[ENTRA]
    try:
        client = await entra.app()
        result = await asyncio.to_thread(client.acquire_token_by_auth_code_flow, flow, dict(request.query), scopes=[])
    except ValueError:  # MSAL: the state does not match this browser's flow
        raise PageError(400, "dashboard.error.signin_state") from None
    except RuntimeError:  # MSAL: the id token's nonce is not this flow's
        raise PageError(400, "dashboard.error.signin_state") from None
    except OSError as error:
        log.warning("Sign in with Microsoft failed: %s", type(error).__name__)
        raise PageError(503, "dashboard.error.signin_failed") from None
    if "error" in result:
        log.warning("Sign in with Microsoft failed: %s", result.get("error"))  # Entra's code only, no description
        raise PageError(400, "dashboard.error.signin_failed")
    identity = _identity(entra.settings, result.get("id_token_claims"))
    return await complete(request, identity)


def _identity(settings: Settings, claims: Any) -> Identity:
    if not isinstance(claims, dict) or not _valid(settings, claims):
        raise PageError(400, "dashboard.error.signin_failed")
    name = claims.get("name")
    return Identity(platform="teams", tenant=str(claims["tid"]).lower(), user_id=str(claims["oid"]).lower(),
                    display_name=name if isinstance(name, str) else None, locale=None)


def _valid(settings: Settings, claims: dict[str, Any]) -> bool:
    tid, oid = claims.get("tid"), claims.get("oid")
    if not (_is_guid(tid) and _is_guid(oid)):
        return False
    configured_tenant = settings.dashboard_entra_tenant.strip().lower()
    if _is_guid(configured_tenant) and configured_tenant != str(tid).lower():
        return False
    issuer = f"{settings.entra_authority.rstrip('/')}/{tid}/v2.0"
    now = time.time()  # Entra's tokens carry wall-clock times
    exp, nbf = claims.get("exp"), claims.get("nbf", 0)
    return (claims.get("aud") == settings.dashboard_entra_client_id and claims.get("iss") == issuer
            and isinstance(exp, int | float) and exp + SKEW >= now and isinstance(nbf, int | float)
            and nbf - SKEW <= now)


def _is_guid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)
