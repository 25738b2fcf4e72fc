"""What a handler answers with; the adapter renders these at once, to the actor."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.messages import Form, Message


@dataclass(frozen=True)
class Reply:
    message: Message
    ephemeral: bool = True  # only the actor sees it (Slack ephemeral; Teams replies in the 1:1 or thread)


@dataclass(frozen=True)
class OpenForm:
    form: Form


@dataclass(frozen=True)
class FormErrors:
    """Validation failed: show each message next to its field, keep what the member typed."""

    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UpdateSource:
    """Replace the message whose button was pressed (e.g. to show the member's own vote)."""

    message: Message


Response = Reply | OpenForm | FormErrors | UpdateSource
