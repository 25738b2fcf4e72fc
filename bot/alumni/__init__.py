"""What next after a program: the alumni circle, mentoring the next cohort, a new match, staying in touch."""

from __future__ import annotations

from bot.kernel.capability import Capability

CAPABILITY = Capability(name="alumni")

__all__ = ["CAPABILITY"]
