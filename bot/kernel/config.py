"""What the core needs to know about its deployment, built by the composition root from settings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CoreConfig:
    admins: frozenset[str] = field(default_factory=frozenset)  # platform user ids that are always admins
    workspace_admins_are_admins: bool = True  # Slack workspace admins/owners count as Lingkar admins
    k_anonymity: int = 3  # aggregates only for groups at least this large
    default_locale: str = "en"
    default_timezone: str = "Asia/Jakarta"
    max_theme_title: int = 80
    max_free_text: int = 1000
