"""The demo's circle scenes: real events through the core, and what members see (pairs, order: demo_pair_scenes)."""

from __future__ import annotations

import random
from datetime import timedelta

from rich.panel import Panel

from adapters.demo import ADMIN, WORKSPACE, Demo, members_table
from adapters.demo_respond import fill, first_action, form_in, later
from adapters.local.messenger import Sent
from adapters.local.render import render_message
from bot.kernel.events import Command
from bot.kernel.messages import Buttons
from bot.kernel.ports import Target
from bot.kernel.replies import OpenForm
from scheduler.deliver import deliver_due
from scheduler.pacing import Pacer, RateLimit

ANNOUNCEMENTS = Target(platform="local", workspace_id=WORKSPACE, kind="channel", ref="C-ANNOUNCE")
SLUG = "lingkar-kepemimpinan-2026"
THEMES = ["Giving feedback", "Kepemimpinan untuk manajer baru", "Data & AI skills", "Work-life balance",
          "Public speaking"]


async def deliver(demo: Demo, *, show: bool = True) -> list[Sent]:
    """Send what the core queued through the local platform with the scheduler's real deliverer, and show it."""
    before = len(demo.local.sent)
    await deliver_due(uow_factory=demo.app.services.uow, messenger=demo.app.messenger, clock=demo.clock,
                      worker_id="demo", pacer=Pacer({"local": RateLimit()}))
    fresh = demo.local.sent[before:]
    for sent in fresh:
        for block in sent.message.blocks:
            if isinstance(block, Buttons):
                demo.button_labels.update({b.action_id: b.label for b in block.buttons})
    if show:
        for sent in fresh:
            where = f"#{sent.target.ref}" if sent.target.kind != "user" else f"DM to {sent.target.ref}"
            demo.console.print(Panel(render_message(sent.message), title=where, border_style="magenta"))
    return fresh


async def tick(demo: Demo, *, show: bool = False) -> list[Sent]:
    """One scheduler tick at the demo clock's time: plan what is due, then deliver it."""
    await demo.app.plan(now=demo.clock.now())
    return await deliver(demo, show=show)


async def create_program(demo: Demo) -> None:
    demo.heading("An admin creates the program and opens enrollment")
    responses = await demo.send(Command(demo.actor(ADMIN), "program create", where=ANNOUNCEMENTS))
    form = next(r for r in responses if isinstance(r, OpenForm)).form
    await demo.submit(ADMIN, form.form_id, {
        "name": "Lingkar Kepemimpinan 2026", "goal": "Grow the next generation of leaders across departments.",
        "format": "circles", "start_date": demo.clock.now().date().isoformat(), "weeks": "12", "cadence": "weekly",
        "meeting_weekday": "2", "meeting_time": "10:00", "timezone": "Asia/Jakarta", "size_min": "4",
        "size_target": "6", "size_max": "7", "moderator_mode": "elected", "participation": "voluntary",
        "theme_mode": "employee_voted", "video_link": "https://meet.example.com/lingkar",
        "rules_frequency": "Weekly, 60 minutes", "rules_duration": "12 weeks",
        "rules_topics": "What is said in the circle stays in the circle",
    }, state=form.state)
    await demo.say(ADMIN, f"program open {SLUG}")
    await deliver(demo)


async def enrollment(demo: Demo) -> None:
    demo.heading("Employees join and fill in their profile")
    for index, person in enumerate(demo.people):
        show = index < 2  # print the first two conversations in full, the rest as a table
        responses = await demo.say(person.user_id, "join" if person.locale == "en" else "gabung", show=show)
        form = next(r for r in responses if isinstance(r, OpenForm)).form
        await demo.submit(person.user_id, form.form_id, dict(person.profile()), state=form.state, show=show)
    await demo.say(demo.people[0].user_id, "join")  # joining twice: a friendly reply, one row
    await demo.say(demo.people[0].user_id, "status")
    async with demo.app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="local", external_id=WORKSPACE, now=demo.clock.now())
        members = {m.id: m for m in await uow.members.all_in(workspace_id=workspace.id or 0)}
        rows = []
        for program in await uow.programs.all_in(workspace_id=workspace.id or 0):
            for enrolled in await uow.enrollments.of_program(workspace_id=workspace.id or 0,
                                                             program_id=program.id or 0):
                m = members[enrolled.member_id]
                rows.append((m.display_name, m.department, str(m.seniority), m.timezone, m.locale or "",
                             ", ".join(m.skills_offered), ", ".join(m.skills_wanted)))
    demo.console.print(members_table(f"Enrolled members ({len(rows)})", rows,
                                     ("name", "department", "level", "time zone", "lang", "offers", "wants")))


async def themes(demo: Demo) -> None:
    demo.heading("Members propose themes and vote (approval voting, up to 3 each)")
    people = demo.people
    for index, title in enumerate(THEMES):
        await demo.say(people[index].user_id, f"theme propose {title}", show=index < 2)
    await demo.say(people[5].user_id, "theme propose giving FEEDBACK")  # a duplicate, caught
    for index, person in enumerate(people):
        first, second = index % 3, (index + 1) % 5
        await demo.say(person.user_id, f"theme vote {first + 1} {second + 1}", show=index == 0)
    await demo.say(ADMIN, "theme list")
    await demo.say(ADMIN, f"program close {SLUG}")
    await deliver(demo)


async def formation(demo: Demo) -> None:
    demo.heading("Lingkar forms the circles: first choices, mixed departments, shared working hours")
    await demo.say(ADMIN, f"program form {SLUG}")
    await deliver(demo)
    for name, members in demo.local.spaces.items():
        demo.console.print(f"[bold]#{name}[/]: {', '.join(members)}")
    # The scheduler's next minute: what is due before the first sessions (the "before" self-assessment) goes now.
    fresh = await tick(demo)
    if fresh:
        first = fresh[0]
        demo.console.print(Panel(render_message(first.message), border_style="magenta",
                                 title=f"DM to {first.target.ref} (and {len(fresh) - 1} more messages like it)"))


async def elections(demo: Demo) -> None:
    demo.heading("Each circle elects its moderator")
    async with demo.app.uow() as uow:
        circles = await uow.circles.of_program(workspace_id=1, program_id=1)
        rosters = []
        for circle in circles:
            memberships = await uow.circles.memberships(circle_id=circle.id or 0)
            people = await uow.members.many(workspace_id=1, member_ids=[m.member_id for m in memberships])
            rosters.append((circle, people))
    for circle, people in rosters:
        show = circle is rosters[0][0]
        await demo.say(people[0].external_id, "moderator stand", show=show)
        await demo.say(people[1].external_id, f"moderator nominate <@{people[2].external_id}>", show=show)
    demo.clock.advance(timedelta(days=2, hours=1))
    await demo.app.plan(now=demo.clock.now())
    await deliver(demo)
    async with demo.app.uow() as uow:
        elections = {e.circle_id: e for e in await uow.circles.open_elections()}
    for circle, people in rosters:
        election = elections.get(circle.id or 0)
        if election is None:
            continue
        for voter in people:
            await demo.press(voter.external_id, f"elect.vote:{election.id}", str(people[0].id),
                             show=voter is people[0] and circle is rosters[0][0])
    demo.clock.advance(timedelta(days=2))
    await demo.app.plan(now=demo.clock.now())
    await deliver(demo)
    await demo.say(rosters[0][1][1].external_id, "circle info")


def recipients(demo: Demo, sent: Sent) -> list[str]:
    return [sent.target.ref] if sent.target.kind == "user" else demo.local.spaces.get(sent.target.ref, [])


async def answer(demo: Demo, sent: Sent, rng: random.Random, *, share: float, show: bool) -> int:
    """Members who received `sent` press its button and fill the form, as people would (not all of them)."""
    action = first_action(sent)
    if action is None:
        return 0
    answered = 0
    for user in recipients(demo, sent):
        if rng.random() > share:
            continue
        form = form_in(await demo.press(user, action, show=show))
        if form is not None:
            await demo.submit(user, form.form_id, fill(form, rng, today_iso=demo.clock.now().date().isoformat()),
                              state=form.state, show=show)
            answered += 1
            show = False  # one full example per message is enough
    return answered


async def moderators_log(demo: Demo, sent: Sent, rng: random.Random, *, show: bool) -> bool:
    """After a session's check-in goes out in a circle, its moderator logs attendance and outcomes there."""
    if sent.target.kind == "user" or not (first_action(sent) or "").startswith("checkin.open"):
        return False
    async with demo.app.uow() as uow:
        circle = await uow.circles.by_space(workspace_id=1, space=sent.target.key())
        moderator = await uow.members.get(workspace_id=1, member_id=circle.moderator_member_id or 0) \
            if circle else None
    if moderator is None:
        return False
    responses = await demo.send(Command(demo.actor(moderator.external_id), "session log", where=sent.target),
                                show=show)
    form = form_in(responses)
    if form is None:
        return False
    await demo.submit(moderator.external_id, form.form_id, fill(form, rng, today_iso=demo.clock.now().date()
                                                                .isoformat()), state=form.state, show=show)
    return True


async def weeks(demo: Demo) -> None:
    demo.heading("The weeks run: prompts, reminders, check-ins and polls, at each member's local time")
    rng = random.Random(11)
    first = demo.people[0].user_id
    await demo.say(first, "goal set")
    form = form_in(await demo.say(first, "goal set", show=False))
    if form is not None:
        await demo.submit(first, form.form_id, fill(form, rng, today_iso=(demo.clock.now() + later(60)).date()
                                                    .isoformat()), state=form.state)
    await demo.say(demo.people[3].user_id, f"pause until {(demo.clock.now() + later(10)).date().isoformat()}")
    kinds: dict[str, int] = {}
    answers = 0
    begin = demo.clock.now()
    for hour in range(0, 24 * 7 * 5, 3):  # five weeks, a tick every three hours
        demo.clock.set(begin + timedelta(hours=hour))
        fresh = await tick(demo, show=False)
        for sent in fresh:
            kind = sent.message.blocks[0].text if sent.message.blocks and hasattr(sent.message.blocks[0], "text") \
                else sent.message.text.split("\n")[0]
            kinds[kind[:40]] = kinds.get(kind[:40], 0) + 1
            logged = await moderators_log(demo, sent, rng, show=answers == 0)
            answers += await answer(demo, sent, rng, share=0.7, show=hour < 24 * 7 and answers == 0)
            answers += int(logged)
        if hour == 24 * 7 + 3 and fresh:
            for sent in fresh[:3]:
                demo.console.print(Panel(render_message(sent.message), title=f"#{sent.target.ref}",
                                         border_style="magenta"))
    table = members_table("Five weeks of deliveries", [(k, str(v)) for k, v in sorted(kinds.items())],
                          ("message", "sent"))
    demo.console.print(table)
    demo.console.print(f"{answers} check-ins, polls and assessments answered by members")
    circle_member = next(iter(demo.local.spaces.values()))[0]
    await demo.say(circle_member, "session history")
    await demo.say(circle_member, "goal list")


async def digest(demo: Demo) -> None:
    demo.heading("The admin digest, with its chart")
    await demo.say(ADMIN, "digest now")
    await deliver(demo)
    await demo.say(ADMIN, f"feedback results {SLUG}")
    out = demo.out_dir
    for index, (_, png, title) in enumerate(demo.local.images):
        path = out / f"digest-chart-{index + 1}.png"
        path.write_bytes(png)
        demo.console.print(f"[bold green]Chart written:[/] {path} ({title})")
    await demo.say(ADMIN, f"export {SLUG}")
    await deliver(demo, show=False)
    for _, data, filename, _ in demo.local.files:
        (out / filename).write_bytes(data)
        demo.console.print(f"[bold green]Export written:[/] {out / filename}")
