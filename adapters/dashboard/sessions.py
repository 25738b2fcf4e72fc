"""The session: an encrypted cookie (aiohttp-session's EncryptedCookieStorage, Fernet with the settings' key).

The cookie is HttpOnly, SameSite=Lax, scoped to /admin, and Secure unless LINGKAR_PUBLIC_URL is plain http on
127.0.0.1 or localhost (tests and local development only; the settings refuse plain http anywhere else). It expires
twice: Fernet refuses a cookie older than the max age (wall clock), and auth.signed_in compares the issued-at time
stored inside with Lingkar's clock, so expiry never depends on the browser dropping the cookie.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_session import Session, get_session
from aiohttp_session import session_middleware as aiohttp_session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from adapters.dashboard.keys import PREFIX, SESSION_KEY
from adapters.settings import Settings

COOKIE = "lingkar_admin"


def max_age_seconds(settings: Settings) -> int:
    return int(settings.dashboard_session_hours * 3600)


def secure_cookie(settings: Settings) -> bool:
    return urlsplit(settings.dashboard_base_url()).scheme != "http"


def storage(settings: Settings) -> EncryptedCookieStorage:
    return EncryptedCookieStorage(settings.dashboard_session_key, cookie_name=COOKIE, path=PREFIX,
                                  max_age=max_age_seconds(settings), secure=secure_cookie(settings), httponly=True,
                                  samesite="Lax")


@web.middleware
async def _loaded(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load the session before the handler, so templates and csrf_token(request) can read it synchronously."""
    request[SESSION_KEY] = await get_session(request)
    return await handler(request)


def middlewares(settings: Settings) -> list[web.middleware]:  # type: ignore[valid-type]
    return [aiohttp_session_middleware(storage(settings)), _loaded]


def session_of(request: web.Request) -> Session:
    session = request.get(SESSION_KEY)
    if not isinstance(session, Session):
        raise RuntimeError("the dashboard's session middleware is not installed on this app")
    return session
