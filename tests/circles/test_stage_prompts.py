"""A circle's prompts follow its program's script by stage, never repeat, and a mixed-language circle reads both."""

from __future__ import annotations

from datetime import date, timedelta

from adapters.bootstrap import App
from bot.kernel.calendar import session_count, session_time
from bot.kernel.clock import ManualClock
from bot.kernel.i18n import translate
from bot.kernel.message_codec import decode
from bot.kernel.replies import Response
from bot.sessions.scripts import default_script, stages_for
from bot.sessions.timing import prompt_due
from storage.tables import Delivery
from tests.circles.world import Person, World, build_circle, deliveries
from tests.helpers import form_of, plan, press

START = date(2026, 2, 2)


async def _circle(app: App, slug: str, weeks: int, locales: tuple[str, ...]) -> World:
    people = [Person(f"{slug.upper()}{i}", locale=locale) for i, locale in enumerate(locales)]
    return await build_circle(app, slug=slug, timezone="Asia/Jakarta", weekday=2, at="10:00", start=START,
                              people=people, moderator=people[0].user, weeks=weeks)


async def _run_prompts(app: App, clock: ManualClock, world: World) -> list[Delivery]:
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=world.program_id)
    assert program is not None
    for index in range(session_count(program)):
        moment = prompt_due(program, index) + timedelta(minutes=5)
        clock.set(moment)
        await plan(app.services.uow, now=moment, config=app.services.config)
        await plan(app.services.uow, now=moment, config=app.services.config)  # twice: still one post
    return [d for d in await deliveries(app, kinds=("prompt",)) if d.target == world.space]


async def test_twelve_sessions_follow_the_stages_without_a_repeat(app: App, clock: ManualClock) -> None:
    world = await _circle(app, "stages", 12, ("en", "en", "en", "en"))
    posts = await _run_prompts(app, clock, world)
    assert [p.key for p in posts] == [f"prompt:{world.circle_id}:{i}" for i in range(12)]
    async with app.uow() as uow:
        rows = sorted(await uow.running.prompts_of_circle(circle_id=world.circle_id),
                      key=lambda r: r.session_index or 0)
    ids = [r.prompt_id for r in rows]
    assert len(ids) == 12 and len(set(ids)) == 12
    script = default_script("circles")
    for index, stage in enumerate(stages_for(12)):
        if stage != "implementation":
            assert ids[index] == script.stage(stage).prompts[0].id, (index, stage)
    implementation = [ids[i] for i, s in enumerate(stages_for(12)) if s == "implementation"]
    assert implementation[:4] == [p.id for p in script.stage("implementation").prompts]
    assert all(not i.startswith("circles-") for i in implementation[4:])  # then the theme's family
    first = decode(posts[0].payload).text
    assert script.stage("orientation").prompts[0].text["en"] in first
    assert script.stage("orientation").prompts[0].text["id"] not in first  # everyone reads English


async def test_a_mixed_language_circle_gets_the_prompt_in_both_languages(app: App, clock: ManualClock) -> None:
    world = await _circle(app, "mixed", 4, ("id", "id", "en"))
    posts = await _run_prompts(app, clock, world)
    assert len(posts) == 4
    script = default_script("circles")
    for post, stage in zip(posts, stages_for(4), strict=True):
        text = decode(post.payload).text
        prompt = script.stage(stage).prompts[0]
        # The majority's language first (the title too), then the other.
        assert text.index(prompt.text["id"]) < text.index(prompt.text["en"])
        assert text.startswith("Pertanyaan diskusi untuk sesi")


async def test_the_check_in_asks_the_stages_own_question(app: App, clock: ManualClock) -> None:
    world = await _circle(app, "asks", 12, ("en", "en", "id"))
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=world.program_id)
    assert program is not None
    stages = default_script("circles").stages

    def progress_label(responses: list[Response]) -> str:
        form = form_of(responses).form
        return next(i.label for i in form.inputs if i.name == "progress")

    clock.set(session_time(program, 0) + timedelta(hours=2))  # the first session: orientation
    opened = await press(app, "ASKS1", f"checkin.open:{world.circle_id}.0")
    assert progress_label(opened) == (stages["orientation"].checkin or {})["en"]
    opened = await press(app, "ASKS2", f"checkin.open:{world.circle_id}.0", locale="id")
    assert progress_label(opened) == (stages["orientation"].checkin or {})["id"]
    clock.set(session_time(program, 2) + timedelta(hours=2))  # implementation has no question of its own
    opened = await press(app, "ASKS1", f"checkin.open:{world.circle_id}.2")
    assert progress_label(opened) == translate("running.checkin.progress", "en")
