"""Connector trouble: throttling storms, gateway errors, Retry-After, and pacing a fan-out to one conversation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace

import pytest

from adapters.teams.messenger import TeamsMessenger
from adapters.teams.reliability import Pacer, RetryPolicy, retry_after_of
from bot.kernel.messages import Message
from bot.kernel.ports import DeliveryError, Target
from tests.teams.activities import BUDI, TENANT, installed_personally, personal
from tests.teams.conftest import Sleeps, Teams
from tests.teams.mock_connector import MockConnector

BUDI_DM = Target(platform="teams", workspace_id=TENANT, kind="user", ref=BUDI.aad)


async def test_a_429_storm_is_retried_honouring_retry_after_and_nothing_is_lost(
    client: Teams, connector: MockConnector, teams: TeamsMessenger, sleeps: Sleeps
) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    connector.fail(429, times=4, retry_after="3", kinds=("send",))
    await teams.send(BUDI_DM, Message(text="Your weekly check-in"))
    assert [status for status, _ in connector.failed] == [429] * 4
    delivered = [c for c in connector.messages() if "weekly check-in" in c.text()]
    assert len(delivered) == 1  # retried until it went through, and sent exactly once
    assert sleeps.delays == [3.0, 3.0, 3.0, 3.0]


async def test_replies_to_a_command_survive_throttling_too(
    client: Teams, connector: MockConnector, sleeps: Sleeps
) -> None:
    connector.fail(429, times=2, retry_after="1", kinds=("reply",))
    await client.post(personal(connector.url, BUDI, "status"))
    assert len(connector.failed) == 2 and len(connector.messages()) == 1
    assert sleeps.delays == [1.0, 1.0]


async def test_gateway_errors_back_off_exponentially_with_jitter(
    client: Teams, connector: MockConnector, teams: TeamsMessenger, sleeps: Sleeps
) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    for status in (502, 504, 412):
        connector.fail(status, kinds=("send",))
    await teams.send(BUDI_DM, Message(text="hello"))
    assert [status for status, _ in connector.failed] == [502, 504, 412]
    assert len(sleeps.delays) == 3
    for retry, delay in enumerate(sleeps.delays, start=1):
        assert 0 <= delay <= 0.5 * 2 ** retry  # full jitter under a doubling ceiling
    assert len(set(sleeps.delays)) == 3


async def test_giving_up_hands_the_message_back_to_the_outbox_with_its_retry_after(
    client: Teams, connector: MockConnector, teams: TeamsMessenger
) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    connector.fail(429, times=10, retry_after="2", kinds=("send",))
    with pytest.raises(DeliveryError) as raised:
        await teams.send(BUDI_DM, Message(text="hello"))
    assert raised.value.retry_after == 2.0 and not raised.value.permanent
    assert len(connector.failed) == 6  # the policy's attempts, then back to the outbox

    connector.failures.clear()
    connector.fail(429, retry_after="3600", kinds=("send",))
    with pytest.raises(DeliveryError) as later:
        await teams.send(BUDI_DM, Message(text="hello"))
    assert later.value.retry_after == 3600.0  # not worth holding a worker for an hour


async def test_other_client_errors_are_permanent(
    client: Teams, connector: MockConnector, teams: TeamsMessenger, sleeps: Sleeps
) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    connector.fail(400, kinds=("send",))
    with pytest.raises(DeliveryError) as raised:
        await teams.send(BUDI_DM, Message(text="hello"))
    assert raised.value.permanent and "400" in str(raised.value)
    assert sleeps.delays == []


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)

    def error(value: str) -> object:
        return SimpleNamespace(response=SimpleNamespace(status_code=429, headers={"Retry-After": value}))

    assert retry_after_of(error("7"), now=now) == 7.0  # type: ignore[arg-type]
    assert retry_after_of(error(format_datetime(now + timedelta(seconds=90), usegmt=True)), now=now) == 90.0  # type: ignore[arg-type]
    assert retry_after_of(error("soon"), now=now) is None  # type: ignore[arg-type]


async def test_a_fan_out_to_one_conversation_is_paced(
    client: Teams, connector: MockConnector, teams: TeamsMessenger, sleeps: Sleeps
) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    moments = []
    for n in range(70):
        await teams.send(BUDI_DM, Message(text=f"message {n}"))
        moments.append(sleeps.now)
    assert len(connector.messages()) == 71  # the welcome and all 70
    assert max(sum(1 for m in moments if start <= m < start + 1) for start in moments) <= 7
    assert max(sum(1 for m in moments if start <= m < start + 30) for start in moments) <= 60
    assert moments[-1] - moments[0] >= 30  # the 61st had to wait for the 30-second window


async def test_pacing_holds_back_only_the_busy_conversation() -> None:
    sleeps = Sleeps()
    pacer = Pacer(clock=sleeps.clock, sleep=sleeps)
    for _ in range(7):
        await pacer.acquire("19:busy@thread.tacv2")
    assert sleeps.delays == []
    await pacer.acquire("a:quiet-chat")
    assert sleeps.delays == []  # another conversation is not held back
    await pacer.acquire("19:busy@thread.tacv2")
    assert sleeps.delays == [1.0]  # the eighth waits for the first token to come back


def test_backoff_stays_under_its_ceiling() -> None:
    policy = RetryPolicy(base=0.5, cap=4.0)
    rng = random.Random(1)
    for retry in range(1, 12):
        assert 0 <= policy.backoff(retry, rng) <= min(4.0, 0.5 * 2 ** retry)


async def test_a_connector_that_cannot_be_reached_is_retried_then_reported_as_temporary() -> None:
    from adapters.teams.reliability import with_retries

    class ClientRequestError(Exception):  # what msrest raises when the connection fails
        pass

    sleeps = Sleeps()
    tries: list[int] = []

    async def unreachable() -> None:
        tries.append(1)
        raise ClientRequestError("connection refused")

    with pytest.raises(DeliveryError) as raised:
        await with_retries(unreachable, policy=RetryPolicy(attempts=3), sleep=sleeps, rng=random.Random(3),
                           what="a message")
    assert len(tries) == 3 and len(sleeps.delays) == 2
    assert not raised.value.permanent and "ClientRequestError" in str(raised.value)
