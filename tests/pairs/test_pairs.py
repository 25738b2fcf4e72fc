"""Mentoring pairs through the core: roles, shortlists, accept / decline / timeout, publish, exit and rematch."""

from __future__ import annotations

from datetime import timedelta

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from tests.helpers import (
    admin_creates_program,
    enroll,
    errors_of,
    form_of,
    member_id,
    plan,
    press,
    queued,
    say,
    submit,
    text_of,
)

SLUG = "leadership-circles"


async def _pair_program(app: App, fmt: str = "one_on_one", **overrides: str) -> None:
    await admin_creates_program(app, format=fmt, **overrides)
    await say(app, "UADMIN", f"program open {SLUG}")


async def _join(app: App, user: str, *, role: str, seniority: int, capacity: int = 1, **profile: str) -> None:
    async with app.uow() as uow:
        program = (await uow.programs.all_in(workspace_id=1))[-1]
    replies = await enroll(app, user, program, role=role, seniority=str(seniority), capacity=str(capacity),
                           **profile)
    assert "Welcome" in text_of(replies), replies


async def _shortlist_of(app: App, user: str) -> list[str]:
    """The mentor ids offered in the member's latest shortlist DM, best first."""
    from sqlmodel import col, select

    from bot.kernel.message_codec import decode
    from bot.kernel.messages import Buttons
    from storage.tables import Delivery

    async with app.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(Delivery.target == f"local:W1:user:{user}")
                                       .order_by(col(Delivery.id)))).all()
    for row in reversed(rows):
        for block in decode(row.payload).blocks:
            if isinstance(block, Buttons) and block.buttons[0].action_id.startswith("pair.choose"):
                return [b.action_id for b in block.buttons]
    return []


async def test_pair_programs_ask_for_the_role_and_validate_it(app: App) -> None:
    await _pair_program(app, fmt="reverse")
    opened = form_of(await say(app, "U1", "join"))
    role = next(i for i in opened.form.inputs if i.name == "role")
    assert "junior colleague who teaches digital skills to a senior" in role.options[0].label  # type: ignore[union-attr]
    errors = errors_of(await submit(app, "U1", "profile", {"department": "IT", "role": "boss", "capacity": "9"},
                                    state=opened.form.state))
    assert set(errors) >= {"role", "capacity"}


async def test_one_on_one_shortlist_prefers_a_more_senior_mentor_and_reverse_a_junior_one(app: App) -> None:
    await _pair_program(app)
    await _join(app, "MJUNIOR", role="mentor", seniority=0, skills_offered="excel")
    await _join(app, "MSENIOR", role="mentor", seniority=3, skills_offered="excel")
    await _join(app, "MENTEE", role="mentee", seniority=1, skills_wanted="excel")
    await say(app, "UADMIN", f"program close {SLUG}")
    assert "shortlist sent to 1 mentee;" in text_of(await say(app, "UADMIN", f"program form {SLUG}"))
    offered = await _shortlist_of(app, "MENTEE")
    senior = await member_id(app, "MSENIOR")
    assert offered[0].endswith(f".{senior}")  # a junior mentor is excluded for 1-on-1 (inverted seniority)
    assert len(offered) == 1


async def test_reverse_mentoring_puts_the_junior_first(app: App) -> None:
    await _pair_program(app, fmt="reverse")
    await _join(app, "MJUNIOR", role="mentor", seniority=0, skills_offered="ai tools")
    await _join(app, "MSENIOR", role="mentor", seniority=4, skills_offered="ai tools")
    await _join(app, "EXEC", role="mentee", seniority=4, skills_wanted="ai tools")
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    offered = await _shortlist_of(app, "EXEC")
    # The junior comes first; an equally senior mentor is allowed but scores nothing on seniority.
    assert offered == [f"pair.choose:1.{await member_id(app, u)}" for u in ("MJUNIOR", "MSENIOR")]


async def test_choose_accept_creates_a_pair_with_its_space_and_welcome(app: App, local: LocalMessenger) -> None:
    await _pair_program(app, rules_frequency="every two weeks")
    await _join(app, "MENTOR", role="mentor", seniority=3, skills_offered="negotiation")
    await _join(app, "MENTEE", role="mentee", seniority=0, skills_wanted="negotiation")
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    choice = (await _shortlist_of(app, "MENTEE"))[0]
    shortlist_dm = next(q for q in await queued(app, kind="pair") if q[1].endswith(":MENTEE"))[2]
    assert "offers negotiation" in shortlist_dm
    assert "asked MENTOR" in text_of(await press(app, "MENTEE", choice))
    assert "already asked" in text_of(await press(app, "MENTEE", choice))
    request = [q for q in await queued(app, kind="pair") if q[1].endswith(":MENTOR")][-1][2]
    assert "would like you as their mentor" in request and "negotiation" in request
    assert "You're now mentoring MENTEE" in text_of(await press(app, "MENTOR", "pair.accept:1"))
    assert "no longer open" in text_of(await press(app, "MENTOR", "pair.accept:1"))
    assert sorted(next(iter(local.spaces.values()))) == ["MENTEE", "MENTOR"]
    welcome = (await queued(app, kind="welcome"))[0][2]
    assert "every two weeks" in welcome and "SMART" in welcome
    assert "your partner is MENTOR" in text_of(await say(app, "MENTEE", "pair info"))


async def test_decline_and_timeout_offer_the_next_best(app: App, clock: ManualClock) -> None:
    await _pair_program(app, pair_response_hours="24")
    await _join(app, "M1", role="mentor", seniority=3, skills_offered="sql, python")
    await _join(app, "M2", role="mentor", seniority=3, skills_offered="sql")
    await _join(app, "M3", role="mentor", seniority=3, skills_offered="cooking")
    await _join(app, "MENTEE", role="mentee", seniority=0, skills_wanted="sql, python")
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    m1, m2, m3 = [await member_id(app, u) for u in ("M1", "M2", "M3")]
    assert await _shortlist_of(app, "MENTEE") == [f"pair.choose:1.{m}" for m in (m1, m2, m3)]
    await press(app, "MENTEE", f"pair.choose:1.{m1}")
    assert "other mentors" in text_of(await press(app, "M1", "pair.decline:1"))
    assert await _shortlist_of(app, "MENTEE") == [f"pair.choose:1.{m2}", f"pair.choose:1.{m3}"]
    await press(app, "MENTEE", f"pair.choose:1.{m2}")
    clock.advance(timedelta(hours=25))
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    await plan(app.services.uow, now=clock.now(), config=app.services.config)  # twice: one timeout, one offer
    assert await _shortlist_of(app, "MENTEE") == [f"pair.choose:1.{m3}"]
    timeouts = [q for q in await queued(app, kind="pair") if "wasn't answered in time" in q[2]]
    assert len(timeouts) == 1
    assert "no longer open" in text_of(await press(app, "M2", "pair.accept:2"))


async def test_capacity_is_respected(app: App) -> None:
    await _pair_program(app, pair_matching="direct")
    await _join(app, "MENTOR", role="mentor", seniority=3, capacity=2, skills_offered="sql")
    for user in ("A", "B", "C"):
        await _join(app, user, role="mentee", seniority=0, skills_wanted="sql")
    await say(app, "UADMIN", f"program close {SLUG}")
    published = text_of(await say(app, "UADMIN", f"program form {SLUG}"))
    assert "2 pairs published" in published and "1 mentees without a match" in published
    async with app.uow() as uow:
        pairs = await uow.pairs.of_program(workspace_id=1, program_id=1)
    assert len(pairs) == 2 and {p.mentor_member_id for p in pairs} == {await member_id(app, "MENTOR")}


async def test_do_not_match_me_with(app: App) -> None:
    await _pair_program(app, pair_matching="direct")
    await _join(app, "EX", role="mentor", seniority=3, skills_offered="sql")
    await _join(app, "OTHER", role="mentor", seniority=3, skills_offered="cooking")
    await _join(app, "MENTEE", role="mentee", seniority=0, skills_wanted="sql")
    assert "won't be matched" in text_of(await say(app, "MENTEE", "pair avoid <@EX>"))
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    async with app.uow() as uow:
        pairs = await uow.pairs.of_program(workspace_id=1, program_id=1)
    assert [p.mentor_member_id for p in pairs] == [await member_id(app, "OTHER")]


async def test_exclusion_same_manager(app: App) -> None:
    await _pair_program(app, pair_matching="direct")
    await _join(app, "BOSS", role="mentor", seniority=4, skills_offered="sql")
    await _join(app, "OTHER", role="mentor", seniority=3, skills_offered="cooking")
    await _join(app, "REPORT", role="mentee", seniority=1, skills_wanted="sql")
    async with app.uow() as uow:
        report = await uow.members.by_external_id(workspace_id=1, external_id="REPORT")
        boss = await uow.members.by_external_id(workspace_id=1, external_id="BOSS")
        assert report is not None and boss is not None
        report.manager_external_id = "BOSS"  # BOSS manages REPORT: never their mentor
        uow.session.add(report)
        await uow.commit()
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    async with app.uow() as uow:
        pairs = await uow.pairs.of_program(workspace_id=1, program_id=1)
    assert [(p.mentor_member_id, p.mentee_member_id) for p in pairs] == [
        (await member_id(app, "OTHER"), await member_id(app, "REPORT"))]


async def test_no_fault_exit_tells_the_other_kindly_and_offers_a_rematch(app: App) -> None:
    await _pair_program(app)
    await _join(app, "M1", role="mentor", seniority=3, skills_offered="sql")
    await _join(app, "M2", role="mentor", seniority=3, skills_offered="sql")
    await _join(app, "MENTEE", role="mentee", seniority=0, skills_wanted="sql")
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    first = (await _shortlist_of(app, "MENTEE"))[0]
    await press(app, "MENTEE", first)
    await press(app, (first.rsplit(".", 1)[1] == str(await member_id(app, "M1")) and "M1") or "M2", "pair.accept:1")
    opened = form_of(await say(app, "MENTEE", "pair end"))
    done = await submit(app, "MENTEE", "pair.end", {"reason": "we never found time"}, state=opened.form.state)
    assert "has ended" in text_of(done)
    told = [q for q in await queued(app, kind="pair") if "has ended. Thank you" in q[2]]
    assert len(told) == 1 and "never found time" not in told[0][2]
    rematch = await _shortlist_of(app, "MENTEE")
    assert rematch and first not in rematch  # the ended mentor is not offered again
    async with app.uow() as uow:
        ended = (await uow.pairs.of_program(workspace_id=1, program_id=1, active_only=False))[0]
    assert ended.status == "ended" and ended.end_reason == "we never found time"


async def test_admin_sets_a_pair_by_hand(app: App) -> None:
    await _pair_program(app)
    await _join(app, "MENTOR", role="mentor", seniority=3)
    await _join(app, "MENTEE", role="mentee", seniority=0)
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    assert "is not an active mentor" in text_of(await say(app, "UADMIN", f"pair set {SLUG} <@MENTEE> <@MENTOR>"))
    assert "MENTOR now mentors MENTEE" in text_of(await say(app, "UADMIN", f"pair set {SLUG} <@MENTOR> <@MENTEE>"))
    assert "Only Lingkar admins" in text_of(await say(app, "MENTEE", f"pair set {SLUG} <@MENTOR> <@MENTEE>"))


async def test_forgetting_a_member_whose_id_is_a_word_leaves_other_values_alone(app: App) -> None:
    await _pair_program(app)
    await _join(app, "MENTOR", role="mentor", seniority=3)
    await _join(app, "MENTEE", role="mentee", seniority=0)  # an id that is also the role's value
    mentee = await member_id(app, "MENTEE")
    await press(app, "MENTEE", f"forget.confirm:{mentee}")
    async with app.uow() as uow:
        mentor_row = await uow.enrollments.get(workspace_id=1, program_id=1, member_id=await member_id(app, "MENTOR"))
        mentee_row = await uow.enrollments.get(workspace_id=1, program_id=1, member_id=mentee)
        erased = await uow.members.get(workspace_id=1, member_id=mentee)
    assert erased is not None and erased.erased and erased.external_id != "MENTEE"
    assert mentor_row is not None and mentor_row.role == "mentor"
    assert mentee_row is not None and mentee_row.role == "mentee"  # a value, not the member's id
