"""What the stages scenario shares: hourly ticks of the real planners and deliverer, the calendar files each person
received (parsed by icalendar), and expected session times computed without bot.kernel.calendar."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import decode
from storage.tables import Delivery, DeliveryStatus, Member
from tests.calendar_files.support import events, invites
from tests.calendar_files.test_own_schedule import occurrences
from tests.helpers import deliver_due, plan

HOUR = timedelta(hours=1)
OnSent = Callable[[Delivery], Awaitable[None]]


def hourly(start: datetime, end: datetime) -> list[datetime]:
    """A tick at seven past every hour: everything due goes out within the hour after it falls due."""
    moment = start.replace(minute=7, second=0, microsecond=0)
    found = []
    while moment < end:
        found.append(moment)
        moment += HOUR
    return found


async def live(app: App, clock: ManualClock, local: LocalMessenger, *, ticks: list[datetime],
               on_sent: OnSent | None = None) -> None:
    """The scheduler at each tick: every capability's planners, then the deliverer; `on_sent` sees each sent row
    (people answering their check-ins at once)."""
    for moment in ticks:
        clock.set(moment)
        await plan(app.services.uow, now=moment, config=app.services.config)
        for row in await deliver_due(app, local):
            if on_sent is not None:
                await on_sent(row)


def weekly(first: date, at: time, zone: str, *, every: int, count: int) -> list[datetime]:
    """Independent of bot.kernel.calendar: the wall-clock time in `zone`, every `every` weeks, in UTC."""
    return [datetime.combine(first + timedelta(weeks=every * i), at, tzinfo=ZoneInfo(zone)).astimezone(UTC)
            for i in range(count)]


async def sent(app: App, *, kinds: tuple[str, ...]) -> list[Delivery]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Delivery).where(
            col(Delivery.kind).in_(kinds), Delivery.status == DeliveryStatus.SENT).order_by(col(Delivery.id)))).all())


def text(row: Delivery) -> str:
    return decode(row.payload).text


def to(user: str) -> str:
    return f"local:W1:user:{user}"


def index_of(row: Delivery) -> int:
    """The session index in a series key: "<prefix>:<group id>:<index>[:...]"."""
    return int(row.key.split(":")[2])


def on_time(row: Delivery, due: datetime) -> bool:
    """Due exactly then, and sent at the first tick after it."""
    return row.due_at == due and row.sent_at is not None and due <= row.sent_at < due + HOUR


async def calendars(app: App, user: str) -> list[Any]:
    """The master VEVENT of each .ics `user` received, oldest first."""
    return [next(v for v in events(calendar) if "recurrence-id" not in v)
            for _, calendar in await invites(app, user=user)]


def held(vevent: Any) -> list[datetime]:
    return occurrences(vevent)


async def set_locale(app: App, user: str, locale: str) -> None:
    """The member chose their language in their profile."""
    async with app.uow() as uow:
        member: Member | None = await uow.members.by_external_id(workspace_id=1, external_id=user)
        assert member is not None
        member.locale = locale
        uow.session.add(member)
        await uow.commit()
