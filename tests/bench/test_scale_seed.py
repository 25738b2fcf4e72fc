"""bench/scale.py seeds a tiny company (200 members) through the product's migrations, and a measurement runs on it.

On SQLite always; on PostgreSQL (LINGKAR_TEST_DATABASE_URL) in the test's own schema. No figure is asserted on.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bench.scale import run_seed
from bench.scale_company import TARGETS, company
from bench.scale_measure import measure
from storage.engine import make_engine
from storage.migrate import head_revision
from tests.conftest import Database

MEMBERS = 200


async def _count(database: Database, sql: str) -> int:
    engine = make_engine(database.url, schema=database.schema)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def test_a_tiny_company_is_seeded_to_scale_and_measured(database: Database,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    await run_seed(database.url, members=MEMBERS, schema=database.schema)

    assert await _count(database, "SELECT count(*) FROM member") == MEMBERS
    assert await _count(database, "SELECT count(*) FROM workspace") == 3
    assert await _count(database, "SELECT count(*) FROM program") == 25
    plans = company(MEMBERS).programs()
    running = [p for p in plans if p.kind == "running"]
    circle_members = sum(p.size for p in running)
    assert await _count(database, "SELECT count(*) FROM circlemember") == circle_members
    assert await _count(database, "SELECT count(*) FROM circle") >= circle_members // 8
    pairs = sum(p.size // 2 for p in plans if p.kind == "pairs")
    assert await _count(database, "SELECT count(*) FROM pair") == pairs
    scale = MEMBERS / 100_000
    for table, key in (("checkin", "checkin"), ("pollresponse", "poll_response")):
        found = await _count(database, f"SELECT count(*) FROM {table}")
        assert 0.5 * TARGETS[key] * scale <= found <= 1.5 * TARGETS[key] * scale, (table, found)
    assert await _count(database, "SELECT count(*) FROM delivery WHERE key LIKE 'prompt:%'") > 0
    assert await _count(database, "SELECT count(*) FROM delivery WHERE key LIKE 'ics:%'") > 0
    revision = await _count(database, f"SELECT count(*) FROM alembic_version WHERE version_num = '{head_revision()}'")
    assert revision == 1  # the product's own migrations made the tables

    figures = await measure(database.url, only=["mydata"], schema=database.schema)

    assert [f.name for f in figures] == ["`my data` (member with the most history)"]
    assert "FAILED" not in capsys.readouterr().out
