"""The Slack app manifest (YAML): the slash command, the bot scopes Lingkar uses, and where Slack sends requests."""

from __future__ import annotations

from typing import Any

import yaml

from adapters.slack.app import ROUTE
from bot.kernel.i18n import translate

# Each scope is here because a call needs it; the only messages read are the ones people write to the bot.
BOT_SCOPES: dict[str, str] = {
    "commands": "the slash command",
    "chat:write": "messages, ephemeral replies and updates (chat.postMessage, chat.postEphemeral, chat.update)",
    "im:write": "a member's DM with the bot (conversations.open)",
    "mpim:write": "a mentoring pair's group DM with the bot (conversations.open with both members)",
    "users:read": "display name, time zone and admin flag of whoever uses the bot (users.info)",
    "users:read.email": "members' emails, which an org import matches its rows by (users.info, users.list)",
    "im:history": "what people write in their DM with the bot: an admin's org import file (message.im)",
    "files:read": "the org import file an admin uploads in that DM (files.info, url_private_download)",
    "groups:write": "private circle channels and their invitations (conversations.create, conversations.invite)",
    "files:write": "charts and exports (files.getUploadURLExternal, files.completeUploadExternal)",
    "channels:read": "whether the bot is in a public channel before a program posts there (conversations.info)",
    "groups:read": "the same for a private channel it was invited to; a circle channel found again after a retry",
    "channels:join": "joining the public channel a program is created in, to post its announcements there",
}
# The home tab needs no scope; DMs need im:history; a removal (app_uninstalled, tokens_revoked) stops deliveries.
# team_access_revoked / team_access_granted (no scope; only an org-wide install gets them): an org admin took the app
# away from some of the org's workspaces, or gave it back.
EVENTS = ("app_home_opened", "message.im", "app_uninstalled", "tokens_revoked", "team_access_revoked",
          "team_access_granted")
INSTALL_PATH = "/slack/install"  # "Add to Slack" starts here (adapters/slack/installations.py)
REDIRECT_PATH = "/slack/oauth_redirect"  # Slack sends the installing admin back here


def manifest(*, url: str | None, socket_mode: bool, command: str = "/circle", name: str = "Lingkar",
             oauth: bool = False, org_deploy: bool = False) -> dict[str, Any]:
    """Either a public HTTPS base URL (commands, interactivity and events all go to <url>/slack/events) or Socket
    Mode (no public URL; the app token connects out). `oauth`: "Add to Slack", with <url>/slack/oauth_redirect as
    the redirect URL; `org_deploy`: installable across an Enterprise Grid org (org_deploy_enabled)."""
    if not socket_mode and not url:
        raise ValueError("give the public URL Slack should call, or use Socket Mode")
    if oauth and not url:
        raise ValueError("'Add to Slack' needs the public URL Slack sends the installing admin back to")
    endpoint = f"{url.rstrip('/')}{ROUTE}" if url and not socket_mode else None
    slash: dict[str, Any] = {
        "command": command,
        "description": translate("slack.manifest.command", "en"),
        "usage_hint": translate("slack.manifest.usage", "en"),
        "should_escape": True,  # mentions arrive as <@U123|name>, which the adapter turns into the core's <@U123>
    }
    interactivity: dict[str, Any] = {"is_enabled": True}
    events: dict[str, Any] = {"bot_events": list(EVENTS)}
    if endpoint:
        slash["url"] = endpoint
        interactivity["request_url"] = endpoint
        events["request_url"] = endpoint
    return {
        "display_information": {
            "name": name,
            "description": translate("slack.manifest.description", "en"),
            "background_color": "#0f766e",
        },
        "features": {
            # Members use the command; the DM is writable so that an admin can upload an org import there.
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [slash],
        },
        "oauth_config": oauth_config(url=url, oauth=oauth),
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": org_deploy,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def oauth_config(*, url: str | None, oauth: bool) -> dict[str, Any]:
    config: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if oauth and url:
        config = {"redirect_urls": [f"{url.rstrip('/')}{REDIRECT_PATH}"], **config}
    return config


def manifest_yaml(*, url: str | None, socket_mode: bool, command: str = "/circle", oauth: bool = False,
                  org_deploy: bool = False) -> str:
    return yaml.safe_dump(manifest(url=url, socket_mode=socket_mode, command=command, oauth=oauth,
                                   org_deploy=org_deploy), sort_keys=False, allow_unicode=True)
