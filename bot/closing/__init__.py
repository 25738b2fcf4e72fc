"""A program's ending: the closing phase after its last session (or `program end`): final poll, summaries, thanks."""

from __future__ import annotations

from bot.closing.finish import plan_closing_end
from bot.closing.phase import plan_closing_start, plan_closing_told
from bot.closing.thanks import MANAGER_NOTE, tell_manager
from bot.kernel.capability import Capability

# In this order within one planning pass: a running program enters the closing phase, its members are told, and
# once the final round has closed everything is sent and the program is closed.
CAPABILITY = Capability(
    name="closing",
    actions={MANAGER_NOTE: tell_manager},
    planners=(plan_closing_start, plan_closing_told, plan_closing_end),
)

__all__ = ["CAPABILITY"]
