"""`my data` and `forget me`: the member's data as a file, and an erasure that leaves nothing identifying."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ForeignKey, select
from sqlmodel import SQLModel
from sqlmodel import select as select_rows

from adapters.bootstrap import App
from bot.digest.planner import plan_digest
from bot.feedback.planner import plan_feedback
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action, Command, FormSubmitted
from bot.kernel.replies import Reply, UpdateSource
from bot.privacy.personal import NOT_PERSONAL, PERSONAL_TABLES
from storage.repositories.outbox import file_of
from storage.tables import (
    CheckIn,
    CirclePrompt,
    Delivery,
    DeliveryStatus,
    Goal,
    GoalUpdate,
    Pair,
    PollResponse,
    SelfAssessment,
    SessionLog,
)
from tests.feedback.support import answer_poll, deliveries, enroll_as, person, run, running_program
from tests.helpers import PROFILE, form_of, make_program, member_id, say, text_of

USER, NAME, MARKER = "UFORGET7", "Ratna Sulistyowati", "Zebra-Marker-7731"
ALIAS = "29:teams-alias-of-ratna"
ME = person(USER, NAME)
PULSE_4 = datetime(2026, 2, 4, 5, 0, tzinfo=UTC)
MY_PROFILE = {"job_title": f"Head of {MARKER}", "skills_wanted": f"{MARKER} skills, listening",
              "skills_offered": MARKER, "interests": f"{MARKER} hiking", "department": "Marketing"}


async def _as_me(app: App, text: str) -> list[Any]:
    return await app.core.handle(Command(ME, text))


async def plant_everything(app: App, clock: ManualClock) -> int:
    """Ratna takes part in everything, writes the marker wherever she can write, and is mentioned by others."""
    program = await running_program(app, ["U1", "U2", "U3"], people=[ME], circles=[["U1", "U2", "U3", USER]])
    profile = form_of(await _as_me(app, "profile")).form
    await app.core.handle(FormSubmitted(ME, profile.form_id, values={**PROFILE, **MY_PROFILE}))
    second = await make_program(app, name="Second Round", slug="second")
    await enroll_as(app, ME, second, **MY_PROFILE)
    await app.core.handle(FormSubmitted(ME, "leave", state=str(second.id), values={"reason": f"{MARKER} busy"}))
    assert "is now a Lingkar admin" in text_of(await say(app, "UADMIN", f"admin add <@{USER}>"))
    me = await member_id(app, USER)
    await run(app, plan_feedback, clock.now())  # the "before" self-assessment
    await app.core.handle(FormSubmitted(ME, "feedback.assessment", state="1", values={"skill_0": "2", "skill_1": "3"}))
    clock.set(PULSE_4)
    await run(app, plan_feedback, PULSE_4)
    for user, score in (("U1", 4), ("U2", 5), ("U3", 3)):
        await answer_poll(app, user, 2, satisfaction=score, recommend=8)
    await app.core.handle(FormSubmitted(ME, "feedback.poll", state="2", values={
        "satisfaction": "2", "recommend": "3", "keep": f"{MARKER} keep", "improve": f"tell {NAME}'s manager"}))
    now = clock.now()
    async with app.uow() as uow:
        s = uow.session
        s.add(CheckIn(workspace_id=1, program_id=1, circle_id=1, member_id=me, session_index=3, attended=True,
                      usefulness=5, progress=f"{MARKER} progress", created_at=now, updated_at=now))
        goal = Goal(workspace_id=1, program_id=1, member_id=me, specific=MARKER, measurable=MARKER,
                    achievable=MARKER, relevant=MARKER, due_on=date(2026, 3, 1), created_at=now, updated_at=now)
        s.add(goal)
        await s.flush()
        s.add(GoalUpdate(workspace_id=1, goal_id=goal.id or 0, progress=50, note=f"{MARKER} note", created_at=now))
        s.add(CirclePrompt(workspace_id=1, program_id=1, circle_id=1, prompt_id="custom-1", status="queued",
                           custom_text=f"{MARKER} prompt", added_by_member_id=me, created_at=now))
        s.add(SessionLog(workspace_id=1, program_id=1, circle_id=1, session_index=3, logged_by_member_id=me,
                         attendee_member_ids=[me], outcomes=f"{MARKER} outcome", created_at=now, updated_at=now))
        s.add(SessionLog(workspace_id=1, program_id=1, circle_id=1, session_index=2, created_at=now, updated_at=now,
                         logged_by_member_id=await member_id(app, "U1"), attendee_member_ids=[me],
                         outcomes=f"{NAME} told a story about <@{USER}> and {ALIAS}"))
        s.add(Pair(workspace_id=1, program_id=1, mentor_member_id=me, mentee_member_id=await member_id(app, "U1"),
                   started_at=now, end_reason=f"{MARKER} reason"))
        s.add(Delivery(workspace_id=1, key="welcome:1", kind="welcome", target="local:W1:space:circle-0",
                       payload={"text": f"Welcome {NAME}, U1 and U2", "blocks": []}, status="sent", due_at=now,
                       created_at=now))
        _plant_spaces(s, now)
        u1 = await uow.members.by_external_id(workspace_id=1, external_id="U1")
        assert u1 is not None
        u1.manager_external_id = USER
        uow.members.add(u1)
        from storage.tables import ConversationRecord, PendingFile

        s.add(ConversationRecord(workspace_id=1, scope="user", key=USER, alias=ALIAS, name=NAME,
                                 reference={"user": {"id": ALIAS, "name": NAME}}, updated_at=now))
        s.add(PendingFile(workspace_id=1, token="t0ken", user_key=USER, filename="lingkar-my-data.json",
                          title="Your data", data=f'{{"name": "{NAME}"}}'.encode(), created_at=now))
        await uow.commit()
    await run(app, plan_digest, datetime(2026, 2, 9, 2, 0, tzinfo=UTC))  # Ratna is an admin: she gets one
    await _as_me(app, "my data")
    await say(app, "UADMIN", "export leadership")
    assert program.id == 1
    return me


def _plant_spaces(s: Any, now: datetime) -> None:
    """A circle's space still to open and one opened, both naming her among their members."""
    for key, status, ref in (("space:circle:91", "pending", None),
                             ("space:circle:92", "sent", f"local:W1:space:circle-92|{USER},U2")):
        s.add(Delivery(workspace_id=1, key=key, kind="space", target=f"local:W1:space:new:{key}", status=status,
                       payload={"round": 0, "space": {"name": "leadership-circle-9", "members": [USER, "U1"],
                                                      "private": True, "parent": None, "group_chat": False}},
                       sent_ref=ref, due_at=now, created_at=now))


async def _everything_stored(app: App) -> list[tuple[str, str, str]]:
    """(table, column, text) for every value of every table, zips opened, JSON as text."""
    found = []
    async with app.uow() as uow:
        for table in SQLModel.metadata.sorted_tables:
            rows = (await uow.session.exec(select(table))).all()  # type: ignore[call-overload]
            for row in rows:
                for column, value in row._mapping.items():
                    found.append((table.name, str(column), _as_text(value)))
    return found


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        data = bytes(value)
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "\n".join(archive.read(n).decode("utf-8-sig", "replace") for n in archive.namelist())
        return data.decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


async def test_my_data_file(app: App, clock: ManualClock) -> None:
    me = await plant_everything(app, clock)
    [mine] = [d for d in await deliveries(app, kind="file") if d.target == f"local:W1:user:{USER}"]
    sent = file_of(mine)
    assert sent is not None and sent.filename == "lingkar-my-data.json" and mine.member_id == me
    data = json.loads(sent.data)
    assert data["profile"]["display_name"] == NAME and data["profile"]["job_title"] == f"Head of {MARKER}"
    assert data["profile"]["skills_wanted"] == [f"{MARKER} skills", "listening"]  # as typed: skills keep their case
    assert {e["program_id"]: e["status"] for e in data["enrollments"]} == {1: "active", 2: "left"}
    assert data["enrollments"][1]["left_reason"] == f"{MARKER} busy"
    assert data["program_names"] == {"1": "Leadership Circles", "2": "Second Round"}
    assert [(f["satisfaction"], f["keep"]) for f in data["feedback"]] == [(2, f"{MARKER} keep")]
    assert data["self_assessments"][0]["ratings"] == [{"skill": f"{MARKER} skills", "score": 2},
                                                      {"skill": "listening", "score": 3}]
    assert data["checkins"][0]["progress"] == f"{MARKER} progress" and data["goals"][0]["specific"] == MARKER
    assert data["goal_updates"][0]["note"] == f"{MARKER} note" and data["pairs"][0]["end_reason"]
    assert sorted(s["session_index"] for s in data["sessions"]) == [2, 3]  # logged by her, or attended
    assert data["circle_memberships"][0]["circle_id"] == 1 and data["admin_roles"][0]["user_external_id"] == USER
    assert data["conversations"][0]["alias"] == ALIAS
    assert any("Pulse poll" in m["payload"]["text"] for m in data["messages_to_you"])
    assert "on its way to your direct messages" in text_of(await _as_me(app, "my data"))


async def test_forget_me_leaves_nothing_identifying_anywhere(app: App, clock: ManualClock) -> None:
    me = await plant_everything(app, clock)
    pending = {d.id for d in await deliveries(app) if d.member_id == me and d.status == DeliveryStatus.PENDING}
    assert len(pending) >= 4  # her poll invitations, her digest and chart, her `my data` file
    asked = await _as_me(app, "forget me")
    assert isinstance(asked[0], Reply) and "cannot be undone" in asked[0].message.text
    someone_else = await app.core.handle(Action(person("U1", "U1"), f"forget.confirm:{me}"))
    assert "out of date" in text_of(someone_else)
    done = await app.core.handle(Action(ME, f"forget.confirm:{me}"))
    assert isinstance(done[0], UpdateSource) and "forgotten you" in done[0].message.text

    leaks = [(table, column, text[:80]) for table, column, text in await _everything_stored(app)
             if any(needle.lower() in text.lower() for needle in (NAME, USER, MARKER, ALIAS))]
    assert leaks == [], "\n".join(map(str, leaks))

    async with app.uow() as uow:
        member = await uow.members.get(workspace_id=1, member_id=me)
        answers = (await uow.session.exec(select_rows(PollResponse))).all()
        ratings = (await uow.session.exec(select_rows(SelfAssessment))).all()
        audit = await uow.audit.list(workspace_id=1, action="member.erased")
        mine = [d for d in (await uow.session.exec(select_rows(Delivery))).all() if d.member_id == me]
        enrollments = await uow.enrollments.of_member(workspace_id=1, member_id=me, active_only=False)
    assert member is not None and member.erased and member.external_id.startswith("erased-")
    assert sorted(a.satisfaction for a in answers) == [2, 3, 4, 5]  # the numbers stay, anonymous
    assert [a.keep for a in answers if a.member_id is None] == [None]
    assert [(r.member_id, r.ratings) for r in ratings] == [(None, [{"skill": None, "score": 2},
                                                                   {"skill": None, "score": 3}])]
    assert [e.detail for e in audit] == [{"member_id": me}]
    assert {d.id: d.status for d in mine if d.id in pending} == dict.fromkeys(pending, DeliveryStatus.SKIPPED)
    assert {e.status for e in enrollments} == {"left"}
    spaces = sorted((d.key, d.status, d.payload["space"]["members"], d.sent_ref) for d in
                    (await deliveries(app, kind="space")))
    assert spaces == [("space:circle:91", "pending", ["U1"], None),  # still opens, for the others
                      ("space:circle:92", "sent", ["U1"], "local:W1:space:circle-92|U2")]
    clock.set(datetime(2026, 2, 11, 5, 0, tzinfo=UTC))  # the pulse poll has closed: its totals are published
    admin = text_of(await say(app, "UADMIN", "feedback results leadership"))
    assert "4 answers, satisfaction 3.5/5" in admin
    assert "Ratna" not in admin and MARKER not in admin
    again = await _as_me(app, "status")  # speaking again starts afresh, as a new member
    assert "not enrolled in any program" in text_of(again)
    assert await member_id(app, USER) != me


async def test_forget_me_can_be_cancelled(app: App) -> None:
    await say(app, "U1", "status")
    me = await member_id(app, "U1")
    kept = await app.core.handle(Action(person("U1", "U1"), f"forget.cancel:{me}"))
    assert isinstance(kept[0], UpdateSource) and "Nothing was erased" in kept[0].message.text
    async with app.uow() as uow:
        member = await uow.members.get(workspace_id=1, member_id=me)
    assert member is not None and not member.erased and member.external_id == "U1"


def test_every_table_is_declared_personal_or_not() -> None:
    """A new table must say what erasure does to it (PERSONAL_TABLES) or why it holds nothing personal."""
    declared = {spec.table: spec for spec in PERSONAL_TABLES}
    assert set(SQLModel.metadata.tables) - set(declared) - NOT_PERSONAL == set()
    for name, table in SQLModel.metadata.tables.items():
        spec = declared.get(name)
        member_keys = {c.name for c in table.c for fk in c.foreign_keys
                       if isinstance(fk, ForeignKey) and fk.target_fullname == "member.id"}
        member_keys |= {c.name for c in table.c if c.name.endswith("member_id") and c.name != "id"}
        if name in NOT_PERSONAL:
            assert name == "member" or not member_keys, f"{name} refers to members: declare it in PERSONAL_TABLES"
            continue
        assert spec is not None
        undeclared = member_keys - set(spec.member_columns) - set(spec.others_columns)
        assert not undeclared, f"{name}.{undeclared} point at members: declare them in PERSONAL_TABLES"
        for column in (*spec.member_columns, *spec.text_columns, *spec.unlink_columns, *spec.external_columns,
                       *spec.others_columns, *spec.member_list_columns):
            assert column in table.c, f"{name}.{column} is declared but does not exist"
        for column in spec.unlink_columns:
            assert table.c[column].nullable, f"{name}.{column} cannot be unlinked: it is not nullable"


async def test_erasure_leaves_similar_ids_and_names_alone(app: App, clock: ManualClock) -> None:
    al, alma = person("U1", "Al"), person("U12", "Alma")
    for who in (al, alma):
        await app.core.handle(Command(who, "status"))
    now = clock.now()
    async with app.uow() as uow:
        uow.session.add(Delivery(workspace_id=1, key="dm:U12", kind="dm", target="local:W1:user:U12",
                                 payload={"text": "Hi Alma, see U12", "blocks": []}, due_at=now, created_at=now))
        uow.session.add(Delivery(workspace_id=1, key="post", kind="announcement", target="local:W1:space:c",
                                 payload={"text": "Al and Alma met. Also <@U1> and <@U12>.", "blocks": []},
                                 due_at=now, created_at=now))
        await uow.commit()
    me = await member_id(app, "U1")
    await app.core.handle(Action(al, f"forget.confirm:{me}"))
    rows = {d.key: d for d in await deliveries(app)}
    assert rows["dm:U12"].target == "local:W1:user:U12" and rows["dm:U12"].payload["text"] == "Hi Alma, see U12"
    text = rows["post"].payload["text"]
    assert text.startswith("… and Alma met. Also <@erased-") and text.endswith("> and <@U12>.")
