"""Microsoft Graph for private spaces on Teams: app-only tokens from MSAL, and the three chat calls over plain HTTP."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import msal
import requests

from adapters.settings import Settings
from adapters.teams.reliability import RetryPolicy, Sleep, retry_after_of
from bot.kernel.ports import DeliveryError

log = logging.getLogger(__name__)
GRAPH_URL = "https://graph.microsoft.com/v1.0/"
AUTHORITY = "https://login.microsoftonline.com"
# Graph's throttling and transient statuses, all documented as "retry after Retry-After or a backoff".
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# What Entra answers when it might answer differently a minute later; anything else needs an admin.
TRANSIENT_TOKEN_ERRORS = frozenset({"temporarily_unavailable", "server_error"})
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TOPIC_LIMIT = 250  # characters Teams shows of a group chat's name


def is_object_id(value: str) -> bool:
    """An Entra object id (or tenant id): the only user id POST /chats can bind, and safe inside a URL."""
    return bool(_GUID.match(value))


class GraphError(DeliveryError):
    """Graph refused a call. `code` is Graph's error code (never its message, which may name people)."""

    def __init__(self, what: str, *, status: int, code: str, retry_after: float | None = None,
                 permanent: bool = False) -> None:
        super().__init__(f"Microsoft Graph answered {status} ({code or 'no code'}) to {what}",
                         retry_after=retry_after, permanent=permanent)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class GraphConfig:
    """The Entra app that calls Graph (application permissions, admin consent in each tenant) and the Teams app
    it installs into each chat (`teams_app_id`: the id of the app in the tenant's app catalog)."""

    client_id: str
    client_secret: str
    teams_app_id: str
    graph_url: str = GRAPH_URL
    authority: str = AUTHORITY
    ca_file: str = ""  # an extra CA bundle to trust (a TLS-inspecting proxy, the test double); empty: the system's

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphConfig | None:
        if not settings.graph_teams_app_id:
            return None
        return cls(client_id=settings.graph_client_id or settings.microsoft_app_id,
                   client_secret=settings.graph_client_secret or settings.microsoft_app_password,
                   teams_app_id=settings.graph_teams_app_id.strip(),
                   graph_url=settings.graph_url.rstrip("/") + "/", authority=settings.graph_authority.rstrip("/"),
                   ca_file=settings.graph_ca_file)

    @property
    def scope(self) -> str:
        parts = urlsplit(self.graph_url)
        return f"{parts.scheme}://{parts.netloc}/.default"

    def ssl_context(self) -> ssl.SSLContext | None:
        return ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None


class Tokens:
    """One MSAL confidential client per tenant; MSAL keeps each app-only token until shortly before it expires.
    MSAL is synchronous (requests): it runs in a worker thread so a token refresh never holds the event loop."""

    def __init__(self, config: GraphConfig) -> None:
        self.config = config
        self._apps: dict[str, msal.ConfidentialClientApplication] = {}
        self._lock = asyncio.Lock()

    async def for_tenant(self, tenant: str) -> str:
        if not is_object_id(tenant):
            raise DeliveryError(f"Teams tenant {tenant!r} is not an Entra tenant id: Graph cannot be asked",
                                permanent=True)
        try:
            app = await self._app(tenant)
            result: dict[str, Any] = await asyncio.to_thread(app.acquire_token_for_client,
                                                             scopes=[self.config.scope])
        except Exception as error:  # requests' connection errors, a failed authority discovery
            raise DeliveryError(f"no Graph token for tenant {tenant}: {type(error).__name__}") from error
        token = result.get("access_token")
        if isinstance(token, str) and token:
            return token
        code = str(result.get("error") or "unknown")
        log.warning("Entra refused a Graph token for tenant %s: %s", tenant, code)
        raise DeliveryError(f"Entra refused a Graph token for tenant {tenant} ({code}): check the client secret "
                            "and that an admin of the tenant consented to Lingkar's Graph permissions",
                            permanent=code not in TRANSIENT_TOKEN_ERRORS)

    async def _app(self, tenant: str) -> msal.ConfidentialClientApplication:
        async with self._lock:
            app = self._apps.get(tenant)
            if app is None:
                config = self.config
                known = urlsplit(config.authority).hostname == urlsplit(AUTHORITY).hostname
                app = await asyncio.to_thread(
                    msal.ConfidentialClientApplication, config.client_id, client_credential=config.client_secret,
                    authority=f"{config.authority.rstrip('/')}/{tenant}",
                    http_client=_TrustingSession(config.ca_file) if config.ca_file else None,
                    instance_discovery=None if known else False, timeout=20)
                self._apps[tenant] = app
            return app


class _TrustingSession(requests.Session):
    """Requests lets REQUESTS_CA_BUNDLE override a session's `verify`; a per-request `verify` wins over both."""

    def __init__(self, ca_file: str) -> None:
        super().__init__()
        self.ca_file = ca_file

    def request(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("verify", self.ca_file)
        return super().request(*args, **kwargs)


class GraphClient:
    """POST /chats, POST /chats/{id}/installedApps and POST /chats/{id}/members (Graph v1.0), retried on
    throttling and transient failures; a session per call, as chats are opened a few times a day."""

    def __init__(self, config: GraphConfig, *, tokens: Tokens | None = None, policy: RetryPolicy | None = None,
                 sleep: Sleep = asyncio.sleep, rng: random.Random | None = None, timeout: float = 20.0) -> None:
        self.config = config
        self.tokens = tokens or Tokens(config)
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.timeout = timeout

    def user_bind(self, user_id: str) -> str:
        return f"{self.config.graph_url}users('{user_id}')"

    def member(self, user_id: str) -> dict[str, Any]:
        return {"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"],
                "user@odata.bind": self.user_bind(user_id)}

    async def create_chat(self, *, tenant: str, topic: str, members: list[str]) -> str:
        """A group chat of these members (Entra object ids); returns its id, which is also its conversation id."""
        body = {"chatType": "group", "topic": topic[:TOPIC_LIMIT], "members": [self.member(m) for m in members]}
        _, answer = await self._call(tenant, "POST", "chats", body, what="a new chat")
        chat_id = answer.get("id")
        if not isinstance(chat_id, str) or not chat_id.startswith("19:"):
            raise DeliveryError("Microsoft Graph created a chat without a usable id")
        return chat_id

    async def install_app(self, *, tenant: str, chat_id: str) -> bool:
        """Add Lingkar to the chat; False when it was there already (409), as after a retried open."""
        body = {"teamsApp@odata.bind": f"{self.config.graph_url}appCatalogs/teamsApps/{self.config.teams_app_id}"}
        try:
            await self._call(tenant, "POST", f"chats/{chat_id}/installedApps", body, what="installing Lingkar")
        except GraphError as error:
            if error.status == 409:
                return False
            raise
        return True

    async def add_member(self, *, tenant: str, chat_id: str, user_id: str) -> None:
        """Without visibleHistoryStartDateTime a newcomer sees no earlier message: the circle's talk stays theirs."""
        try:
            await self._call(tenant, "POST", f"chats/{chat_id}/members", self.member(user_id),
                             what="adding a member")
        except GraphError as error:
            if error.status != 409:  # 409: a member already (a retried add)
                raise

    async def _call(self, tenant: str, method: str, path: str, body: dict[str, Any], *,
                    what: str) -> tuple[int, dict[str, Any]]:
        retry = 0
        while True:
            token = await self.tokens.for_tenant(tenant)
            try:
                status, answer, headers = await self._send(method, path, body, token)
            except (aiohttp.ClientError, TimeoutError) as error:
                status, answer, headers = 0, {}, {}
                log.info("Graph call for %s failed: %s", what, type(error).__name__)
            if 200 <= status < 300:
                return status, answer
            code = str((answer.get("error") or {}).get("code") or "") if isinstance(answer, dict) else ""
            retry_after = retry_after_of(_Refusal(headers))
            if status and status not in RETRY_STATUSES:
                raise GraphError(what, status=status, code=code, permanent=400 <= status < 500)
            retry += 1
            if retry >= self.policy.attempts or (retry_after or 0) > self.policy.max_retry_after:
                raise GraphError(what, status=status, code=code, retry_after=retry_after)
            delay = retry_after if retry_after is not None else self.policy.backoff(retry, self.rng)
            log.info("Graph answered %s to %s; retry %d in %.2fs", status or "nothing", what, retry, delay)
            await self.sleep(delay)

    async def _send(self, method: str, path: str, body: dict[str, Any],
                    token: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        async with aiohttp.ClientSession(timeout=timeout) as session, session.request(
                method, f"{self.config.graph_url}{path}", json=body, headers=headers,
                ssl=self.config.ssl_context() or True) as response:
            try:
                answer = await response.json(content_type=None) if response.content_length != 0 else {}
            except ValueError:
                answer = {}
            return response.status, answer if isinstance(answer, dict) else {}, dict(response.headers)


class _Refusal(Exception):
    """What retry_after_of reads: a response's headers, on an error."""

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("refused")
        self.response = self
        self.headers = headers
