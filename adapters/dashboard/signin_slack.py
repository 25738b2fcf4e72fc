"""Sign in with Slack: OpenID Connect (authorization code). Slack's authorize page, then openid.connect.token and
openid.connect.userInfo through slack_sdk's AsyncWebClient (LINGKAR_SLACK_API_URL: the double in tests).

The state (CSRF of the redirect) and the nonce live in the session, server side, and are taken once. The id token
comes straight from Slack's token endpoint over TLS, so its nonce and audience are read without checking its
signature (OpenID Connect Core 3.1.3.7: TLS server validation stands in for it on this channel)."""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import quote

import aiohttp
import jwt
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import OpenIDConnectAuthorizeUrlGenerator
from slack_sdk.web.async_client import AsyncWebClient

from adapters.dashboard.errors import PageError
from adapters.dashboard.identity import Identity
from adapters.dashboard.keys import LINGKAR_KEY
from adapters.dashboard.signin_flow import complete, keep_provider_state, provider_state, redirect_uri
from adapters.settings import Settings

log = logging.getLogger(__name__)
PROVIDER = "slack"
SCOPES = ("openid", "profile", "email")
TEAM_CLAIM = "https://slack.com/team_id"
USER_CLAIM = "https://slack.com/user_id"


def configured(settings: Settings) -> bool:
    return settings.dashboard_slack_credentials() is not None


def add_routes(app: web.Application) -> None:
    app.router.add_get("/signin/slack", start)
    app.router.add_get("/signin/slack/callback", callback)


async def start(request: web.Request) -> web.Response:
    settings = request.app[LINGKAR_KEY].settings
    credentials = settings.dashboard_slack_credentials()
    assert credentials is not None
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    keep_provider_state(request, PROVIDER, {"state": state, "nonce": nonce})
    generator = OpenIDConnectAuthorizeUrlGenerator(
        client_id=quote(credentials[0], safe=""), redirect_uri=quote(redirect_uri(settings, PROVIDER), safe=""),
        scopes=[",".join(SCOPES)], authorization_url=settings.slack_openid_url)
    raise web.HTTPSeeOther(generator.generate(state=state, nonce=nonce))


async def callback(request: web.Request) -> web.Response:
    expected = provider_state(request, PROVIDER)
    state, code = request.query.get("state", ""), request.query.get("code", "")
    if not (isinstance(expected.get("state"), str)
            and hmac.compare_digest(state.encode(), str(expected["state"]).encode())):
        raise PageError(400, "dashboard.error.signin_state")
    if request.query.get("error") or not code:  # the person pressed Cancel on Slack's page
        raise PageError(400, "dashboard.error.signin_cancelled")
    identity = await _identity(request.app[LINGKAR_KEY].settings, code, str(expected.get("nonce", "")))
    return await complete(request, identity)


async def _identity(settings: Settings, code: str, nonce: str) -> Identity:
    credentials = settings.dashboard_slack_credentials()
    assert credentials is not None
    client_id, secret = credentials
    try:
        token = await AsyncWebClient(base_url=settings.slack_api_url).openid_connect_token(
            client_id=client_id, client_secret=secret, code=code, redirect_uri=redirect_uri(settings, PROVIDER))
        claims = jwt.decode(str(token.get("id_token", "")), options={"verify_signature": False})
        if claims.get("aud") != client_id or not nonce or not hmac.compare_digest(
                str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise PageError(400, "dashboard.error.signin_state")
        info = await AsyncWebClient(token=str(token["access_token"]),
                                    base_url=settings.slack_api_url).openid_connect_userInfo()
    except (SlackApiError, jwt.InvalidTokenError, KeyError, aiohttp.ClientError) as error:
        # Slack's error code only (invalid_code, ...): a token or a person's name never goes into the log.
        reason = error.response.get("error") if isinstance(error, SlackApiError) else type(error).__name__
        log.warning("Sign in with Slack failed: %s", reason)
        raise PageError(400, "dashboard.error.signin_failed") from None
    team, user = info.get(TEAM_CLAIM), info.get(USER_CLAIM)
    if not (isinstance(team, str) and team and isinstance(user, str) and user and team == claims.get(TEAM_CLAIM)
            and user == claims.get(USER_CLAIM)):
        raise PageError(400, "dashboard.error.signin_failed")
    name = info.get("name")
    locale = info.get("locale")
    return Identity(platform="slack", tenant=team, user_id=user, display_name=name if isinstance(name, str) else None,
                    locale=locale if isinstance(locale, str) else None)
