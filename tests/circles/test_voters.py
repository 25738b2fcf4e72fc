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


async def test_voters_of_themes_that_did_not_form_hear_where_they_were_placed_and_why(app: App) -> None:
    program = await make_program(app, slug=SLUG, size_min=3, size_target=4, size_max=5, start_date=date(2026, 1, 5))
    for user in USERS:
        await enroll(app, user, program, locale="id" if user == "U13" else "en")
    for title in ("Feedback", "Career growth", "Public speaking", "Negotiation"):
        await say(app, "U00", f"theme propose {title}")
    # Everyone wants Feedback; half also Career growth, the other half Public speaking (seven votes each, which
    # never form a circle beside a Feedback that fills them all). U12 puts Career growth first; U05 votes only
    # for Negotiation, which nobody else wants.
    for index, user in enumerate(USERS):
        votes = "theme vote 1 2" if index < 7 else "theme vote 1 3"
        await say(app, user, {"U12": "theme vote 2 1 3", "U05": "theme vote 4"}.get(user, votes))
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    dms = {target: text for _, target, text in await queued(app, kind="dm")
           if "did not form" in text or "tidak membentuk" in text}
    assert set(dms) == {_dm(u) for u in USERS}  # everyone voted for a theme that formed no circle
    assert dms[_dm("U00")] == (
        'Leadership Circles: these themes you voted for did not form a circle, because not enough members chose them:'
        ' "Career growth". You\'re in Feedback 1, on "Feedback": Feedback was your first choice; 9 shared working'
        ' hours.')
    # Ranked among all of their votes: Career growth came first, so Feedback was the second choice.
    assert ('"Career growth", "Public speaking". You\'re in Feedback 1, on "Feedback": Feedback was your second'
            ' choice') in dms[_dm("U12")]
    assert '"Negotiation"' in dms[_dm("U05")]
    assert "the themes you picked didn't get enough votes to run, so Feedback" in dms[_dm("U05")]
    indonesian = dms[_dm("U13")]
    assert 'tema pilihan Anda berikut tidak membentuk lingkaran karena peminatnya kurang: "Public speaking"' in (
        indonesian)
    assert 'dengan tema "Feedback": Feedback adalah pilihan pertama Anda' in indonesian
    # The circle's welcome gives the same reasons (CircleMember.why): never "no preference" for U05, who had one.
    welcomes = "\n".join(text for _, _, text in await queued(app, kind="welcome"))
    assert "U12: Feedback was your second choice" in welcomes
    assert "U05: the themes you picked didn't get enough votes to run, so Feedback" in welcomes


def test_no_circle_formed_promises_no_place() -> None:
    program = Program(workspace_id=1, name="Tiny", slug="tiny", created_at=datetime(2026, 1, 5, tzinfo=UTC))
    for locale, expected in (("en", "We couldn't form a circle in Tiny: there were not enough members to make a"
                                    " circle. The organisers know"),
                             ("id", "Kami belum dapat membentuk lingkaran dalam Tiny")):
        text = _unplaced_message(Translator(locale), program=program, code="too_few_members", none_formed=True).text
        assert text.startswith(expected) and "waiting list" not in text
    waiting = _unplaced_message(Translator("en"), program=program, code="no_room", none_formed=False).text
    assert "You're on the waiting list, ahead of anyone who joins later" in waiting
