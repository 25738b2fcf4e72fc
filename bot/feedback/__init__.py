"""Feedback: pulse, midpoint and final polls, before/after self-assessment, K-anonymous results."""

from __future__ import annotations

from bot.feedback import assessment, commands, polls
from bot.feedback.planner import plan_feedback, plan_final_reminder, plan_final_report
from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec

CAPABILITY = Capability(
    name="feedback",
    commands=(
        (CommandSpec(("feedback",), "help.feedback", aliases=(("umpan", "balik"),)), commands.answer),
        (CommandSpec(("feedback", "results"), "help.feedback_results", aliases=(("umpan", "balik", "hasil"),)),
         commands.results),
        (CommandSpec(("feedback", "every"), "help.feedback_every", admin=True, group="admin"), commands.every),
    ),
    actions={polls.OPEN_POLL: polls.open_poll, assessment.OPEN_ASSESSMENT: assessment.open_assessment},
    forms={polls.POLL_FORM: polls.submit_poll, assessment.ASSESSMENT_FORM: assessment.submit_assessment},
    planners=(plan_feedback, plan_final_reminder, plan_final_report),
)

__all__ = ["CAPABILITY"]
