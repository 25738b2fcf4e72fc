"""Enrollment's close announces only the themes that will form circles: the theme plan formation uses decides."""

from __future__ import annotations

import random

from adapters.bootstrap import App
from bot.circles.formation import Candidate, Sizes, assign_themes
from bot.kernel.i18n import Translator
from bot.sessions.theme_plan import Bounds, step_seed, themes_that_form
from bot.themes.selection import results_message
from storage.tables import ThemeStatus
from tests.helpers import admin_creates_program, enroll, queued, say, text_of

SLUG = "leadership-circles"
USERS = [f"U{i:02d}" for i in range(14)]


async def _fourteen_vote(app: App) -> None:
    """Everyone wants Feedback first; half want Career growth second, the other half Public speaking."""
    await admin_creates_program(app)  # circles of 3 to 5
    await say(app, "UADMIN", f"program open {SLUG}")
    async with app.uow() as uow:
        [program] = await uow.programs.all_in(workspace_id=1)
    for user in USERS:
        await enroll(app, user, program)
    for title in ("Feedback", "Career growth", "Public speaking"):
        await say(app, "U00", f"theme propose {title}")
    for index, user in enumerate(USERS):
        await say(app, user, "theme vote 1 2" if index < 7 else "theme vote 1 3")


async def test_two_themes_with_seven_votes_that_never_form_are_not_announced_as_selected(app: App) -> None:
    await _fourteen_vote(app)
    closed = text_of(await say(app, "UADMIN", f"program close {SLUG}"))
    selected, _, dropped = closed.partition("will not form a circle")
    # Before, both 7-vote themes were listed as selected (7 >= 3 members each) and formation dropped them.
    assert "Feedback: 14 votes" in selected and "Career growth" not in selected and "Public speaking" not in selected
    assert "Career growth: 7 votes" in dropped and "Public speaking: 7 votes" in dropped
    assert "placed in another theme when circles form" in dropped
    [announced] = [text for kind, target, text in await queued(app, kind="announcement")
                   if "selected themes" in text.lower()]
    assert announced.split("will not form")[0].count("votes") == 1
    async with app.uow() as uow:
        themes = {t.id: t.status for t in await uow.themes.of_program(workspace_id=1, program_id=1)}
    assert themes == {1: ThemeStatus.SELECTED, 2: ThemeStatus.PROPOSED, 3: ThemeStatus.PROPOSED}
    assert "14 members placed, 0 could not be placed" in text_of(await say(app, "UADMIN", f"program form {SLUG}"))
    async with app.uow() as uow:
        circles = await uow.circles.of_program(workspace_id=1, program_id=1)
    assert {c.theme_id for c in circles} == {1}  # what was announced is what formed


async def test_the_announcement_in_indonesian(app: App) -> None:
    await _fourteen_vote(app)
    await say(app, "UADMIN", f"program close {SLUG}")
    async with app.uow() as uow:
        [program] = await uow.programs.all_in(workspace_id=1)
        themes = await uow.themes.of_program(workspace_id=1, program_id=1)
    text = results_message(Translator("id"), program, [(themes[0], 14)], [(themes[1], 7)]).text
    assert "Tema berikut tidak akan membentuk lingkaran" in text and "• Career growth: 7" in text


def test_formation_opens_every_theme_the_rule_announces() -> None:
    """For random votes, formation offered the announced themes (members' ranks among them) opens them all."""
    for case in range(60):
        rng = random.Random(case)
        sizes = Sizes(*sorted(rng.sample(range(2, 9), 3)))
        themes = list(range(1, rng.randint(2, 9)))
        prefs = [rng.sample(themes, rng.randint(0, min(3, len(themes)))) for _ in range(rng.randint(sizes.min, 60))]
        plan = themes_that_form(prefs=prefs, theme_ids=themes, bounds=Bounds(sizes.min, sizes.target, sizes.max),
                                seed=step_seed(case))
        assert plan, case
        announced = sorted(plan)
        candidates = [Candidate(i + 1, tuple(t for t in p if t in plan), "-", 0, frozenset(range(24)))
                      for i, p in enumerate(prefs)]
        formed = assign_themes(candidates=candidates, theme_ids=announced, sizes=sizes, seed=step_seed(case))
        assert sorted(formed.circles_per_theme) == announced, case
