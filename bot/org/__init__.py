"""Org data: an admin's import of department, team, manager, seniority and start date, matched to members."""

from __future__ import annotations

from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec
from bot.org.commands import admin_import

CAPABILITY = Capability(
    name="org",
    commands=(
        # slow: a big file and the platform's directory can take longer than Slack's 3 s
        (CommandSpec(("admin", "import"), "help.admin_import", admin=True, group="admin", slow=True, takes_file=True,
                     aliases=(("admin", "impor"),)), admin_import),
    ),
)

__all__ = ["CAPABILITY"]
