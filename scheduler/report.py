"""What a delivery run did, how it backs off, and how a failed send is described in `last_error` and logs."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from bot.kernel.ports import DeliveryError, Target


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter for errors that did not say when to come back (5xx, timeouts)."""

    base: float = 30.0  # seconds before the second try, roughly
    cap: float = 3600.0

    def delay(self, attempts: int, rng: random.Random) -> float:
        """`attempts` tries made so far; half the ceiling is fixed so a retry never comes straight back."""
        ceiling = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        return rng.uniform(ceiling / 2, ceiling)


@dataclass
class DeliveryReport:
    claimed: int = 0  # taken to be sent (skipped ones are counted in `skipped` only)
    sent: int = 0
    retried: int = 0  # tried, failed, back in the queue with next_attempt_at
    failed: int = 0  # given up: permanent error, unreachable member, or out of attempts
    skipped: Counter[str] = field(default_factory=Counter)  # by reason: stale, erased, paused
    deferred: int = 0  # not tried: its target asked us to wait (Retry-After); back in the queue
    released: int = 0  # not tried: the run was asked to stop
    lost: int = 0  # not tried: the lease was taken over before the send
    errors: int = 0  # outcome could not be recorded (database trouble): the lease will bring it back

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped_total

    def absorb(self, other: DeliveryReport) -> None:
        for name in ("claimed", "sent", "retried", "failed", "deferred", "released", "lost", "errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped.update(other.skipped)


def describe(error: BaseException) -> str:
    """What goes into last_error and the logs: the adapter's own wording for platform errors, else the type.
    Never the message body: an unexpected exception's text might quote it."""
    if isinstance(error, DeliveryError):
        return f"{type(error).__name__}: {error}"[:500]
    return f"unexpected {type(error).__name__}"


def where(target: Target) -> str:
    return f"{target.platform}:{target.workspace_id}:{target.kind}"
