"""Benchmark the slash command's ack: signed `/circle status|help` against Lingkar's server and a bare bolt app.

Each server runs in its own process on 127.0.0.1 (a free port), with the mock Slack Web API in that process;
this process only signs, sends and times: the ack (Slack's HTTP answer) and the member's answer, which rides in
the ack or arrives at the request's response_url (served here, on 127.0.0.1). Lingkar runs on a SQLite file
database, or on PostgreSQL with --postgres (the servers: bench/slack_ack_servers.py). Prints figures only; with
--database-url also the CPU per request of the server, its PostgreSQL backends and this client.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/slack_ack.py` from anywhere

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bench.slack_ack_servers import SECRET, TEAM, USERS, _child, _mock, pct  # noqa: F401  (scale_serve uses _mock)

# -- the client (this process) -------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    acks: list[float]  # seconds from sending the request to reading Slack's HTTP answer (the ack)
    answers: list[float]  # seconds until the member's answer: in the ack, or when it reached the response_url
    in_ack: int  # answers that rode in the ack itself
    missing: int  # answers that never arrived (0 for a correct server; the bare apps send none by design)
    statuses: dict[int, int]
    wall: float
    cpu: float = float("nan")  # CPU seconds the server process spent on the measured requests
    db_cpu: float = float("nan")  # CPU seconds of its PostgreSQL backends (with --database-url/--postgres)
    client_cpu: float = float("nan")  # CPU seconds this process spent signing, sending and receiving answers


def _requests(n: int, start: int, answer_base: str) -> list[tuple[int, bytes, dict[str, str]]]:
    verifier = SignatureVerifier(SECRET)
    stamp = str(int(time.time()))
    prepared = []
    for i in range(start, start + n):
        body = urlencode({
            "token": "legacy", "team_id": TEAM, "team_domain": "bench", "channel_id": "C0BENCH",
            "channel_name": "bench", "user_id": f"U{i % USERS:04d}", "user_name": f"member{i % USERS}",
            "command": "/circle", "text": "status" if i % 2 else "help", "api_app_id": "A1",
            "response_url": f"{answer_base}/{i}", "trigger_id": f"bench-{i}",
        })
        signature = verifier.generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        prepared.append((i, body.encode(), {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature,
                                            "Content-Type": "application/x-www-form-urlencoded"}))
    return prepared


class AnswerBox:
    """Stands in for Slack's response_url endpoint, in this process: notes when each request's answer arrives."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.changed = asyncio.Event()

    async def receive(self, request: Any) -> Any:
        from aiohttp import web

        await request.read()
        self.arrived.setdefault(int(request.match_info["i"]), time.perf_counter())
        self.changed.set()
        return web.json_response({"ok": True})

    async def wait_for(self, wanted: set[int]) -> None:
        """Until every wanted answer arrived; the caller bounds the wait (asyncio.timeout)."""
        while not wanted <= self.arrived.keys():
            self.changed.clear()
            await self.changed.wait()


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _backends_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds of every PostgreSQL backend that Lingkar's server holds on its database (same machine)."""
    import asyncpg

    dsn = "postgresql://" + database_url.split("://", 1)[1]
    connection = await asyncpg.connect(dsn)
    try:
        pids = [row[0] for row in await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'lingkar' AND datname = current_database()")]
    finally:
        await connection.close()
    cpu = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            cpu[pid] = _cpu_seconds(pid)
    return cpu


async def _load(name: str, port: int, *, total: int, warmup: int, concurrency: int, rate: float,
                server_pid: int | None = None) -> Result:
    """Closed loop (`concurrency` clients, each sending its next request when the last one is acked), or with
    `rate` an open loop: requests leave on a fixed schedule whatever the server does, like members typing."""
    from aiohttp import web

    box = AnswerBox()
    receiver = web.Application()
    receiver.router.add_post("/answer/{i}", box.receive)
    runner = web.AppRunner(receiver, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    answer_base = f"http://127.0.0.1:{runner.addresses[0][1]}/answer"
    url = f"http://127.0.0.1:{port}/slack/events"
    expects_answers = name.startswith("lingkar")
    connector = aiohttp.TCPConnector(limit=concurrency if not rate else 0)
    try:
        async with aiohttp.ClientSession(connector=connector) as session:
            async def fire(batch: list[tuple[int, bytes, dict[str, str]]], result: Result | None,
                           paced: float) -> None:
                began_at: dict[int, float] = {}
                later: set[int] = set()

                async def send(i: int, body: bytes, headers: dict[str, str]) -> None:
                    began = began_at[i] = time.perf_counter()
                    async with session.post(url, data=body, headers=headers) as response:
                        answer = await response.read()
                    acked = time.perf_counter() - began
                    if result is None:
                        return
                    result.acks.append(acked)
                    result.wall = max(result.wall, time.perf_counter())  # made relative by the caller
                    # Count what came back: 200 (with the answer or empty), or the core's apology (a bug).
                    key = response.status if b"something went wrong" not in answer else -1
                    result.statuses[key] = result.statuses.get(key, 0) + 1
                    if b'"text"' in answer and b"Working on it" not in answer:
                        result.in_ack += 1
                        result.answers.append(acked)
                    else:
                        later.add(i)

                if paced:
                    start = time.perf_counter()
                    sent = []
                    for k, item in enumerate(batch):
                        await asyncio.sleep(max(0.0, start + k / paced - time.perf_counter()))
                        sent.append(asyncio.create_task(send(*item)))
                    await asyncio.gather(*sent)
                else:
                    queue = list(reversed(batch))

                    async def worker() -> None:
                        while queue:
                            await send(*queue.pop())

                    await asyncio.gather(*(worker() for _ in range(concurrency)))
                if result is None or not expects_answers:
                    return
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(120):  # what has not arrived by then is counted as lost
                        await box.wait_for(later)
                for i in later:
                    if i in box.arrived:
                        result.answers.append(box.arrived[i] - began_at[i])
                    else:
                        result.missing += 1

            # Caches warm (auth.test, users.info, connections), then a pause for whatever the warm-up left queued.
            await fire(_requests(warmup, 10_000, answer_base), None, min(rate, 200.0) if rate else 0.0)
            await asyncio.sleep(2)
            result = Result(name, [], [], 0, 0, {}, 0.0)
            database = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("BENCH_POSTGRES_URL", "")
            cpu_before = _cpu_seconds(server_pid) if server_pid else 0.0
            db_before = await _backends_cpu(database) if server_pid and database else {}
            prepared = _requests(total, 0, answer_base)
            client_before = time.process_time()
            began = time.perf_counter()
            await fire(prepared, result, rate)
            result.wall -= began  # from the first request sent to the last ack read
            result.client_cpu = time.process_time() - client_before
            if server_pid:  # after every answer arrived (or was given up on)
                result.cpu = _cpu_seconds(server_pid) - cpu_before
            if server_pid and database:
                after = await _backends_cpu(database)
                result.db_cpu = sum(cpu - db_before.get(pid, 0.0) for pid, cpu in after.items())
            return result
    finally:
        await runner.cleanup()


def _measure(kind: str, *, total: int, warmup: int, concurrency: int, rate: float) -> Result:
    context = mp.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    with tempfile.TemporaryDirectory() as db_dir:
        child = context.Process(target=_child, args=(kind, ready, stop, db_dir), daemon=True)
        child.start()
        try:
            port = ready.get(timeout=120)
            return asyncio.run(_load(kind, port, total=total, warmup=warmup, concurrency=concurrency,
                                     rate=rate, server_pid=child.pid))
        finally:
            stop.set()
            child.join(timeout=30)


LABELS = {
    "lingkar": "Lingkar (bolt + adapter + core + database)",
    "lingkar-stub-core": "Lingkar's adapter, core answering from memory",
    "bolt": "bare bolt app, acks only (same bolt settings)",
    "bolt-default": "bare bolt app, acks only (bolt defaults)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.0,
                        help="open loop: send this many requests per second instead of --concurrency clients")
    parser.add_argument("--servers", default=",".join(LABELS), help=f"a subset of {','.join(LABELS)}")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every server, in a rotating order")
    parser.add_argument("--postgres", default="", help="run Lingkar on this PostgreSQL URL instead of a SQLite file")
    parser.add_argument("--database-url", default="",
                        help="run Lingkar on this database as it is (migrated and seeded, e.g. by bench/scale.py "
                             "seed: team T1's members U0000..U0049 send the commands); nothing is created or dropped")
    args = parser.parse_args()
    if args.postgres:
        os.environ["BENCH_POSTGRES_URL"] = args.postgres  # spawned children inherit the environment
    if args.database_url:
        os.environ["BENCH_DATABASE_URL"] = args.database_url
    kinds = [kind for kind in LABELS if kind in args.servers.split(",")]
    results: dict[str, list[Result]] = {kind: [] for kind in kinds}
    for round_ in range(args.rounds):
        shift = round_ % len(kinds)
        for kind in kinds[shift:] + kinds[:shift]:  # no server always runs first (or last) on a busy machine
            results[kind].append(_measure(kind, total=args.requests, warmup=args.warmup,
                                          concurrency=args.concurrency, rate=args.rate))
    database = "PostgreSQL" if args.postgres else "a SQLite file"
    if args.database_url:
        database = f"{args.database_url.split('://')[0]} (seeded, used as it is)"
    print(f"Lingkar's database: {database}")
    load = f"{args.rate:g} per second (open loop)" if args.rate else f"{args.concurrency} concurrent"
    print(f"{args.requests} signed slash commands (status/help alternating, {USERS} members), "
          f"{load}, after {args.warmup} warm-up requests; median of {args.rounds} round(s)")
    print("ack: until Slack's HTTP answer; answer: until the member's reply (in the ack, or at the response_url)")
    print(f"{'server':<48} {'ack p50':>8} {'ack p99':>8} {'acks/s':>7} {'ans p50':>8} {'ans p99':>8} "
          f"{'in ack':>7} {'lost':>5}  HTTP statuses (-1: the core apologised)")
    summary: dict[str, tuple[float, float]] = {}
    for kind, runs in results.items():
        p50 = statistics.median(pct(r.acks, 0.50) for r in runs)
        p99 = statistics.median(pct(r.acks, 0.99) for r in runs)
        a50 = statistics.median(pct(r.answers, 0.50) for r in runs)
        a99 = statistics.median(pct(r.answers, 0.99) for r in runs)
        rate = statistics.median(len(r.acks) / r.wall for r in runs)
        in_ack = sum(r.in_ack for r in runs) / max(1, sum(len(r.acks) for r in runs))
        lost = sum(r.missing for r in runs)
        statuses = {k: sum(r.statuses.get(k, 0) for r in runs) for k in {s for r in runs for s in r.statuses}}
        summary[kind] = (p50, p99)
        cpu = statistics.median(r.cpu / len(r.acks) for r in runs) * 1000
        db_cpu = statistics.median(r.db_cpu / len(r.acks) for r in runs) * 1000
        client_cpu = statistics.median(r.client_cpu / len(r.acks) for r in runs) * 1000
        answers = f"{a50:>8.1f} {a99:>8.1f} {in_ack:>7.0%} {lost:>5}" if kind.startswith("lingkar") else \
            f"{'-':>8} {'-':>8} {'-':>7} {'-':>5}"
        print(f"{LABELS[kind]:<48} {p50:>8.1f} {p99:>8.1f} {rate:>7.0f} {answers}  {statuses}")
        print(f"{'':<48} CPU per request: server {cpu:.2f} ms, its PostgreSQL backends {db_cpu:.2f} ms, "
              f"this client {client_cpu:.2f} ms")
    for kind in (k for k in kinds if k.startswith("lingkar") and "bolt" in summary):
        print(f"{kind} / bare bolt (same settings): ack p50 x{summary[kind][0] / summary['bolt'][0]:.2f}, "
              f"ack p99 x{summary[kind][1] / summary['bolt'][1]:.2f}")
    print("target: Lingkar's ack p99 < 100 ms and within x1.5 of the bare bolt app")


if __name__ == "__main__":
    main()
