"""The demo's reverse-mentoring scene, and the running order of every scene."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import timedelta

from rich.panel import Panel

from adapters.demo import ADMIN, Demo, members_table
from adapters.demo_ending import ending
from adapters.demo_respond import first_action, form_in
from adapters.demo_scenes import (
    ANNOUNCEMENTS,
    answer,
    create_program,
    deliver,
    digest,
    elections,
    enrollment,
    formation,
    themes,
    tick,
    weeks,
)
from adapters.demo_stages import kit_and_invite, pair_agreement
from adapters.local.render import render_message
from bot.kernel.events import Command
from bot.kernel.replies import OpenForm


async def pairs(demo: Demo) -> None:
    demo.heading("Reverse mentoring: juniors teach seniors; mentees choose from a shortlist of three")
    responses = await demo.send(Command(demo.actor(ADMIN), "program create", where=ANNOUNCEMENTS), show=False)
    form = next(r for r in responses if isinstance(r, OpenForm)).form
    await demo.submit(ADMIN, form.form_id, {
        "name": "Reverse Mentoring: AI & Digital", "goal": "Help senior leaders use AI tools with confidence.",
        "format": "reverse", "start_date": demo.clock.now().date().isoformat(), "weeks": "8",
        "cadence": "biweekly", "meeting_weekday": "3", "meeting_time": "15:00", "timezone": "Asia/Jakarta",
        "size_min": "2", "size_target": "2", "size_max": "2", "moderator_mode": "none",
        "participation": "voluntary", "theme_mode": "admin_fixed", "pair_matching": "shortlist",
        "pair_response_hours": "48", "rules_frequency": "Every two weeks, 45 minutes",
    }, state=form.state)
    slug = "reverse-mentoring-ai-digital"
    await demo.say(ADMIN, f"program open {slug}", show=False)
    juniors = sorted(demo.people, key=lambda p: p.seniority)[:5]
    seniors = sorted(demo.people, key=lambda p: -p.seniority)[:4]
    for index, person in enumerate([*juniors, *seniors]):
        role = "mentor" if person in juniors else "mentee"
        opened = form_in(await demo.say(person.user_id, f"join {slug}", show=False))
        assert opened is not None
        values: dict[str, str | list[str] | None] = {**person.profile(), "role": role, "capacity": "1"}
        if role == "mentor":
            values["skills_offered"] = "ai tools, social media, " + person.profile()["skills_offered"]
        else:
            values["skills_wanted"] = "ai tools, " + person.profile()["skills_wanted"]
        await demo.submit(person.user_id, opened.form_id, values, state=opened.state, show=index == 0)
    await demo.say(ADMIN, f"program close {slug}")
    await demo.say(ADMIN, f"program form {slug}")
    fresh = await deliver(demo, show=False)
    shortlists = [s for s in fresh if (first_action(s) or "").startswith("pair.choose")]
    for sent in shortlists[:1]:
        demo.console.print(Panel(render_message(sent.message), title=f"DM to {sent.target.ref}",
                                 border_style="magenta"))
    for index, sent in enumerate(shortlists):
        await demo.press(sent.target.ref, first_action(sent) or "", show=index == 0)
    requests = [s for s in await deliver(demo, show=False) if (first_action(s) or "").startswith("pair.accept")]
    for index, sent in enumerate(requests):
        verb = "pair.decline" if index == len(requests) - 1 else "pair.accept"
        action = (first_action(sent) or "").replace("pair.accept", verb)
        await demo.press(sent.target.ref, action, show=index in (0, len(requests) - 1))
    await deliver(demo, show=False)
    await first_pair_meetings(demo)
    async with demo.app.uow() as uow:
        program = await uow.programs.by_slug(workspace_id=1, slug=slug)
        made = await uow.pairs.of_program(workspace_id=1, program_id=program.id or 0) if program else []
        rows = []
        for pair in made:
            mentor = await uow.members.get(workspace_id=1, member_id=pair.mentor_member_id)
            mentee = await uow.members.get(workspace_id=1, member_id=pair.mentee_member_id)
            if mentor and mentee:
                rows.append((mentor.display_name, str(mentor.seniority), mentee.display_name, str(mentee.seniority),
                             f"{pair.score:.2f}"))
    demo.console.print(members_table("Reverse-mentoring pairs", rows,
                                     ("mentor (junior)", "level", "mentee (senior)", "level", "score")))


async def first_pair_meetings(demo: Demo) -> None:
    """Run the clock through the pairs' first meeting: reminder and prompt in the pair's space, then each
    side's private check-in by DM, which they answer."""
    rng = random.Random(5)
    begin, shown, answered = demo.clock.now(), 0, 0
    for hour in range(0, 24 * 15, 3):
        demo.clock.set(begin + timedelta(hours=hour))
        for sent in await tick(demo, show=False):
            in_pair_space = sent.target.ref.startswith("reverse-mentoring")
            is_checkin = (first_action(sent) or "").startswith("pair_checkin.open")
            if not (in_pair_space or is_checkin):
                continue  # the circles' own week goes on meanwhile
            if shown < 3:
                title = f"DM to {sent.target.ref}" if sent.target.kind == "user" else f"#{sent.target.ref}"
                demo.console.print(Panel(render_message(sent.message), title=title, border_style="magenta"))
                shown += 1
            if is_checkin:
                answered += await answer(demo, sent, rng, share=1.0, show=answered == 0)
    demo.console.print(f"{answered} private pair check-ins answered (neither side sees the other's answers)")


SCENES: list[Callable[[Demo], Awaitable[None]]] = [
    create_program, enrollment, themes, formation, elections, weeks, kit_and_invite, digest, pairs, pair_agreement,
    ending,
]
