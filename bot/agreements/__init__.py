"""Agreements: a pair or circle records how often, when and how long it meets, what about and how it stays in touch;
every member confirms, and the agreed slot becomes the group's own schedule (bot/kernel/timetable)."""

from __future__ import annotations

from bot.agreements.commands import agreement_command, open_action, show_command
from bot.agreements.confirm import confirm_action, settle_waiting
from bot.agreements.first_meeting import invite_to_agree
from bot.agreements.form import FORM_ID
from bot.agreements.messages import CONFIRM_ACTION, OPEN_ACTION
from bot.agreements.propose import submit_agreement
from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec

CAPABILITY = Capability(
    name="agreements",
    commands=(
        (CommandSpec(("agreement",), "agreements.help.agreement", aliases=(("kesepakatan",),)), agreement_command),
        (CommandSpec(("agreement", "show"), "agreements.help.show",
                     aliases=(("kesepakatan", "show"), ("agreement", "lihat"), ("kesepakatan", "lihat"))),
         show_command),
    ),
    actions={OPEN_ACTION: open_action, CONFIRM_ACTION: confirm_action},
    forms={FORM_ID: submit_agreement},
    planners=(invite_to_agree, settle_waiting),
)
