"""The demo's ending: the circle program's last session passes, the closing phase runs, and what each person gets."""

from __future__ import annotations

import random
from datetime import timedelta

from rich.panel import Panel
from sqlmodel import col, select

from adapters.demo import ADMIN, Demo
from adapters.demo_respond import first_action
from adapters.demo_scenes import SLUG, answer, deliver, tick
from adapters.local.render import render_message
from bot.kernel.calendar import closing_end, closing_start
from bot.kernel.message_codec import decode
from storage.tables import Delivery, DeliveryStatus, Program


async def _program(demo: Demo) -> Program:
    async with demo.app.uow() as uow:
        program = await uow.programs.by_slug(workspace_id=1, slug=SLUG)
        assert program is not None
        return program


async def show_first(demo: Demo, *, kind: str, title: str, prefix: str = "") -> str | None:
    """The first delivery of this kind (and key prefix) as its reader saw it; returns that reader's user id."""
    async with demo.app.uow() as uow:
        query = select(Delivery).where(Delivery.kind == kind, col(Delivery.key).startswith(prefix),
                                       Delivery.status == DeliveryStatus.SENT)
        row = (await uow.session.exec(query.order_by(col(Delivery.id)))).first()
    if row is None:
        return None
    reader = row.target.rsplit(":")[-1]
    demo.console.print(Panel(render_message(decode(row.payload)), title=f"{title} ({reader})", border_style="magenta"))
    return reader


async def ending(demo: Demo) -> None:
    demo.heading("The program ends: the closing phase, each member's summary, thanks and what next")
    program = await _program(demo)
    start, end = closing_start(program), closing_end(program)
    demo.clock.set(start + timedelta(minutes=1))  # the last session is two hours past: the closing phase begins
    fresh = await tick(demo)
    demo.clock.advance(timedelta(minutes=1))
    fresh += await tick(demo)
    rng, answered = random.Random(14), 0
    for sent in fresh:  # members are told, and get the final poll and the after self-assessment
        if (first_action(sent) or "").startswith(("poll.open", "assess.open")):
            answered += await answer(demo, sent, rng, share=0.7, show=False)
    await show_first(demo, kind="closing", title="DM: the program has ended", prefix=f"closing-told:{program.id}:")
    demo.console.print(f"{answered} final polls and after self-assessments answered")
    demo.clock.set(start + timedelta(days=7, minutes=1))
    await tick(demo)
    async with demo.app.uow() as uow:
        reminded = await uow.outbox.count(workspace_id=1, key_prefix="poll-reminder:")
    demo.console.print(f"A week in: {reminded} reminders to those who had not answered yet")
    demo.clock.set(end + timedelta(minutes=1))  # the final round closes: everything follows at once
    await tick(demo)
    reader = await show_first(demo, kind="summary", title="DM: a member's summary")
    if reader is not None:  # they press "Join the alumni circle": its space opens for them
        await demo.press(reader, f"next:{program.id}:alumni")
    await show_first(demo, kind="thanks", title="DM: a moderator's thank-you")
    await show_first(demo, kind="report", title="DM: the admin's closing report",
                     prefix=f"feedback-report:{program.id}:")
    await show_first(demo, kind="admin", title="DM: recognition, and what could not run",
                     prefix=f"closing-admin:{program.id}:")
    demo.clock.set(end + timedelta(hours=1, minutes=2))
    await tick(demo)
    demo.console.print(f"[bold]Archived circle channels[/] (still readable): {', '.join(demo.local.archived)}")
    await demo.say(ADMIN, "program list")
    await deliver(demo, show=False)
