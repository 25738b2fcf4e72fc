"""Every capability the core offers, in help-text order."""

from __future__ import annotations

from bot import (
    admin,
    circles,
    digest,
    enrollment,
    feedback,
    moderators,
    pair_running,
    pairs,
    privacy,
    programs,
    running,
    self_select,
    themes,
)
from bot.context import Feature


def all_features() -> tuple[Feature, ...]:
    return (
        enrollment.FEATURE,
        themes.FEATURE,
        self_select.FEATURE,
        circles.FEATURE,
        moderators.FEATURE,
        running.FEATURE,
        pairs.FEATURE,
        pair_running.FEATURE,
        feedback.FEATURE,
        privacy.FEATURE,
        programs.FEATURE,
        digest.FEATURE,
        admin.FEATURE,
    )
