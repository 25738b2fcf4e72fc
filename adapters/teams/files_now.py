"""A file a Teams turn queued (`my data`, an export, a script) goes out right after the turn, not on the next tick.

The core queues files in the outbox, and the deliverer would post the consent card up to a scheduler tick after
"on its way". Here the actor's own queued files are claimed by key, the way the deliverer claims rows, and sent at
once. The outbox row stays the record: anything but a clean send gives it back untouched, and the deliverer retries
it with its own policy (backoff, Retry-After, unreachable members, giving up visibly).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes
from sqlmodel import col, select

from adapters.teams.bot_handler import TeamsBot
from adapters.teams.files import consent_activity
from adapters.teams.inbound import tenant_of, user_id_of
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.references import PLATFORM
from bot.kernel.ports import Clock, MessageRef, Target
from storage.repositories import outbox_claims as claims
from storage.repositories.outbox import FILE_KIND, file_of
from storage.tables import Delivery
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
WORKER = "teams-turn"  # the claim's owner while a turn sends its files
LEASE = timedelta(minutes=5)  # longer than one send: the deliverer takes a row over only after a crash
SEND_TIMEOUT = 60.0
ANSWERED = (ActivityTypes.message, ActivityTypes.invoke)  # turns that run commands or forms


async def offer(messenger: TeamsMessenger, target: Target, data: bytes, filename: str, title: str) -> MessageRef:
    """TeamsMessenger.send_file for a member's 1:1 chat, with the card's text fallback in their language."""
    t = await messenger.translator(target)
    token = await messenger.files.keep(tenant=target.workspace_id, user=target.ref, filename=filename, title=title,
                                       data=data)
    try:
        return await messenger.deliver(target, consent_activity(token=token, filename=filename, title=title,
                                                                size=len(data), t=t))
    except Exception:  # no card, nothing to wait for: the outbox row goes back to the deliverer
        await messenger.files.drop(tenant=target.workspace_id, token=token)
        raise


class FilesAtOnce:
    def __init__(self, *, uow: Callable[[], UnitOfWork], messenger: TeamsMessenger, clock: Clock) -> None:
        self._uow = uow
        self._messenger = messenger
        self._clock = clock

    def after(self, activity: Activity, *, waiting: Iterable[asyncio.Task[Any]],
              background: set[asyncio.Task[None]]) -> None:
        """Once `waiting` (the turn's slow commands, still answering) is done, send the actor's queued files.
        The task joins `background`, so a drain or a graceful shutdown waits for it too."""
        target = Target(platform=PLATFORM, workspace_id=tenant_of(activity), kind="user",
                        ref=user_id_of(activity.from_property))
        if not target.workspace_id or not target.ref:
            return
        task = asyncio.create_task(self._send_after(target, list(waiting)))
        background.add(task)
        task.add_done_callback(background.discard)

    async def _send_after(self, target: Target, waiting: list[asyncio.Task[Any]]) -> None:
        if waiting:
            await asyncio.wait(waiting)
        await self.send_queued(target)

    async def send_queued(self, target: Target) -> int:
        """Send what is due for `target`; returns how many went out."""
        sent = 0
        try:
            for key in await self._due_keys(target):
                sent += await self._send_one(key)
        except Exception:  # the deliverer still has every row: nothing is lost
            log.exception("Teams: sending queued files at once failed; the scheduler sends them")
        return sent

    async def _due_keys(self, target: Target) -> list[str]:
        now = self._clock.now()
        async with self._uow() as uow:
            found = await uow.session.exec(
                select(Delivery.key).where(col(Delivery.kind) == FILE_KIND, col(Delivery.target) == target.key(),
                                           claims.due(now)).order_by(col(Delivery.id)))
            return list(found.all())

    async def _send_one(self, key: str) -> int:
        now = self._clock.now()
        row = await claims.claim_key(self._uow, key=key, worker_id=WORKER, now=now, lease_until=now + LEASE)
        if row is None or row.id is None:
            return 0  # the deliverer (or another replica) has it
        outgoing = file_of(row)
        try:
            if outgoing is None:
                raise ValueError("a file delivery without its bytes")
            async with asyncio.timeout(SEND_TIMEOUT):
                ref = await offer(self._messenger, Target.from_key(row.target), outgoing.data, outgoing.filename,
                                  outgoing.title)
        except Exception as error:
            log.info("Teams: a queued file did not go out at once (%s); the scheduler retries it",
                     type(error).__name__)
            await claims.give_back(self._uow, delivery_id=row.id, worker_id=WORKER)
            return 0
        await claims.mark_sent(self._uow, delivery_id=row.id, worker_id=WORKER, ref=ref.message_id,
                               now=self._clock.now())
        return 1


class TeamsBotSendingFiles(TeamsBot):
    """The Teams bot, with the files each answered turn queued sent right after it."""

    files_now: FilesAtOnce | None = None

    async def on_turn(self, turn: TurnContext) -> None:
        await super().on_turn(turn)
        if self.files_now is not None and turn.activity.type in ANSWERED:
            self.files_now.after(turn.activity, waiting=set(self.background), background=self.background)
