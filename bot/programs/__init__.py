"""Programs, for admins: create, edit, invite, and move through draft -> enrolling -> forming -> running -> closing ->
closed, by command or, for enrollment, on its dates. Seats: a member who leaves frees one for the waitlist."""

from __future__ import annotations

from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec
from bot.kernel.intake import free_seat
from bot.programs.commands import (
    create,
    program_close,
    program_end,
    program_enroll,
    program_form_circles,
    program_list,
    program_open,
    program_show,
    submit_create,
)
from bot.programs.edit import EDIT_ACTION, EDIT_FORM, open_section, program_edit, submit_edit
from bot.programs.form import PROGRAM_FORM
from bot.programs.home import CREATE_ACTION, MOVE_ACTION, choose_create_home, choose_move_home, program_channel
from bot.programs.invite import plan_onboarding, program_invite
from bot.programs.schedule import plan_intake_dates
from bot.programs.script import program_script


def _admin(path: tuple[str, ...], key: str, slow: bool = False,
           aliases: tuple[tuple[str, ...], ...] = ()) -> CommandSpec:
    return CommandSpec(path, key, admin=True, group="admin", slow=slow, aliases=aliases)


CAPABILITY = Capability(
    name="programs",
    commands=(
        (_admin(("program", "create"), "program_create.help"), create),
        (_admin(("program", "edit"), "help.program_edit", aliases=(("program", "ubah"),)), program_edit),
        (_admin(("program", "channel"), "program_home.help",  # `kanal` kept for those who learnt it
                aliases=(("program", "kanal"), ("program", "saluran"))), program_channel),
        (_admin(("program", "list"), "help.program_list"), program_list),
        (_admin(("program", "show"), "help.program_show"), program_show),
        (_admin(("program", "open"), "help.program_open"), program_open),
        (_admin(("program", "close"), "help.program_close"), program_close),
        (_admin(("program", "form"), "help.program_form", slow=True), program_form_circles),
        (_admin(("program", "end"), "help.program_end"), program_end),
        (_admin(("program", "invite"), "help.program_invite", aliases=(("program", "undang"),)), program_invite),
        (_admin(("program", "enroll"), "help.program_enroll"), program_enroll),
        (CommandSpec(("program", "script"), "help.program_script", admin=True, group="admin", takes_file=True,
                     aliases=(("program", "skrip"),)), program_script),
    ),
    actions={EDIT_ACTION: open_section, CREATE_ACTION: choose_create_home, MOVE_ACTION: choose_move_home},
    forms={PROGRAM_FORM: submit_create, EDIT_FORM: submit_edit},
    planners=(plan_intake_dates, plan_onboarding),
    # After circles and pairs let the leaver go (capability order), the first waitlisted takes the seat.
    on_leave=(free_seat,),
)
