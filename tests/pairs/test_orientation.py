"""A mentor's orientation when their pair is made: once per mentor and pair, in their language; a reverse
mentoring pair's junior mentor also reads about the rank gap. The mentee gets none."""

from __future__ import annotations

from datetime import timedelta

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from tests.helpers import admin_creates_program, enroll, plan, press, queued, say, text_of
from tests.pairs.world import make_pair, shortlist_choice


async def _orientations(app: App) -> list[tuple[str, str]]:
    return [(target.rsplit(":", 1)[1], text) for _, target, text in await queued(app, kind="orientation")]


async def _replan(app: App, clock: ManualClock) -> None:
    for _ in range(2):
        clock.advance(timedelta(hours=1))
        await plan(app.services.uow, now=clock.now(), config=app.services.config)


async def test_a_reverse_mentor_is_oriented_once_and_told_about_the_rank_gap(app: App, clock: ManualClock) -> None:
    await make_pair(app, fmt="reverse")
    await _replan(app, clock)
    told = await _orientations(app)
    assert [user for user, _ in told] == ["MENTOR"]
    text = told[0][1]
    assert text.startswith("You are now the mentor of MENTEE in Leadership Circles, a reverse mentoring program")
    for part in ("About the rank gap", "agreed to learn from you", "it is your expertise that counts",
                 "May I suggest something?", "Ground rules", "Confidentiality", "No fixing",
                 "When someone goes quiet", "Ending well", "`pair checkin`", "`pair info`"):
        assert part in text, part
    # The rank gap comes before the ground rules: it changes how the rest reads.
    assert text.index("About the rank gap") < text.index("Ground rules")


async def test_a_one_on_one_mentor_reads_no_rank_gap(app: App, clock: ManualClock) -> None:
    await make_pair(app, fmt="one_on_one")
    await _replan(app, clock)
    told = await _orientations(app)
    assert [user for user, _ in told] == ["MENTOR"]
    assert told[0][1].startswith("You are now the mentor of MENTEE in Leadership Circles. Thank you!")
    assert "rank gap" not in told[0][1] and "Ground rules to agree at your first meeting" in told[0][1]


async def test_the_orientation_speaks_the_mentors_language(app: App) -> None:
    await admin_creates_program(app, format="reverse", weeks="8")
    await say(app, "UADMIN", "program open leadership-circles")
    async with app.uow() as uow:
        program = (await uow.programs.all_in(workspace_id=1))[-1]
    for user, role, seniority, locale in (("JUNIOR", "mentor", "0", "id"), ("SENIOR", "mentee", "4", "en")):
        await enroll(app, user, program, role=role, seniority=seniority, capacity="1", locale=locale,
                     skills_offered="ai tools", skills_wanted="ai tools")
    await say(app, "UADMIN", "program close leadership-circles")
    await say(app, "UADMIN", "program form leadership-circles")
    await press(app, "SENIOR", await shortlist_choice(app, "SENIOR"))
    async with app.uow() as uow:
        request = (await uow.pairs.pending_requests(program_id=program.id or 0))[-1]
    assert text_of(await press(app, "JUNIOR", f"pair.accept:{request.id}", locale="id"))
    told = await _orientations(app)
    assert [user for user, _ in told] == ["JUNIOR"]
    text = told[0][1]
    assert text.startswith("Anda sekarang menjadi mentor SENIOR di Leadership Circles, program reverse mentoring")
    assert "Tentang perbedaan jabatan" in text and "Aturan dasar" in text and "`pair checkin`" in text
