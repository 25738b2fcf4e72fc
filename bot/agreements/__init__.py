"""Agreements: a pair or circle records how often, when and how long it meets, what about and how it stays in touch;
every member confirms, and the agreed slot becomes the group's own schedule (bot/kernel/timetable)."""

from __future__ import annotations

from bot.kernel.capability import Capability

CAPABILITY = Capability(name="agreements")
