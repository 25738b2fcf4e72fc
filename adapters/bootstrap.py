"""The composition root: the one place that builds engine, repositories, messengers, clock and core."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters import teams as teams_platform
from adapters.local.messenger import LocalMessenger
from adapters.metrics import Metrics
from adapters.routing import RoutingMessenger
from adapters.settings import Settings
from adapters.slack import wiring as slack_wiring
from adapters.slack.messenger import SlackMessenger
from adapters.sweep import Sweeping
from bot import (
    admins,
    agreements,
    alumni,
    calendar_files,
    circles,
    closing,
    digest,
    enrollment,
    feedback,
    org,
    pairs,
    privacy,
    programs,
    themes,
)
from bot.kernel.capability import Capability, planners
from bot.kernel.clock import SystemClock
from bot.kernel.context import Services
from bot.kernel.core import Core
from bot.kernel.planning import Planner, PlanReport, plan
from bot.kernel.ports import Clock, Messenger
from scheduler.runner import SchedulerRunner
from scheduler.shared_pacing import pacer_for
from storage.engine import is_sqlite, make_engine, make_session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from adapters.teams.messenger import TeamsMessenger

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Platforms:
    """The real platform messengers, which the endpoints need even when a fake stands in for one in routing."""

    # Always there (whether /api/messages is served is decided by install_routes); with Teams off, botbuilder is
    # imported only when a Teams message is sent (adapters.teams.OnFirstUse: memory, issue 18).
    teams: TeamsMessenger
    slack: SlackMessenger | None  # None without SLACK_BOT_TOKEN


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    core: Core
    services: Services
    messenger: RoutingMessenger
    platforms: Platforms
    scheduler: SchedulerRunner  # started by `lingkar serve` only
    planners: tuple[Planner, ...]  # every capability's, in capability order
    metrics: Metrics  # this App's own registry, served on /metrics

    def uow(self) -> UnitOfWork:
        return self.services.uow()

    async def plan(self, *, now: datetime) -> PlanReport:
        """One planning pass at `now`, with every capability's planners (the scheduler's tick does the same)."""
        return await plan(self.services.uow, now=now, config=self.services.config, planners=self.planners,
                          hooks=self.core.routes.hooks, services=self.services)

    async def close(self) -> None:
        await self.engine.dispose()


def capabilities() -> tuple[Capability, ...]:
    """Help lists commands in this order; Teams' manifest and `lingkar teams manifest` use it too."""
    return (enrollment.CAPABILITY, themes.CAPABILITY, circles.CAPABILITY, pairs.CAPABILITY, feedback.CAPABILITY,
            alumni.CAPABILITY, agreements.CAPABILITY, calendar_files.CAPABILITY, privacy.CAPABILITY,
            programs.CAPABILITY, closing.CAPABILITY, org.CAPABILITY, digest.CAPABILITY, admins.CAPABILITY)


async def bootstrap(
    settings: Settings,
    *,
    messenger_overrides: Mapping[str, Messenger] | None = None,
    clock: Clock | None = None,
    migrate: bool | None = None,
    schema: str | None = None,
) -> App:
    """Wire everything. SQLite databases are migrated on start (embedded use); PostgreSQL via `lingkar db upgrade`."""
    if migrate is None:
        migrate = is_sqlite(settings.database_url)
    if migrate:
        await upgrade(settings.database_url, schema=schema)
    engine = make_engine(settings.database_url, schema=schema)
    session_factory = make_session_factory(engine)
    uow_factory = lambda: UnitOfWork(session_factory)  # noqa: E731
    clock = clock or SystemClock()
    metrics = Metrics()
    slack = slack_wiring.build_messenger(settings, uow=uow_factory, clock=clock, metrics=metrics)
    platforms = Platforms(slack=slack,
                          teams=teams_platform.build_messenger(settings, uow_factory, clock=clock,
                                                               metrics=metrics))
    messengers: dict[str, Messenger] = {"local": LocalMessenger()}
    for platform, built in (("slack", platforms.slack), ("teams", platforms.teams)):
        if built is not None:
            messengers[platform] = built
    messengers.update(messenger_overrides or {})  # injected fakes win, and nothing replaces them later
    messenger = RoutingMessenger(messengers)
    services = Services(
        uow=uow_factory,
        messenger=messenger,
        clock=clock,
        config=settings.core_config(),
    )
    caps = capabilities()
    core = Core(services=services, capabilities=caps)
    every_planner = planners(caps)
    scheduler = SchedulerRunner(uow_factory=uow_factory, messenger=messenger, clock=clock, config=services.config,
                                options=settings.scheduler_options(),
                                planner=metrics.timed(Sweeping(partial(plan, planners=every_planner,
                                                                       hooks=core.routes.hooks, services=services))),
                                on_delivered=metrics.observe_delivery,
                                # Replicas share one PostgreSQL, so they share each workspace's rate through it.
                                pacer=pacer_for(limits=settings.scheduler_options().limits, uow_factory=uow_factory,
                                                shared=not is_sqlite(settings.database_url)))
    return App(settings=settings, engine=engine, core=core, services=services, messenger=messenger,
               platforms=platforms, scheduler=scheduler, planners=every_planner, metrics=metrics)
