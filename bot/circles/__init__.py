"""Circles: picking, membership, moderators and elections, and the running circle's sessions, goals and pauses."""

from __future__ import annotations

from bot.circles import arrange, commands, moderators, self_select
from bot.circles.checkins import CHECKIN_FORM, checkin_command, open_action, plan_checkins, submit_checkin
from bot.circles.elections import plan_elections, plan_rotation
from bot.circles.forming import form_step
from bot.circles.home import CIRCLE_SECTION, RUNNING_SECTION
from bot.circles.joining import on_join, place_waiting
from bot.circles.kit import plan_kits
from bot.circles.launch import settle_spaces
from bot.circles.missed import plan_missed_checkins
from bot.circles.prompts import plan_prompts, prompt_add, prompt_next, prompt_skip
from bot.circles.reminders import plan_reminders
from bot.circles.session_log import LOG_FORM, session_history, session_log, submit_log
from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec
from bot.sessions.goals import GOAL_FORM, UPDATE_FORM, goal_list, goal_set, goal_update, submit_goal, submit_update
from bot.sessions.pause import pause, resume

# The running circle's planners (the scheduler calls them after the elections'); tests run them alone.
RUNNING_PLANNERS = (plan_prompts, plan_reminders, plan_checkins, plan_missed_checkins)

CAPABILITY = Capability(
    name="circles",
    commands=(
        (CommandSpec(("circle", "pick"), "help.circle_pick", aliases=(("lingkaran", "pilih"),)),
         self_select.pick_command),
        (CommandSpec(("circle", "info"), "help.circle_info", aliases=(("lingkaran", "info"),)), commands.info),
        (CommandSpec(("circle", "members"), "help.circle_members", aliases=(("lingkaran", "anggota"),)),
         commands.members),
        (CommandSpec(("circle", "leave"), "help.circle_leave", aliases=(("lingkaran", "keluar"),)), commands.leave),
        (CommandSpec(("circle", "retry"), "help.circle_retry", admin=True, group="admin",
                     aliases=(("lingkaran", "ulang"),)), commands.retry),
        (CommandSpec(("circle", "add"), "help.circle_add", admin=True, group="admin",
                     aliases=(("lingkaran", "tambah"),)), arrange.add),
        (CommandSpec(("circle", "merge"), "help.circle_merge", admin=True, group="admin",
                     aliases=(("lingkaran", "gabungkan"),)), arrange.merge),
        (CommandSpec(("moderator", "nominate"), "help.moderator_nominate", aliases=(("moderator", "calonkan"),)),
         moderators.nominate),
        (CommandSpec(("moderator", "stand"), "help.moderator_stand", aliases=(("moderator", "maju"),)),
         moderators.nominate),
        (CommandSpec(("moderator", "decline"), "help.moderator_decline", aliases=(("moderator", "tolak"),)),
         moderators.decline),
        (CommandSpec(("moderator", "handover"), "help.moderator_handover", group="moderator",
                     aliases=(("moderator", "serahkan"),)), moderators.handover),
        (CommandSpec(("moderator", "appoint"), "help.moderator_appoint", admin=True, group="admin",
                     aliases=(("moderator", "tunjuk"),)), moderators.appoint),
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
    actions={"circle.pick": self_select.pick, "elect.vote": moderators.vote_action,
             "elect.ballot": moderators.ballot_action, "checkin.open": open_action,
             arrange.MERGE: arrange.confirm_merge},
    forms={commands.LEAVE_FORM: commands.submit_leave, CHECKIN_FORM: submit_checkin, LOG_FORM: submit_log,
           GOAL_FORM: submit_goal, UPDATE_FORM: submit_update},
    planners=(settle_spaces, place_waiting, plan_elections, plan_rotation, *RUNNING_PLANNERS, plan_kits),
    on_leave=(commands.on_program_leave,),
    on_close=(self_select.open_for_picking,),
    on_form=(form_step,),
    on_join=(on_join,),
    home=(CIRCLE_SECTION, RUNNING_SECTION),
)
