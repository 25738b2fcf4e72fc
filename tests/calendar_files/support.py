"""Invites for the calendar tests: plan only the invites planner, and read the .ics files it queued."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from icalendar import Calendar
from sqlmodel import col, select

from adapters.bootstrap import App
from bot.calendar_files.planner import plan_invites
from bot.kernel.planning import PlanReport
from bot.kernel.planning import plan as kernel_plan
from storage.repositories.outbox import file_of
from storage.tables import Delivery


async def plan_invites_at(app: App, at: datetime) -> int:
    """One planning pass of the invites planner alone (running and closing programs), the clock set to `at`."""
    app.services.clock.set(at)  # type: ignore[attr-defined]
    report: PlanReport = await kernel_plan(app.services.uow, now=at, config=app.services.config,
                                           planners=(plan_invites,))
    return report.total


async def invites(app: App, *, user: str | None = None, prefix: str = "ics:") -> list[tuple[Delivery, Calendar]]:
    """Every queued .ics file (optionally one user's), oldest first, parsed by the library."""
    async with app.uow() as uow:
        query = select(Delivery).where(Delivery.kind == "file", col(Delivery.key).startswith(prefix))
        rows = list((await uow.session.exec(query.order_by(col(Delivery.id)))).all())
    found = []
    for row in rows:
        sent = file_of(row)
        assert sent is not None and sent.filename.endswith(".ics")
        if user is None or row.target.endswith(f":user:{user}"):
            found.append((row, Calendar.from_ical(sent.data)))
    return found


def events(calendar: Calendar) -> list[Any]:
    return [c for c in calendar.walk("VEVENT")]


def event(calendar: Calendar) -> Any:
    [only] = events(calendar)
    return only
