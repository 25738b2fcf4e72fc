"""What both identity providers' flows share: the state kept in the session between the redirect and the callback,
the redirect URI, and the end of a callback (admit an admin, refuse anyone else)."""

from __future__ import annotations

import logging

from aiohttp import web

from adapters.dashboard.auth import begin_session, end_session
from adapters.dashboard.errors import PageError
from adapters.dashboard.identity import Identity, admit
from adapters.dashboard.keys import LINGKAR_KEY, PREFIX
from adapters.dashboard.render import locale_of, page
from adapters.dashboard.sessions import session_of
from adapters.settings import Settings
from bot.kernel.i18n import resolve_locale

log = logging.getLogger(__name__)


def redirect_uri(settings: Settings, provider: str) -> str:
    """What the provider's app registration must list: {LINGKAR_PUBLIC_URL}/admin/signin/<provider>/callback."""
    return f"{settings.dashboard_base_url()}{PREFIX}/signin/{provider}/callback"


async def complete(request: web.Request, identity: Identity) -> web.Response:
    """The end of either provider's callback: the identity is vouched for; let an admin in, refuse anyone else."""
    admin = await admit(request.app[LINGKAR_KEY], identity)
    if admin is None:
        end_session(request)
        # Ids only, never names or emails: enough to answer "why can't I sign in?".
        log.info("dashboard sign-in refused: %s user %s of %s is not a Lingkar admin there", identity.platform,
                 identity.user_id, identity.tenant)
        locale = resolve_locale(identity.locale, locale_of(request))
        return await page(request, "refused.html", {"identity": identity}, status=403, locale=locale)
    log.info("dashboard sign-in: %s user %s of %s", admin.platform, admin.user_id, admin.workspace_id)
    raise web.HTTPSeeOther(begin_session(request, admin))


def provider_state(request: web.Request, provider: str) -> dict[str, object]:
    """What a provider's start put in the session for its callback (state, nonce, MSAL's flow); taken once."""
    found = session_of(request).pop(f"signin_{provider}", None)
    if not isinstance(found, dict):
        raise PageError(400, "dashboard.error.signin_expired")
    return found


def keep_provider_state(request: web.Request, provider: str, state: dict[str, object]) -> None:
    session_of(request)[f"signin_{provider}"] = state


