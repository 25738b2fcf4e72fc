"""Who a Slack user is (users.info, cached): the Actor the core sees, and whether they left the workspace."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from adapters.slack.api import SlackApi, call
from bot.kernel.events import Actor
from bot.kernel.grammar import without_mentions
from bot.kernel.ports import DeliveryError, UnreachableMember

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
    email: str | None = None  # lower-cased; Slack shows it only with users:read.email (the org import's key)


def profile_of(user: dict[str, object]) -> Profile:
    details = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    assert isinstance(details, dict)
    name = next((str(v) for v in (details.get("display_name"), details.get("real_name"), user.get("real_name"),
                                  user.get("name")) if v), None)
    email = details.get("email")
    return Profile(
        user_id=str(user.get("id") or ""),
        display_name=without_mentions(name) if name else None,  # the core echoes names: never as a mention
        locale=str(user["locale"]) if user.get("locale") else None,
        timezone=str(user["tz"]) if user.get("tz") else None,
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
        deleted=bool(user.get("deleted")),
        email=(email.strip().lower() or None) if isinstance(email, str) else None,
    )


Key = tuple[str, str]  # (team id, user id): one Slack user id can be a different person in another workspace


class Directory:
    """users.info behind a bounded LRU with a time to live: one lookup per member per TTL, shared by concurrent
    requests for the same member, so the slash command path stays free of Web API calls once warm.

    Everything is keyed by (team, user): on Enterprise Grid one app serves many workspaces, and a user id seen in
    one of them says nothing about the name, language or admin rights of the same id in another.

    Per process, so replicas may differ for up to `ttl` (10 minutes) after a member changes their Slack profile:
    one replica may still greet them by the old name or language, or miss a fresh workspace-admin grant. That is
    safe to differ: nothing stored depends on which replica answered (the core re-reads roles from the database,
    LINGKAR_ADMINS and `admin add`), and every replica converges within the TTL. The DM channel cache in
    messenger.py never differs (Slack returns the same DM for a member) and bolt's parse cache holds no data."""

    def __init__(self, api: SlackApi, *, ttl: float = 600.0, size: int = 5000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.api = api
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._cache: OrderedDict[Key, tuple[float, Profile]] = OrderedDict()
        self._pending: dict[Key, asyncio.Task[Profile]] = {}

    def cached(self, *, team_id: str, user_id: str) -> Profile | None:
        key = (team_id, user_id)
        entry = self._cache.get(key)
        if entry is None or entry[0] < self.clock():
            return None
        self._cache.move_to_end(key)
        return entry[1]

    def name(self, *, team_id: str, user_id: str) -> str | None:
        profile = self.cached(team_id=team_id, user_id=user_id)
        return profile.display_name if profile else None

    def names(self, team_id: str) -> Callable[[str], str | None]:
        """The name lookup renderers take (a mention's fallback text), bound to one workspace."""
        return lambda user_id: self.name(team_id=team_id, user_id=user_id)

    def remember(self, profile: Profile, *, team_id: str) -> None:
        key = (team_id, profile.user_id)
        self._cache[key] = (self.clock() + self.ttl, profile)
        self._cache.move_to_end(key)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)

    async def profile(self, *, team_id: str, user_id: str) -> Profile:
        """The user's profile; UnreachableMember when Slack does not know them or they were deactivated."""
        key = (team_id, user_id)
        profile = self.cached(team_id=team_id, user_id=user_id)
        if profile is None:
            task = self._pending.get(key)
            if task is None:
                task = asyncio.ensure_future(self._fetch(team_id, user_id))
                self._pending[key] = task
                task.add_done_callback(lambda done: self._settle(key, done))
            profile = await asyncio.shield(task)
        if profile.deleted:
            raise UnreachableMember(f"users.info: {user_id} was deactivated")
        return profile

    def _settle(self, key: Key, task: asyncio.Task[Profile]) -> None:
        self._pending.pop(key, None)
        if not task.cancelled():
            task.exception()  # read here, so an error nobody waited for (after a timeout) is not logged as lost

    async def _fetch(self, team_id: str, user_id: str) -> Profile:
        # team_id picks the workspace when the app is installed org-wide; a workspace token ignores it.
        extra = {"team_id": team_id} if team_id else {}
        response = await call(self.api.web.users_info(user=user_id, include_locale=True, **extra),
                              what="users.info")
        user = response.get("user")
        profile = profile_of(user if isinstance(user, dict) else {"id": user_id})
        self.remember(profile, team_id=team_id)
        return profile

    async def actor(self, *, team_id: str, user_id: str, fallback_name: str | None = None,
                    budget: float = 1.0) -> Actor:
        """The Actor for an inbound request. Slack wants an answer within 3 s, so the lookup gets `budget`
        seconds; without it the member still gets served, only without their Slack name, language and zone."""
        profile = self.cached(team_id=team_id, user_id=user_id)
        try:
            if profile is None:  # only a lookup needs a task and a deadline; the warm path stays cheap
                profile = await asyncio.wait_for(self.profile(team_id=team_id, user_id=user_id), budget)
            elif profile.deleted:
                raise UnreachableMember(f"users.info: {user_id} was deactivated")
        except (DeliveryError, TimeoutError) as error:
            log.info("no Slack profile for a member of %s: %s", team_id, type(error).__name__)
            profile = None
        if profile is None:
            return Actor(platform=PLATFORM, workspace_id=team_id, user_id=user_id,
                         display_name=without_mentions(fallback_name) if fallback_name else None)
        return Actor(platform=PLATFORM, workspace_id=team_id, user_id=user_id, display_name=profile.display_name,
                     locale=profile.locale, timezone=profile.timezone, is_workspace_admin=profile.is_admin,
                     email=profile.email)
