"""Set-based planning's writes (issue 18): many deliveries in one multi-row INSERT keep one row per idempotency key,
whatever was planned before and however the rows fall into statements (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from bot.kernel.messages import Message
from bot.kernel.outbox import Outgoing, enqueue, enqueue_many
from bot.kernel.ports import Target
from storage.repositories.outbox import pending_values
from storage.tables import Delivery
from storage.upsert import insert_ignore_many
from tests.helpers import make_program

SPACE = Target(platform="local", workspace_id="W1", kind="channel", ref="C1")


async def test_many_deliveries_queue_each_key_once(app: App, clock: ManualClock) -> None:
    program = await make_program(app)
    now = clock.now()
    items = [Outgoing(key=f"prompt:{i}:0", kind="prompt", target=SPACE, message=Message(text=f"p{i}"), due_at=now,
                      stale_at=now + timedelta(days=1)) for i in range(5)]
    async with app.uow() as uow:  # one of them was planned before
        assert await enqueue(uow, workspace_id=program.workspace_id, key="prompt:2:0", kind="prompt", target=SPACE,
                             message=Message(text="earlier"), due_at=now, program_id=program.id)
        await uow.commit()
    async with app.uow() as uow:
        first = await enqueue_many(uow, workspace_id=program.workspace_id, program_id=program.id, items=items)
        await uow.commit()
    async with app.uow() as uow:
        again = await enqueue_many(uow, workspace_id=program.workspace_id, program_id=program.id, items=items)
        await uow.commit()
        rows = (await uow.session.exec(select(Delivery).order_by(col(Delivery.key)))).all()
    assert first == {"prompt:0:0", "prompt:1:0", "prompt:3:0", "prompt:4:0"} and again == set()
    assert [r.key for r in rows] == [f"prompt:{i}:0" for i in range(5)]
    assert {r.key: r.payload["text"] for r in rows}["prompt:2:0"] == "earlier"  # left as it was
    assert all(r.program_id == program.id and (r.stale_at is not None) == (r.key in first) for r in rows)


async def test_rows_split_into_statements_report_only_the_new(app: App, clock: ManualClock) -> None:
    program = await make_program(app)
    now = clock.now()

    def row(i: int) -> dict[str, object]:
        return pending_values(workspace_id=program.workspace_id, key=f"k:{i}", kind="prompt", target=SPACE.key(),
                              payload={"text": str(i)}, due_at=now, program_id=program.id)

    async with app.uow() as uow:
        made = await insert_ignore_many(uow.session, Delivery, rows=[row(i) for i in (1, 3)], conflict=("key",),
                                        returning=("key",))
        mixed = await insert_ignore_many(uow.session, Delivery, rows=[row(i) for i in range(6)], conflict=("key",),
                                         returning=("key",), chunk=2)
        nothing = await insert_ignore_many(uow.session, Delivery, rows=[], conflict=("key",), returning=("key",))
        await uow.commit()
    assert sorted(made) == [("k:1",), ("k:3",)]
    assert sorted(mixed) == [("k:0",), ("k:2",), ("k:4",), ("k:5",)] and nothing == []
