"""Mentoring pairs: shortlists and matching, requests, the pair's meetings and check-ins."""

from __future__ import annotations

from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec
from bot.pairs.care import (
    ENGAGEMENT_ACTION,
    ENGAGEMENT_FORM,
    open_engagement,
    plan_engagement_checks,
    submit_engagement,
)
from bot.pairs.care_report import engagement_report
from bot.pairs.checkins import (
    CHECKIN_FORM,
    OPEN_ACTION,
    checkin_command,
    open_action,
    plan_pair_checkins,
    submit_checkin,
)
from bot.pairs.commands import END_FORM, avoid, end, info, on_program_leave, publish, set_pair, submit_end
from bot.pairs.concern import CONCERN_FORM, concern, submit_concern
from bot.pairs.forming import form_step, settle_pair_spaces
from bot.pairs.home import PARTNER_SECTION
from bot.pairs.late import plan_waiting
from bot.pairs.meetings import plan_pair_prompts, plan_pair_reminders
from bot.pairs.requests import accept, choose, decline
from bot.pairs.roles import CAPACITY_ACTION, ROLE_ACTION, ask_roles, choose_capacity, choose_role, close_step, join_step
from bot.pairs.timeouts import plan_timeouts

CAPABILITY = Capability(
    name="pairs",
    commands=(
        (CommandSpec(("pair", "info"), "help.pair_info", aliases=(("pasangan", "info"),)), info),
        (CommandSpec(("pair", "end"), "help.pair_end", aliases=(("pasangan", "akhiri"),)), end),
        (CommandSpec(("pair", "avoid"), "help.pair_avoid", aliases=(("pasangan", "hindari"),)), avoid),
        (CommandSpec(("pair", "publish"), "help.pair_publish", admin=True, group="admin", slow=True), publish),
        (CommandSpec(("pair", "set"), "help.pair_set", admin=True, group="admin"), set_pair),
        (CommandSpec(("pair", "checkin"), "pair_running.help.checkin",
                     aliases=(("pair", "check-in"), ("pasangan", "cek-in"))), checkin_command),
        (CommandSpec(("pair", "concern"), "care.help.concern", aliases=(("pasangan", "keluhan"),)), concern),
        (CommandSpec(("pair", "engagement"), "care.help.engagement", admin=True, group="admin",
                     aliases=(("pasangan", "keterlibatan"),)), engagement_report),
    ),
    actions={"pair.choose": choose, "pair.accept": accept, "pair.decline": decline, OPEN_ACTION: open_action,
             ROLE_ACTION: choose_role, CAPACITY_ACTION: choose_capacity, ENGAGEMENT_ACTION: open_engagement},
    forms={END_FORM: submit_end, CHECKIN_FORM: submit_checkin, ENGAGEMENT_FORM: submit_engagement,
           CONCERN_FORM: submit_concern},
    planners=(ask_roles, settle_pair_spaces, plan_timeouts, plan_waiting, plan_pair_prompts, plan_pair_reminders,
              plan_pair_checkins, plan_engagement_checks),
    on_leave=(on_program_leave,),
    on_close=(close_step,),
    on_form=(form_step,),
    on_join=(join_step,),
    home=(PARTNER_SECTION,),
)
