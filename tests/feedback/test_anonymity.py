"""Anonymous feedback stays anonymous: the attacks on results, digests and exports, played (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from adapters.bootstrap import App
from bot.feedback.disclosure import Shown, disclose_breakdown, disclose_evaluation, disclose_round
from bot.feedback.planner import plan_feedback
from bot.kernel.clock import ManualClock
from storage.repositories.outbox import file_of
from storage.tables import Poll, PollKind, PollResponse, SelfAssessment
from tests.digest.test_export import _tables
from tests.feedback.support import answer_poll, deliveries, run, running_program
from tests.helpers import say, text_of

PULSE_4 = datetime(2026, 2, 4, 5, 0, tzinfo=UTC)  # pulse-4 opens; it closes a week later
CLOSED = datetime(2026, 2, 11, 5, 0, tzinfo=UTC)
USERS = ["U1", "U2", "U3", "U4", "U5", "U6"]
FIGURE = re.compile(r"\d\.\d/5|\d\.\d/10|NPS")  # any published figure of a poll


async def readings(app: App, clock: ManualClock) -> dict[str, str]:
    """What a member, an admin, the digest and the export show of the program's feedback, right now."""
    clock.set(clock.now() + timedelta(minutes=1))  # a new export, not the same one again
    member = text_of(await say(app, "U6", "feedback results leadership"))
    admin = text_of(await say(app, "UADMIN", "feedback results leadership"))
    digest = text_of(await say(app, "UADMIN", "digest now"))
    await say(app, "UADMIN", "export leadership")
    sent = file_of((await deliveries(app, kind="file"))[-1])
    assert sent is not None
    tables = _tables(sent.data)
    export = "\n".join(",".join(row) for name in ("feedback.csv", "feedback_comments.csv", "evaluation.csv")
                       for row in tables[name])
    return {"member": member, "admin": admin, "digest": digest, "export": export}


def _without_counts(text: str) -> str:
    """The count of answers is public (it says nothing of what anyone answered): leave it out of a comparison."""
    text = re.sub(r"\b\d+ answers so far", "N answers so far", text)
    text = re.sub(r"response rate \d+%", "response rate N%", text)
    return re.sub(r",open,\d+,", ",open,N,", text)


async def _pulse(app: App) -> None:
    await running_program(app, USERS)
    await say(app, "UADMIN", "status")
    assert await run(app, plan_feedback, PULSE_4) == len(USERS)


@pytest.mark.parametrize("answers", [1, 2])
async def test_one_or_two_answers_show_only_the_count_to_everyone(app: App, clock: ManualClock,
                                                                    answers: int) -> None:
    await _pulse(app)
    clock.set(PULSE_4)
    for user in USERS[:answers]:
        await answer_poll(app, user, 1, satisfaction=1, recommend=0, keep=f"secret keep {user}",
                          improve=f"secret improve {user}")
    clock.set(CLOSED + timedelta(days=1))  # closed: nothing more will come, yet below K nothing is shown
    seen = await readings(app, clock)
    for reader in ("member", "admin", "digest"):
        counted = "1 answer" if answers == 1 else f"{answers} answers"
        assert f"Pulse poll (week 5): {counted}: not enough responses to show results (at least 3 needed)" \
            in seen[reader], reader
    for reader, text in seen.items():
        assert not FIGURE.search(text), (reader, text)
        assert "secret" not in text and "low satisfaction" not in text, reader
    assert f"Pulse poll (week 5),pulse,2026-02-04,2026-02-11,too_few,{answers},,,,,\n" in seen["export"]
    assert "round,question,comment\nskill" in seen["export"]  # no comment row at all


async def test_the_k_plus_first_answer_changes_no_reading(app: App, clock: ManualClock) -> None:
    """Read at K answers and again at K+1 (or after an edit): every reader sees the same, bar the count."""
    await _pulse(app)
    clock.set(PULSE_4)
    for user, score in (("U1", 2), ("U2", 4), ("U3", 5)):
        await answer_poll(app, user, 1, satisfaction=score, recommend=score * 2, keep=f"keep {user}")
    at_k = await readings(app, clock)
    await answer_poll(app, "U4", 1, satisfaction=1, recommend=0, keep="keep U4")
    at_k_plus_one = await readings(app, clock)
    await answer_poll(app, "U1", 1, satisfaction=5, recommend=10, keep="keep U1, changed")  # an edit
    after_edit = await readings(app, clock)
    for reader in at_k:
        assert not FIGURE.search(at_k_plus_one[reader]), reader
        assert _without_counts(at_k[reader]) == _without_counts(at_k_plus_one[reader]), reader
        assert _without_counts(at_k[reader]) == _without_counts(after_edit[reader]), reader
    assert "4 answers so far; results when the poll closes" in at_k_plus_one["member"]

    clock.set(CLOSED)  # closed: the figures of all four answers, once and for all
    closed = await readings(app, clock)
    assert "Pulse poll (week 5): 4 answers, satisfaction 3.8/5, would recommend 7.0/10 (NPS +25)" in closed["member"]
    assert "4 answers, satisfaction 3.8/5" in closed["admin"] and "4 answers, satisfaction 3.8/5" in closed["digest"]
    assert ",shown,4,3.75,7.0,25,4,0" in closed["export"]
    assert "is closed" in await answer_poll(app, "U2", 1, satisfaction=1, recommend=0)  # no edit after it closes
    later = await readings(app, clock)
    for reader in closed:  # comments come in a new random order each time: compare the lines, not their order
        assert sorted(closed[reader].splitlines()) == sorted(later[reader].splitlines()), reader


async def test_comments_only_from_k_shuffled_without_author_time_or_circle(app: App, clock: ManualClock) -> None:
    await running_program(app, USERS, circles=[USERS[:3], USERS[3:]])
    assert await run(app, plan_feedback, PULSE_4) == len(USERS)
    clock.set(PULSE_4)
    for user, text in zip(USERS[:4], ("a first", "b second", "c third", "d fourth"), strict=True):
        await answer_poll(app, user, 1, satisfaction=4, recommend=8, keep=text,
                          improve="only U1 wrote this" if user == "U1" else "")
    assert "first" not in text_of(await say(app, "UADMIN", "feedback results leadership"))  # open: nothing yet
    clock.set(CLOSED)
    orders = set()
    for _ in range(12):
        admin = text_of(await say(app, "UADMIN", "feedback results leadership"))
        section = admin.split("What to keep:\n", 1)[1].split("\nWhat to improve:", 1)
        lines = section[0].splitlines()
        assert sorted(lines) == ["• a first", "• b second", "• c third", "• d fourth"]  # nothing else on a line
        orders.add(tuple(lines))
        assert section[1].startswith(" too few to show (1 of the 3 needed).")
        assert "only U1 wrote this" not in admin
        leaks = [word for word in ("U1", "U2", "U3", "U4", "Circle A", "Circle B", "2026", ":00") if word in admin]
        assert leaks == [], admin
    assert len(orders) > 1  # shuffled on every reading, never the order (or time) they were written in
    member = text_of(await say(app, "U5", "feedback results leadership"))
    assert "first" not in member  # members read the totals; comments are for admins


async def test_digest_flags_no_circle_whose_rating_would_expose_another(app: App, clock: ManualClock) -> None:
    await running_program(app, USERS, circles=[USERS[:3], USERS[3:]])
    await say(app, "UADMIN", "status")
    await run(app, plan_feedback, PULSE_4)
    clock.set(PULSE_4)
    for user in ("U1", "U2", "U3"):  # circle A: three unhappy answers
        await answer_poll(app, user, 1, satisfaction=1, recommend=2)
    await answer_poll(app, "U4", 1, satisfaction=1, recommend=2)  # circle B: one answer
    clock.set(CLOSED)
    digest = text_of(await say(app, "UADMIN", "digest now"))
    assert "4 answers, satisfaction 1.0/5" in digest
    # Circle B's one answer is never rated, and neither is circle A: with the total shown, A's figure would
    # leave B's one answer as the remainder.
    assert "low satisfaction" not in digest


def _poll(*, closed: bool) -> Poll:
    closes = CLOSED if closed else CLOSED + timedelta(days=30)
    return Poll(id=1, workspace_id=1, program_id=1, kind=PollKind.PULSE, key="pulse-4", opens_at=PULSE_4,
                closes_at=closes, created_at=PULSE_4)


def _answers(*rows: tuple[int, str]) -> list[PollResponse]:
    return [PollResponse(id=i + 1, workspace_id=1, program_id=1, poll_id=1, member_id=i + 1, satisfaction=score,
                         recommend=8, keep=text or None, submitted_at=PULSE_4 + timedelta(hours=i),
                         updated_at=PULSE_4 + timedelta(hours=i)) for i, (score, text) in enumerate(rows)]


def test_comment_order_is_random_across_seeds_and_never_below_k() -> None:
    written = _answers(*[(4, f"comment {c}") for c in "abcdef"])  # written in alphabetical order, too
    orders = [disclose_round(poll=_poll(closed=True), answers=written, k=3, now=CLOSED,
                             rng=random.Random(seed)).keep.texts for seed in range(20)]
    assert all(sorted(order) == [f"comment {c}" for c in "abcdef"] for order in orders)
    assert len(set(orders)) > 1 and any(list(order) != sorted(order) for order in orders)
    two = disclose_round(poll=_poll(closed=True), answers=_answers((4, "x"), (4, "y"), (4, "")), k=3, now=CLOSED)
    assert two.shown == Shown.SHOWN and two.keep.count == 2 and two.keep.texts == ()
    still_open = disclose_round(poll=_poll(closed=False), answers=written, k=3, now=CLOSED)
    assert still_open.shown == Shown.OPEN and still_open.summary is None and still_open.keep.texts == ()


def test_no_group_below_k_and_no_group_that_isolates_the_rest() -> None:
    answers = _answers(*[(s, "") for s in (5, 5, 5, 5, 2, 2, 2, 1)])
    department = dict(enumerate(["Finance"] * 4 + ["Sales"] * 3 + ["Legal"], start=1))

    def by_department(answer: PollResponse) -> str:
        return department[answer.member_id or 0]

    groups = disclose_breakdown(poll=_poll(closed=True), answers=answers, k=3, now=CLOSED, group=by_department)
    # Legal (1 answer) is hidden; so is Sales, or the total minus Finance and Sales would be Legal's one answer.
    assert set(groups) == {"Finance"} and groups["Finance"].satisfaction == 5.0
    department[8] = "Sales"
    groups = disclose_breakdown(poll=_poll(closed=True), answers=answers, k=3, now=CLOSED, group=by_department)
    assert {g: s.respondents for g, s in groups.items()} == {"Finance": 4, "Sales": 4}
    assert disclose_breakdown(poll=_poll(closed=False), answers=answers, k=3, now=CLOSED, group=by_department) == {}


def test_self_assessment_skills_below_k_are_hidden_and_never_isolated_by_the_overall_mean() -> None:
    rounds = [Poll(id=n, workspace_id=1, program_id=1, kind=kind, key=kind, opens_at=PULSE_4, closes_at=CLOSED,
                   created_at=PULSE_4) for n, kind in ((1, PollKind.BEFORE), (2, PollKind.AFTER))]

    def rated(skills: list[str]) -> list[SelfAssessment]:
        return [SelfAssessment(workspace_id=1, program_id=1, poll_id=n, member_id=i, phase=phase,
                               ratings=[{"skill": skill, "score": score}], submitted_at=PULSE_4, updated_at=PULSE_4)
                for n, phase, score in ((1, PollKind.BEFORE, 2), (2, PollKind.AFTER, 4))
                for i, skill in enumerate(skills)]

    # Three rate "listening", one "negotiation": showing listening would give away negotiation's one score,
    # as the overall mean minus listening's.
    lonely = disclose_evaluation(rounds=rounds, assessments=rated(["listening"] * 3 + ["negotiation"]), k=3,
                                 now=CLOSED)
    assert (lonely.before, lonely.after, lonely.skills) == (2.0, 4.0, ())
    safe = disclose_evaluation(rounds=rounds, assessments=rated(["listening"] * 4), k=3, now=CLOSED)
    assert [s.skill for s in safe.skills] == ["listening"]
    waiting = disclose_evaluation(rounds=rounds, assessments=rated(["listening"] * 4), k=3,
                                  now=CLOSED - timedelta(days=1))
    assert waiting.waiting and waiting.before is None and waiting.skills == ()
