"""Whose bot token a Slack call carries: one token (single-workspace mode) or each installed workspace's own.

With "Add to Slack" every workspace has its own token. Calls name no workspace, so the workspace being served is
a context variable: set from bolt's authorization for a request, and from the Target for a delivery
(adapters/slack/installed.py). The client looks the token up (decrypted, cached) when it makes the call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy import desc, select

from bot.kernel.ports import DeliveryError
from storage.repositories.slack_orgs import org_of, remember_org
from storage.tables import slack_bots
from storage.uow import UnitOfWork

TEAM: ContextVar[str | None] = ContextVar("lingkar_slack_team", default=None)
TOKEN: ContextVar[str | None] = ContextVar("lingkar_slack_token", default=None)  # bolt already found it


class TokenCipher:
    """Fernet with rotation: the first key encrypts, every key decrypts."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("at least one Fernet key")
        self._newest = Fernet(keys[0])
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def encrypt(self, token: str | None) -> str | None:
        return None if not token else self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, stored: str | None) -> str | None:
        if not stored:
            return None
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken:
            raise DeliveryError("a stored Slack token does not decrypt with LINGKAR_SLACK_TOKEN_KEYS",
                                permanent=True) from None

    def is_current(self, stored: str) -> bool:
        """Encrypted with the first (newest) key already."""
        try:
            self._newest.decrypt(stored.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, stored: str | None) -> str | None:
        """Re-encrypt with the first key (`lingkar slack rotate-tokens`); InvalidToken when no key opens it."""
        return None if not stored else self._fernet.rotate(stored.encode()).decode()


class TeamTokens:
    """team id -> its bot token, from slack_bots (the newest install), decrypted once and kept in memory. Which org a
    team belongs to is kept in the database (storage/repositories/slack_orgs.py): another replica, or this one after a
    restart, finds a workspace's org-wide install without a request from it first."""

    def __init__(self, *, uow: Callable[[], UnitOfWork], cipher: TokenCipher, client_id: str,
                 now: Callable[[], datetime]) -> None:
        self.uow = uow
        self.cipher = cipher
        self.client_id = client_id
        self.now = now
        self._tokens: dict[str, str] = {}
        self._orgs_saved: dict[str, str] = {}  # team -> org, already in the database: one write per process

    async def remember(self, *, team_id: str, enterprise_id: str | None, token: str | None) -> None:
        if token:
            self._tokens[team_id] = token
        if enterprise_id and self._orgs_saved.get(team_id) != enterprise_id:
            async with self.uow() as uow:
                await remember_org(uow, team_id=team_id, enterprise_id=enterprise_id, now=self.now())
                await uow.commit()
            self._orgs_saved[team_id] = enterprise_id

    def forget(self, team_id: str) -> None:
        self._tokens.pop(team_id, None)

    def forget_all(self) -> None:
        self._tokens.clear()

    async def token_for(self, team_id: str) -> str:
        token = self._tokens.get(team_id)
        if token is None:
            token = await self._load(team_id)
            self._tokens[team_id] = token
        return token

    async def _load(self, team_id: str) -> str:
        """The workspace's own install; else an org-wide (Enterprise Grid) install of its org, or the only one."""
        c = slack_bots.c
        newest = select(c.bot_token, c.enterprise_id, c.team_id).where(
            c.client_id == self.client_id, c.bot_token.is_not(None)).order_by(desc(c.installed_at))
        async with self.uow() as uow:
            connection = await uow.session.connection()  # a Core table, not a model: SQLAlchemy's execute
            own = (await connection.execute(newest.where(c.team_id == team_id).limit(1))).first()
            orgs = [] if own else list((await connection.execute(
                newest.where(c.is_enterprise_install.is_(True)))).all())
            enterprise = None if own or not orgs else await org_of(uow, team_id=team_id)
        chosen = own or next((o for o in orgs if enterprise and o.enterprise_id == enterprise), None)
        if chosen is None and len({o.enterprise_id for o in orgs}) == 1:
            chosen = orgs[0]
        if chosen is None:
            raise DeliveryError("no Slack installation for this workspace", permanent=True)
        token = self.cipher.decrypt(chosen.bot_token)
        assert token is not None
        return token


@contextmanager
def serving(team_id: str | None, token: str | None = None) -> Iterator[None]:
    """Calls inside go out as this workspace (with this token when the caller already has it)."""
    team_mark, token_mark = TEAM.set(team_id), TOKEN.set(token)
    try:
        yield
    finally:
        TOKEN.reset(token_mark)
        TEAM.reset(team_mark)


Middleware = Callable[[AsyncBoltContext, Callable[[], Awaitable[BoltResponse]]], Awaitable[BoltResponse]]


def serve_team(tokens: TeamTokens | None) -> Middleware:
    """bolt middleware: what a request's listeners call goes out as its workspace, with the token bolt found.
    bolt runs the listeners after the middleware returns, in the same task: the values stay set for the rest of
    this request's task (each request has its own) and for the tasks it spawns."""

    async def middleware(context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        if tokens is not None and context.team_id:
            await tokens.remember(team_id=context.team_id, enterprise_id=context.enterprise_id, token=context.bot_token)
        TEAM.set(context.team_id)
        TOKEN.set(context.bot_token)
        return await next()

    return middleware


class TeamTokenClient(AsyncWebClient):
    """An AsyncWebClient whose token is the served workspace's; without one, the configured token (if any)."""

    tokens: TeamTokens | None = None

    @property  # type: ignore[override]
    def token(self) -> str | None:
        return TOKEN.get() or self._fixed_token

    @token.setter
    def token(self, value: str | None) -> None:
        self._fixed_token = value

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:  # type: ignore[override]
        team = TEAM.get()
        if self.tokens is None or TOKEN.get() or not team:
            return await super().api_call(api_method, **kwargs)
        mark = TOKEN.set(await self.tokens.token_for(team))
        try:
            return await super().api_call(api_method, **kwargs)
        finally:
            TOKEN.reset(mark)
