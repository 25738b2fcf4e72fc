"""Late joiners in a running pair program: a mentee gets a mentor when one with room fits (same team, cool-down and
the first matching's rules hold) or waits with an honest line; a mentor is taken up by waiting mentees."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.message_codec import decode
from bot.kernel.messages import Buttons
from storage.repositories.outbox import space_key
from storage.tables import Delivery, PairStatus
from tests.helpers import PROFILE, admin_creates_program, enroll, form_of, member_id, plan, press, say, submit, text_of

SLUG = "leadership-circles"


async def _running(app: App, **overrides: str) -> None:
    """A running one-on-one program where M1 (room for one) mentors E1."""
    await admin_creates_program(app, format="one_on_one", **overrides)
    await say(app, "UADMIN", f"program open {SLUG}")
    await _join(app, "M1", "mentor", skills_offered="sql")
    await _join(app, "E1", "mentee", skills_wanted="sql")
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    if overrides.get("pair_matching") != "direct":
        await press(app, "E1", f"pair.choose:1.{await member_id(app, 'M1')}")
        assert "now mentoring" in text_of(await press(app, "M1", "pair.accept:1"))
    assert await _pairs(app) == [("M1", "E1")]


async def _join(app: App, user: str, role: str, **profile: str) -> str:
    async with app.uow() as uow:
        [program] = await uow.programs.all_in(workspace_id=1)
    seniority = "3" if role == "mentor" else "0"
    return text_of(await enroll(app, user, program, role=role, seniority=seniority, capacity="1", **profile))


async def _pairs(app: App, *, active_only: bool = True) -> list[tuple[str, str]]:
    async with app.uow() as uow:
        pairs = await uow.pairs.of_program(workspace_id=1, program_id=1, active_only=active_only)
        people = {m.id: m.external_id for m in await uow.members.many(
            workspace_id=1, member_ids=[x for p in pairs for x in (p.mentor_member_id, p.mentee_member_id)])}
    return [(people[p.mentor_member_id], people[p.mentee_member_id]) for p in pairs]


async def _shortlists(app: App, user: str) -> list[list[str]]:
    """Every shortlist the member was sent: the mentors offered, by external id."""
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(Delivery.target == f"local:W1:user:{user}")
                                       .order_by(col(Delivery.id)))).all()
        offered = [[int(b.action_id.rsplit(".", 1)[1]) for b in block.buttons]
                   for row in rows for block in decode(row.payload).blocks
                   if isinstance(block, Buttons) and block.buttons[0].action_id.startswith("pair.choose")]
        ids = {m.id: m.external_id for m in await uow.members.many(
            workspace_id=1, member_ids=sorted({i for ids in offered for i in ids}))}
    return [[ids[i] for i in mentors] for mentors in offered]


async def _in_team(app: App, *users: str, team: str) -> None:
    """As the org import records it (a typed team could step around the same-team rule)."""
    async with app.uow() as uow:
        for user in users:
            member = await uow.members.get_or_create(workspace_id=1, external_id=user, now=app.services.clock.now())
            member.team = team
            uow.members.add(member)
        await uow.commit()


async def _tick(app: App) -> None:
    await plan(app.services.uow, now=app.services.clock.now(), config=app.services.config)


async def test_a_late_mentee_waits_honestly_then_gets_a_shortlist_when_a_mentor_with_room_fits(app: App) -> None:
    await _running(app)
    waiting = await _join(app, "E2", "mentee", skills_wanted="sql")
    assert "already running, but no mentor with room fits you right now" in waiting
    await _tick(app)
    assert await _shortlists(app, "E2") == []  # M1 is full: nothing to offer yet
    async with app.uow() as uow:  # the program never pairs people from the same team
        program = await uow.programs.get(workspace_id=1, program_id=1)
        assert program is not None
        program.exclude_same_team = True
        uow.programs.add(program)
        await uow.commit()
    await _in_team(app, "E3", team="Sales")
    await _in_team(app, "M2", team=" sales ")  # one team however it was typed, as circles compare teams
    assert "no mentor with room fits" in await _join(app, "E3", "mentee", skills_wanted="sql")
    # A mentor joins late from Sales: E2 may choose them now; E3, a colleague of the same team, keeps waiting.
    mentor = await _join(app, "M2", "mentor", skills_offered="sql")
    assert "1 mentee who was waiting can now choose you" in mentor
    assert await _shortlists(app, "E2") == [["M2"]] and await _shortlists(app, "E3") == []
    await _tick(app)
    await _tick(app)
    assert await _shortlists(app, "E2") == [["M2"]]  # once, however often the planner runs
    # A mentor whose seat frees up (M1's pair ends) is offered by the planner to whoever still waits: E3.
    async with app.uow() as uow:
        [pair] = await uow.pairs.of_program(workspace_id=1, program_id=1)
        pair.status, pair.ended_at = PairStatus.ENDED, app.services.clock.now()
        uow.pairs.add(pair)
        await uow.commit()
    await _tick(app)
    assert await _shortlists(app, "E3") == [["M1"]]
    await press(app, "E3", f"pair.choose:1.{await member_id(app, 'M1')}")
    assert "now mentoring E3" in text_of(await press(app, "M1", "pair.accept:2"))


async def test_a_late_mentee_with_a_mentor_who_has_room_gets_a_shortlist_at_once(app: App) -> None:
    await _running(app)
    assert "can now choose you" not in await _join(app, "M2", "mentor", skills_offered="sql")
    joined = await _join(app, "E2", "mentee", skills_wanted="sql")
    assert "1 mentor who suits you is suggested in your direct messages" in joined
    assert await _shortlists(app, "E2") == [["M2"]]


async def test_direct_matching_pairs_late_joiners_when_a_mentor_has_room(app: App) -> None:
    await _running(app, pair_matching="direct")
    assert "no mentor with room fits you" in await _join(app, "E2", "mentee", skills_wanted="sql")
    assert "You're now mentoring E2" in await _join(app, "M2", "mentor", skills_offered="sql")
    assert "no mentor with room fits you" in await _join(app, "E3", "mentee", skills_wanted="sql")
    assert "You're now mentoring E3" in text_of(await press(app, "M2", "pair.capacity:1.2"))
    assert "no mentor with room fits you" in await _join(app, "E4", "mentee", skills_wanted="sql")
    assert await _pairs(app) == [("M1", "E1"), ("M2", "E2"), ("M2", "E3")]
    # The planner pairs E4 once M1's pair ends; the space is queued for the deliverer to open.
    async with app.uow() as uow:
        [first, *_] = await uow.pairs.of_program(workspace_id=1, program_id=1)
        first.status, first.ended_at = PairStatus.ENDED, app.services.clock.now()
        uow.pairs.add(first)
        await uow.commit()
    await _tick(app)
    await _tick(app)
    assert await _pairs(app) == [("M2", "E2"), ("M2", "E3"), ("M1", "E4")]
    async with app.uow() as uow:
        pairs = await uow.pairs.of_program(workspace_id=1, program_id=1)
        assert await uow.outbox.by_key(key=space_key("pair", pairs[-1].id or 0)) is not None


async def test_a_forming_program_tells_late_joiners_they_are_matched_at_formation(app: App) -> None:
    await admin_creates_program(app, format="peer")
    await say(app, "UADMIN", f"program open {SLUG}")
    await _join(app, "M1", "mentor")
    await _join(app, "E1", "mentee")
    await say(app, "UADMIN", f"program close {SLUG}")
    assert "You'll get your mentor when the pairs of Leadership Circles are formed" in await _join(app, "E2",
                                                                                                   "mentee")
    assert "matched with a mentee when the pairs" in await _join(app, "M2", "mentor")
    assert await _pairs(app) == []


async def test_two_late_mentees_at_once_never_overfill_a_mentor(app: App) -> None:
    await _running(app, pair_matching="direct")
    assert "No mentee in Leadership Circles is waiting" in await _join(app, "M2", "mentor", skills_offered="sql")
    forms = {user: form_of(await say(app, user, f"join {SLUG}")) for user in ("E2", "E3")}
    answers = await asyncio.gather(*(
        submit(app, user, "profile", {**PROFILE, "role": "mentee", "seniority": "0", "skills_wanted": "sql"},
               state=opened.form.state) for user, opened in forms.items()))
    lines = [text_of(answer) for answer in answers]
    assert sum("has room: you're now their mentee" in line for line in lines) == 1, lines
    assert sum("no mentor with room fits you" in line for line in lines) == 1, lines
    pairs = await _pairs(app)
    assert len(pairs) == 2 and [mentor for mentor, _ in pairs].count("M2") == 1
