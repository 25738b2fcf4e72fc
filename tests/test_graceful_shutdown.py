"""SIGTERM to a real `lingkar serve` mid-burst of slash commands and mid-fan-out: nothing lost, nothing left leased."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from sqlmodel import col, select

from bot.kernel.clock import SystemClock
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue
from bot.kernel.ports import Target
from storage.engine import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.tables import Delivery, DeliveryStatus
from storage.uow import UnitOfWork
from tests.conftest import PG_URL
from tests.slack.mock_slack import TOKEN, Call, MockSlack

ROOT = Path(__file__).resolve().parents[1]
SECRET = "shutdown-signing-secret"
TEAM = "T1"
COMMANDS = 40  # slash commands in the burst, one every STAGGER seconds
STAGGER = 0.02
FANOUT = 40  # queued channel messages; at 5 per second the fan-out outlasts the burst
POST_SECONDS = 0.5  # the mock's chat.postMessage answers this late: sends are in flight at the signal
USERS_INFO_SECONDS = 0.3  # each command is from a member not seen yet: its request waits for this lookup
RESPOND_SECONDS = 1.0  # and its response_urls this late: background replies are in flight at the signal


class SlowSlack(MockSlack):
    """The mock Slack, answering chat.postMessage and response_urls late; a reply counts once it was answered."""

    def __init__(self, *, hold: asyncio.Event | None = None) -> None:
        super().__init__(team_id=TEAM)
        self.started: dict[str, int] = {"respond": 0, "chat.postMessage": 0}
        self.responding, self.posting = asyncio.Event(), asyncio.Event()
        self.hold = hold  # when given, response_urls answer only once it is set

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "users.info":  # before the ack: requests are in flight at the signal
            await asyncio.sleep(USERS_INFO_SECONDS)
        if request.match_info["method"] == "chat.postMessage":
            self.started["chat.postMessage"] += 1
            self.posting.set()
            await asyncio.sleep(POST_SECONDS)
        return await super()._api(request)

    async def _respond(self, request: web.Request) -> web.Response:
        self.started["respond"] += 1
        self.responding.set()
        body = await request.json()
        await asyncio.sleep(RESPOND_SECONDS)
        if self.hold is not None:
            await self.hold.wait()
        self.calls.append(Call(method="respond", args=body, path=request.path))
        return web.Response(text="ok", content_type="text/plain")


@dataclass
class Answer:
    status: int | None  # None: refused (the listener was closed: Slack would show the member an error at once)
    body: str = ""


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database `lingkar serve` can open by URL alone: a SQLite file, or a PostgreSQL database of its own
    (a schema would need a search_path the URL cannot carry)."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'lingkar.db'}"
        await upgrade(url)
        yield url
        return
    name = f"lingkar_stop_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")  # CREATE DATABASE: no transaction
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        await upgrade(url)
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def queue_fanout(url: str) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    now = SystemClock().now()
    try:
        async with UnitOfWork(sessions) as uow:
            workspace = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM, now=now)
            for n in range(FANOUT):
                await enqueue(uow, workspace_id=workspace.id or 0, key=f"fan:{n}", kind="prompt",
                              target=Target(platform="slack", workspace_id=TEAM, kind="channel", ref=f"CFAN{n:03}"),
                              message=Message(text=f"fan-out {n}"), due_at=now)
            await uow.commit()
    finally:
        await engine.dispose()


async def delivery_rows(url: str) -> list[Delivery]:
    engine = make_engine(url)
    try:
        async with UnitOfWork(make_session_factory(engine)) as uow:
            return list((await uow.session.exec(select(Delivery).order_by(col(Delivery.id)))).all())
    finally:
        await engine.dispose()


async def start_serve(url: str, mock: MockSlack, port: int, log: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINGKAR_", "SLACK_", "Microsoft", "MICROSOFT_"))}
    env.update({
        "PYTHONPATH": str(ROOT), "LINGKAR_DATABASE_URL": url, "LINGKAR_HOST": "127.0.0.1", "LINGKAR_PORT": str(port),
        "LINGKAR_SECRET_KEY": "shutdown-test-key", "LINGKAR_SLACK_WORKSPACE_RATE": "5",
        "LINGKAR_SHUTDOWN_GRACE_SECONDS": "20", "LINGKAR_LOG_LEVEL": "INFO",
        "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "LINGKAR_SLACK_API_URL": mock.url,
    })
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "serve", cwd=log.parent, env=env,
        stdout=log.open("wb"), stderr=asyncio.subprocess.STDOUT)


async def wait_until_serving(http: aiohttp.ClientSession, base: str, process: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(60):
        while True:
            assert process.returncode is None, "lingkar serve ended before it served"
            try:
                async with http.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)


async def command(http: aiohttp.ClientSession, base: str, mock: MockSlack, n: int, *, text: str = "help") -> Answer:
    body = urlencode({
        "token": "legacy", "team_id": TEAM, "team_domain": "lingkar-test", "channel_id": "C0GENERAL",
        "channel_name": "general", "user_id": f"U{n}", "user_name": f"u{n}", "command": "/circle",
        "text": text, "api_app_id": "A1", "response_url": mock.response_url(f"cmd-{n}"), "trigger_id": f"t{n}",
    })
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature or "",
               "Content-Type": "application/x-www-form-urlencoded"}
    try:
        async with http.post(f"{base}/slack/events", data=body.encode(), headers=headers) as response:
            return Answer(response.status, await response.text())
    except aiohttp.ClientConnectionError:
        return Answer(None)


def replied_in_ack(answer: Answer) -> bool:
    """The answer rode in the ack itself (the core was idle), not an empty ack or "working on it"."""
    if not answer.body.startswith("{"):
        return False
    payload: dict[str, Any] = json.loads(answer.body)
    return bool(payload.get("blocks"))  # "working on it" is a bare text: its answer follows through response_url


@dataclass
class Served:
    process: asyncio.subprocess.Process
    http: aiohttp.ClientSession
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@asynccontextmanager
async def serving(url: str, mock: SlowSlack, tmp_path: Path) -> AsyncIterator[Served]:
    """`lingkar serve` in a subprocess against the mock Slack, answering /healthz; killed if a test leaves it."""
    await mock.start()
    for n in range(COMMANDS):
        mock.add_user(f"U{n}", name=f"Member {n}")
    port, log = free_port(), tmp_path / "serve.log"
    process = await start_serve(url, mock, port, log)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
            served = Served(process, http, f"http://127.0.0.1:{port}", log)
            await wait_until_serving(http, served.base, process)
            yield served
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await mock.close()


async def test_sigterm_mid_burst_loses_no_reply_and_leaves_nothing_sending(database_url: str,
                                                                          tmp_path: Path) -> None:
    await queue_fanout(database_url)
    mock = SlowSlack()
    async with serving(database_url, mock, tmp_path) as served:
        burst: list[asyncio.Task[Answer]] = []

        def fire() -> None:
            n = len(burst)  # every third one slow: "working on it", its answer through response_url for sure
            burst.append(asyncio.create_task(command(served.http, served.base, mock, n,
                                                     text="export" if n % 3 == 0 else "help")))

        async with asyncio.timeout(60):
            await mock.posting.wait()  # the fan-out is under way (the first tick runs at start)
            # The signal goes once background replies are under way too, mid-burst.
            while not mock.started["respond"] or len(burst) < 20:
                assert len(burst) < COMMANDS, f"nothing was in flight after the whole burst: {mock.started}"
                fire()
                await asyncio.sleep(STAGGER)
        served.process.send_signal(signal.SIGTERM)
        responds_at_signal = len(mock.calls_to("respond"))
        posts_at_signal = len(mock.calls_to("chat.postMessage"))
        while len(burst) < COMMANDS:  # the rest of the burst meets a closed listener (or still gets in)
            fire()
            await asyncio.sleep(STAGGER)
        answers = await asyncio.gather(*burst)
        async with asyncio.timeout(60):
            code = await served.process.wait()
        output = served.output()
    assert code == 0, output
    in_flight = re.search(r"stopping \(SIGTERM\): finishing (\d+) requests and (\d+) background replies", output)
    assert in_flight is not None and int(in_flight[1]) > 0 and int(in_flight[2]) > 0, output

    responded = {call.path.rsplit("/", 1)[-1] for call in mock.calls_to("respond")}
    accepted = [n for n, answer in enumerate(answers) if answer.status is not None]
    assert all(answers[n].status == 200 for n in accepted), [a.status for a in answers]
    lost = [n for n in accepted if not replied_in_ack(answers[n]) and f"cmd-{n}" not in responded]
    assert lost == [], f"commands without a reply: {lost}"
    # Replies still being prepared or posted at the signal were finished during the grace.
    assert len(mock.calls_to("respond")) > responds_at_signal

    rows = await delivery_rows(database_url)
    assert not [r.key for r in rows if r.status == DeliveryStatus.SENDING]
    assert all(r.claimed_by is None and r.lease_until is None for r in rows if r.status == DeliveryStatus.PENDING)
    posted = [str(call.args.get("channel")) for call in mock.calls_to("chat.postMessage")]
    sent = [r for r in rows if r.status == DeliveryStatus.SENT]
    assert sorted(posted) == sorted(Target.from_key(r.target).ref for r in sent)  # each post recorded, once
    assert len(posted) > posts_at_signal  # sends in flight at the signal finished and were recorded
    assert {r.status for r in rows} <= {DeliveryStatus.SENT, DeliveryStatus.PENDING}
    print(f"\n{len(accepted)} of {COMMANDS} commands accepted, {COMMANDS - len(accepted)} refused after the "
          f"signal; fan-out: {len(sent)} sent, {len(rows) - len(sent)} back to pending")


async def test_a_second_signal_during_the_grace_exits_at_once(database_url: str, tmp_path: Path) -> None:
    mock = SlowSlack(hold=asyncio.Event())  # response_urls never answer: the grace would last its full 20 s
    async with serving(database_url, mock, tmp_path) as served:
        # A slow command: "working on it" in the ack, the answer (here: admins only) through the held response_url.
        answers = [await command(served.http, served.base, mock, n, text="export") for n in range(3)]
        async with asyncio.timeout(60):
            await mock.responding.wait()
            served.process.send_signal(signal.SIGTERM)
            while "stopping (SIGTERM)" not in served.output():
                assert served.process.returncode is None, served.output()
                await asyncio.sleep(0.02)
            served.process.send_signal(signal.SIGINT)
            code = await served.process.wait()
        output = served.output()
    assert all(answer.status == 200 for answer in answers)
    assert code == 128 + signal.SIGINT, output
    assert "second signal (SIGINT) while stopping: exiting now" in output
