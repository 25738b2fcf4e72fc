"""Slack payloads -> the core's events (Command, Action, FormSubmitted), and where each came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from adapters.signing import Seal
from adapters.slack.blocks import decode_action
from adapters.slack.identity import PLATFORM
from adapters.slack.modals import Metadata, values_of
from adapters.slack.mrkdwn import from_slack
from bot.kernel.events import Action, Actor, Command, FormSubmitted
from bot.kernel.i18n import Translator
from bot.kernel.ports import Target

Surface = Literal["command", "message", "home", "modal"]
Body = dict[str, Any]


@dataclass(frozen=True)
class Origin:
    """The interaction being answered, and the ways back to the member that Slack gave us with it."""

    actor: Actor
    t: Translator
    surface: Surface
    channel: str | None = None  # the conversation the command was typed in or the button sat in
    response_url: str | None = None  # replies there, ephemeral or replacing the source message (30 minutes)
    trigger_id: str | None = None  # opens a modal, for 3 seconds
    message_ts: str | None = None  # the message holding the pressed button
    ephemeral: bool = False  # that message is an ephemeral one (only this member sees it)
    in_modal: bool = False  # the button sat in a modal: the next form is pushed on top

    @property
    def direct(self) -> bool:
        """A direct message: nobody else sees what is posted here."""
        return bool(self.channel and self.channel.startswith("D"))

    @property
    def me(self) -> Target:
        return Target(platform=PLATFORM, workspace_id=self.actor.workspace_id, kind="user", ref=self.actor.user_id)


def team_of(body: Body) -> str:
    team = body.get("team") if isinstance(body.get("team"), dict) else {}
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    return str(body.get("team_id") or (team or {}).get("id") or (user or {}).get("team_id") or "")


def user_of(body: Body) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or user or "")


def where_of(*, team_id: str, user_id: str, channel_id: str | None) -> Target | None:
    """A DM is the member's own place (kind "user"); every other conversation is a channel, circle channels too."""
    if not channel_id:
        return None
    if channel_id.startswith("D"):
        return Target(platform=PLATFORM, workspace_id=team_id, kind="user", ref=user_id)
    return Target(platform=PLATFORM, workspace_id=team_id, kind="channel", ref=channel_id)


def command_origin(body: Body, *, actor: Actor, t: Translator) -> Origin:
    return Origin(actor=actor, t=t, surface="command", channel=body.get("channel_id") or None,
                  response_url=body.get("response_url") or None, trigger_id=body.get("trigger_id") or None)


def command_event(body: Body, *, actor: Actor) -> Command:
    where = where_of(team_id=actor.workspace_id, user_id=actor.user_id, channel_id=body.get("channel_id"))
    return Command(actor=actor, text=from_slack(str(body.get("text") or "")).strip(), where=where)


def action_origin(body: Body, *, actor: Actor, t: Translator) -> Origin:
    container = body.get("container") or {}
    view = body.get("view") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    surface: Surface = "message"
    if container.get("type") == "view":
        surface = "home" if view.get("type") == "home" else "modal"
    return Origin(actor=actor, t=t, surface=surface, channel=channel or None,
                  response_url=body.get("response_url") or None, trigger_id=body.get("trigger_id") or None,
                  message_ts=container.get("message_ts") or None, ephemeral=bool(container.get("is_ephemeral")),
                  in_modal=surface == "modal")


def action_event(body: Body, *, actor: Actor, origin: Origin, seal: Seal) -> Action | None:
    """The first action of a block_actions payload (Slack sends one per interaction). Every value comes back signed
    for its action and the actor's workspace (adapters/slack/blocks.py): Tampered when one does not verify."""
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    kind = action.get("type")
    action_id = decode_action(str(action.get("action_id") or ""))
    values: tuple[str, ...] = ()
    if kind in ("static_select", "external_select", "radio_buttons"):
        value = seal.read_value(action_id, (action.get("selected_option") or {}).get("value"))
    elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        values = tuple(seal.read_value(action_id, o.get("value") if isinstance(o, dict) else None)
                       for o in action.get("selected_options") or [])
        value = values[0] if values else ""
    else:
        value = seal.read_value(action_id, action.get("value"))
    where = where_of(team_id=actor.workspace_id, user_id=actor.user_id, channel_id=origin.channel)
    if where is None and origin.surface == "home":
        where = origin.me
    return Action(actor=actor, action_id=action_id, value=value, values=values, where=where)


def submission_event(body: Body, *, actor: Actor, metadata: Metadata) -> FormSubmitted:
    where = where_of(team_id=actor.workspace_id, user_id=actor.user_id, channel_id=metadata.channel)
    return FormSubmitted(actor=actor, form_id=metadata.form_id, state=metadata.state,
                         values=values_of(body.get("view") or {}), where=where, nonce=metadata.nonce)


def submission_origin(body: Body, *, actor: Actor, t: Translator, metadata: Metadata) -> Origin:
    return Origin(actor=actor, t=t, surface="modal", channel=metadata.channel, response_url=metadata.response_url,
                  trigger_id=body.get("trigger_id") or None)
