"""`program form` written set-based (issue 18): the database still arbitrates two formations at once, every circle's
space is opened once and recorded with its welcome, and the chunked claim leaves a space another worker holds."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlmodel import col, select

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.circles.forming import FIRST_CHUNK, MAX_CHUNK, _next_size
from bot.kernel.spaces import LEASE, WORKER
from storage.repositories import forming as bulk
from storage.repositories import outbox_claims as claims
from storage.repositories.outbox import pending_values
from storage.tables import Circle, CircleMember, Delivery, DeliveryStatus, ModeratorMode, Program
from tests.helpers import enroll, make_program, queued, say, text_of

SLUG = "leadership"
USERS = [f"U{i:02d}" for i in range(13)]


async def _forming(app: App, *, moderator_mode: str = ModeratorMode.ELECTED) -> Program:
    program = await make_program(app, slug=SLUG, size_min=3, size_target=4, size_max=5, start_date=date(2026, 1, 5),
                                 moderator_mode=moderator_mode)
    for user in USERS:
        await enroll(app, user, program)
    await say(app, "U00", "theme propose Feedback")
    await say(app, "U00", "theme propose Career growth")
    for index, user in enumerate(USERS):
        await say(app, user, "theme vote 1 2" if index % 2 else "theme vote 2 1")
    await say(app, "UADMIN", f"program close {SLUG}")
    return program


async def _rows(app: App) -> tuple[list[Circle], list[CircleMember], list[Delivery]]:
    async with app.uow() as uow:
        circles = list((await uow.session.exec(select(Circle).order_by(col(Circle.id)))).all())
        members = list((await uow.session.exec(select(CircleMember).order_by(col(CircleMember.id)))).all())
        spaces = list((await uow.session.exec(select(Delivery).where(Delivery.kind == "space")
                                              .order_by(col(Delivery.id)))).all())
    return circles, members, spaces


async def test_two_formations_at_once_leave_one_set_of_circles(app: App) -> None:
    await _forming(app)
    form = f"program form {SLUG}"
    replies = await asyncio.gather(say(app, "UADMIN", form), say(app, "UADMIN", form))
    circles, members, spaces = await _rows(app)
    # The memberships' unique key (one circle per member and program) lets only one formation commit: no second
    # set of circles, not even empty ones.
    assert sorted(m.member_id for m in members) == sorted({m.member_id for m in members}) and len(members) == 13
    assert {m.circle_id for m in members} == {c.id for c in circles}
    assert len(spaces) == len(circles) >= 3
    assert sum("formed" in text_of(r) for r in replies) == 1, [text_of(r) for r in replies]


async def test_every_circle_gets_its_space_once_then_its_welcome(app: App, local: LocalMessenger) -> None:
    await _forming(app, moderator_mode=ModeratorMode.APPOINTED)
    await say(app, "UADMIN", f"program form {SLUG}")
    circles, members, spaces = await _rows(app)
    assert len(local.spaces) == len(circles) == len(spaces)
    assert all(s.status == DeliveryStatus.SENT and s.claimed_by is None and s.attempts == 1 for s in spaces)
    for circle in circles:
        mine = [m.member_id for m in members if m.circle_id == circle.id]
        assert circle.space and circle.moderator_member_id in mine
        name = circle.space.rsplit(":", 1)[-1]
        assert len(local.spaces[name]) == len(mine)  # everyone placed was asked into the space
    welcomes = await queued(app, kind="welcome")
    assert sorted(target for _, target, _ in welcomes) == sorted(c.space for c in circles)
    # Each appointed moderator's orientation is queued before their circle's space, as one launch at a time did.
    orientations = await queued(app, kind="orientation")
    assert len(orientations) == len(circles)
    async with app.uow() as uow:
        kinds = [k for k in (await uow.session.exec(select(Delivery.kind).order_by(col(Delivery.id)))).all()
                 if k in ("orientation", "space")]
    assert kinds == ["orientation", "space"] * len(circles)


async def test_a_chunk_claims_only_the_spaces_nobody_holds(app: App) -> None:
    program = await make_program(app, slug=SLUG)
    now = app.services.clock.now()
    keys = ["space:circle:901", "space:circle:902", "space:circle:903"]
    async with app.uow() as uow:
        await uow.outbox.add_many([pending_values(
            workspace_id=program.workspace_id, key=key, kind="space", target="local:T:space:new", due_at=now,
            payload={"round": 0, "space": {"name": key, "members": ["U1"], "private": True, "parent": None,
                                           "group_chat": False}}) for key in keys])
        await uow.commit()
    other = await claims.claim_key(app.services.uow, key=keys[0], worker_id="deliverer", now=now,
                                   lease_until=now + LEASE)
    assert other is not None and other.id is not None
    later = await bulk.claim_keys(app.services.uow, keys=[keys[2]], worker_id=WORKER, now=now - timedelta(hours=1),
                                  lease_until=now + LEASE)
    assert later == {}  # not due yet
    taken = await bulk.claim_keys(app.services.uow, keys=keys, worker_id=WORKER, now=now, lease_until=now + LEASE)
    assert sorted(taken) == keys[1:] and all(c.order is not None and c.order.members == ("U1",)
                                              for c in taken.values())
    # Marking is fenced like mark_sent: the deliverer's row stays the deliverer's.
    await bulk.mark_opened(app.services.uow, opened=[(other.id, "theirs"), *((c.delivery_id, "ours")
                                                                             for c in taken.values())],
                           worker_id=WORKER, now=now)
    async with app.uow() as uow:
        rows = {d.key: d for d in (await uow.session.exec(select(Delivery).where(col(Delivery.key).in_(keys)))).all()}
    assert rows[keys[0]].status == DeliveryStatus.SENDING and rows[keys[0]].claimed_by == "deliverer"
    assert [rows[k].sent_ref for k in keys[1:]] == ["ours", "ours"]
    assert all(rows[k].status == DeliveryStatus.SENT for k in keys[1:])


def test_a_throttled_platform_gets_small_chunks() -> None:
    assert _next_size(10, 0.01) == MAX_CHUNK  # the fake platform: 1 ms a space
    assert _next_size(10, 30.0) == FIRST_CHUNK  # 3 s a space: a chunk must end well inside its lease
    assert FIRST_CHUNK < _next_size(10, 1.0) < MAX_CHUNK
