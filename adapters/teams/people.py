"""Who a Teams user is by email, the org import's key. Teams' `from` carries no email, so the user's own record
(TeamsInfo.get_member: its email, else the user principal name) is asked once and kept in memory per user."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from adapters.teams.inbound import tenant_of, user_id_of

log = logging.getLogger(__name__)
Key = tuple[str, str]  # (tenant, member id)


def email_of(member: Any) -> str | None:
    """The member's email, lower-cased; a guest's principal name (`name_contoso.com#EXT#@…`) is no address."""
    for value in (getattr(member, "email", None), getattr(member, "user_principal_name", None)):
        if isinstance(value, str) and "@" in value and "#EXT#" not in value.upper():
            return value.strip().lower()
    return None


class Emails:
    """One lookup per user per `ttl` (a failed one again after `miss_ttl`), within `budget` seconds so a slow
    connector never holds a turn: without an answer the member is served, only without an email.

    In memory, per process, like Slack's profile cache: replicas ask once each, and nothing here outlives a
    restart or needs erasing (what the core keeps of an email is the member's own record)."""

    def __init__(self, *, ttl: float = 86_400.0, miss_ttl: float = 600.0, size: int = 10_000, budget: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.miss_ttl, self.size, self.budget, self.clock = ttl, miss_ttl, size, budget, clock
        self._known: OrderedDict[Key, tuple[float, str | None]] = OrderedDict()

    async def of(self, turn: TurnContext) -> str | None:
        activity = turn.activity
        account = activity.from_property
        key = (tenant_of(activity), user_id_of(account))
        known = self._known.get(key)
        if known is not None and known[0] > self.clock():
            self._known.move_to_end(key)
            return known[1]
        email = await self._lookup(turn, str(getattr(account, "id", None) or ""))
        self._known[key] = (self.clock() + (self.ttl if email else self.miss_ttl), email)
        self._known.move_to_end(key)
        while len(self._known) > self.size:
            self._known.popitem(last=False)
        return email

    async def _lookup(self, turn: TurnContext, member_id: str) -> str | None:
        if not member_id:
            return None
        try:
            member = await asyncio.wait_for(TeamsInfo.get_member(turn, member_id), self.budget)
        except Exception as error:  # a nicety: the command still runs without it
            log.info("no Teams member record for an email: %s", type(error).__name__)
            return None
        return email_of(member)
