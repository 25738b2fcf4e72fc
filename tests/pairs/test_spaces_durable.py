"""A pair's space (a Slack group DM) opens exactly once whatever Slack answers: 429s and 500s are retried by the
durable space step, the welcome goes there once, and a permanent refusal welcomes the pair by DM and tells the
admins the real cause once."""

from __future__ import annotations

from collections import Counter

import pytest

from adapters.bootstrap import App
from bot.digest.spaces import missing_spaces
from bot.kernel.clock import ManualClock
from bot.kernel.ports import SpaceRef, SpaceUnsupported
from storage.tables import Pair, Program, ProgramFormat, ProgramState
from tests.circles.test_spaces_durable import admin_says, run_the_service
from tests.slack.conftest import TEAM, lingkar, mock_slack, sleeps  # noqa: F401  (fixtures)
from tests.slack.mock_slack import MockSlack

MENTORS = [f"UR{i:02d}" for i in range(12)]
MENTEES = [f"UE{i:02d}" for i in range(12)]


async def pair_program(app: App, mock: MockSlack) -> None:
    """12 mentors and 12 mentees on Slack, enrolled in a direct-matching pair program waiting for `program form`."""
    now = app.services.clock.now()
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM, now=now)
        wid = workspace.id or 0
        program = Program(workspace_id=wid, name="Growth Pairs", slug="growth", format=ProgramFormat.ONE_ON_ONE,
                          state=ProgramState.FORMING, start_date=now.date(), weeks=8, meeting_weekday=2,
                          meeting_time="10:00", timezone="Asia/Jakarta", pair_matching="direct", created_at=now)
        uow.programs.add(program)
        await uow.flush()
        await uow.members.get_or_create(workspace_id=wid, external_id="UADMIN", now=now,
                                        defaults={"display_name": "Dewi Admin", "locale": "en"})
        for role, people, seniority in (("mentor", MENTORS, 4), ("mentee", MENTEES, 0)):
            for user in people:
                mock.add_user(user, name=f"Person {user}")
                member = await uow.members.get_or_create(workspace_id=wid, external_id=user, now=now,
                                                         defaults={"display_name": f"Person {user}"})
                member.seniority, member.skills_offered, member.skills_wanted = seniority, ["ai tools"], ["ai tools"]
                uow.session.add(member)
                await uow.enrollments.enroll(workspace_id=wid, program_id=program.id or 0, member_id=member.id or 0,
                                             now=now, role=role, capacity=1)
        await uow.commit()


async def pairs_of(app: App) -> list[tuple[Pair, list[str]]]:
    async with app.uow() as uow:
        found = []
        for pair in await uow.pairs.of_program(workspace_id=1, program_id=1):
            people = await uow.members.many(workspace_id=1, member_ids=[pair.mentor_member_id, pair.mentee_member_id])
            found.append((pair, sorted(m.external_id for m in people)))
        return found


def welcomes(mock: MockSlack) -> Counter[str]:
    return Counter(c.args["channel"] for c in mock.calls_to("chat.postMessage")
                   if c.ok and "to your" in (c.text() or str(c.args.get("text"))))


async def test_pairs_under_429s_and_500s_get_one_group_dm_and_one_welcome(
        lingkar: App, mock_slack: MockSlack, clock: ManualClock) -> None:  # noqa: F811
    await pair_program(lingkar, mock_slack)
    # conversations.open is idempotent (the same users, the same group DM), so even lost answers are safe.
    mock_slack.flaky(("conversations.open",), throttled=0.3, broken=0.1, lost=0.5, seed=13)
    mock_slack.flaky(("chat.postMessage",), throttled=0.3, broken=0.1, lost=0.0)
    mock_slack.lose_answers("conversations.open", times=2)
    await admin_says(lingkar, "program form growth")
    await run_the_service(lingkar, clock)

    pairs = await pairs_of(lingkar)
    assert len(pairs) == 12
    struck = [c for c in mock_slack.calls_to("conversations.open") if c.status in (429, 500)]
    assert len([c for c in struck if c.status == 500]) >= 3, "the double must really have failed"
    groups = [c for c in mock_slack.channels.values() if c.name.startswith("mpdm-")]
    assert len(groups) == len(pairs), "a group DM was opened for someone else or twice"
    for pair, people in pairs:
        assert pair.space, f"pair {pair.id} has no space"
        channel = mock_slack.channels[pair.space.rsplit(":", 1)[-1]]
        assert sorted(channel.members) == sorted([mock_slack.bot_user, *people])
        assert welcomes(mock_slack)[channel.id] == 1
    assert not [channel for channel in welcomes(mock_slack) if channel.startswith("D")], "welcomed by DM too"
    assert not mock_slack.calls_to("conversations.create"), "a pair got a channel instead of a group DM"


async def test_a_permanent_refusal_welcomes_the_pair_by_dm_and_tells_the_admins_once(
        lingkar: App, mock_slack: MockSlack, clock: ManualClock) -> None:  # noqa: F811
    await pair_program(lingkar, mock_slack)
    mock_slack.fail("conversations.open", "missing_scope", times=1)  # the first pair's group DM, right after form
    await admin_says(lingkar, "program form growth")
    await run_the_service(lingkar, clock, rounds=3)

    pairs = await pairs_of(lingkar)
    lacking = [(p, people) for p, people in pairs if not p.space]
    assert len(lacking) == 1 and len(pairs) == 12
    _, people = lacking[0]
    dm_welcomes = welcomes(mock_slack)
    assert [dm_welcomes[f"D{user}"] for user in people] == [1, 1]
    assert sum(dm_welcomes.values()) == 11 + 2
    notices = [c.text() or str(c.args.get("text")) for c in mock_slack.calls_to("chat.postMessage")
               if c.args["channel"] == "DUADMIN"]
    told = [n for n in notices if "missing_scope" in n]
    assert len(told) == 1 and "Growth Pairs" in told[0], notices


async def test_a_platform_without_pair_spaces_welcomes_by_dm_and_alarms_nobody(
        lingkar: App, mock_slack: MockSlack, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Teams without Graph has no group chats: pairs meet by DM there by design, as before spaces were durable. That
    is no fault to report to the admins, nor a pair 'without a space' in their digest."""
    await pair_program(lingkar, mock_slack)

    async def no_group_chats(**_: object) -> SpaceRef:
        raise SpaceUnsupported("group chats need Microsoft Graph")

    monkeypatch.setattr(lingkar.messenger, "open_space", no_group_chats)
    await admin_says(lingkar, "program form growth")
    await run_the_service(lingkar, clock, rounds=3)

    pairs = await pairs_of(lingkar)
    assert len(pairs) == 12 and not [p for p, _ in pairs if p.space]
    dm_welcomes = welcomes(mock_slack)
    assert sum(dm_welcomes.values()) == 24 and set(dm_welcomes.values()) == {1}
    to_admin = [c.text() or str(c.args.get("text")) for c in mock_slack.calls_to("chat.postMessage")
                if c.args["channel"] == "DUADMIN"]
    assert not [text for text in to_admin if "Graph" in text or "space" in text.lower()], to_admin
    async with lingkar.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=1)
        assert program is not None
        missing = await missing_spaces(uow, program)
    assert (missing.pairs, missing.pairs_failed) == (0, 0)
