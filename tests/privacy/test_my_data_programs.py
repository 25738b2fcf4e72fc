"""`my data` names only the programs the member is in (or made), never an admin's draft they have no link to."""

from __future__ import annotations

import json

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from storage.repositories.outbox import file_of
from storage.tables import Circle, CircleMember, ProgramState
from tests.feedback.support import deliveries
from tests.helpers import admin_creates_program, enroll, make_program, member_id, say


async def my_file(app: App, user: str) -> dict[str, object]:
    await say(app, user, "my data")
    [mine] = [d for d in await deliveries(app, kind="file") if d.target == f"local:W1:user:{user}"]
    sent = file_of(mine)
    assert sent is not None
    return json.loads(sent.data)  # type: ignore[no-any-return]


async def test_my_data_names_only_the_members_programs(app: App, clock: ManualClock) -> None:
    await admin_creates_program(app, name="Secret Draft")  # an admin's draft: nothing to do with U1
    joined = await make_program(app, name="Open Round", slug="open")
    await enroll(app, "U1", joined)
    placed = await make_program(app, name="Placed Round", slug="placed", state=ProgramState.RUNNING)
    me = await member_id(app, "U1")
    async with app.uow() as uow:  # in a circle of a program without an enrollment row of its own
        circle = Circle(workspace_id=1, program_id=placed.id or 0, name="Circle 1", created_at=clock.now())
        uow.session.add(circle)
        await uow.flush()
        uow.session.add(CircleMember(workspace_id=1, program_id=placed.id or 0, circle_id=circle.id or 0,
                                     member_id=me, joined_at=clock.now()))
        await uow.commit()

    names = (await my_file(app, "U1"))["program_names"]
    assert names == {str(joined.id): "Open Round", str(placed.id): "Placed Round"}
    assert "Secret Draft" in (await my_file(app, "UADMIN"))["program_names"].values()  # type: ignore[attr-defined]
