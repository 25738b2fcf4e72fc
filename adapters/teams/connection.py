"""The Bot Framework side: CloudAdapter with the app's credentials, and every connector call paced and retried."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters, ConversationReference
from botframework.connector.auth import AuthenticateRequestResult, ClaimsIdentity, ConnectorFactory

from adapters.settings import Settings
from adapters.teams.reliability import Observe, Pacer, RetryPolicy, Sleep, thread_root, with_retries

log = logging.getLogger(__name__)
T = TypeVar("T")
TEAMS_CHANNEL = "msteams"


@dataclass(frozen=True)
class BotConfig:
    """What ConfigurationBotFrameworkAuthentication reads (the names of botbuilder's own config.py)."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str

    @classmethod
    def from_settings(cls, settings: Settings) -> BotConfig:
        return cls(APP_ID=settings.microsoft_app_id, APP_PASSWORD=settings.microsoft_app_password,
                   # Without an app id (the Emulator's local mode, or Teams off) botbuilder's MultiTenant branch is
                   # the one that runs unauthenticated; the others refuse to start without an app id.
                   APP_TYPE=settings.microsoft_app_type if settings.microsoft_app_id else "MultiTenant",
                   APP_TENANTID=settings.microsoft_app_tenant_id)


class _OneRetryLayer(ConnectorFactory):
    """msrest retries 5xx on its own (blocking, without Retry-After); we retry once, in one place, our way."""

    def __init__(self, inner: ConnectorFactory) -> None:
        self._inner = inner

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        client = await self._inner.create(service_url, audience)
        client.config.retry_policy.retries = 0
        return client


class _Authentication(ConfigurationBotFrameworkAuthentication):
    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await super().authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _OneRetryLayer(result.connector_factory)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _OneRetryLayer(super().create_connector_factory(claims_identity))


def make_adapter(config: Any) -> CloudAdapter:
    """JWT validation stays on whenever an app id is configured; without one, the Emulator's local mode."""
    return CloudAdapter(_Authentication(config))


@dataclass
class Connection:
    adapter: CloudAdapter
    app_id: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    pacer: Pacer = field(default_factory=Pacer)
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    observe: Observe | None = None  # the metrics' count of 429s and retries

    async def retry(self, operation: Callable[[], Awaitable[T]], what: str) -> T:
        return await with_retries(operation, policy=self.policy, sleep=self.sleep, rng=self.rng, what=what,
                                  observe=self.observe)

    async def post(self, turn: TurnContext, activity: Activity) -> str:
        """Send into the turn's conversation (a reply in threads and chats); returns the new activity id."""
        conversation_id = turn.activity.conversation.id if turn.activity.conversation else ""
        await self.pacer.acquire(thread_root(conversation_id))
        response = await self.retry(lambda: turn.send_activity(activity), "a message")
        return str(getattr(response, "id", None) or "")

    async def replace(self, turn: TurnContext, *, activity_id: str, activity: Activity) -> None:
        """Update a message the bot sent (a card whose button was pressed) in place."""
        activity.id = activity_id
        activity.conversation = turn.activity.conversation
        activity.service_url = turn.activity.service_url
        activity.channel_id = turn.activity.channel_id
        await self.retry(lambda: turn.update_activity(activity), "a message update")

    async def members(self, turn: TurnContext, conversation_id: str) -> list[Any]:
        """Every member of a team or chat (paged), to reach them later without waiting for them to write."""
        connector = turn.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        found: list[Any] = []
        token: str | None = None
        while True:
            page = await self.retry(
                lambda token=token: connector.conversations.get_teams_conversation_paged_members(  # type: ignore[misc]
                    conversation_id, 500, token),
                "the member list")
            found.extend(page.members or [])
            token = page.continuation_token
            if not token:
                return found

    async def channels(self, turn: TurnContext, team_id: str) -> list[Any]:
        """The channels of a team (id and name). botbuilder's Teams client is synchronous: run it in a thread."""
        client = await TeamsInfo.get_teams_connector_client(turn)
        client.config.retry_policy.retries = 0
        found = await self.retry(lambda: asyncio.to_thread(client.teams.get_teams_channels, team_id),
                                 "the channel list")
        return list(found.conversations or [])

    async def member(self, turn: TurnContext, *, conversation_id: str, member_id: str) -> ChannelAccount:
        """Who a Teams user id is (name, Entra object id), asked of the team or chat they were mentioned in."""
        connector = turn.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        found = await self.retry(lambda: connector.conversations.get_conversation_member(conversation_id, member_id),
                                 "a member lookup")
        extra = getattr(found, "additional_properties", None) or {}
        return ChannelAccount(id=found.id, name=found.name,
                              aad_object_id=getattr(found, "aad_object_id", None) or extra.get("aadObjectId"))

    async def proactive(self, reference: ConversationReference, logic: Callable[[TurnContext], Awaitable[T]]) -> T:
        """Run `logic` in a turn on a stored conversation. Errors come back to the caller: a proactive turn
        must not reach the adapter's on_turn_error, which would apologise into that conversation."""
        outcome: dict[str, Any] = {}

        async def callback(turn: TurnContext) -> None:
            # The continuation activity has a made-up id; replying "to" it would name a message that does not
            # exist. Without it, sends post to the conversation (a thread's id already places them in it).
            turn.activity.id = None
            try:
                outcome["value"] = await logic(turn)
            except Exception as error:  # re-raised below, outside the pipeline
                outcome["error"] = error

        await self.adapter.continue_conversation(reference, callback, self.app_id or None)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]  # type: ignore[no-any-return]

    async def create(self, *, service_url: str, parameters: ConversationParameters) -> tuple[str, str]:
        """Create a conversation (a 1:1 chat, or a thread in a channel when `parameters.activity` is its first
        message); returns (conversation id, first activity id)."""
        created: dict[str, str] = {}

        async def callback(turn: TurnContext) -> None:
            created["conversation"] = turn.activity.conversation.id
            created["activity"] = turn.activity.id or ""

        conversation_id = parameters.channel_data.get("channel", {}).get("id", "") if isinstance(
            parameters.channel_data, dict) else ""
        if conversation_id:
            await self.pacer.acquire(thread_root(conversation_id))
        await self.retry(
            lambda: self.adapter.create_conversation(self.app_id or None, callback, parameters, TEAMS_CHANNEL,
                                                     service_url, None),
            "a new conversation")
        return created.get("conversation", ""), created.get("activity", "")
