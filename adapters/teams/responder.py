"""The core's responses -> Teams: replies in the same conversation, forms and personal results in the 1:1 chat."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext

from adapters.signing import Tampered
from adapters.teams.cards import message_card
from adapters.teams.connection import Connection
from adapters.teams.form_cards import decode_form, form_card, signed_form
from adapters.teams.inbound import PERSONAL
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.outbound import card_activity, form_texts, message_texts, people_in
from adapters.teams.payloads import verified_form
from adapters.teams.references import PLATFORM
from adapters.teams.universal import card_answer, error_answer, message_answer
from bot.kernel.events import Action, Actor, Event, FormSubmitted
from bot.kernel.i18n import Translator
from bot.kernel.messages import Form, Message
from bot.kernel.ports import DeliveryError, Target
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response, UpdateSource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """The inbound turn being answered."""

    actor: Actor
    kind: str  # personal, channel, groupChat
    t: Translator
    source_id: str | None = None  # the card a button or form submit came from (Teams' replyToId)
    data: dict[str, Any] | None = None  # what that submit carried

    @property
    def shared(self) -> bool:
        return self.kind != PERSONAL

    @property
    def me(self) -> Target:
        return Target(platform=PLATFORM, workspace_id=self.actor.workspace_id, kind="user", ref=self.actor.user_id)


class Responder:
    def __init__(self, *, connection: Connection, messenger: TeamsMessenger) -> None:
        self.connection = connection
        self.messenger = messenger

    async def respond(self, turn: TurnContext, origin: Origin, event: Event, responses: list[Response]) -> None:
        submitted_ok = isinstance(event, FormSubmitted) and not any(isinstance(r, FormErrors) for r in responses)
        for response in responses:
            match response:
                case Reply(message=message, ephemeral=ephemeral):
                    # What answers a button or a form is the member's own business; a command typed in a
                    # channel is answered in its thread, where it was asked.
                    private = ephemeral and origin.shared and isinstance(event, Action | FormSubmitted)
                    await self._message(turn, origin, message, private=private)
                case OpenForm(form=form):
                    await self._form(turn, origin, form)
                case FormErrors(errors=errors):
                    await self._errors(turn, origin, event, errors)
                case UpdateSource(message=message):
                    await self._update_source(turn, origin, message)
        if submitted_ok and origin.source_id and not origin.shared:
            await self._close_form(turn, origin)

    async def execute(self, turn: TurnContext, origin: Origin, event: Action | FormSubmitted,
                      responses: list[Response], *, refresh: bool) -> dict[str, Any]:
        """An Action.Execute's answer: the card Teams shows in place of the pressed one, to that member only (their
        vote, the form with errors under its fields, a used form closed). Other answers go out as messages, as for
        a submit; a refresh only ever answers with the card."""
        answer: dict[str, Any] | None = None
        for response in responses:
            match response:
                case UpdateSource(message=message):
                    answer = card_answer(await self._card(origin, message))
                case FormErrors(errors=errors) if isinstance(event, FormSubmitted):
                    answer = self._errors_answer(origin, event, errors)
                case Reply(message=message, ephemeral=ephemeral) if not refresh:
                    await self._message(turn, origin, message, private=ephemeral and origin.shared)
                case OpenForm(form=form) if not refresh:
                    await self._form(turn, origin, form)
        if refresh:
            return answer or error_answer(404, "NotFound", "no view of this card for this member")
        if isinstance(event, FormSubmitted) and answer is None:  # accepted: the form is used up
            answer = card_answer(self._receipt(origin))
        return answer or message_answer(origin.t("teams_cards.done"))

    async def _card(self, origin: Origin, message: Message) -> dict[str, Any]:
        people = await people_in(self.messenger.store, tenant=origin.actor.workspace_id, texts=message_texts(message))
        return message_card(message, t=origin.t, people=people, seal=self.messenger.seal(origin.actor.workspace_id))

    def _errors_answer(self, origin: Origin, event: FormSubmitted, errors: dict[str, str]) -> dict[str, Any]:
        seal = self.messenger.seal(origin.actor.workspace_id, origin.actor.user_id)
        form = self._submitted_form(origin, seal)
        if form is None:
            return message_answer(errors_text(origin.t, None, errors))
        return card_answer(form_card(form, t=origin.t, values=event.values, errors=errors, seal=seal,
                                     nonce=event.nonce))

    def _submitted_form(self, origin: Origin, seal: Any) -> Form | None:
        data = origin.data or {}
        try:
            return signed_form(data, verified_form(data, seal=seal))
        except Tampered:
            return None

    def _receipt(self, origin: Origin) -> dict[str, Any]:
        form = decode_form((origin.data or {}).get("form"))
        done = Message(text=origin.t("teams.form.submitted", title=form.title if form is not None else ""))
        return message_card(done, t=origin.t, people={})

    async def _message(self, turn: TurnContext, origin: Origin, message: Message, *, private: bool) -> None:
        if private:
            await self._privately(turn, origin, await self.messenger.message_activity(origin.me, message, origin.t))
            return
        people = await people_in(self.messenger.store, tenant=origin.actor.workspace_id,
                                 texts=message_texts(message))
        seal = self.messenger.seal(origin.actor.workspace_id)
        await self.connection.post(turn, card_activity(message_card(message, t=origin.t, people=people, seal=seal),
                                                       summary=message.text))

    async def _form(self, turn: TurnContext, origin: Origin, form: Form) -> None:
        """Forms show the member's own data (their profile): in a channel they go to the 1:1 chat instead."""
        if origin.shared:
            if await self._privately(turn, origin, await self.messenger.form_activity(origin.me, form, origin.t)):
                await self._note(turn, origin, "teams.form.sent_privately")
            return
        people = await people_in(self.messenger.store, tenant=origin.actor.workspace_id, texts=form_texts(form))
        seal = self.messenger.seal(origin.actor.workspace_id, origin.actor.user_id)
        await self.connection.post(turn, card_activity(form_card(form, t=origin.t, people=people, seal=seal),
                                                       summary=form.title))

    async def _errors(self, turn: TurnContext, origin: Origin, event: Event, errors: dict[str, str]) -> None:
        """Show each error under its field on the card the member submitted, keeping what they typed. The same
        form again, with the same single-use nonce (an unsuccessful submit did not use it up): in place when the
        client said which card it was, else as a new card."""
        seal = self.messenger.seal(origin.actor.workspace_id, origin.actor.user_id)
        form = self._submitted_form(origin, seal)
        if form is not None and isinstance(event, FormSubmitted):
            activity = card_activity(form_card(form, t=origin.t, values=event.values, errors=errors, seal=seal,
                                               nonce=event.nonce), summary=form.title)
            if origin.source_id:
                await self.connection.replace(turn, activity_id=origin.source_id, activity=activity)
            elif origin.shared:
                await self._privately(turn, origin, activity)
            else:
                await self.connection.post(turn, activity)
            return
        await self._message(turn, origin, Message(text=errors_text(origin.t, form, errors)), private=origin.shared)

    async def _update_source(self, turn: TurnContext, origin: Origin, message: Message) -> None:
        """In a 1:1 chat the card changes in place. In a channel everyone sees that card, and the update shows
        one member's own choice (a secret ballot): that member gets it privately instead."""
        if origin.shared or not origin.source_id:
            await self._message(turn, origin, message, private=origin.shared)
            return
        people = await people_in(self.messenger.store, tenant=origin.actor.workspace_id,
                                 texts=message_texts(message))
        activity = card_activity(message_card(message, t=origin.t, people=people,
                                              seal=self.messenger.seal(origin.actor.workspace_id)),
                                 summary=message.text)
        await self.connection.replace(turn, activity_id=origin.source_id, activity=activity)

    async def _close_form(self, turn: TurnContext, origin: Origin) -> None:
        """A submitted form becomes a short receipt, so it cannot be sent twice by accident."""
        receipt = self._receipt(origin)
        try:
            await self.connection.replace(turn, activity_id=origin.source_id or "", activity=card_activity(
                receipt, summary=origin.t("teams.form.submitted", title="")))
        except DeliveryError as error:  # the answer was already sent; a stale card is only cosmetic
            log.info("could not close a submitted Teams form: %s", error)

    async def _privately(self, turn: TurnContext, origin: Origin, activity: Any) -> bool:
        try:
            await self.messenger.deliver(origin.me, activity)
            return True
        except DeliveryError as error:
            log.info("could not reach a Teams member privately: %s", error)
            await self._note(turn, origin, "teams.private_failed")
            return False

    async def _note(self, turn: TurnContext, origin: Origin, key: str) -> None:
        await self.connection.post(turn, card_activity(message_card(Message(text=origin.t(key)), t=origin.t,
                                                                    people={}), summary=origin.t(key)))


def errors_text(t: Translator, form: Form | None, errors: dict[str, str]) -> str:
    """Errors as text, each naming its field (for when the card cannot be shown again with them under it)."""
    labels = {i.name: i.label for i in form.inputs} if form is not None else {}
    lines = [t("teams_cards.form.fix_listed")]
    lines += [t("teams_cards.form.field_error", field=labels[name], error=error) if name in labels else error
              for name, error in errors.items()]
    return "\n".join(lines)
