"""The messages of an agreement: a proposal to confirm, the agreement in force, an invitation to record one."""

from __future__ import annotations

from datetime import datetime

from bot.agreements.groups import Group
from bot.agreements.render import as_text, fields_block, session_lines
from bot.agreements.terms import Terms
from bot.kernel.i18n import Translator
from bot.kernel.messages import Block, Button, Buttons, Context, Header, Message, Text
from storage.tables import Member

OPEN_ACTION = "agreement.open"
CONFIRM_ACTION = "agreement.confirm"


def proposal_buttons(t: Translator, group: Group, agreement_id: int | None) -> Buttons:
    """Confirm (while it waits for confirmation) and Suggest a change (the form, filled in with it)."""
    change = Button(t("agreements.button.change"), f"{OPEN_ACTION}:{group.ref}")
    if agreement_id is None:
        return Buttons((change,))
    return Buttons((Button(t("agreements.button.confirm"), f"{CONFIRM_ACTION}:{agreement_id}", style="primary"),
                    change))


def proposal_message(t: Translator, group: Group, terms: Terms, *, agreement_id: int | None, proposer: str,
                     now: datetime, reader: Member | None, intro_key: str = "agreements.ask.body") -> Message:
    """Asks a member to confirm (or change) a proposal, with its sessions in the reader's zone; without
    `agreement_id` (an agreement in force) it offers a change only."""
    title = t("agreements.ask.title", group=group.name)
    body = t(intro_key, name=proposer, group=group.name, program=group.program.name)
    sessions = "\n".join(session_lines(t, group, terms, now=now, reader=reader))
    note = t("agreements.ask.note" if agreement_id is not None else "agreements.confirmed.change")
    blocks: tuple[Block, ...] = (Header(title), Text(body), fields_block(t, terms, now=now), Text(sessions),
                                 Context(note), proposal_buttons(t, group, agreement_id))
    return Message(text="\n".join([title, body, as_text(t, terms, now=now), sessions, note]), blocks=blocks)


def confirmed_message(t: Translator, group: Group, terms: Terms, *, now: datetime, reader: Member | None) -> Message:
    """Everyone confirmed: the agreement, and the next sessions in the reader's zone."""
    title = t("agreements.confirmed.title", group=group.name)
    body = t("agreements.confirmed.body")
    sessions = "\n".join(session_lines(t, group, terms, now=now, reader=reader))
    change = t("agreements.confirmed.change")
    return Message(text="\n".join([title, body, as_text(t, terms, now=now), sessions, change]),
                   blocks=(Header(title), Text(body), fields_block(t, terms, now=now), Text(sessions), Context(change)))


def invitation_message(t: Translator, group: Group, *, moderator: bool) -> Message:
    """At the first session: record how the group will meet (for a circle, its moderator leads it)."""
    title = t("agreements.invite.title", group=group.name)
    body = t("agreements.invite.moderator" if moderator else "agreements.invite.body", group=group.name)
    what = t("agreements.invite.what")
    button = Buttons((Button(t("agreements.button.record"), f"{OPEN_ACTION}:{group.ref}", style="primary"),))
    return Message(text="\n".join([title, body, what, t("agreements.invite.command")]),
                   blocks=(Header(title), Text(body), Text(what), button, Context(t("agreements.invite.command"))))
