"""Small helpers that tests share: actors, sending events, reading replies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import col, select

from adapters.bootstrap import App, capabilities
from adapters.local.messenger import LocalMessenger
from bot.kernel.capability import planners as capability_planners
from bot.kernel.capability import routes
from bot.kernel.clock import ManualClock
from bot.kernel.config import CoreConfig
from bot.kernel.context import Services
from bot.kernel.events import Action, Actor, Command, FormSubmitted, FormValue
from bot.kernel.planning import Planner, PlanReport
from bot.kernel.planning import plan as kernel_plan
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from scheduler.deliver import deliver_due as scheduler_deliver_due
from storage.tables import Delivery, DeliveryStatus, Program, ProgramState
from storage.uow import UnitOfWork

WORKSPACE = "W1"
PLANNERS = capability_planners(capabilities())  # what bootstrap gives the scheduler; a test may narrow it
HOOKS = routes(capabilities()).hooks  # what the core gives its handlers and bootstrap its planners


def planners() -> tuple[Planner, ...]:
    return PLANNERS


async def plan(uow_factory: Callable[[], UnitOfWork], *, now: datetime, config: CoreConfig) -> PlanReport:
    """The scheduler's planning pass, with every capability's planners (or the ones a test chose), and the core's
    hooks and services as bootstrap passes them (planners that act like a command need them)."""
    services = Services(uow=uow_factory, messenger=LocalMessenger(), clock=ManualClock(now), config=config)
    return await kernel_plan(uow_factory, now=now, config=config, planners=PLANNERS, hooks=HOOKS, services=services)


def actor(user: str, *, locale: str | None = "en", name: str | None = None) -> Actor:
    return Actor(platform="local", workspace_id=WORKSPACE, user_id=user, display_name=name or user, locale=locale)


async def say(app: App, user: str, text: str, *, locale: str | None = "en") -> list[Response]:
    return await app.core.handle(Command(actor(user, locale=locale), text))


async def press(app: App, user: str, action_id: str, value: str = "", *, locale: str | None = "en") -> list[Response]:
    return await app.core.handle(Action(actor(user, locale=locale), action_id, value=value))


async def submit(app: App, user: str, form_id: str, values: dict[str, FormValue], *, state: str = "",
                 locale: str | None = "en") -> list[Response]:
    return await app.core.handle(FormSubmitted(actor(user, locale=locale), form_id, state=state, values=values))


def text_of(responses: list[Response]) -> str:
    return "\n".join(r.message.text for r in responses if isinstance(r, Reply))


def form_of(responses: list[Response]) -> OpenForm:
    forms = [r for r in responses if isinstance(r, OpenForm)]
    assert forms, f"expected a form, got {responses!r}"
    return forms[0]


def errors_of(responses: list[Response]) -> dict[str, str]:
    found = [r for r in responses if isinstance(r, FormErrors)]
    assert found, f"expected form errors, got {responses!r}"
    return found[0].errors


PROFILE = {
    "department": "Finance", "seniority": "1", "job_title": "Analyst", "skills_offered": "Excel, budgeting",
    "skills_wanted": "public speaking", "interests": "hiking", "timezone": "Asia/Jakarta",
    "work_start_hour": "8", "work_end_hour": "17", "locale": "en",
}


async def make_program(app: App, *, name: str = "Leadership Circles", slug: str = "leadership",
                       state: str = ProgramState.ENROLLING, **fields: object) -> Program:
    now = app.services.clock.now() if app.services.clock else datetime.now(UTC)
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="local", external_id=WORKSPACE, now=now)
        program = Program(workspace_id=workspace.id or 0, name=name, slug=slug, state=state, created_at=now,
                          **fields)
        uow.programs.add(program)
        await uow.commit()
        return program


async def enroll(app: App, user: str, program: Program, **profile: str) -> list[Response]:
    opened = form_of(await say(app, user, f"join {program.slug}"))
    return await submit(app, user, "profile", {**PROFILE, **profile}, state=opened.form.state)


async def queued(app: App, *, kind: str | None = None) -> list[tuple[str, str, str]]:
    """Deliveries the core queued: (kind, target key, plain text), oldest first."""
    from sqlmodel import col, select

    from bot.kernel.message_codec import decode
    from storage.tables import Delivery

    async with app.uow() as uow:
        query = select(Delivery).order_by(col(Delivery.id))
        if kind is not None:
            query = query.where(Delivery.kind == kind)
        rows = (await uow.session.exec(query)).all()
        return [(row.kind, row.target, decode(row.payload).text) for row in rows]


async def admin_creates_program(app: App, *, name: str = "Leadership Circles", where: str = "CANNOUNCE",
                                **overrides: str) -> None:
    from bot.kernel.events import Command
    from bot.kernel.ports import Target

    here = Target(platform="local", workspace_id=WORKSPACE, kind="channel", ref=where)
    opened = form_of(await app.core.handle(Command(actor("UADMIN"), "program create", where=here)))
    values: dict[str, FormValue] = {
        "name": name, "goal": "Grow leaders across departments", "format": "circles",
        "start_date": app.services.clock.now().date().isoformat(), "weeks": "12", "cadence": "weekly",
        "meeting_weekday": "2", "meeting_time": "10:00", "timezone": "Asia/Jakarta", "size_min": "3",
        "size_target": "4", "size_max": "5", "moderator_mode": "elected", "participation": "voluntary",
        "theme_mode": "employee_voted", "video_link": "https://meet.example/abc",
        "rules_frequency": "weekly", "rules_duration": "45 minutes", "rules_topics": "",
    }
    values.update(overrides)
    replies = await submit(app, "UADMIN", opened.form.form_id, values, state=opened.form.state)
    assert "created as a draft" in text_of(replies), replies


async def member_id(app: App, user: str) -> int:
    async with app.uow() as uow:
        member = await uow.members.by_external_id(workspace_id=1, external_id=user)
        assert member is not None and member.id is not None
        return member.id


async def deliver_due(app: App, local: LocalMessenger) -> list[Delivery]:
    """The scheduler's own deliverer (it skips stale items and paused recipients); returns what it sent now."""
    now = app.services.clock.now()
    report = await scheduler_deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=app.services.clock,
                                         worker_id="tests")
    assert report.failed == 0 and report.errors == 0, report
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(
            Delivery.status == DeliveryStatus.SENT, Delivery.sent_at == now).order_by(col(Delivery.id)))).all()
    assert len(local.sent) + len(local.files) + len(local.images) >= len(rows)  # calendar invites are files
    return list(rows)
