"""Clean-up on the scheduler's tick: expired kept forms, old Slack event ids, form nonces past a form's validity."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from adapters.signing import FORM_MAX_AGE
from bot.kernel.planning import PlanReport
from storage.repositories.kept import Swept
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
SWEEP_EVERY = timedelta(minutes=10)  # per process; every replica sweeps, a DELETE of nothing costs an index probe
# Slack retries an event three times within about an hour; a day leaves room for a Slack incident's backlog.
EVENT_KEEP = timedelta(days=1)
PlanFunction = Callable[..., Awaitable[PlanReport]]


async def sweep(uow_factory: Callable[[], UnitOfWork], *, now: datetime) -> Swept:
    """A used_form row only matters while its form's signature is valid (FORM_MAX_AGE): after that a replay fails
    verification before its nonce is looked at, so the row can go."""
    async with uow_factory() as uow:
        swept = await uow.kept.sweep(now=now, events_before=now - EVENT_KEEP,
                                     used_before=now - timedelta(seconds=FORM_MAX_AGE))
        await uow.commit()
    return swept


class Sweeping:
    """A plan function that also sweeps, at most every SWEEP_EVERY: the tick runs in every process (replica)."""

    def __init__(self, plan: PlanFunction, *, every: timedelta = SWEEP_EVERY) -> None:
        self.plan = plan
        self.every = every
        self.last: datetime | None = None

    async def __call__(self, uow_factory: Callable[[], UnitOfWork], *, now: datetime, **kwargs: Any) -> PlanReport:
        report = await self.plan(uow_factory, now=now, **kwargs)
        if self.last is None or now - self.last >= self.every:
            self.last = now
            try:
                swept = await sweep(uow_factory, now=now)
            except SQLAlchemyError as error:  # the next sweep tries again; planning already happened
                log.warning("sweeping expired rows failed: %s", type(error).__name__)
            else:
                log.debug("swept %d kept forms, %d event ids, %d form nonces",
                          swept.forms, swept.events, swept.used_forms)
        return report
