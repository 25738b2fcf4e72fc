"""The digest's charts (issue 17 §4): rates per program week, "not logged" weeks, pairs, a sentence when nothing
was held, and the per-circle and per-pair attention view (SQLite and PostgreSQL)."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

from adapters.bootstrap import App
from bot.digest.activity import WeekRates
from bot.digest.chart import Panel, plotted, rates_png
from bot.digest.figures import Digest, ProgramFigures, program_figures
from bot.digest.message import _labels, chart_or_none, chart_panels, digest_message
from bot.kernel.i18n import Translator
from storage.tables import CheckIn, PairCheckIn, Program, SessionLog
from tests.digest.test_own_timetable import pair_on_fridays
from tests.feedback.support import running_program
from tests.helpers import member_id

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Wednesdays 10:00 in Jakarta from 7 January 2026: sessions 0, 1, 2 on 7, 14 and 21 January are over by Saturday.
SATURDAY = datetime(2026, 1, 24, 2, 0, tzinfo=UTC)
CIRCLE_A, CIRCLE_B = ["U1", "U2", "U3"], ["U4", "U5", "U6"]


def _digest(*figures: ProgramFigures, until: datetime) -> Digest:
    return Digest(week="2026-W04", since=until - timedelta(days=7), until=until, programs=figures, previous={},
                  failed={}, erasures=0)


async def _two_circles(app: App) -> Program:
    """A logs sessions 0 and 2 and skips logging 1, where two members checked in as having attended; A's moderator
    is U1. B logs session 0 only, one check-in at session 0 and nothing since, and has no moderator."""
    program = await running_program(app, [*CIRCLE_A, *CIRCLE_B], circles=[CIRCLE_A, CIRCLE_B])
    ids = {user: await member_id(app, user) for user in [*CIRCLE_A, *CIRCLE_B]}
    async with app.uow() as uow:
        circle_a, circle_b = await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)
        circle_a.moderator_member_id, circle_b.moderator_member_id = ids["U1"], None
        uow.session.add_all([circle_a, circle_b])

        def log(circle_id: int, index: int, came: list[str]) -> SessionLog:
            return SessionLog(workspace_id=1, program_id=program.id or 0, circle_id=circle_id, session_index=index,
                              attendee_member_ids=[ids[u] for u in came], outcomes="", created_at=SATURDAY,
                              updated_at=SATURDAY)

        def checkin(circle_id: int, user: str, index: int) -> CheckIn:
            return CheckIn(workspace_id=1, program_id=program.id or 0, circle_id=circle_id, member_id=ids[user],
                           session_index=index, attended=True, usefulness=4, created_at=SATURDAY,
                           updated_at=SATURDAY)

        a, b = circle_a.id or 0, circle_b.id or 0
        uow.session.add_all([log(a, 0, CIRCLE_A), log(b, 0, CIRCLE_B[:2]), log(a, 2, CIRCLE_A[:2]),
                             checkin(a, "U1", 1), checkin(a, "U2", 1), checkin(b, "U4", 0)])
        await uow.commit()
    return program


async def test_the_chart_plots_rates_and_marks_an_unlogged_week_not_zero(app: App) -> None:
    program = await _two_circles(app)
    async with app.uow() as uow:
        figures = await program_figures(uow, program, now=SATURDAY, k=3)
    [shown] = plotted(chart_panels(_digest(figures, until=SATURDAY)))
    assert shown.weeks == 3 and shown.not_logged == [2]  # week 2: sessions held, none logged
    assert shown.lines == {
        # week 2: A met (check-ins say so), B did not; week 3: A's log counts, while B's session is just over with
        # its check-ins still open and nothing in, so it is not yet a zero
        "circles_met": [(1, 100.0), (2, 50.0), (3, 100.0)],
        "attended": [(1, 83.3), (3, 66.7)],  # 5 of 6, then 2 of A's 3; week 2 has no point, never 0%
        "checkins": [(1, 16.7), (2, 33.3)],  # 1 and 2 answers of 6 asked; week 3's are still coming in
    }
    async with app.uow() as uow:  # the week of session 1: the text's "circles that met" counts it as the chart does
        week_two = await program_figures(uow, program, now=SATURDAY - timedelta(days=7), k=3)
    assert week_two.activity.circles_met == 1 and week_two.activity.attendance_rate is None
    png = chart_or_none(Translator("id"), _digest(figures, until=SATURDAY))
    assert png is not None and png[:8] == PNG_SIGNATURE and struct.unpack(">II", png[16:24])[0] == 1080


async def test_the_attention_view_names_the_circle_and_why_in_both_languages(app: App) -> None:
    program = await _two_circles(app)
    async with app.uow() as uow:
        figures = await program_figures(uow, program, now=SATURDAY, k=3)
    [flagged] = figures.attention
    assert flagged.name == "Circle B" and flagged.reasons == ("not_met", "checkins_stopped", "no_moderator")
    english = digest_message(Translator("en"), _digest(figures, until=SATURDAY), k=3).text
    assert ("Needs attention (1):\n• Circle B: has not met for the last two sessions; check-ins stopped (none for "
            "the last two sessions); no moderator") in english
    assert "Circle A:" not in english and "No chart this week" not in english
    indonesian = digest_message(Translator("id"), _digest(figures, until=SATURDAY), k=3).text
    assert "Perlu perhatian (1):\n• Circle B: tidak bertemu dalam dua sesi terakhir; check-in berhenti" in indonesian
    assert _labels(Translator("id")).lines["circles_met"] == "Lingkaran yang bertemu"


async def test_nothing_held_yet_gives_a_sentence_not_empty_axes(app: App) -> None:
    program = await running_program(app, CIRCLE_A, circles=[CIRCLE_A])
    before = datetime(2026, 1, 6, 2, 0, tzinfo=UTC)  # the day before the first session
    async with app.uow() as uow:
        figures = await program_figures(uow, program, now=before, k=3)
    digest = _digest(figures, until=before)
    assert figures.weeks == {} and plotted(chart_panels(digest)) == []
    assert chart_or_none(Translator("en"), digest) is None
    assert "No chart this week: no session or meeting has been held yet." in digest_message(
        Translator("en"), digest, k=3).text
    assert "Belum ada grafik minggu ini" in digest_message(Translator("id"), digest, k=3).text


async def test_pairs_are_charted_and_flagged_by_number_only(app: App) -> None:
    """The pair meets on Fridays every two weeks (9 and 23 January, 6 February); both said they met on the first,
    nobody answered since."""
    program, pair = await pair_on_fridays(app)
    async with app.uow() as uow:
        for side in (pair.mentor_member_id, pair.mentee_member_id):
            uow.session.add(PairCheckIn(workspace_id=1, program_id=program.id or 0, pair_id=pair.id or 0,
                                        member_id=side, meeting_index=0, met=True, usefulness=4,
                                        created_at=SATURDAY, updated_at=SATURDAY))
        await uow.commit()
    now = datetime(2026, 2, 7, 2, 0, tzinfo=UTC)
    async with app.uow() as uow:
        figures = await program_figures(uow, program, now=now, k=3)
    [shown] = plotted(chart_panels(_digest(figures, until=now)))
    # Week 5's meeting is just over and its check-ins still open: no point yet rather than a zero.
    assert shown.lines == {"checkins": [(1, 100.0), (3, 0.0)], "pairs_met": [(1, 100.0), (3, 0.0)]}
    assert shown.not_logged == []  # pairs keep no session log: a pair week is never "not logged"
    [flagged] = figures.attention
    assert flagged.pair_id == pair.id and flagged.reasons == ("not_met", "checkins_stopped")
    text = digest_message(Translator("en"), _digest(figures, until=now), k=3).text
    assert f"• Pair #{pair.id}: has not met for the last two sessions" in text
    assert "MENTOR" not in text and "MENTEE" not in text  # who they are stays in the export


def test_a_name_with_dollars_is_drawn_as_typed() -> None:
    weeks = {0: WeekRates(sessions=1, met=1, logged=1, attendees=2, seats=3, checkins=1, expected=3)}
    png = rates_png([Panel("Sales $ and $ marketing", weeks)], _labels(Translator("en")))
    assert png is not None and png[:8] == PNG_SIGNATURE
