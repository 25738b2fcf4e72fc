"""Modals: a submitted form (answered in the ack when the core is quick) and a kept form opened by its button."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import replace
from typing import Protocol

from slack_bolt.async_app import AsyncAck

from adapters.slack.background import Background
from adapters.slack.events import Body, Origin, submission_event, submission_origin, team_of, user_of
from adapters.slack.identity import Directory
from adapters.slack.messenger import SlackMessenger
from adapters.slack.modals import Metadata, errors_for, modal, notice
from adapters.slack.responder import Responder
from bot.kernel.events import Actor, Event
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message
from bot.kernel.ports import DeliveryError
from bot.kernel.replies import FormErrors, OpenForm, Response

log = logging.getLogger("adapters.slack.app")  # the logger these warnings always had


class Bot(Protocol):
    """What the modal listeners use of SlackBot."""

    messenger: SlackMessenger
    directory: Directory
    responder: Responder
    background: Background

    def translator(self, actor: Actor) -> Translator: ...

    async def actor(self, body: Body, *, fallback_name: str | None = None) -> Actor: ...

    async def ask_core(self, event: Event) -> list[Response]: ...

    def left(self, started: float) -> float: ...

    def answered(self, kind: str, started: float) -> None: ...

    async def finish(self, origin: Origin, responses: Awaitable[list[Response]]) -> None: ...


async def submit(bot: Bot, ack: AsyncAck, body: Body) -> None:
    """Answer within the ack when the core is quick: errors under the fields, or the next step in place of the modal;
    otherwise close the modal and send what the core says as messages."""
    started = asyncio.get_running_loop().time()
    view = body.get("view") or {}
    seal = bot.messenger.seal(team_of(body), user_of(body))
    metadata = Metadata.decode(str(view.get("private_metadata") or ""), seal=seal)
    if metadata is None:  # edited, expired, or opened for another member or workspace: nothing is done
        log.warning("Slack: a modal's metadata failed verification in %s", team_of(body))
        t = bot.translator(await bot.actor(body))
        await ack(response_action="update", view=notice(t("trust.form_invalid"), t=t))
        return
    actor = await bot.actor(body)
    origin = submission_origin(body, actor=actor, t=bot.translator(actor), metadata=metadata)
    work = asyncio.ensure_future(bot.ask_core(submission_event(body, actor=actor, metadata=metadata)))
    done, _ = await asyncio.wait({work}, timeout=bot.left(started))
    if not done:  # close the modal in time; what the core says (errors too) follows as a message
        await ack()
        bot.background.spawn(_finish_late(bot, origin, work, started=started), what="a slow form")
        return
    responses = work.result()
    errors = next((r for r in responses if isinstance(r, FormErrors)), None)
    if errors is not None:  # shown under each field; what the member typed stays
        await ack(response_action="errors", errors=errors_for(view, errors=errors.errors))
        bot.answered("form", started)
        return
    follow = next((r for r in responses if isinstance(r, OpenForm)), None)
    rest = [r for r in responses if r is not follow]
    if follow is not None:  # the next step replaces this modal
        next_metadata = Metadata(follow.form.form_id, follow.form.state, channel=metadata.channel,
                                 user=actor.user_id, response_url=metadata.response_url)
        await ack(response_action="update", view=modal(follow.form, t=origin.t, metadata=next_metadata,
                                                       names=bot.directory.names(actor.workspace_id),
                                                       seal=seal))  # a fresh nonce: each step is single-use
    else:
        await ack()
    bot.answered("form", started)  # the member's modal moved on: what else the core said follows as messages
    if rest:
        bot.background.spawn(bot.responder.deliver(origin, rest), what="form replies")


async def _finish_late(bot: Bot, origin: Origin, work: Awaitable[list[Response]], *, started: float) -> None:
    await bot.finish(origin, work)
    bot.answered("form", started)


async def open_kept_form(bot: Bot, origin: Origin, token: str) -> None:
    """A form too big for a message, kept until the member presses its button: opened as a modal signed for them."""
    kept = await bot.messenger.forms.take(token, team_id=origin.actor.workspace_id)
    if kept is None or origin.trigger_id is None:
        await bot.responder.reply(origin, Message(text=origin.t("slack.form.expired")))
        return
    form, metadata = kept
    metadata = replace(metadata, user=origin.actor.user_id)  # the form is for whoever opens it: signed for them
    try:
        await bot.messenger.open_modal(trigger_id=origin.trigger_id, form=form, metadata=metadata, t=origin.t,
                                       team_id=origin.actor.workspace_id)
    except DeliveryError as error:
        await bot.messenger.forms.keep_again(token, form, metadata, team_id=origin.actor.workspace_id)
        log.warning("could not open a kept form: %s", error)
