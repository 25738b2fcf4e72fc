"""CSRF: one random token per session, in every form (a hidden `csrf_token` field), checked on every POST.

SameSite=Lax already keeps the cookie off cross-site POSTs; the token is the second lock, for browsers and
proxies that do not honour SameSite."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from adapters.dashboard.errors import forbidden_csrf
from adapters.dashboard.sessions import session_of

FIELD = "csrf_token"
_SESSION_FIELD = "csrf"


def csrf_token(request: web.Request) -> str:
    session = session_of(request)
    token = session.get(_SESSION_FIELD)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[_SESSION_FIELD] = token
    return token


async def checked_form(request: web.Request) -> MultiDictProxy[str]:
    """The POSTed form, after its token matched this session's (else a 403 page). Files are not accepted."""
    if request.method != "POST":
        raise forbidden_csrf()
    form = await request.post()
    sent = form.get(FIELD)
    expected = session_of(request).get(_SESSION_FIELD)
    if not (isinstance(sent, str) and isinstance(expected, str) and expected
            and hmac.compare_digest(sent.encode(), expected.encode())):
        raise forbidden_csrf()
    return MultiDictProxy(MultiDict((key, value) for key, value in form.items() if isinstance(value, str)))
