"""Running pairs' entry points: the check-in command, button and form, and the planners the scheduler calls."""

from __future__ import annotations

from bot.kernel.context import Feature
from bot.kernel.grammar import CommandSpec
from bot.pairs.checkins import (
    CHECKIN_FORM,
    OPEN_ACTION,
    checkin_command,
    open_action,
    plan_pair_checkins,
    submit_checkin,
)
from bot.pairs.meetings import plan_pair_prompts, plan_pair_reminders

PLANNERS = (plan_pair_prompts, plan_pair_reminders, plan_pair_checkins)

FEATURE = Feature(
    commands=(
        (CommandSpec(("pair", "checkin"), "pair_running.help.checkin",
                     aliases=(("pair", "check-in"), ("pasangan", "cek-in"))), checkin_command),
    ),
    actions={OPEN_ACTION: open_action},
    forms={CHECKIN_FORM: submit_checkin},
)
