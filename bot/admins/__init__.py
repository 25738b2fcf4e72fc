"""Lingkar admins (HR / L&D): add, remove and list them."""

from __future__ import annotations

from bot.admins.commands import admin_add, admin_list, admin_remove
from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec

CAPABILITY = Capability(
    name="admins",
    commands=(
        (CommandSpec(("admin", "add"), "help.admin_add", admin=True, group="admin"), admin_add),
        (CommandSpec(("admin", "remove"), "help.admin_remove", admin=True, group="admin"), admin_remove),
        (CommandSpec(("admin", "list"), "help.admin_list", admin=True, group="admin"), admin_list),
    ),
)
