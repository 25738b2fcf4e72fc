"""Space changes through the deliverer: members added, a space archived, and a platform that cannot archive."""

from __future__ import annotations

from bot.kernel.clock import ManualClock
from bot.kernel.context import TenantScope
from bot.kernel.ports import SpaceUnsupported
from bot.kernel.spaces import queue_space_change
from storage.tables import DeliveryStatus
from tests.scheduler.deliver_support import run
from tests.scheduler.support import Recorder, World, channel


async def _queue(world: World, *, key: str, action: str, members: tuple[str, ...] = ()) -> bool:
    async with world.uow() as uow:
        workspace = await uow.workspaces.get(world.workspace_id)
        assert workspace is not None
        queued = await queue_space_change(TenantScope(uow, workspace, world.now), space=channel("C9").key(), key=key,
                                          action=action, members=members, program_id=None)
        await uow.commit()
    return queued


async def test_archive_is_sent_once_and_recorded(world: World, recorder: Recorder, manual: ManualClock) -> None:
    assert await _queue(world, key="archive:circle:1", action="archive")
    assert not await _queue(world, key="archive:circle:1", action="archive")
    report = await run(world, recorder, manual)
    assert report.sent == 1
    assert [(s.target.ref, s.kind) for s in recorder.sent] == [("C9", "archive")]
    assert (await world.rows())["archive:circle:1"].status == DeliveryStatus.SENT


async def test_a_platform_without_archiving_skips_it_without_alarm(world: World, recorder: Recorder,
                                                                   manual: ManualClock) -> None:
    recorder.script["archive"] = [SpaceUnsupported("threads cannot be archived")]
    await _queue(world, key="archive:circle:2", action="archive")
    report = await run(world, recorder, manual)
    row = (await world.rows())["archive:circle:2"]
    assert (report.failed, report.skipped["unsupported"]) == (0, 1)
    assert row.status == DeliveryStatus.SKIPPED
    assert "cannot be archived" in (row.last_error or "")


async def test_an_unknown_change_is_refused_before_queueing(world: World) -> None:
    try:
        await _queue(world, key="bad", action="delete")
    except ValueError as error:
        assert "delete" in str(error)
    else:
        raise AssertionError("an unknown change was queued")
    assert "bad" not in await world.rows()
