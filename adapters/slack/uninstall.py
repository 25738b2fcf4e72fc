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
from storage.repositories.slack_orgs import teams_served_by_org
from storage.repositories.workspace_state import mark_inactive
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class Removals:
    def __init__(self, *, uow: Callable[[], UnitOfWork], now: Callable[[], datetime],
                 store: AsyncInstallationStore | None = None, tokens: TeamTokens | None = None,
                 client_id: str = "") -> None:
        self.uow = uow
        self.now = now
        self.store = store  # None in single-token mode: nothing stored to delete
        self.tokens = tokens
        self.client_id = client_id

    async def on_uninstalled(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await self.retire(body, context, reason="app_uninstalled")

    async def on_tokens_revoked(self, event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext) -> None:
        """Only the bot's tokens matter: Lingkar keeps no user tokens."""
        if (event.get("tokens") or {}).get("bot"):
            await self.retire(body, context, reason="tokens_revoked")

    async def retire(self, body: dict[str, Any], context: AsyncBoltContext, *, reason: str) -> None:
        team = team_of(body) or context.team_id or ""
        enterprise = body.get("enterprise_id") or context.enterprise_id
        org_wide = bool(body.get("is_enterprise_install") or context.is_enterprise_install) and bool(enterprise)
        # Marked inactive before the installation is deleted: a delivery whose token stops working in between finds
        # its workspace inactive and is skipped with the reason, not failed.
        async with self.uow() as uow:
            teams = await self.teams(uow, team=team, enterprise=enterprise if org_wide else None)
            known = [t for t in teams if await mark_inactive(uow, platform=PLATFORM, external_id=t, reason=reason,
                                                             now=self.now())]
            await uow.commit()
        if self.store is not None:
            await self.store.async_delete_installation(enterprise_id=enterprise, team_id=None if org_wide else team)
            await self.store.async_delete_bot(enterprise_id=enterprise, team_id=None if org_wide else team)
        if self.tokens is not None and org_wide:
            self.tokens.forget_all()
        elif self.tokens is not None:
            self.tokens.forget(team)
        log.warning("Slack: %s in %s %s; deliveries stop in %d workspace(s) Lingkar has data of", reason,
                    "org" if org_wide else "workspace", enterprise if org_wide else team, len(known))

    async def teams(self, uow: UnitOfWork, *, team: str, enterprise: str | None) -> list[str]:
        """The workspace named; for an org-wide removal, every workspace of the org that the org's install served
        (from the database: any replica, after any restart). One with its own installation keeps it."""
        if enterprise is None:
            return [team] if team else []
        return await teams_served_by_org(uow, client_id=self.client_id, enterprise_id=enterprise,
                                         also=team or None)
