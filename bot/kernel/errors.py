"""Errors a member can cause: raised anywhere in the core, answered once, localised, by the dispatcher."""

from __future__ import annotations


class UserError(Exception):
    """Carries an i18n key and its parameters; never a stack trace for the member."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotAllowed(UserError):
    """The actor lacks the role (admin, moderator) the command needs."""
