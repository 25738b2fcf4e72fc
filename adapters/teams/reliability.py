"""Talking to the Bot Connector without losing messages: retries with backoff, and per-conversation pacing."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from bot.kernel.ports import DeliveryError, UnreachableMember

log = logging.getLogger(__name__)
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Observe = Callable[[str], None]  # "rate_limited" or "retry": the adapters' metrics count them

# Throttled (429), precondition failed while Teams settles a conversation (412), bad gateway / gateway
# timeout (502, 504): Microsoft documents these as "retry with exponential backoff".
RETRY_STATUSES = frozenset({429, 412, 502, 504})


class ConversationForbidden(UnreachableMember):
    """403: the user blocked or uninstalled the bot, or the bot was removed from the conversation."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # tries in all, the first included
    base: float = 0.5  # seconds; the ceiling doubles with each retry
    cap: float = 30.0
    max_retry_after: float = 300.0  # a longer Retry-After goes back to the outbox instead of holding a worker

    def backoff(self, retry: int, rng: random.Random) -> float:
        """'Full jitter': spreads retries from many senders instead of synchronising them."""
        return rng.uniform(0, min(self.cap, self.base * 2 ** retry))


def status_of(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return int(status) if isinstance(status, int) else None


def retry_after_of(error: BaseException, *, now: datetime | None = None) -> float | None:
    """Retry-After in seconds, from either form the header takes (delta-seconds or an HTTP date)."""
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _is_connection_error(error: BaseException) -> bool:
    # msrest wraps requests' connection errors and timeouts in ClientRequestError.
    return type(error).__name__ in ("ClientRequestError", "ConnectionError", "Timeout") or isinstance(
        error, OSError | asyncio.TimeoutError)


async def with_retries(
    operation: Callable[[], Awaitable[T]], *, policy: RetryPolicy, sleep: Sleep, rng: random.Random,
    what: str, observe: Observe | None = None,
) -> T:
    """Run a connector call; retry the statuses Microsoft says to retry, translate the rest to DeliveryError."""
    retry = 0
    while True:
        try:
            return await operation()
        except DeliveryError:
            raise
        except Exception as error:
            status = status_of(error)
            if status is None and not _is_connection_error(error):
                raise
            retry_after = retry_after_of(error)
            if status == 429 and observe is not None:
                observe("rate_limited")
            if status == 403:
                raise ConversationForbidden(f"Teams refused {what} (403): the user blocked or removed the bot") \
                    from error
            if status is not None and status not in RETRY_STATUSES:
                permanent = 400 <= status < 500
                raise DeliveryError(f"Teams answered {status} to {what}", permanent=permanent) from error
            retry += 1
            if retry >= policy.attempts or (retry_after or 0) > policy.max_retry_after:
                reason = status or type(error).__name__
                raise DeliveryError(f"Teams kept failing {what} ({reason}) after {retry} tries",
                                    retry_after=retry_after) from error
            delay = retry_after if retry_after is not None else policy.backoff(retry, rng)
            log.info("Teams answered %s to %s; retry %d in %.2fs", status, what, retry, delay)
            await sleep(delay)
            if observe is not None:
                observe("retry")


@dataclass
class TokenBucket:
    """`capacity` tokens; each send takes one, and it comes back exactly `per_seconds` later. Unlike a bucket
    refilled at a steady rate, this never lets more than `capacity` sends into any window of that length."""

    capacity: int
    per_seconds: float
    spent: deque[float] = field(default_factory=deque)  # when the tokens in use were taken, oldest first

    def wait(self, now: float) -> float:
        while self.spent and now - self.spent[0] >= self.per_seconds:
            self.spent.popleft()
        return 0.0 if len(self.spent) < self.capacity else self.spent[0] + self.per_seconds - now

    def take(self, now: float) -> None:
        self.spent.append(now)


@dataclass
class Pacer:
    """Teams allows a bot 7 messages a second and 60 per 30 seconds in one conversation: a fan-out to one
    conversation waits its turn here instead of collecting 429s. Conversations do not wait for each other."""

    limits: tuple[tuple[int, float], ...] = ((7, 1.0), (60, 30.0))
    clock: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep
    max_conversations: int = 10_000
    _buckets: OrderedDict[str, tuple[list[TokenBucket], asyncio.Lock]] = field(default_factory=OrderedDict)

    def _entry(self, conversation_id: str) -> tuple[list[TokenBucket], asyncio.Lock]:
        entry = self._buckets.get(conversation_id)
        if entry is None:
            entry = ([TokenBucket(n, per) for n, per in self.limits], asyncio.Lock())
            self._buckets[conversation_id] = entry
            while len(self._buckets) > self.max_conversations:  # forget the least recently used conversation
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(conversation_id)
        return entry

    async def acquire(self, conversation_id: str) -> None:
        buckets, lock = self._entry(conversation_id)
        async with lock:
            while True:
                now = self.clock()
                wait = max(bucket.wait(now) for bucket in buckets)
                if wait <= 0:
                    for bucket in buckets:
                        bucket.take(now)
                    return
                await self.sleep(wait)


def thread_root(conversation_id: str) -> str:
    """Pacing applies per channel: replies in a thread count against the channel they live in."""
    return conversation_id.split(";", 1)[0]
