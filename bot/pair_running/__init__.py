"""Running mentoring pairs week after week: meeting prompts, reminders and confidential check-ins."""

from bot.pair_running.feature import FEATURE, PLANNERS

__all__ = ["FEATURE", "PLANNERS"]
