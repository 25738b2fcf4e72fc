"""Who a Slack user is (users.info, cached): the Actor the core sees, and whether they left the workspace."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from adapters.slack.api import SlackApi, call
from bot.events import Actor
from bot.grammar import without_mentions
from bot.ports import DeliveryError, UnreachableMember

log = logging.getLogger(__name__)
PLATFORM = "slack"


@dataclass(frozen=True)
class Profile:
    user_id: str
    display_name: str | None
    locale: str | None
    timezone: str | None
    is_admin: bool  # workspace admin or owner
    deleted: bool = False


def profile_of(user: dict[str, object]) -> Profile:
    details = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    assert isinstance(details, dict)
    name = next((str(v) for v in (details.get("display_name"), details.get("real_name"), user.get("real_name"),
                                  user.get("name")) if v), None)
    return Profile(
        user_id=str(user.get("id") or ""),
        display_name=without_mentions(name) if name else None,  # the core echoes names: never as a mention
        locale=str(user["locale"]) if user.get("locale") else None,
        timezone=str(user["tz"]) if user.get("tz") else None,
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
        deleted=bool(user.get("deleted")),
    )


class Directory:
    """users.info behind a bounded LRU with a time to live: one lookup per member per TTL, shared by concurrent
    requests for the same member, so the slash command path stays free of Web API calls once warm."""

    def __init__(self, api: SlackApi, *, ttl: float = 600.0, size: int = 5000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.api = api
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._cache: OrderedDict[str, tuple[float, Profile]] = OrderedDict()
        self._pending: dict[str, asyncio.Task[Profile]] = {}

    def cached(self, user_id: str) -> Profile | None:
        entry = self._cache.get(user_id)
        if entry is None or entry[0] < self.clock():
            return None
        self._cache.move_to_end(user_id)
        return entry[1]

    def name(self, user_id: str) -> str | None:
        profile = self.cached(user_id)
        return profile.display_name if profile else None

    def remember(self, profile: Profile) -> None:
        self._cache[profile.user_id] = (self.clock() + self.ttl, profile)
        self._cache.move_to_end(profile.user_id)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)

    async def profile(self, user_id: str) -> Profile:
        """The user's profile; UnreachableMember when Slack does not know them or they were deactivated."""
        profile = self.cached(user_id)
        if profile is None:
            task = self._pending.get(user_id)
            if task is None:
                task = asyncio.ensure_future(self._fetch(user_id))
                self._pending[user_id] = task
                task.add_done_callback(lambda done: self._settle(user_id, done))
            profile = await asyncio.shield(task)
        if profile.deleted:
            raise UnreachableMember(f"users.info: {user_id} was deactivated")
        return profile

    def _settle(self, user_id: str, task: asyncio.Task[Profile]) -> None:
        self._pending.pop(user_id, None)
        if not task.cancelled():
            task.exception()  # read here, so an error nobody waited for (after a timeout) is not logged as lost

    async def _fetch(self, user_id: str) -> Profile:
        response = await call(self.api.web.users_info(user=user_id, include_locale=True), what="users.info")
        user = response.get("user")
        profile = profile_of(user if isinstance(user, dict) else {"id": user_id})
        self.remember(profile)
        return profile

    async def actor(self, *, team_id: str, user_id: str, fallback_name: str | None = None,
                    budget: float = 1.0) -> Actor:
        """The Actor for an inbound request. Slack wants an answer within 3 s, so the lookup gets `budget`
        seconds; without it the member still gets served, only without their Slack name, language and zone."""
        profile = self.cached(user_id)
        try:
            if profile is None:  # only a lookup needs a task and a deadline; the warm path stays cheap
                profile = await asyncio.wait_for(self.profile(user_id), budget)
            elif profile.deleted:
                raise UnreachableMember(f"users.info: {user_id} was deactivated")
        except (DeliveryError, TimeoutError) as error:
            log.info("no Slack profile for a member of %s: %s", team_id, type(error).__name__)
            profile = None
        if profile is None:
            return Actor(platform=PLATFORM, workspace_id=team_id, user_id=user_id,
                         display_name=without_mentions(fallback_name) if fallback_name else None)
        return Actor(platform=PLATFORM, workspace_id=team_id, user_id=user_id, display_name=profile.display_name,
                     locale=profile.locale, timezone=profile.timezone, is_workspace_admin=profile.is_admin)
