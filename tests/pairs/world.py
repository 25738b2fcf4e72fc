"""A mentoring pair made through the core (program, enrollment, shortlist, accept), and a tiny deliverer."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action
from bot.kernel.message_codec import decode
from bot.kernel.messages import Buttons
from storage.tables import Delivery, Pair
from tests.helpers import actor, admin_creates_program, deliver_due, enroll, form_of, plan, press, say, submit, text_of

SLUG = "leadership-circles"


async def make_pair(app: App, *, fmt: str = "reverse", weeks: int = 8, mentor: str = "MENTOR",
                    mentee: str = "MENTEE", mentor_zone: str = "Europe/London", mentee_zone: str = "Asia/Jakarta",
                    name: str = "Leadership Circles", program_slot: bool = False,
                    mentor_profile: dict[str, str] | None = None, mentee_profile: dict[str, str] | None = None,
                    **overrides: str) -> Pair:
    """A running pair program with one pair: the mentor in `mentor_zone` works 9-17, the mentee 8-17 (each
    `*_profile` overrides profile fields: hours, locale).

    Formation gives the pair its own slot inside both sides' hours (London and Jakarta: Tuesday 16:00 Jakarta);
    `program_slot` puts it back on the program-wide Wednesday 10:00 Jakarta, as if the pair had agreed to keep
    the program's time, for tests about a meeting outside someone's hours."""
    await admin_creates_program(app, name=name, format=fmt, weeks=str(weeks), **overrides)
    async with app.uow() as uow:
        program = (await uow.programs.all_in(workspace_id=1))[-1]
    await say(app, "UADMIN", f"program open {program.slug}")
    senior, junior = ("4", "0") if fmt == "reverse" else ("0", "4")
    for user, role, seniority, zone, start, extra in (
            (mentor, "mentor", junior, mentor_zone, "9", mentor_profile or {}),
            (mentee, "mentee", senior, mentee_zone, "8", mentee_profile or {})):
        replies = await enroll(app, user, program, **{
            "role": role, "seniority": seniority, "capacity": "1", "skills_offered": "ai tools",
            "skills_wanted": "ai tools", "timezone": zone, "work_start_hour": start, **extra})
        assert "Welcome" in text_of(replies) or "Selamat datang" in text_of(replies), replies
    await say(app, "UADMIN", f"program close {program.slug}")
    await say(app, "UADMIN", f"program form {program.slug}")
    choice = await shortlist_choice(app, mentee)
    await press(app, mentee, choice)
    async with app.uow() as uow:
        requests = await uow.pairs.pending_requests(program_id=program.id or 0)
    assert "now mentoring" in text_of(await press(app, mentor, f"pair.accept:{requests[-1].id}"))
    async with app.uow() as uow:
        pairs = await uow.pairs.of_program(workspace_id=1, program_id=program.id or 0)
        fresh = await uow.programs.get(workspace_id=1, program_id=program.id or 0)
    assert fresh is not None and fresh.state == "running" and len(pairs) == 1
    return await keep_program_slot(app, pairs[0]) if program_slot else pairs[0]


async def keep_program_slot(app: App, pair: Pair) -> Pair:
    """The pair meets on the program-wide slot (Pair.schedule [])."""
    async with app.uow() as uow:
        pair.schedule = []
        uow.pairs.add(pair)
        await uow.commit()
    return pair


async def shortlist_choice(app: App, user: str) -> str:
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(Delivery.target == f"local:W1:user:{user}")
                                       .order_by(col(Delivery.id)))).all()
    for row in reversed(rows):
        for block in decode(row.payload).blocks:
            if isinstance(block, Buttons) and block.buttons[0].action_id.startswith("pair.choose"):
                return block.buttons[0].action_id
    raise AssertionError(f"no shortlist for {user}")


async def pair_deliveries(app: App, *, kinds: tuple[str, ...] = ("pair_prompt", "pair_reminder", "pair_checkin"),
                          status: str | None = None) -> list[Delivery]:
    async with app.uow() as uow:
        query = select(Delivery).where(col(Delivery.kind).in_(kinds)).order_by(col(Delivery.id))
        if status is not None:
            query = query.where(Delivery.status == status)
        return list((await uow.session.exec(query)).all())


def checkin_button(delivery: Delivery) -> str:
    for block in decode(delivery.payload).blocks:
        if isinstance(block, Buttons):
            return block.buttons[0].action_id
    raise AssertionError("a check-in DM without its button")


async def answer(app: App, user: str, action_id: str, *, met: str = "yes", usefulness: str = "4",
                 progress: str = "") -> str:
    opened = form_of(await app.core.handle(Action(actor(user), action_id)))
    replies = await submit(app, user, opened.form.form_id, {"met": met, "usefulness": usefulness,
                                                            "progress": progress}, state=opened.form.state)
    return text_of(replies)


async def live_through(app: App, clock: ManualClock, local: LocalMessenger, *, ticks: list[datetime],
                       pause_at: datetime, pause: str) -> list[tuple[str, int]]:
    """Plan and deliver at each tick, the mentee typing `pause` at the first tick from `pause_at`; each check-in DM
    is answered at once (the mentor finds it 4 useful, the mentee 5, each progress note marked SECRET).
    Returns who answered which meeting."""
    paused = False
    answered: list[tuple[str, int]] = []
    for moment in ticks:
        clock.set(moment)
        if not paused and moment >= pause_at:
            assert "until" in text_of(await say(app, "MENTEE", pause))
            paused = True
        await plan(app.services.uow, now=moment, config=app.services.config)
        for delivered in await deliver_due(app, local):
            if delivered.kind != "pair_checkin":
                continue
            user = delivered.target.rsplit(":", 1)[1]
            index = int(delivered.key.split(":")[2])
            reply = await answer(app, user, checkin_button(delivered), usefulness="4" if user == "MENTOR" else "5",
                                 progress=f"{user}-SECRET-{index}")
            assert f"check-in for meeting {index + 1} is saved" in reply, reply
            answered.append((user, index))
    return answered
