"""The admin digest (weekly, with a chart), `digest now`, and program exports."""

from __future__ import annotations

from bot.digest import commands
from bot.digest.planner import plan_digest
from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec

CAPABILITY = Capability(
    name="digest",
    commands=(
        (CommandSpec(("digest", "now"), "help.digest_now", admin=True, group="admin", slow=True,
                     aliases=(("ringkasan",),)), commands.digest_now),
        (CommandSpec(("export",), "help.export", admin=True, group="admin", slow=True, aliases=(("ekspor",),)),
         commands.export),
    ),
    planners=(plan_digest,),
)

__all__ = ["CAPABILITY"]
