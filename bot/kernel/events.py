"""Neutral events: what adapters turn platform payloads into before the core sees them."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.ports import Target

FormValue = str | list[str] | None


@dataclass(frozen=True)
class Actor:
    """Who acted: platform, tenant and user as the platform names them, plus what the platform told us."""

    platform: str
    workspace_id: str
    user_id: str
    display_name: str | None = None
    locale: str | None = None
    timezone: str | None = None
    is_workspace_admin: bool = False  # Slack workspace admins/owners; Teams has no such flag here
    email: str | None = None  # Slack's profile email (users:read.email), Teams' user principal name: org import keys


@dataclass(frozen=True)
class Attachment:
    """A file sent with a command (an admin's org import CSV), read by the adapter, with the platform's directory
    (lower-cased email -> user id) fetched by the adapter before the core's unit of work, so no platform call
    happens inside it."""

    filename: str
    data: bytes
    directory: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Command:
    actor: Actor
    text: str  # what followed the slash command or the bot's @mention
    where: Target | None = None  # the conversation it was typed in (a circle's channel, a DM)
    attachment: Attachment | None = None  # a file the member uploaded with the command


@dataclass(frozen=True)
class Action:
    actor: Actor
    action_id: str  # "<verb>:<argument>"
    value: str = ""  # the chosen option of a Choice
    values: tuple[str, ...] = ()  # several chosen options (multi-select)
    where: Target | None = None


@dataclass(frozen=True)
class FormSubmitted:
    actor: Actor
    form_id: str
    state: str = ""
    values: dict[str, FormValue] = field(default_factory=dict)
    where: Target | None = None
    nonce: str | None = None  # the opened form's single-use id (from its signed state): a replay changes nothing


Event = Command | Action | FormSubmitted
