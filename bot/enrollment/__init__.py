"""Enrollment: join through the questionnaire (or by accepting an invitation), the profile, leaving without blame
(a seat or a waitlist place), status, help."""

from __future__ import annotations

from bot.enrollment.commands import (
    LEAVE_FORM,
    STATUS_SECTION,
    join,
    join_action,
    leave,
    leave_action,
    profile,
    show_help,
    status,
    submit_leave,
    submit_profile,
)
from bot.enrollment.invitation import answer
from bot.enrollment.profile import PROFILE_FORM
from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec

CAPABILITY = Capability(
    name="enrollment",
    commands=(
        (CommandSpec(("join",), "help.join", aliases=(("gabung",), ("ikut",))), join),
        (CommandSpec(("profile",), "help.profile", aliases=(("profil",),)), profile),
        (CommandSpec(("leave",), "help.leave", aliases=(("keluar",),)), leave),
        (CommandSpec(("status",), "help.status"), status),
        (CommandSpec(("help",), "help.help", aliases=(("bantuan",), ("?",))), show_help),
    ),
    actions={"join": join_action, "leave": leave_action, "invite": answer},
    forms={PROFILE_FORM: submit_profile, LEAVE_FORM: submit_leave},
    home=(STATUS_SECTION,),
)
