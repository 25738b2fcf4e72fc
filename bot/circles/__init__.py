"""Running circles' entry points: commands, the check-in button, forms, and the planners the scheduler calls."""

from __future__ import annotations

from bot.circles.checkins import CHECKIN_FORM, checkin_command, open_action, plan_checkins, submit_checkin
from bot.circles.goals import GOAL_FORM, UPDATE_FORM, goal_list, goal_set, goal_update, submit_goal, submit_update
from bot.circles.missed import plan_missed_checkins
from bot.circles.pause import pause, resume
from bot.circles.prompts import plan_prompts, prompt_add, prompt_next, prompt_skip
from bot.circles.reminders import plan_reminders
from bot.circles.session_log import LOG_FORM, session_history, session_log, submit_log
from bot.kernel.context import Feature
from bot.kernel.grammar import CommandSpec

PLANNERS = (plan_prompts, plan_reminders, plan_checkins, plan_missed_checkins)

FEATURE = Feature(
    commands=(
        (CommandSpec(("checkin",), "help.running_checkin", aliases=(("check-in",), ("cek-in",))), checkin_command),
        (CommandSpec(("goal", "set"), "help.running_goal_set", aliases=(("tujuan", "atur"),)), goal_set),
        (CommandSpec(("goal", "update"), "help.running_goal_update", aliases=(("tujuan", "perbarui"),)),
         goal_update),
        (CommandSpec(("goal", "list"), "help.running_goal_list", aliases=(("tujuan", "lihat"),)), goal_list),
        (CommandSpec(("session", "history"), "help.running_session_history", aliases=(("sesi", "riwayat"),)),
         session_history),
        (CommandSpec(("pause",), "help.running_pause", aliases=(("jeda",),)), pause),
        (CommandSpec(("resume",), "help.running_resume", aliases=(("lanjut",),)), resume),
        (CommandSpec(("prompt", "next"), "help.running_prompt_next", aliases=(("topik", "berikutnya"),),
                     group="moderator"), prompt_next),
        (CommandSpec(("prompt", "skip"), "help.running_prompt_skip", aliases=(("topik", "lewati"),),
                     group="moderator"), prompt_skip),
        (CommandSpec(("prompt", "add"), "help.running_prompt_add", aliases=(("topik", "tambah"),),
                     group="moderator"), prompt_add),
        (CommandSpec(("session", "log"), "help.running_session_log", aliases=(("sesi", "catat"),),
                     group="moderator"), session_log),
    ),
    actions={"checkin.open": open_action},
    forms={CHECKIN_FORM: submit_checkin, LOG_FORM: submit_log, GOAL_FORM: submit_goal, UPDATE_FORM: submit_update},
)
