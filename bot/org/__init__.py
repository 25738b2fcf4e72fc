"""Org data: an admin's import of department, team, manager, seniority and start date, matched to members."""

from __future__ import annotations

from bot.kernel.capability import Capability

CAPABILITY = Capability(name="org")

__all__ = ["CAPABILITY"]
