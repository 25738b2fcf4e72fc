"""Prometheus metrics: one registry per App, filled by the adapters and the scheduler's reports, served on /metrics."""

from __future__ import annotations

import asyncio
import hmac
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlmodel import col, func, select

from adapters.logging_setup import REQUEST_ID
from bot.kernel.planning import PlanReport
from bot.kernel.ports import Clock
from scheduler.deliver import DeliveryReport
from scheduler.runner import PlanFunction
from storage.tables.delivery import Delivery, DeliveryStatus
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
ROUTE = "/metrics"
# Slack gives up on an ack after 3 s; the buckets are finest where that budget is spent.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 10.0, 30.0)
PLANNER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
# What a delivery run reports (scheduler.deliver.DeliveryReport), each a value of the `state` label.
DELIVERY_STATES = ("sent", "retried", "failed", "deferred", "released", "lost", "errors")


def outcome_of(status: int) -> str:
    return "ok" if status < 400 else "refused" if status < 500 else "error"


class Metrics:
    """Every metric Lingkar exports, on a registry of its own: two Apps (two tests) never share a count."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("lingkar_requests", "Platform requests answered, by platform and outcome "
                                "(ok: 2xx/3xx, refused: 4xx, error: 5xx)", ["platform", "outcome"], registry=r)
        self.ack_seconds = Histogram("lingkar_ack_seconds", "Time from a platform request's arrival to its HTTP "
                                     "answer (Slack's ack)", ["platform"], buckets=LATENCY_BUCKETS, registry=r)
        self.answer_seconds = Histogram("lingkar_answer_seconds", "Time from a member's command or button to their "
                                        "answer being delivered", ["platform", "kind"], buckets=LATENCY_BUCKETS,
                                        registry=r)
        self.core_seconds = Histogram("lingkar_core_seconds", "Time the core took to handle one event (one unit of "
                                      "work), waiting for a slot excluded", ["platform"], buckets=LATENCY_BUCKETS,
                                      registry=r)
        self.deliveries = Counter("lingkar_deliveries", "Queued messages handled by this process's scheduler, by "
                                  "state", ["state"], registry=r)
        self.rate_limited = Counter("lingkar_platform_rate_limited", "429 answers from a platform's API",
                                    ["platform"], registry=r)
        self.retries = Counter("lingkar_platform_retries", "Platform API calls retried inside one send",
                               ["platform"], registry=r)
        self.planner_seconds = Histogram("lingkar_planner_seconds", "Time one planning pass took (all planners)",
                                         buckets=PLANNER_BUCKETS, registry=r)
        self.planner_failures = Counter("lingkar_planner_failures", "Planning passes that raised", registry=r)
        self.queue_depth = Gauge("lingkar_queue_pending", "Pending deliveries already due (at scrape time)",
                                 registry=r)
        self.queue_age = Gauge("lingkar_queue_oldest_pending_seconds", "Age of the oldest due pending delivery "
                               "(0 when none is waiting), at scrape time", registry=r)

    def observe_request(self, *, platform: str, status: int, seconds: float) -> None:
        self.requests.labels(platform=platform, outcome=outcome_of(status)).inc()
        self.ack_seconds.labels(platform=platform).observe(seconds)

    def observe_answer(self, *, platform: str, kind: str, seconds: float) -> None:
        self.answer_seconds.labels(platform=platform, kind=kind).observe(seconds)

    def observe_core(self, *, platform: str, seconds: float) -> None:
        self.core_seconds.labels(platform=platform).observe(seconds)

    def platform_observer(self, *, platform: str) -> Callable[[str], None]:
        """For a platform's API client: counts "rate_limited" (a 429 came back) and "retry" (tried again)."""

        def observe(event: str) -> None:
            (self.rate_limited if event == "rate_limited" else self.retries).labels(platform=platform).inc()

        return observe

    def observe_delivery(self, report: DeliveryReport) -> None:
        for state in DELIVERY_STATES:
            count = getattr(report, state)
            if count:
                self.deliveries.labels(state=state).inc(count)
        for reason, count in report.skipped.items():  # stale, erased, paused
            self.deliveries.labels(state=f"skipped_{reason}").inc(count)

    def timed(self, planner: PlanFunction) -> PlanFunction:
        """The planner, with each pass's run time (and failures) recorded."""

        async def timed_plan(*args: Any, **kwargs: Any) -> PlanReport:
            with self.planner_seconds.time(), self.planner_failures.count_exceptions():
                return await planner(*args, **kwargs)

        return timed_plan

    async def refresh_queue(self, uow_factory: Callable[[], UnitOfWork], *, now: datetime) -> None:
        """One indexed query (ix_delivery_status_due_at) for the queue gauges, run at scrape time."""
        query = (select(func.count(), func.min(col(Delivery.due_at)))
                 .where(col(Delivery.status) == DeliveryStatus.PENDING, col(Delivery.due_at) <= now))
        async with uow_factory() as uow:
            depth, oldest = (await uow.session.exec(query)).one()
        self.queue_depth.set(depth or 0)
        if oldest is not None and oldest.tzinfo is None:  # SQLite hands naive UTC back
            oldest = oldest.replace(tzinfo=UTC)
        self.queue_age.set(max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


METRICS = web.AppKey("metrics", Metrics)


def request_middleware(metrics: Metrics, *, platforms: dict[str, str]) -> Middleware:
    """Counts and times the platform endpoints (`platforms`: path -> platform), refusals of the HTTP edge too, and
    gives each request an id for the log lines it causes (the tasks it spawns inherit it)."""

    @web.middleware
    async def measure(request: web.Request, handler: Handler) -> web.StreamResponse:
        platform = platforms.get(request.path)
        if platform is None:
            return await handler(request)
        loop = asyncio.get_running_loop()
        started = loop.time()
        REQUEST_ID.set(uuid.uuid4().hex[:12])
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as refused:
            status = refused.status
            raise
        finally:
            metrics.observe_request(platform=platform, status=status, seconds=loop.time() - started)

    return measure


def metrics_handler(metrics: Metrics, *, token: str, uow_factory: Callable[[], UnitOfWork],
                    clock: Clock) -> Callable[[web.Request], Awaitable[web.Response]]:
    """GET /metrics: only with `Authorization: Bearer <LINGKAR_METRICS_TOKEN>` (401 otherwise)."""
    expected = f"Bearer {token}".encode()

    async def serve_metrics(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            return web.Response(status=401, text="unauthorized", headers={"WWW-Authenticate": "Bearer"})
        try:
            await metrics.refresh_queue(uow_factory, now=clock.now())
        except Exception as error:  # the other metrics still help when the database does not answer
            log.warning("metrics: the queue gauges could not be read (%s)", type(error).__name__)
        return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return serve_metrics
