"""The Slack Web API client: retries that honour Retry-After, one HTTP session, Slack errors -> DeliveryError."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.tokens import TEAM, TeamTokenClient, TeamTokens
from bot.kernel.ports import DeliveryError, UnreachableMember

log = logging.getLogger(__name__)
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Observe = Callable[[str], None]  # "rate_limited" or "retry": the adapters' metrics count them

# The member is gone or cannot be written to: stop trying them (the core marks them unreachable).
UNREACHABLE = frozenset({"user_not_found", "users_not_found", "user_disabled",
                         "user_is_deactivated", "cannot_dm_bot", "user_is_restricted"})
# Retrying cannot help: the channel is gone or archived, the request is wrong, or the app lacks a permission.
PERMANENT = frozenset({"is_archived", "channel_not_found", "not_in_channel", "invalid_blocks", "msg_too_long",
                       "no_text", "not_authed", "missing_scope", "not_allowed",
                       "restricted_action", "invalid_arguments", "too_many_attachments", "message_not_found",
                       "cant_update_message", "edit_window_closed", "invalid_name", "invalid_metadata_format"})
# The bot token stopped working: the app was removed from the workspace (or its org), or the token revoked. Slack's
# app_uninstalled / tokens_revoked event follows a moment later and marks the workspace inactive, so the delivery
# is tried again later and then skipped with that reason; a token that never worked gives up after the retries.
TOKEN_GONE = frozenset({"account_inactive", "invalid_auth", "token_revoked", "team_access_not_granted"})
# Slack's own trouble: worth another try later.
TRANSIENT = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited",
                       "team_added_to_org", "rate_limited"})


def retry_after_of(headers: Any) -> float | None:
    """Seconds from a Retry-After header (aiohttp headers or slack_sdk's dict of lists)."""
    if not headers:
        return None
    for key in headers:
        if str(key).lower() == "retry-after":
            raw = headers[key]
            raw = raw[0] if isinstance(raw, list | tuple) else raw
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


class RateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 after exactly the Retry-After Slack asked for (plus a little jitter), as long as the wait is
    short. A longer wait goes back to the caller as DeliveryError(retry_after=...), so the outbox reschedules the
    delivery instead of holding a worker."""

    def __init__(self, *, max_retry_count: int = 3, max_wait: float = 10.0, sleep: Sleep | None = None,
                 rng: random.Random | None = None, observe: Observe | None = None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait
        self.sleep: Sleep = sleep or asyncio.sleep
        self.rng = rng or random.Random()
        self.observe: Observe = observe or (lambda _: None)

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        self.observe("rate_limited")
        wait = retry_after_of(response.headers)
        return wait is None or wait <= self.max_wait

    async def prepare_for_next_attempt_async(self, *, state: RetryState, request: HttpRequest,
                                             response: HttpResponse | None = None,
                                             error: Exception | None = None) -> None:
        wait = retry_after_of(response.headers if response is not None else None)
        state.next_attempt_requested = True
        self.observe("retry")
        await self.sleep((1.0 if wait is None else wait) + self.rng.random() * 0.25)
        state.increment_current_attempt()


def make_client(*, token: str | None, base_url: str, timeout: int = 10, sleep: Sleep | None = None,
                rate_limit_retries: int = 3, observe: Observe | None = None,
                tokens: TeamTokens | None = None) -> AsyncWebClient:
    """With `tokens` ("Add to Slack"), each call carries the token of the workspace it is made for."""
    handlers: list[AsyncRetryHandler] = [
        AsyncConnectionErrorRetryHandler(max_retry_count=1),  # a reset connection: the request never arrived
        RateLimitRetry(max_retry_count=rate_limit_retries, sleep=sleep, observe=observe),
    ]
    client = TeamTokenClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=handlers)
    client.tokens = tokens
    return client


class SlackApi:
    """The bot's AsyncWebClient with one pooled HTTP session (slack_sdk opens a new one per call without it)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._bot_user_ids: dict[str | None, str] = {}  # per workspace served: each install has its own bot user

    @property
    def web(self) -> AsyncWebClient:
        session = self.client.session
        if session is None or session.closed:
            self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.client.timeout))
        return self.client

    @property
    def session(self) -> aiohttp.ClientSession:
        session = self.web.session
        assert session is not None
        return session

    async def aclose(self) -> None:
        if self.client.session is not None and not self.client.session.closed:
            await self.client.session.close()

    async def bot_user_id(self) -> str:
        team = TEAM.get()
        if team not in self._bot_user_ids:
            identity = await call(self.web.auth_test(), what="auth.test")
            self._bot_user_ids[team] = str(identity.get("user_id") or "")
        return self._bot_user_ids[team]


async def call(request: Awaitable[T], *, what: str) -> T:
    """Await one Web API call; whatever goes wrong comes out as a DeliveryError the outbox understands."""
    try:
        return await request
    except SlackApiError as error:
        raise delivery_error(error, what=what) from error
    except (aiohttp.ClientError, TimeoutError, SlackClientError) as error:
        raise DeliveryError(f"{what}: {type(error).__name__}") from error


def error_code(error: SlackApiError) -> str:
    response = error.response
    data = response.data if isinstance(response.data, dict) else {}
    return str(data.get("error") or "")


def delivery_error(error: SlackApiError, *, what: str) -> DeliveryError:
    code = error_code(error)
    status = error.response.status_code
    if status == 429 or code == "ratelimited":
        wait = retry_after_of(error.response.headers)
        return DeliveryError(f"{what}: rate limited", retry_after=wait if wait is not None else 1.0)
    if code in UNREACHABLE:
        return UnreachableMember(f"{what}: {code}")
    if status >= 500 or code in TRANSIENT or code in TOKEN_GONE:
        return DeliveryError(f"{what}: {code or f'HTTP {status}'}")
    # Unknown codes describe a request Slack will never accept: fail visibly rather than retry forever.
    return DeliveryError(f"{what}: {code or f'HTTP {status}'}", permanent=True)
