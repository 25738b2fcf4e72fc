"""Running circles week after week: prompts, reminders, check-ins, session logs, goals and pauses."""

from bot.running.feature import FEATURE, PLANNERS

__all__ = ["FEATURE", "PLANNERS"]
