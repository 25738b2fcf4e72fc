"""The digest says which circles (and how many pairs) still have no space, with the command that retries them."""

from __future__ import annotations

from datetime import timedelta

from adapters.bootstrap import App
from bot.digest.figures import build_digest
from bot.digest.message import digest_message
from bot.digest.planner import plan_digest
from bot.kernel.clock import ManualClock
from bot.kernel.i18n import Translator
from bot.kernel.message_codec import decode
from storage.tables import Delivery, DeliveryStatus
from tests.digest.test_digest import MONDAY
from tests.feedback.support import deliveries, run, running_program
from tests.helpers import say

SUNDAY = MONDAY - timedelta(days=1)


async def two_circles_without_space(app: App) -> None:
    """Circle A's space is still being retried; circle B's was refused for good."""
    users = [f"U{i}" for i in range(1, 7)]
    await running_program(app, users, circles=[users[:3], users[3:]])
    await say(app, "UADMIN", "status")  # a configured admin gets DMs only where they are a member
    async with app.uow() as uow:
        for circle in await uow.circles.of_program(workspace_id=1, program_id=1):
            circle.space = ""
            uow.circles.add(circle)
        uow.session.add(Delivery(workspace_id=1, key="space:circle:1", kind="space", target="local:W1:space:new",
                                 payload={"round": 0, "space": {"name": "a", "members": []}}, due_at=MONDAY,
                                 status=DeliveryStatus.PENDING, created_at=MONDAY))
        uow.session.add(Delivery(workspace_id=1, key="space:circle:2", kind="space", target="local:W1:space:new",
                                 payload={"round": 0, "space": {"name": "b", "members": []}}, due_at=SUNDAY,
                                 status=DeliveryStatus.FAILED, last_error="missing_scope", created_at=SUNDAY))
        await uow.commit()


async def test_the_digest_lists_circles_without_a_space(app: App, clock: ManualClock) -> None:
    await two_circles_without_space(app)
    assert await run(app, plan_digest, MONDAY) == 1
    text = decode((await deliveries(app, kind="digest"))[0].payload).text
    assert ("Circles without a space yet (2): Circle A (#1), Circle B (#2) - refused by the platform. "
            "Their members have not been welcomed") in text
    assert "`circle retry <number>`" in text and "`circle retry 1`" in text
    assert "Pairs without a shared space" not in text  # a circles program has no pairs
    assert "(space: 1)" in text  # the refused space counts among this week's failures


async def test_in_bahasa_indonesia_too(app: App, clock: ManualClock) -> None:
    await two_circles_without_space(app)
    async with app.uow() as uow:
        workspace = await uow.workspaces.get(1)
        assert workspace is not None
        digest = await build_digest(uow, workspace, now=MONDAY, week="2026-W05", config=app.services.config)
    text = digest_message(Translator("id"), digest, k=3).text
    assert "Lingkaran yang belum punya ruang (2): Circle A (#1), Circle B (#2) - ditolak oleh platform." in text


async def test_nothing_said_when_every_circle_has_its_space(app: App, clock: ManualClock) -> None:
    users = [f"U{i}" for i in range(1, 7)]
    await running_program(app, users, circles=[users[:3], users[3:]])
    await say(app, "UADMIN", "status")
    assert await run(app, plan_digest, MONDAY) == 1
    assert "without a space" not in decode((await deliveries(app, kind="digest"))[0].payload).text
