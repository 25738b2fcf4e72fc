"""Who may use the dashboard: an identity the provider vouched for, mapped to a Lingkar workspace and member, and
let in only when the chat would treat that person as a Lingkar admin of that workspace.

The rule is the chat's (bot/kernel/context.Ctx.is_admin): named in LINGKAR_ADMINS, a stored WorkspaceAdmin of that
workspace, or (LINGKAR_WORKSPACE_ADMINS_ARE_ADMINS) a Slack workspace admin or owner, which OpenID Connect's claims
do not say, so it is asked of users.info with the workspace's bot token, as the chat does."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.bootstrap import App
from adapters.settings import admin_id
from bot.kernel.events import Actor
from bot.kernel.i18n import resolve_locale
from bot.kernel.ports import DeliveryError
from storage.tables import Member, Workspace
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Identity:
    """What the identity provider vouched for: its tenant (Slack team id, Entra tenant id) and user id (Slack user
    id, Entra object id), which are the ids the chat's Actor carries."""

    platform: str  # "slack" | "teams"
    tenant: str
    user_id: str
    display_name: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class DashboardAdmin:
    """The signed-in admin. workspace_id / user_id are the platform's ids as the chat Actor has them;
    workspace_pk is the Workspace row id every uow query is scoped to."""

    platform: str
    workspace_id: str
    user_id: str
    display_name: str | None
    locale: str
    workspace_pk: int
    member_pk: int | None = None  # None when the admin never used the bot (named in settings only)
    slack_workspace_admin: bool = False  # let in as a Slack workspace admin/owner: the core must hear it too

    def actor(self) -> Actor:
        """The Actor a core command runs as, so the web and the chat go through the same rules."""
        return Actor(platform=self.platform, workspace_id=self.workspace_id, user_id=self.user_id,
                     display_name=self.display_name, locale=self.locale,
                     is_workspace_admin=self.slack_workspace_admin)

    def to_session(self) -> dict[str, object]:
        return {"platform": self.platform, "workspace_id": self.workspace_id, "user_id": self.user_id,
                "display_name": self.display_name, "locale": self.locale}


def user_key(platform: str, user_id: str) -> str:
    """The id as the chat stores it: Teams object ids lower-case (settings.admin_id), Slack ids as given."""
    return admin_id(user_id) if platform == "teams" else user_id


async def admit(lingkar: App, identity: Identity) -> DashboardAdmin | None:
    """The admin this identity is, or None (not a workspace Lingkar knows, not an admin there, erased)."""
    user_id = user_key(identity.platform, identity.user_id)
    async with lingkar.services.uow() as uow:
        workspace, member = await uow.workspaces.with_member(platform=identity.platform,
                                                             external_id=identity.tenant,
                                                             member_external_id=user_id)
        allowed = workspace is not None and await _is_admin(lingkar, uow, workspace, member, user_id)
        await uow.commit()
    by_slack_flag = False
    if not allowed and workspace is not None and not (member is not None and member.erased):
        allowed = by_slack_flag = await _slack_workspace_admin(lingkar, identity.platform, identity.tenant, user_id)
    if not allowed or workspace is None or workspace.id is None:
        return None
    locale = resolve_locale(member.locale if member else None, identity.locale, workspace.locale)
    name = (member.display_name if member and member.display_name else None) or identity.display_name
    return DashboardAdmin(platform=identity.platform, workspace_id=identity.tenant, user_id=user_id,
                          display_name=name, locale=locale, workspace_pk=workspace.id,
                          member_pk=member.id if member else None, slack_workspace_admin=by_slack_flag)


async def _is_admin(lingkar: App, uow: UnitOfWork, workspace: Workspace, member: Member | None, user_id: str) -> bool:
    if member is not None and member.erased:
        return False
    if user_id in lingkar.services.config.admins:
        return True
    assert workspace.id is not None
    return await uow.admins.is_admin(workspace_id=workspace.id, user_external_id=user_id)


async def _slack_workspace_admin(lingkar: App, platform: str, team_id: str, user_id: str) -> bool:
    """The chat's third rule (LINGKAR_WORKSPACE_ADMINS_ARE_ADMINS): Slack workspace admins and owners, as
    users.info says with the workspace's bot token (cached like the chat's lookups). No Slack bot, or Slack does
    not answer: not an admin by this rule."""
    slack = lingkar.platforms.slack
    if platform != "slack" or slack is None or not lingkar.services.config.workspace_admins_are_admins:
        return False
    try:
        profile = await slack.directory.profile(team_id=team_id, user_id=user_id)
    except DeliveryError:  # UnreachableMember too: deactivated, or not in this workspace
        return False
    return profile.is_admin
