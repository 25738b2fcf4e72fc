"""Issue 16 item 2: the digest never says "No circle needs attention" or "Every message this week was delivered"
while circles have nowhere to meet, and names the fix (`program channel`) when the program has no channel on Teams."""

from __future__ import annotations

from datetime import date, timedelta

from adapters.bootstrap import App
from bot.digest.figures import build_digest
from bot.digest.message import digest_message
from bot.kernel.clock import ManualClock
from bot.kernel.i18n import Translator
from storage.tables import Delivery, DeliveryStatus
from tests.digest.test_digest import MONDAY
from tests.feedback.support import running_program
from tests.helpers import say


async def circles_waiting_for_a_space(app: App, *, platform: str = "local") -> None:
    """Two circles formed the week before, their spaces not opened yet (still being tried: nothing has failed for
    good). Too early for any circle to count as quiet: only the missing spaces need attention."""
    users = [f"U{i}" for i in range(1, 7)]
    await running_program(app, users, circles=[users[:3], users[3:]], start_date=date(2026, 1, 19))
    await say(app, "UADMIN", "status")
    async with app.uow() as uow:
        for circle in await uow.circles.of_program(workspace_id=1, program_id=1):
            circle.space = ""
            uow.circles.add(circle)
            uow.session.add(Delivery(workspace_id=1, key=f"space:circle:{circle.id}", kind="space",
                                     target="local:W1:space:new", due_at=MONDAY, status=DeliveryStatus.PENDING,
                                     payload={"round": 0, "space": {"name": circle.name, "members": []}},
                                     created_at=MONDAY, attempts=3, last_error="DeliveryError: no channel"))
        workspace = await uow.workspaces.get(1)
        assert workspace is not None
        workspace.platform = platform  # the rows above keep their keys: only the digest's reading changes
        uow.session.add(workspace)
        await uow.commit()


async def digest_text(app: App, locale: str) -> str:
    async with app.uow() as uow:
        workspace = await uow.workspaces.get(1)
        assert workspace is not None
        digest = await build_digest(uow, workspace, now=MONDAY, week="2026-W05", config=app.services.config)
    return digest_message(Translator(locale), digest, k=3).text


async def test_circles_without_a_space_are_not_reported_as_fine(app: App, clock: ManualClock) -> None:
    await circles_waiting_for_a_space(app)
    text = await digest_text(app, "en")
    assert "No circle needs attention" not in text
    assert "2 circles need attention: they have no space to meet in yet" in text
    assert "Every message this week was delivered" not in text
    assert "No message gave up this week, but the circles above still have no space" in text
    assert "program channel" not in text  # Slack and the local platform need no channel for circles


async def test_a_homeless_teams_program_gets_the_fix_in_both_languages(app: App, clock: ManualClock) -> None:
    await circles_waiting_for_a_space(app, platform="teams")
    english = await digest_text(app, "en")
    assert "has no team channel, which is why its circles have no space" in english
    assert "`@Lingkar program channel leadership`" in english
    indonesian = await digest_text(app, "id")
    assert "belum punya saluran tim" in indonesian and "`@Lingkar program saluran leadership`" in indonesian
    assert "2 lingkaran perlu perhatian" in indonesian


async def test_all_spaces_open_keeps_the_calm_lines(app: App, clock: ManualClock) -> None:
    users = [f"U{i}" for i in range(1, 7)]
    await running_program(app, users, circles=[users[:3], users[3:]], start_date=date(2026, 1, 19))
    text = await digest_text(app, "en")
    assert "No circle needs attention" in text and "Every message this week was delivered" in text


async def test_messages_skipped_as_too_late_are_counted(app: App, clock: ManualClock) -> None:
    """A prompt skipped because it went stale (the service was down) did not arrive: the digest says so."""
    users = [f"U{i}" for i in range(1, 7)]
    await running_program(app, users, circles=[users[:3], users[3:]], start_date=date(2026, 1, 19))
    async with app.uow() as uow:
        for key, reason in (("prompt:1:0", "stale"), ("prompt:2:0", "stale"), ("dm:U1", "paused")):
            uow.session.add(Delivery(workspace_id=1, key=key, kind=key.split(":")[0], target="local:W1:space:x",
                                     due_at=MONDAY - timedelta(days=2), status=DeliveryStatus.SKIPPED,
                                     last_error=reason, payload={"text": "", "blocks": []}, created_at=MONDAY))
        await uow.commit()
    text = await digest_text(app, "en")
    assert "2 messages were not sent this week because they were too late to be useful (prompt: 2)" in text
    assert "Every message this week was delivered" not in text
    assert "dm:" not in text  # a paused member's message is skipped by design, not a miss
    assert "2 pesan tidak dikirim minggu ini" in await digest_text(app, "id")
