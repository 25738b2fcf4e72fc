"""Every capability the core offers, in help-text order."""

from __future__ import annotations

from bot import enrollment
from bot.context import Feature


def all_features() -> tuple[Feature, ...]:
    return (enrollment.FEATURE,)
