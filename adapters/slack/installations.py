"""'Add to Slack': bolt's OAuth settings on slack_sdk's SQLAlchemy stores, tokens encrypted, localised result pages."""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.settings import Settings
from adapters.slack.identity import PLATFORM
from adapters.slack.manifest import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH
from adapters.slack.tokens import TeamTokens, TokenCipher
from bot.kernel.i18n import Translator, normalise_locale, resolve_locale
from storage.repositories.slack_orgs import teams_served_by_org
from storage.repositories.workspace_state import mark_active
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
STATE_SECONDS = 600  # an install started more than ten minutes ago starts again
Sealable = TypeVar("Sealable", Installation, Bot)
TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


class EncryptedInstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's store, with every token Fernet-encrypted on the way in and decrypted on the way out."""

    def __init__(self, *, client_id: str, engine: AsyncEngine, cipher: TokenCipher) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=logging.getLogger("adapters.slack.oauth"))
        self.cipher = cipher

    def _convert(self, item: Sealable, change: Callable[[str | None], str | None]) -> Sealable:
        converted = copy.copy(item)
        for name in TOKEN_FIELDS:
            if hasattr(converted, name):
                setattr(converted, name, change(getattr(converted, name)))
        return converted

    def _seal(self, value: str | None) -> str | None:
        # slack_sdk's async_save passes the installation's bot on to async_save_bot: sealed already by then.
        return value if not value or not value.startswith("xox") else self.cipher.encrypt(value)

    def _open(self, value: str | None) -> str | None:
        return value if not value or value.startswith("xox") else self.cipher.decrypt(value)

    async def async_save(self, installation: Installation) -> None:
        await super().async_save(self._convert(installation, self._seal))

    async def async_save_bot(self, bot: Bot) -> None:
        await super().async_save_bot(self._convert(bot, self._seal))

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        found = await super().async_find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                             is_enterprise_install=is_enterprise_install)
        return None if found is None else self._convert(found, self._open)

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False) -> Installation | None:
        found = await super().async_find_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                                                      is_enterprise_install=is_enterprise_install)
        return None if found is None else self._convert(found, self._open)


def oauth_settings(*, settings: Settings, engine: AsyncEngine, uow: Callable[[], UnitOfWork],
                   tokens: TeamTokens) -> AsyncOAuthSettings:
    store = EncryptedInstallationStore(client_id=settings.slack_client_id, engine=engine, cipher=tokens.cipher)
    pages = ResultPages(default_locale=settings.default_locale, command=settings.slack_command, uow=uow,
                        tokens=tokens)
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id, client_secret=settings.slack_client_secret, scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH, installation_store=store,
        installation_store_bot_only=True,  # Lingkar acts as its bot only: no user tokens kept
        state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine,
                                                   logger=logging.getLogger("adapters.slack.oauth")),
        callback_options=AsyncCallbackOptions(success=pages.success, failure=pages.failure),
    )


class ResultPages:
    """What the installing admin sees after Slack sends them back, in their browser's language."""

    def __init__(self, *, default_locale: str, command: str, uow: Callable[[], UnitOfWork],
                 tokens: TeamTokens) -> None:
        self.default_locale = default_locale
        self.command = command
        self.uow = uow
        self.tokens = tokens

    def translator(self, accept_language: str | None) -> Translator:
        first = (accept_language or "").split(",")[0].split(";")[0].strip()
        return Translator(resolve_locale(normalise_locale(first), self.default_locale))

    async def success(self, args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        team = installation.team_id or ""
        await self.reactivate(installation)
        log.warning("Slack: installed in %s %s", "org" if installation.is_enterprise_install else "workspace",
                    installation.enterprise_id if installation.is_enterprise_install else team)
        t = self.translator(first_header(args.request.headers, "accept-language"))
        name = installation.enterprise_name if installation.is_enterprise_install else installation.team_name
        return page(200, t("slack.install.done.title"),
                    t("slack.install.done.body", workspace=name or team or installation.enterprise_id or "",
                      command=self.command))

    async def reactivate(self, installation: Installation) -> None:
        """Installed again after a removal: the workspace, or every workspace of the org Lingkar knows, is served
        again. A workspace installed inside an Enterprise Grid org is recorded as the org's."""
        team, org = installation.team_id or "", installation.enterprise_id
        if team:
            self.tokens.forget(team)
            await self.tokens.remember(team_id=team, enterprise_id=org, token=None)
        else:  # an org-wide install: its workspaces' tokens change
            self.tokens.forget_all()
        async with self.uow() as uow:
            teams = [team] if team else []
            if not team and org:
                teams = await teams_served_by_org(uow, client_id=self.tokens.client_id, enterprise_id=org)
            for each in teams:
                await mark_active(uow, platform=PLATFORM, external_id=each)
            await uow.commit()

    async def failure(self, args: AsyncFailureArgs) -> BoltResponse:
        # The reason is Slack's or bolt's code (access_denied, invalid_state...), never a token.
        log.warning("Slack: an install did not complete: %s", args.reason)
        t = self.translator(first_header(args.request.headers, "accept-language"))
        return page(args.suggested_status_code, t("slack.install.failed.title"),
                    t("slack.install.failed.body", path=INSTALL_PATH))


def first_header(headers: Mapping[str, Sequence[str]], name: str) -> str | None:
    value = headers.get(name)
    return str(value[0]) if value else None


def page(status: int, title: str, body: str) -> BoltResponse:
    """A small HTML page; both texts are escaped (a workspace's name is whatever its admins typed)."""
    text = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f"<body><h1>{html.escape(title)}</h1><p>{html.escape(body)}</p></body></html>")
    return BoltResponse(status=status, body=text, headers={"Content-Type": "text/html; charset=utf-8"})


__all__ = ["INSTALL_PATH", "REDIRECT_PATH", "EncryptedInstallationStore", "oauth_settings"]
