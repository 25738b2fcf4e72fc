"""app_uninstalled and tokens_revoked: the workspace is marked inactive, its installation and token forgotten.

Its deliveries are skipped from then on (storage/repositories/workspace_state.py), other workspaces carry on, and
its data stays until an admin erases it (`lingkar workspace erase slack <team id>`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from adapters.slack.events import team_of
from adapters.slack.identity import PLATFORM
from adapters.slack.tokens import TeamTokens
from storage.repositories.workspace_state import mark_inactive
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class Removals:
    def __init__(self, *, uow: Callable[[], UnitOfWork], now: Callable[[], datetime],
                 store: AsyncInstallationStore | None = None, tokens: TeamTokens | None = None) -> None:
        self.uow = uow
        self.now = now
        self.store = store  # None in single-token mode: nothing stored to delete
        self.tokens = tokens

    async def on_uninstalled(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await self.retire(body, context, reason="app_uninstalled")

    async def on_tokens_revoked(self, event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext) -> None:
        """Only the bot's tokens matter: Lingkar keeps no user tokens."""
        if (event.get("tokens") or {}).get("bot"):
            await self.retire(body, context, reason="tokens_revoked")

    async def retire(self, body: dict[str, Any], context: AsyncBoltContext, *, reason: str) -> None:
        team = team_of(body) or context.team_id or ""
        enterprise = body.get("enterprise_id") or context.enterprise_id
        org_wide = bool(body.get("is_enterprise_install") or context.is_enterprise_install)
        if self.store is not None:
            await self.store.async_delete_installation(enterprise_id=enterprise, team_id=None if org_wide else team)
            await self.store.async_delete_bot(enterprise_id=enterprise, team_id=None if org_wide else team)
        if self.tokens is not None and org_wide:
            self.tokens.forget_all()
        elif self.tokens is not None:
            self.tokens.forget(team)
        if not team:
            return
        async with self.uow() as uow:
            known = await mark_inactive(uow, platform=PLATFORM, external_id=team, reason=reason, now=self.now())
            await uow.commit()
        log.warning("Slack: %s in workspace %s; its deliveries stop%s", reason, team,
                    "" if known else " (Lingkar had no data of it)")
