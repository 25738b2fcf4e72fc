"""Calendar invites: every circle's and pair's sessions as an .ics file in each member's DM, kept up to date."""

from __future__ import annotations

from bot.calendar_files.command import calendar_command
from bot.calendar_files.planner import plan_invites
from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec

CAPABILITY = Capability(
    name="calendar_files",
    commands=((CommandSpec(("calendar",), "calendar.help", aliases=(("kalender",),)), calendar_command),),
    planners=(plan_invites,),
)
