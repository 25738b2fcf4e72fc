"""The deliverer on SQLite and PostgreSQL: exactly once, retries, failures, skips, leases."""

from __future__ import annotations

import random
from datetime import date, timedelta

from bot.kernel.clock import ManualClock
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue
from bot.kernel.ports import DeliveryError, UnreachableMember
from scheduler.deliver import Backoff
from storage.tables import DeliveryStatus
from tests.scheduler.deliver_support import _name_file, run
from tests.scheduler.support import NoFiles, Recorder, World, channel, dm, later


async def test_enqueue_twice_is_one_row(world: World) -> None:
    assert await world.queue("prompt:1:0", channel("C1"), text="first")
    assert not await world.queue("prompt:1:0", channel("C1"), text="second")
    rows = await world.rows()
    assert list(rows) == ["prompt:1:0"]
    assert rows["prompt:1:0"].payload["text"] == "first"


async def test_deliver_twice_sends_once(world: World, recorder: Recorder, manual: ManualClock) -> None:
    for n in range(3):
        await world.queue(f"k{n}", channel(f"C{n}"), text=f"hello {n}")
    first = await run(world, recorder, manual)
    second = await run(world, recorder, manual)
    assert (first.sent, second.claimed, second.sent) == (3, 0, 0)
    assert recorder.texts() == {"hello 0": 1, "hello 1": 1, "hello 2": 1}
    assert {s.target.ref: s.text for s in recorder.sent} == {"C0": "hello 0", "C1": "hello 1", "C2": "hello 2"}
    rows = await world.rows()
    assert {r.status for r in rows.values()} == {DeliveryStatus.SENT}
    assert sorted(r.sent_ref or "" for r in rows.values()) == ["m1", "m2", "m3"]
    assert {r.sent_at for r in rows.values()} == {manual.now()}
    assert {(r.claimed_by, r.lease_until, r.attempts) for r in rows.values()} == {(None, None, 1)}


async def test_waits_until_due(world: World, recorder: Recorder, manual: ManualClock) -> None:
    await world.queue("later", channel("C1"), due=later(manual.now(), hours=1))
    assert (await run(world, recorder, manual)).claimed == 0
    manual.advance(timedelta(hours=1))
    assert (await run(world, recorder, manual)).sent == 1
    assert recorder.texts() == {"later": 1}


async def test_retry_after_then_success_is_sent_once(world: World, recorder: Recorder, manual: ManualClock) -> None:
    await world.queue("busy", channel("C1"))
    recorder.script["busy"] = [DeliveryError("Slack answered 429", retry_after=30)]
    report = await run(world, recorder, manual)
    row = (await world.rows())["busy"]
    assert (report.retried, report.sent) == (1, 0)
    assert (row.status, row.attempts, row.next_attempt_at) == (DeliveryStatus.PENDING, 1, later(manual.now(),
                                                                                                seconds=30))
    assert row.last_error == "DeliveryError: Slack answered 429"
    manual.advance(timedelta(seconds=29))
    assert (await run(world, recorder, manual)).claimed == 0  # Retry-After is honoured
    manual.advance(timedelta(seconds=1))
    assert (await run(world, recorder, manual)).sent == 1
    row = (await world.rows())["busy"]
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 2, None)
    assert recorder.texts() == {"busy": 1}


async def test_a_throttled_target_defers_its_other_messages(world: World, recorder: Recorder,
                                                           manual: ManualClock) -> None:
    await world.queue("one", channel("C1"))
    await world.queue("two", channel("C1"), due=later(manual.now(), seconds=-1))
    await world.queue("elsewhere", channel("C2"))
    recorder.script["two"] = [DeliveryError("429", retry_after=20)]  # "two" is older: it goes first
    report = await run(world, recorder, manual)
    rows = await world.rows()
    assert (report.retried, report.deferred, report.sent) == (1, 1, 1)
    assert recorder.texts() == {"elsewhere": 1}
    assert (rows["one"].status, rows["one"].attempts, rows["one"].next_attempt_at) == (
        DeliveryStatus.PENDING, 0, later(manual.now(), seconds=20))


async def test_backoff_grows_with_jitter(world: World, recorder: Recorder, manual: ManualClock) -> None:
    await world.queue("flaky", channel("C1"))
    recorder.script["flaky"] = [DeliveryError("503"), DeliveryError("503")]
    backoff = Backoff(base=30, cap=3600)
    await run(world, recorder, manual, backoff=backoff, rng=random.Random(7))
    first = (await world.rows())["flaky"].next_attempt_at
    assert first is not None and 15 <= (first - manual.now()).total_seconds() <= 30
    manual.set(first)
    await run(world, recorder, manual, backoff=backoff, rng=random.Random(7))
    second = (await world.rows())["flaky"].next_attempt_at
    assert second is not None and 30 <= (second - first).total_seconds() <= 60
    manual.set(second)
    await run(world, recorder, manual)
    row = (await world.rows())["flaky"]
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 3)


async def test_permanent_failure_is_failed_and_visible(world: World, recorder: Recorder,
                                                       manual: ManualClock) -> None:
    await world.queue("gone", channel("C404"))
    recorder.script["gone"] = [DeliveryError("Slack answered channel_not_found", permanent=True)]
    report = await run(world, recorder, manual)
    manual.advance(timedelta(days=1))
    again = await run(world, recorder, manual)
    row = (await world.rows())["gone"]
    assert (report.failed, again.claimed) == (1, 0)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 1)
    assert row.last_error == "DeliveryError: Slack answered channel_not_found"
    assert recorder.sent == []


async def test_gives_up_after_the_last_attempt(world: World, recorder: Recorder, manual: ManualClock) -> None:
    await world.queue("down", channel("C1"))
    recorder.script["down"] = [DeliveryError("502")] * 5
    for _ in range(3):
        await run(world, recorder, manual, max_attempts=3)
        manual.advance(timedelta(hours=2))
    row = (await world.rows())["down"]
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)
    assert row.last_error == "gave up after 3 tries: DeliveryError: 502"


async def test_throttling_alone_takes_longer_to_give_up(world: World, recorder: Recorder, manual: ManualClock) -> None:
    await world.queue("crowded", channel("C1"))
    recorder.script["crowded"] = [DeliveryError("429", retry_after=1)] * 3
    for _ in range(4):
        await run(world, recorder, manual, max_attempts=2)
        manual.advance(timedelta(seconds=1))
    row = (await world.rows())["crowded"]
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 4)
    assert recorder.texts() == {"crowded": 1}


async def test_unreachable_member_fails_and_is_marked(world: World, recorder: Recorder, manual: ManualClock) -> None:
    blocked = await world.member("U9")
    fine = await world.member("U8")
    await world.queue("dm:blocked", dm("U9"), member_id=blocked)
    await world.queue("dm:fine", dm("U8"), member_id=fine)
    recorder.script["dm:blocked"] = [UnreachableMember("user blocked the app")]
    report = await run(world, recorder, manual)
    rows = await world.rows()
    assert (report.failed, report.sent) == (1, 1)
    assert rows["dm:blocked"].status == DeliveryStatus.FAILED
    assert rows["dm:blocked"].last_error == "UnreachableMember: user blocked the app"
    assert (await world.reachable(blocked), await world.reachable(fine)) == (False, True)


async def test_stale_is_skipped(world: World, recorder: Recorder, manual: ManualClock) -> None:
    await world.queue("old", channel("C1"), stale_at=manual.now())
    await world.queue("fresh", channel("C1"), stale_at=later(manual.now(), seconds=1))
    report = await run(world, recorder, manual)
    rows = await world.rows()
    assert report.skipped == {"stale": 1}
    assert (rows["old"].status, rows["old"].last_error, rows["old"].claimed_by) == (DeliveryStatus.SKIPPED,
                                                                                  "stale", None)
    assert recorder.texts() == {"fresh": 1}


async def test_paused_members_are_skipped_in_their_own_time_zone(world: World, recorder: Recorder,
                                                                  manual: ManualClock) -> None:
    # 02:00 UTC on 5 January: already the 5th in Jakarta, still the 4th in Los Angeles.
    program, other = await world.program("circles"), await world.program("pairs")
    jakarta = await world.member("UJKT", timezone="Asia/Jakarta")
    angeles = await world.member("ULAX", timezone="America/Los_Angeles")
    elsewhere = await world.member("UOTH")
    await world.enroll(jakarta, program, paused_until=date(2026, 1, 4))  # the pause is over in Jakarta
    await world.enroll(angeles, program, paused_until=date(2026, 1, 4))  # the last paused day in LA
    await world.enroll(elsewhere, other, paused_until=date(2026, 2, 1))  # paused in another program only
    await world.enroll(elsewhere, program)
    for user, member in (("UJKT", jakarta), ("ULAX", angeles), ("UOTH", elsewhere)):
        await world.queue(f"checkin:{user}", dm(user), member_id=member, program_id=program)
    report = await run(world, recorder, manual)
    rows = await world.rows()
    assert report.skipped == {"paused": 1}
    assert rows["checkin:ULAX"].status == DeliveryStatus.SKIPPED
    assert recorder.texts() == {"checkin:UJKT": 1, "checkin:UOTH": 1}


async def test_erased_members_are_skipped(world: World, recorder: Recorder, manual: ManualClock) -> None:
    erased = await world.member("UGONE", erased=True)
    await world.queue("dm:gone", dm("UGONE"), member_id=erased)
    await world.queue("dm:nobody", dm("UNONE"), member_id=99_999)  # the member row no longer exists
    report = await run(world, recorder, manual)
    rows = await world.rows()
    assert report.skipped == {"erased": 2}
    assert {r.status for r in rows.values()} == {DeliveryStatus.SKIPPED}
    assert recorder.sent == []


async def test_images_and_files_go_out_as_such(world: World, recorder: Recorder, manual: ManualClock) -> None:
    await world.queue("chart", channel("C1"), text="Participation", image=b"\x89PNG-chart")
    async with world.uow() as uow:
        await enqueue(uow, workspace_id=world.workspace_id, key="export", kind="file", target=dm("UADMIN"),
                      message=Message(text="Program export"), due_at=manual.now(), image=b"a,b\n1,2\n")
        await uow.commit()
    await _name_file(world, "export", "program.csv")
    await run(world, recorder, manual)
    got = {s.text: (s.kind, s.data, s.name) for s in recorder.sent}
    assert got == {"Participation": ("image", b"\x89PNG-chart", ""),
                   "Program export": ("file", b"a,b\n1,2\n", "program.csv")}


async def test_a_platform_without_files_fails_the_file(world: World, manual: ManualClock) -> None:
    async with world.uow() as uow:
        await enqueue(uow, workspace_id=world.workspace_id, key="export", kind="file", target=dm("UADMIN"),
                      message=Message(text="Program export"), due_at=manual.now(), image=b"data")
        await uow.commit()
    report = await run(world, NoFiles(), manual)
    row = (await world.rows())["export"]
    assert (report.failed, row.status) == (1, DeliveryStatus.FAILED)
    assert row.last_error == "DeliveryError: this platform cannot send files yet"


async def test_unexpected_errors_retry_without_quoting_the_message(world: World, recorder: Recorder,
                                                                  manual: ManualClock) -> None:
    await world.queue("secret", channel("C1"), text="Salary of Budi is 12 juta")
    recorder.script["Salary of Budi is 12 juta"] = [RuntimeError("could not render 'Salary of Budi is 12 juta'")]
    report = await run(world, recorder, manual)
    row = (await world.rows())["secret"]
    assert (report.retried, row.status, row.last_error) == (1, DeliveryStatus.PENDING, "unexpected RuntimeError")


async def test_unreadable_rows_fail_at_once(world: World, recorder: Recorder, manual: ManualClock) -> None:
    await world.queue("bad-block", channel("C1"))
    await world.queue("bad-target", channel("C2"))
    async with world.uow() as uow:
        rows = await world.rows()
        broken = rows["bad-block"]
        broken.payload = {"text": "x", "blocks": [{"type": "Hologram"}]}
        odd = rows["bad-target"]
        odd.target = "local:W1:pigeon:C2"
        uow.session.add(broken)
        uow.session.add(odd)
        await uow.commit()
    report = await run(world, recorder, manual)
    rows = await world.rows()
    assert report.failed == 2
    assert (rows["bad-block"].last_error, rows["bad-target"].last_error) == ("unreadable payload (KeyError)",
                                                                            "unreadable target")
