"""`lingkar serve` on the seeded database: its RSS idle and after 200 slash commands a second, and their latency.

The server is the real CLI (`lingkar serve`) in a subprocess on a free 127.0.0.1 port, talking to the mock Slack
Web API served here (tests/slack/mock_slack.py); bench/slack_ack.py signs, sends and times the commands (members
U0000..U0049 of team T1). The scheduler's first tick runs at start, as in production, at the real time; idle RSS
is read once that start-up tick has finished (`lingkar_planner_seconds_count` on /metrics) and the process has gone
quiet, with the tick interval set to an hour so that no second tick runs while it is measured (an idle tick on the
full-size seed takes minutes, so at the default 60 s the server would never be idle). A second run goes through
`bench/slack_ack.py --database-url`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from bench import slack_ack
from bench.scale_measure import Figure
from bench.scale_store import Store
from storage.migrate import upgrade

RATE, REQUESTS, WARMUP = 200.0, 2000, 200
READY_WITHIN = 180.0  # seconds
TICKED_WITHIN = 1800.0  # seconds for the start-up tick's planning (minutes on the full-size seed)
QUIET_WITHIN, QUIET_WINDOW, QUIET_CPU = 300.0, 5.0, 0.05  # idle: under 5% of a CPU over 5 s, waited for 5 min
METRICS_TOKEN = "bench-scale-metrics"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _ready(port: int, process: asyncio.subprocess.Process) -> float:
    began = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        while time.perf_counter() - began < READY_WITHIN:
            if process.returncode is not None:
                raise RuntimeError(f"lingkar serve exited with {process.returncode}")
            try:
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return time.perf_counter() - began
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("lingkar serve did not answer /readyz")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def _planner_passes(session: aiohttp.ClientSession, port: int) -> tuple[float, float]:
    """How many planning passes the server finished, and their seconds in all (its /metrics)."""
    found = {"count": 0.0, "sum": 0.0}
    async with session.get(f"http://127.0.0.1:{port}/metrics",
                           headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as response:
        for line in (await response.text()).splitlines():
            for name in found:
                if line.startswith(f"lingkar_planner_seconds_{name} "):
                    found[name] = float(line.split()[1])
    return found["count"], found["sum"]


async def _idle(port: int, process: asyncio.subprocess.Process, *, ticking: bool) -> str:
    """Wait until the start-up tick has planned (a replica that ticks) and the process is quiet (what it queued may
    still be sent at the platforms' pace); says how it went."""
    began = time.perf_counter()
    passes = (0.0, 0.0)
    async with aiohttp.ClientSession() as session:
        while ticking and (passes := await _planner_passes(session, port))[0] < 1:
            if process.returncode is not None or time.perf_counter() - began > TICKED_WITHIN:
                raise RuntimeError("lingkar serve's start-up tick did not finish")
            await asyncio.sleep(1)
    ticked = time.perf_counter() - began
    quiet = False
    while not quiet and time.perf_counter() - began - ticked < QUIET_WITHIN:
        used = cpu_seconds(process.pid)
        await asyncio.sleep(QUIET_WINDOW)
        quiet = cpu_seconds(process.pid) - used < QUIET_CPU * QUIET_WINDOW
    settled = "then quiet" if quiet else f"not quiet {QUIET_WITHIN:.0f} s later (still sending?)"
    if not ticking:
        return f"web-only (LINGKAR_SCHEDULER_ENABLED=false): never ticks; {settled}"
    return f"start-up tick planned in {passes[1]:.1f} s, {ticked:.0f} s after /readyz; {settled}"


async def serve(db: Store) -> list[Figure]:
    """The real `lingkar serve`, ticking (every replica does by default)."""
    return await _serve(db, ticking=True)


async def serve_web(db: Store) -> list[Figure]:
    """A web-only replica (`LINGKAR_SCHEDULER_ENABLED=false`, docs/deploy.md): it answers, another one ticks."""
    return await _serve(db, ticking=False)


async def _serve(db: Store, *, ticking: bool) -> list[Figure]:
    from tests.slack.mock_slack import TOKEN, MockSlack

    await upgrade(db.url, schema=db.schema)  # `lingkar db upgrade`: serve refuses a database behind the code
    mock = await slack_ack._mock(MockSlack)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINGKAR_", "SLACK_", "Microsoft"))}
    env.update(LINGKAR_DATABASE_URL=db.url, LINGKAR_HOST="127.0.0.1", LINGKAR_PORT=str(port), SLACK_BOT_TOKEN=TOKEN,
               SLACK_SIGNING_SECRET=slack_ack.SECRET, LINGKAR_SLACK_API_URL=mock.url, LINGKAR_LOG_LEVEL="WARNING",
               LINGKAR_SECRET_KEY="bench-scale-secret", LINGKAR_METRICS_TOKEN=METRICS_TOKEN,
               LINGKAR_SCHEDULER_TICK_SECONDS="3600",  # the start-up tick only: see the module's docstring
               LINGKAR_SCHEDULER_ENABLED="true" if ticking else "false")
    lingkar = str(Path(sys.executable).with_name("lingkar"))
    process = await asyncio.create_subprocess_exec(lingkar, "serve", env=env, stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.DEVNULL)
    try:
        started = await _ready(port, process)
        how = await _idle(port, process, ticking=ticking)
        idle = rss_mib(process.pid)
        result = await slack_ack._load("lingkar", port, total=REQUESTS, warmup=WARMUP, concurrency=32, rate=RATE)
        after = rss_mib(process.pid)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 60)
            except TimeoutError:
                process.kill()
        await mock.close()
    p99 = slack_ack.pct(result.answers, 0.99)
    load = f"{REQUESTS:,} signed /circle status|help at {RATE:g}/s, {WARMUP} warm-up"
    which = "`lingkar serve`" if ticking else "`lingkar serve`, web-only replica"
    return [
        Figure(f"{which} idle RSS", idle, "MiB", "< 150 MB", idle < 150 * 1e6 / 2**20,
               f"/readyz {started:.1f} s from start; {how}"),
        Figure(f"{which} RSS after the commands", after, "MiB", "", None, load),
        Figure("slash command ack p99", slack_ack.pct(result.acks, 0.99), "ms", "", None,
               f"p50 {slack_ack.pct(result.acks, 0.5):.1f} ms; {len(result.acks) / result.wall:.0f} acks/s"),
        Figure("slash command answer p99", p99, "ms", "< 100 ms", p99 < 100,
               f"p50 {slack_ack.pct(result.answers, 0.5):.1f} ms; lost {result.missing}; statuses "
               f"{dict(sorted(result.statuses.items()))}"),
    ]


async def ack(db: Store) -> list[Figure]:
    """`bench/slack_ack.py --servers lingkar --rate 200 --database-url URL`, as its own process; its table as is."""
    script = Path(__file__).with_name("slack_ack.py")
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(script), "--servers", "lingkar", "--rate", f"{RATE:g}", "--requests", str(REQUESTS),
        "--warmup", str(WARMUP), "--database-url", db.url, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out, _ = await process.communicate()
    lines = out.decode().splitlines()
    print("\n".join(f"    {line}" for line in lines))
    row = next((line for line in lines if line.startswith(slack_ack.LABELS["lingkar"])), "")
    numbers = row.removeprefix(slack_ack.LABELS["lingkar"]).split()
    if len(numbers) < 5:
        return [Figure("bench/slack_ack.py: no result", float("nan"), "", "", False, f"exit {process.returncode}")]
    ack_p99, answer_p50, answer_p99 = float(numbers[1]), float(numbers[3]), float(numbers[4])
    return [Figure("slack_ack.py --rate 200: answer p99", answer_p99, "ms", "< 100 ms", answer_p99 < 100,
                   f"ack p99 {ack_p99:.1f} ms; answer p50 {answer_p50:.1f} ms (Lingkar in its own process)")]
