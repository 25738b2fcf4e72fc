"""The dashboard's program overview: each circle's health, themes and votes, before/after, the chart's data
(SQLite and PostgreSQL)."""

from __future__ import annotations

from adapters.bootstrap import App
from bot.digest.figures import program_figures
from bot.digest.overview import program_overview
from bot.feedback.disclosure import Shown
from bot.kernel.clock import ManualClock
from storage.tables import Theme, ThemeVote
from tests.digest.test_digest_charts import SATURDAY, _two_circles
from tests.digest.test_pair_figures import NOW, _world
from tests.helpers import member_id


async def test_each_circle_has_its_health_and_the_digest_attention(app: App) -> None:
    program = await _two_circles(app)
    async with app.uow() as uow:
        overview = await program_overview(uow, program, now=SATURDAY, k=3)
        digest = await program_figures(uow, program, now=SATURDAY, k=3)
    a, b = overview.circles
    # A met at all three sessions (session 1 by check-ins); U3 came to neither of the last two.
    assert (a.name, a.members, a.held, a.not_met_in_a_row, a.moderator, a.members_at_risk, a.reasons) == (
        "Circle A", 3, 3, 0, "present", 1, ())
    assert a.checkin_rate == round(2 / 9, 3)
    # B met at session 0 only: two sessions in a row not met; nobody counted at risk, the circle is.
    assert (b.name, b.held, b.not_met_in_a_row, b.moderator, b.members_at_risk) == ("Circle B", 3, 2, "missing", 0)
    assert b.reasons == ("not_met", "checkins_stopped", "no_moderator")
    assert b.checkin_rate == round(1 / 9, 3)
    assert overview.figures.attention == digest.attention  # the digest's list, not a copy of its rules
    assert overview.chart is not None and overview.chart.lines["circles_met"] == [(1, 100.0), (2, 50.0), (3, 100.0)]


async def test_themes_show_vote_counts_and_before_after_stays_behind_k(app: App) -> None:
    program = await _two_circles(app)
    voters = [await member_id(app, u) for u in ("U1", "U2", "U3")]
    async with app.uow() as uow:
        themes = [Theme(workspace_id=1, program_id=program.id or 0, title=title, title_key=title.lower(),
                        status=status, created_at=SATURDAY)
                  for title, status in (("Feedback <b>", "selected"), ("Hiring", "proposed"), ("Old", "merged"))]
        uow.session.add_all(themes)
        await uow.flush()
        uow.session.add_all([ThemeVote(workspace_id=1, program_id=program.id or 0, theme_id=themes[0].id or 0,
                                       member_id=m, created_at=SATURDAY) for m in voters]
                            + [ThemeVote(workspace_id=1, program_id=program.id or 0, theme_id=themes[1].id or 0,
                                         member_id=voters[0], created_at=SATURDAY)])
        await uow.commit()
    async with app.uow() as uow:
        overview = await program_overview(uow, program, now=SATURDAY, k=3)
    assert [(t.title, t.status, t.votes) for t in overview.themes] == [("Feedback <b>", "selected", 3),
                                                                     ("Hiring", "proposed", 1)]
    assert overview.evaluation.before is None and overview.evaluation.change is None  # nobody rated: nothing shown
    assert overview.figures.feedback is None or overview.figures.feedback.shown != Shown.SHOWN


async def test_pairs_have_their_health_by_number_with_the_digest_reasons(app: App, clock: ManualClock) -> None:
    first = await _world(app, clock)
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=first.program_id)
        assert program is not None
        overview = await program_overview(uow, program, now=NOW, k=3)
    # Meetings 1-4 are over: the first pair met at three and has not answered the fourth yet; B never answered;
    # C met at the first only; D met at three. The ended pair E is not shown.
    rows = [(p.held, p.not_met_in_a_row, p.checkin_rate, p.reasons) for p in overview.pairs]
    assert rows == [(4, 1, 0.75, ()), (4, 4, 0.0, ("not_met",)), (4, 3, 0.25, ("not_met",)), (4, 1, 0.75, ())]
    assert overview.pairs[0].pair_id == first.id and overview.circles == ()
