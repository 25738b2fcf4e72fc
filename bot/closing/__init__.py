"""A program's ending: the closing phase after its last session (or `program end`): final poll, summaries, thanks."""

from __future__ import annotations

from bot.kernel.capability import Capability

CAPABILITY = Capability(name="closing")

__all__ = ["CAPABILITY"]
