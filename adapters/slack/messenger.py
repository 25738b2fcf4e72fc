"""The Messenger port on the Slack Web API: messages, updates, circle channels, forms, images and files."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from adapters.signing import PayloadSigner, Scope, Seal
from adapters.slack.api import SlackApi, call
from adapters.slack.blocks import fallback_text, render
from adapters.slack.identity import PLATFORM, Directory
from adapters.slack.joining import ensure_member, post_joining
from adapters.slack.kept_forms import PendingForms
from adapters.slack.modals import Metadata, modal
from adapters.slack.spaces import SlackSpaceRef, create_channel, invite
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Button, Buttons, Form, Message, Text
from bot.kernel.ports import ChannelAccess, DeliveryError, MessageRef, SpaceRef, Target, UnreachableMember

log = logging.getLogger(__name__)

TRIGGER = "slack:trigger:"  # open_form context "slack:trigger:<trigger_id>[:<channel>]": a modal right away
FORM_BUTTON = "lingkar.slack.form"  # our own button that opens a form kept in PendingForms (never the core's)
DM_CACHE = 10_000
GROUP_DM_MAX = 8  # people in a Slack group DM, besides the bot


class SlackMessenger:
    def __init__(self, *, api: SlackApi, directory: Directory, default_locale: str, signer: PayloadSigner,
                 forms: PendingForms) -> None:
        self.api = api
        self.signer = signer
        self.directory = directory
        self.default_locale = default_locale
        self.forms = forms  # in the database: the button may be pressed on another replica
        self._dm: OrderedDict[tuple[str, str], str] = OrderedDict()  # (team, user) -> their DM with the bot

    def translator(self, user_id: str | None = None, *, team_id: str = "") -> Translator:
        profile = self.directory.cached(team_id=team_id, user_id=user_id) if user_id else None
        return Translator(resolve_locale(profile.locale if profile else None, self.default_locale))

    def seal(self, team_id: str, user_id: str | None = None) -> Seal:
        """Signs (and verifies) what comes back from this workspace; with a user, what only that member may send."""
        return Seal(self.signer, Scope(PLATFORM, team_id, user_id))

    def render(self, message: Message, *, t: Translator, team_id: str = "") -> dict[str, Any]:
        return {"text": fallback_text(message), "blocks": render(message, t=t, names=self.directory.names(team_id),
                                                                 seal=self.seal(team_id))}

    async def channel_of(self, target: Target) -> str:
        """Channels are their own id; a member is reached in their DM with the bot (conversations.open, cached)."""
        if target.kind != "user":
            return target.ref
        key = (target.workspace_id, target.ref)
        channel = self._dm.get(key)
        if channel is None:
            opened = await call(self.api.web.conversations_open(users=target.ref), what="conversations.open")
            channel = str((opened.get("channel") or {})["id"])
            self._dm[key] = channel
            while len(self._dm) > DM_CACHE:
                self._dm.popitem(last=False)
        return channel

    async def open_group_dm(self, members: list[str]) -> str:
        """conversations.open with several users opens (or finds again) their group DM, the bot included. A member
        who left or was deactivated fails the whole call: UnreachableMember, and the caller falls back to DMs."""
        users = ",".join(dict.fromkeys(m for m in members if m))
        opened = await call(self.api.web.conversations_open(users=users), what="conversations.open")
        return str((opened.get("channel") or {})["id"])

    async def send(self, target: Target, message: Message) -> MessageRef:
        channel = await self.channel_of(target)
        t = self.translator(target.ref if target.kind == "user" else None, team_id=target.workspace_id)
        rendered = self.render(message, t=t, team_id=target.workspace_id)
        posted = await post_joining(self.api, channel, lambda: call(self.api.web.chat_postMessage(
            channel=channel, unfurl_links=False, unfurl_media=False, **rendered), what="chat.postMessage"))
        return MessageRef(target=target, message_id=str(posted["ts"]))

    async def update(self, ref: MessageRef, message: Message) -> None:
        channel = await self.channel_of(ref.target)
        team = ref.target.workspace_id
        t = self.translator(ref.target.ref if ref.target.kind == "user" else None, team_id=team)
        await self.update_in(channel=channel, ts=ref.message_id, message=message, t=t, team_id=team)

    async def update_in(self, *, channel: str, ts: str, message: Message, t: Translator, team_id: str = "") -> None:
        await call(self.api.web.chat_update(channel=channel, ts=ts, **self.render(message, t=t, team_id=team_id)),
                   what="chat.update")

    async def post_ephemeral(self, *, channel: str, user: str, message: Message, t: Translator,
                             team_id: str = "") -> None:
        await call(self.api.web.chat_postEphemeral(channel=channel, user=user,
                                                   **self.render(message, t=t, team_id=team_id)),
                   what="chat.postEphemeral")

    async def open_space(
        self, *, workspace_id: str, platform: str, name: str, members: list[str], private: bool = True,
        parent: Target | None = None, group_chat: bool = False,
    ) -> SpaceRef:
        """A new channel (Slack has no sub-channels, so `parent` is not used) with the members invited. Members
        Slack refuses (left, deactivated) are skipped and listed in `SlackSpaceRef.skipped`. The Target's kind is
        "channel": a command typed in this channel carries the same Target, so the core finds its circle.
        With `group_chat`, a group DM of the members and the bot instead (no name; Slack allows 8 people)."""
        if group_chat and 1 < len(set(members)) <= GROUP_DM_MAX:
            channel = await self.open_group_dm(members)
            return SlackSpaceRef(target=Target(platform=platform, workspace_id=workspace_id, kind="channel",
                                               ref=channel), name=name)
        channel, used = await create_channel(self.api, name=name, private=private)
        skipped = await invite(self.api, channel=channel, members=members)
        target = Target(platform=platform, workspace_id=workspace_id, kind="channel", ref=channel)
        return SlackSpaceRef(target=target, name=used, skipped=tuple(skipped))

    async def add_to_space(self, space: SpaceRef, members: list[str]) -> None:
        """Invite more members; when Slack refuses every one of them, UnreachableMember says so."""
        skipped = await invite(self.api, channel=space.target.ref, members=members)
        if skipped and len(skipped) >= len({m for m in members if m}):
            raise UnreachableMember(f"conversations.invite: none of {len(skipped)} member(s) could be added")

    async def archive_space(self, space: Target) -> None:
        """conversations.archive: the channel stays readable, nobody can post. Archived already counts as done."""
        try:
            await call(self.api.web.conversations_archive(channel=space.ref), what="conversations.archive")
        except DeliveryError as error:
            if "already_archived" not in str(error):
                raise

    async def ensure_member(self, target: Target) -> ChannelAccess:
        """Joins a public channel it is not in; a private one needs `/invite @Lingkar` (adapters/slack/joining)."""
        return "ok" if target.kind == "user" else await ensure_member(self.api, target.ref)

    async def email_directory(self, *, workspace_id: str, platform: str) -> dict[str, str]:
        """users.list, page by page (needs users:read.email): every active person's email -> user id."""
        found: dict[str, str] = {}
        cursor: str | None = None
        while True:
            page = await call(self.api.web.users_list(limit=200, cursor=cursor), what="users.list")
            for user in page.get("members") or []:
                email = str((user.get("profile") or {}).get("email") or "").strip().lower()
                if email and not user.get("deleted") and not user.get("is_bot"):
                    found[email] = str(user["id"])
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "") or None
            if cursor is None:
                return found

    async def open_modal(self, *, trigger_id: str, form: Form, metadata: Metadata, t: Translator,
                         push: bool = False, team_id: str = "") -> None:
        view = modal(form, t=t, metadata=metadata, names=self.directory.names(team_id),
                     seal=self.seal(team_id, metadata.user))
        if push:  # from inside a modal Slack stacks the next one
            await call(self.api.web.views_push(trigger_id=trigger_id, view=view), what="views.push")
        else:
            await call(self.api.web.views_open(trigger_id=trigger_id, view=view), what="views.open")

    async def open_form(self, actor_context: str, form: Form) -> None:
        """`slack:trigger:<trigger_id>[:<channel>]` opens the modal at once. Any other context is a Target key:
        Slack cannot open a modal without a fresh trigger, so the member gets a message with a button for it."""
        if actor_context.startswith(TRIGGER):
            trigger_id, _, channel = actor_context.removeprefix(TRIGGER).partition(":")
            await self.open_modal(trigger_id=trigger_id, form=form, t=self.translator(),
                                  metadata=Metadata(form.form_id, form.state, channel=channel or None))
            return
        target = Target.from_key(actor_context)
        await self.send(target, await self.form_button(form, target=target))

    async def form_button(self, form: Form, *, target: Target, metadata: Metadata | None = None) -> Message:
        """A message whose button opens `form` (kept in PendingForms until pressed)."""
        user = target.ref if target.kind == "user" else None
        t = self.translator(user, team_id=target.workspace_id)
        token = await self.forms.keep(form, metadata or Metadata(form.form_id, form.state, user=user),
                                      team_id=target.workspace_id)
        text = form.intro or form.title
        return Message(text=text, blocks=(Text(text), Buttons((Button(t("slack.form.open", title=form.title),
                                                                       f"{FORM_BUTTON}:{token}", "primary"),))))

    async def publish_home(self, *, user_id: str, view: dict[str, Any]) -> None:
        await call(self.api.web.views_publish(user_id=user_id, view=view), what="views.publish")

    async def send_image(self, target: Target, png: bytes, title: str) -> MessageRef:
        return await self.send_file(target, png, "image.png", title)

    async def send_file(self, target: Target, data: bytes, filename: str, title: str) -> MessageRef:
        """files_upload_v2 (Slack's upload URL, then completeUploadExternal). The ref is the file id: Slack shares
        the file asynchronously and does not return the message's ts."""
        channel = await self.channel_of(target)
        uploaded = await call(self.api.web.files_upload_v2(channel=channel, file=data, filename=filename,
                                                           title=title[:250] or filename),
                              what="files.upload")
        file = uploaded.get("file") or {}
        if not file.get("id"):
            raise DeliveryError("files.completeUploadExternal: no file in the answer")
        return MessageRef(target=target, message_id=str(file["id"]))
