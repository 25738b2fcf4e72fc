"""At formation, voters of themes that formed no circle are told which of their themes did not form, where they
were placed and why (in their language); the circle's welcome explains the place by all of their votes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from adapters.bootstrap import App
from bot.circles.forming import _unplaced_message
from bot.kernel.i18n import Translator
from bot.kernel.ports import Target
from storage.tables import Program
from tests.helpers import WORKSPACE, enroll, make_program, queued, say

SLUG = "leadership"
USERS = [f"U{i:02d}" for i in range(14)]


def _dm(user: str) -> str:
    return Target(platform="local", workspace_id=WORKSPACE, kind="user", ref=user).key()


async def test_only_members_whose_first_choice_did_not_form_hear_where_they_were_placed_and_why(app: App) -> None:
    program = await make_program(app, slug=SLUG, size_min=3, size_target=4, size_max=5, start_date=date(2026, 1, 5))
    for user in USERS:
        await enroll(app, user, program, locale="id" if user == "U13" else "en")
    for title in ("Feedback", "Career growth", "Public speaking", "Negotiation"):
        await say(app, "U00", f"theme propose {title}")
    # Everyone wants Feedback; half also Career growth, the other half Public speaking (seven votes each, which
    # never form a circle beside a Feedback that fills them all). U12 puts Career growth first, U13 Public
    # speaking; U05 votes only for Negotiation, which nobody else wants.
    for index, user in enumerate(USERS):
        votes = "theme vote 1 2" if index < 7 else "theme vote 1 3"
        await say(app, user, {"U12": "theme vote 2 1 3", "U13": "theme vote 3 1", "U05": "theme vote 4"}.get(
            user, votes))
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    dms = {target: text for _, target, text in await queued(app, kind="dm")
           if "did not form" in text or "tidak membentuk" in text}
    # Who got their first choice (Feedback) hears nothing more, even if a later choice of theirs did not form.
    assert set(dms) == {_dm("U05"), _dm("U12"), _dm("U13")}
    # Ranked among all of their votes: Career growth came first, so Feedback was the second choice.
    assert dms[_dm("U12")] == (
        'Leadership Circles: your first choice, "Career growth", did not form a circle, and neither did "Public'
        ' speaking", because not enough members chose them. You\'re in Feedback 1, on "Feedback": Feedback was your'
        ' second choice; 9 shared working hours.')
    assert dms[_dm("U05")].startswith('Leadership Circles: your first choice, "Negotiation", did not form a circle,'
                                      ' because not enough members chose it.')
    assert "the themes you picked didn't get enough votes to run, so Feedback" in dms[_dm("U05")]
    indonesian = dms[_dm("U13")]
    assert indonesian.startswith('Leadership Circles: pilihan pertama Anda, "Public speaking", tidak membentuk'
                                 ' lingkaran karena peminatnya kurang. Anda ditempatkan di Feedback')
    assert 'dengan tema "Feedback": Feedback adalah pilihan kedua Anda' in indonesian
    # The circle's welcome gives the same reasons (CircleMember.why) once for the circle, naming who shares one:
    # never "no preference" for U05, who had one.
    welcomes = "\n".join(text for _, _, text in await queued(app, kind="welcome"))
    assert "• Feedback was the first choice of U00 and U06.\n• Feedback was the second choice of U12.\n" in welcomes
    assert "• Feedback was everyone's first choice.\n• 9 shared working hours.\n" in welcomes
    assert "Feedback had room for U05, whose themes did not get enough votes to run." in welcomes
    assert "Feedback was your" not in welcomes and welcomes.count("9 shared working hours") <= welcomes.count(
        "Welcome to ")


def test_no_circle_formed_promises_no_place() -> None:
    program = Program(workspace_id=1, name="Tiny", slug="tiny", created_at=datetime(2026, 1, 5, tzinfo=UTC))
    for locale, expected in (("en", "We couldn't form a circle in Tiny: there were not enough members to make a"
                                    " circle. The organisers know"),
                             ("id", "Kami belum dapat membentuk lingkaran dalam Tiny")):
        text = _unplaced_message(Translator(locale), program=program, code="too_few_members", none_formed=True).text
        assert text.startswith(expected) and "waiting list" not in text
    waiting = _unplaced_message(Translator("en"), program=program, code="no_room", none_formed=False).text
    assert "You're on the waiting list, ahead of anyone who joins later" in waiting
