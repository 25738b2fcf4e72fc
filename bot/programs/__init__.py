"""Programs, for admins: create, list, and move through draft -> enrolling -> forming -> running -> closed."""

from __future__ import annotations

from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec
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
from bot.programs.form import PROGRAM_FORM


def _admin(path: tuple[str, ...], key: str, slow: bool = False) -> CommandSpec:
    return CommandSpec(path, key, admin=True, group="admin", slow=slow)


CAPABILITY = Capability(
    name="programs",
    commands=(
        (_admin(("program", "create"), "help.program_create"), create),
        (_admin(("program", "list"), "help.program_list"), program_list),
        (_admin(("program", "show"), "help.program_show"), program_show),
        (_admin(("program", "open"), "help.program_open"), program_open),
        (_admin(("program", "close"), "help.program_close"), program_close),
        (_admin(("program", "form"), "help.program_form", slow=True), program_form_circles),
        (_admin(("program", "end"), "help.program_end"), program_end),
        (_admin(("program", "enroll"), "help.program_enroll"), program_enroll),
    ),
    forms={PROGRAM_FORM: submit_create},
)
