"""Every capability the core offers, in help-text order."""

from __future__ import annotations

from bot import circles as running
from bot import digest, feedback
from bot import pairs as pair_running
from bot.admins import commands as admin
from bot.circles import commands as circles
from bot.circles import moderators, self_select
from bot.enrollment import commands as enrollment
from bot.kernel.context import Feature
from bot.pairs import commands as pairs
from bot.privacy import commands as privacy
from bot.programs import commands as programs
from bot.themes import commands as themes


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
