"""HMAC signatures on what a client carries back (button values, form state), bound to platform, workspace and user."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, Signer, TimestampSigner

log = logging.getLogger(__name__)

FORM_MAX_AGE = 30 * 86_400  # seconds a form stays valid after it was opened (a card can sit in a chat for weeks)
_generated: str | None = None  # this process's key when none is configured


@dataclass(frozen=True)
class Scope:
    """Who a signed blob is valid for: the same text signed for another workspace (or member) fails there."""

    platform: str
    workspace_id: str
    user_id: str | None = None  # forms: the member it was opened for; buttons anyone in the workspace may press

    def salt(self, purpose: str) -> str:
        # Separated by a character ids never hold, so ("a", "b:c") and ("a:b", "c") are different salts.
        return "\x1f".join(("lingkar", purpose, self.platform, self.workspace_id, self.user_id or ""))


class Tampered(Exception):
    """A signed blob that does not verify: edited, signed for another scope or purpose, expired, or not ours."""


class PayloadSigner:
    """Signs text as `<text>.<signature>` (forms: `<text>.<time>.<signature>`), the text left readable."""

    def __init__(self, *, key: str) -> None:
        if not key:
            raise ValueError("a signing key is needed")
        self.key = key

    def _signer(self, scope: Scope, purpose: str, *, timed: bool) -> Signer:
        # Timed and plain tokens get different keys: a timed token must never pass as plain text with a suffix.
        salt = scope.salt(f"{purpose}/{'timed' if timed else 'plain'}")
        return TimestampSigner(self.key, salt=salt) if timed else Signer(self.key, salt=salt)

    def sign(self, text: str, *, scope: Scope, purpose: str, timed: bool = False) -> str:
        return self._signer(scope, purpose, timed=timed).sign(text).decode("utf-8")

    def unsign(self, token: str, *, scope: Scope, purpose: str, max_age: int | None = None) -> str:
        """The signed text; Tampered when the token does not verify for this scope and purpose. A `max_age` (in
        seconds) reads a timed token."""
        try:
            if max_age is not None:
                timed = self._signer(scope, purpose, timed=True)
                assert isinstance(timed, TimestampSigner)
                return timed.unsign(token, max_age=max_age).decode("utf-8")
            return self._signer(scope, purpose, timed=False).unsign(token).decode("utf-8")
        except (BadSignature, UnicodeDecodeError) as error:
            raise Tampered(purpose.split(":", 1)[0]) from error

    def seal(self, data: Any, *, scope: Scope, purpose: str, timed: bool = False) -> str:
        """JSON, signed."""
        return self.sign(json.dumps(data, separators=(",", ":"), ensure_ascii=False), scope=scope, purpose=purpose,
                         timed=timed)

    def open(self, token: Any, *, scope: Scope, purpose: str, max_age: int | None = None) -> Any:
        if not isinstance(token, str):
            raise Tampered(purpose)
        text = self.unsign(token, scope=scope, purpose=purpose, max_age=max_age)
        try:
            return json.loads(text)
        except ValueError as error:
            raise Tampered(purpose.split(":", 1)[0]) from error


@dataclass(frozen=True)
class Seal:
    """A signer bound to one workspace (and, for forms, one member): what the adapters render and read back with."""

    signer: PayloadSigner
    scope: Scope

    def for_user(self, user_id: str) -> Seal:
        return Seal(self.signer, Scope(self.scope.platform, self.scope.workspace_id, user_id))

    def value(self, action_id: str, value: str) -> str:
        """A button's or option's value, bound to its action: moved to another action (or workspace) it fails."""
        return self.signer.sign(value, scope=self.scope, purpose=f"action:{action_id}")

    def read_value(self, action_id: str, token: Any) -> str:
        if not isinstance(token, str):
            raise Tampered("action")
        return self.signer.unsign(token, scope=self.scope, purpose=f"action:{action_id}")

    def form(self, data: dict[str, Any]) -> str:
        """A form's state, for the member it was opened for (scope with a user), valid for FORM_MAX_AGE."""
        return self.signer.seal(data, scope=self.scope, purpose="form", timed=True)

    def read_form(self, token: Any) -> dict[str, Any]:
        data = self.signer.open(token, scope=self.scope, purpose="form", max_age=FORM_MAX_AGE)
        if not isinstance(data, dict):
            raise Tampered("form")
        return data


def new_nonce() -> str:
    """Each opened form's single-use id (consumed by the core when the form is submitted)."""
    return secrets.token_urlsafe(16)


def signer_for(key: str) -> PayloadSigner:
    """The signer for LINGKAR_SECRET_KEY; without one, a random key for this process (said once, as a warning)."""
    global _generated
    if key:
        return PayloadSigner(key=key)
    if _generated is None:
        _generated = secrets.token_urlsafe(32)
        log.warning("LINGKAR_SECRET_KEY is not set: signing with a random key for this process. Forms and buttons "
                    "sent before a restart will stop working, and several replicas must share one key: set it.")
    return PayloadSigner(key=_generated)
