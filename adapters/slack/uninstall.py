"""app_uninstalled and tokens_revoked: the workspace is marked inactive, its installation and token forgotten.
team_access_revoked / team_access_granted: an org admin took an org-wide app away from some of the org's
workspaces, or gave it back; only those are marked inactive, or served again.

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
from storage.repositories.slack_orgs import org_of, teams_served_by_org
from storage.repositories.workspace_state import mark_active, mark_inactive
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

    async def on_access_revoked(self, event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext) -> None:
        """Enterprise Grid: the org's token no longer reaches the workspaces named. Each is marked inactive like an
        uninstall; the org's install stays, and so do its other workspaces."""
        enterprise = body.get("enterprise_id") or context.enterprise_id
        named = team_ids(event)
        if not enterprise or not named:
            return
        async with self.uow() as uow:
            teams = await self.org_teams(uow, enterprise=enterprise, named=named)
            known = [t for t in teams if await mark_inactive(uow, platform=PLATFORM, external_id=t,
                                                             reason="team_access_revoked", now=self.now())]
            await uow.commit()
        if self.tokens is not None:
            for team in teams:
                self.tokens.forget(team)
        log.warning("Slack: team_access_revoked in org %s for %d workspace(s); deliveries stop in %d Lingkar has "
                    "data of", enterprise, len(named), len(known))

    async def on_access_granted(self, event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext) -> None:
        """The org's app reaches these workspaces (again): they are recorded as the org's and served again; deliveries
        skipped meanwhile stay skipped."""
        enterprise = body.get("enterprise_id") or context.enterprise_id
        named = team_ids(event)
        if not enterprise or not named:
            return
        for team in named:
            if self.tokens is not None:
                self.tokens.forget(team)
                await self.tokens.remember(team_id=team, enterprise_id=enterprise, token=None)
        async with self.uow() as uow:
            for team in named:
                await mark_active(uow, platform=PLATFORM, external_id=team)
            await uow.commit()
        log.warning("Slack: team_access_granted in org %s for %d workspace(s)", enterprise, len(named))

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

    async def org_teams(self, uow: UnitOfWork, *, enterprise: str, named: list[str]) -> list[str]:
        """Of the workspaces an event named, those the org's install served: recorded as the org's (or never
        recorded) and without an installation of their own. One recorded in another org is left alone."""
        served = set(await teams_served_by_org(uow, client_id=self.client_id, enterprise_id=enterprise))
        for team in named:
            if team not in served and await org_of(uow, team_id=team) is None and team in await teams_served_by_org(
                    uow, client_id=self.client_id, enterprise_id=enterprise, also=team):
                served.add(team)
        return [team for team in named if team in served]


def team_ids(event: dict[str, Any]) -> list[str]:
    """The event's team_ids, each once, in order (Slack's list; anything else in it is ignored)."""
    given = event.get("team_ids")
    if not isinstance(given, list):
        return []
    return list(dict.fromkeys(t for t in given if isinstance(t, str) and t))
