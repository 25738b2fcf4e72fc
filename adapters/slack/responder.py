"""The core's responses -> Slack: the command's ack, response_url, ephemeral posts, DMs, modals, replaced messages."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.events import Origin
from adapters.slack.messenger import SlackMessenger
from adapters.slack.modals import Metadata
from bot.kernel.messages import Form, Message
from bot.kernel.ports import DeliveryError, Target
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response, UpdateSource

log = logging.getLogger(__name__)


def errors_message(errors: dict[str, str]) -> Message:
    return Message(text="\n".join(errors.values()))


class Responder:
    def __init__(self, *, messenger: SlackMessenger) -> None:
        self.messenger = messenger

    def ack_body(self, origin: Origin, responses: list[Response]) -> tuple[dict[str, Any], list[Response]]:
        """A slash command's first reply goes in the HTTP answer itself (no extra call); the rest follow."""
        if responses:
            first = responses[0]
            message: Message | None = None
            ephemeral = True
            if isinstance(first, Reply):
                message, ephemeral = first.message, first.ephemeral
            elif isinstance(first, UpdateSource):
                message = first.message
            elif isinstance(first, FormErrors):
                message = errors_message(first.errors)
            if message is not None:
                body = self.messenger.render(message, t=origin.t, team_id=origin.actor.workspace_id)
                body["response_type"] = "ephemeral" if ephemeral else "in_channel"
                return body, responses[1:]
        return {}, responses

    async def deliver(self, origin: Origin, responses: list[Response]) -> None:
        """Each response in order; a failure is logged and the rest still go out."""
        for response in responses:
            try:
                match response:
                    case Reply(message=message, ephemeral=ephemeral):
                        await self.reply(origin, message, ephemeral=ephemeral)
                    case OpenForm(form=form):
                        await self.form(origin, form)
                    case FormErrors(errors=errors):
                        await self.reply(origin, errors_message(errors))
                    case UpdateSource(message=message):
                        await self.update_source(origin, message)
            except DeliveryError as error:
                log.warning("could not answer a Slack %s: %s", origin.surface, error)

    async def reply(self, origin: Origin, message: Message, *, ephemeral: bool = True) -> None:
        """Where the member acted when Slack lets us (response_url, then an ephemeral post), else their DM."""
        kind = "ephemeral" if ephemeral else "in_channel"
        if origin.response_url and await self.respond(origin.response_url, message, origin, response_type=kind):
            return
        if origin.channel and not origin.direct:
            try:
                if ephemeral:
                    await self.messenger.post_ephemeral(channel=origin.channel, user=origin.actor.user_id,
                                                        message=message, t=origin.t,
                                                        team_id=origin.actor.workspace_id)
                else:
                    await self.messenger.send(Target(platform=origin.me.platform, kind="channel",
                                                     workspace_id=origin.actor.workspace_id, ref=origin.channel),
                                              message)
                return
            except DeliveryError as error:  # e.g. the bot is not in that channel: the member's DM still works
                log.info("could not post in the member's channel, using their DM: %s", error)
        await self.messenger.send(origin.me, message)

    async def respond(self, url: str, message: Message, origin: Origin, *, response_type: str | None = None,
                      replace: bool = False) -> bool:
        body = self.messenger.render(message, t=origin.t, team_id=origin.actor.workspace_id)
        if replace:
            body["replace_original"] = True
        else:
            body["response_type"] = response_type or "ephemeral"
            body["replace_original"] = False
        client = AsyncWebhookClient(url, session=self.messenger.api.session)
        try:
            answer = await client.send_dict(body)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.info("response_url failed: %s", type(error).__name__)
            return False
        if answer.status_code != 200:  # expired (30 minutes, 5 uses) or refused
            log.info("response_url answered %s", answer.status_code)
            return False
        return True

    async def form(self, origin: Origin, form: Form) -> None:
        """A modal while the trigger is fresh (3 s); otherwise a message with a button that opens it."""
        metadata = Metadata(form.form_id, form.state, channel=origin.channel, user=origin.actor.user_id,
                            response_url=origin.response_url)
        if origin.trigger_id:
            try:
                await self.messenger.open_modal(trigger_id=origin.trigger_id, form=form, metadata=metadata,
                                                t=origin.t, push=origin.in_modal, team_id=origin.actor.workspace_id)
                return
            except DeliveryError as error:  # expired_trigger_id after a slow command, for one
                log.info("could not open a modal: %s", error)
        await self.reply(origin, await self.messenger.form_button(form, target=origin.me, metadata=metadata))

    async def update_source(self, origin: Origin, message: Message) -> None:
        """Replace the message whose button was pressed where only this member sees it (an ephemeral message or
        their DM). In a shared channel everyone sees that message, and the update shows one member's own choice
        (a secret ballot): that member gets it as an ephemeral reply instead."""
        private = origin.surface == "message" and (origin.ephemeral or origin.direct)
        if private and origin.response_url and await self.respond(origin.response_url, message, origin,
                                                                  replace=True):
            return
        if private and origin.direct and origin.channel and origin.message_ts:
            await self.messenger.update_in(channel=origin.channel, ts=origin.message_ts, message=message, t=origin.t,
                                           team_id=origin.actor.workspace_id)
            return
        await self.reply(origin, message)
