"""The bench database for bench/scale.py: where it lives, its schema (the product's migrations) and bulk writes.

PostgreSQL gets COPY (asyncpg `copy_records_to_table`), SQLite `executemany` in one transaction per chunk. Rows
are plain dicts by column name; every column a row leaves out gets the model's default, because the tables'
defaults live in Python (SQLModel), not in the database.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (every table on the metadata)
from storage.engine import is_sqlite, normalise_url
from storage.migrate import upgrade

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/lingkar_bench"
CHUNK = 20_000


def _models() -> dict[str, type[SQLModel]]:
    found: dict[str, type[SQLModel]] = {}
    pending: list[type[SQLModel]] = list(SQLModel.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        table = getattr(cls, "__table__", None)
        if table is not None:
            found[str(table.name)] = cls
    return found


def _defaults(model: type[SQLModel], columns: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in columns:
        info = model.model_fields.get(name)
        out[name] = None if info is None or info.is_required() else info.get_default(call_default_factory=True)
    return out


@dataclass
class Store:
    """One bench database: `url` (SQLAlchemy form) and, for test isolation on PostgreSQL, a `schema`."""

    url: str
    schema: str | None = None
    _pg: Any = None
    _lite: sqlite3.Connection | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def sqlite(self) -> bool:
        return is_sqlite(self.url)

    def _dsn(self, database: str | None = None) -> str:
        url = make_url(normalise_url(self.url)).set(drivername="postgresql")
        if database is not None:
            url = url.set(database=database)
        return url.render_as_string(hide_password=False)

    async def prepare(self, *, fresh: bool) -> None:
        """Create the database if missing, empty it when `fresh`, then run the product's Alembic migrations."""
        if self.sqlite:
            path = make_url(normalise_url(self.url)).database or ""
            if fresh and path:
                for suffix in ("", "-wal", "-shm"):
                    with _missing_ok():
                        __import__("os").remove(path + suffix)
        else:
            await self._ensure_pg(fresh=fresh)
        await upgrade(normalise_url(self.url), schema=self.schema)

    async def _ensure_pg(self, *, fresh: bool) -> None:
        import asyncpg

        name = make_url(normalise_url(self.url)).database or ""
        if name == "test" and self.schema is None:
            raise SystemExit("refusing the `test` database without a schema: tests drop tables there")
        admin = await asyncpg.connect(self._dsn("postgres"))
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        if fresh:
            schema = self.schema or "public"
            conn = await asyncpg.connect(self._dsn())
            try:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
            finally:
                await conn.close()

    async def open(self) -> None:
        if self.sqlite:
            path = make_url(normalise_url(self.url)).database or ""
            self._lite = sqlite3.connect(path)
            self._lite.execute("PRAGMA journal_mode=WAL")
            self._lite.execute("PRAGMA synchronous=OFF")
            return
        import asyncpg

        settings = {"search_path": self.schema} if self.schema else {}
        self._pg = await asyncpg.connect(self._dsn(), server_settings=settings)

    async def close(self) -> None:
        if self._lite is not None:
            self._lite.close()
            self._lite = None
        if self._pg is not None:
            await self._pg.close()
            self._pg = None

    async def write(self, table: str, rows: Iterable[dict[str, Any]]) -> int:
        """Bulk-insert `rows` (dicts by column name; missing columns take the model's default)."""
        model = _models()[table]
        columns = [str(c.name) for c in model.__table__.columns]  # type: ignore[attr-defined]
        defaults = _defaults(model, columns)
        written = 0
        iterator = iter(rows)
        rebuild = await self._drop_indexes(table)
        while chunk := list(islice(iterator, CHUNK)):
            records = [tuple(_value(row.get(c, defaults[c]), self.sqlite) for c in columns) for row in chunk]
            if self._lite is not None:
                marks = ", ".join("?" for _ in columns)
                names = ", ".join(f'"{c}"' for c in columns)
                self._lite.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', records)
                self._lite.commit()
            else:
                await self._pg.copy_records_to_table(table, records=records, columns=columns,
                                                     schema_name=self.schema)
            written += len(records)
        for definition in rebuild:
            await self._pg.execute(definition)
        self.counts[table] = self.counts.get(table, 0) + written
        return written

    async def _drop_indexes(self, table: str) -> list[str]:
        """PostgreSQL builds an index faster once than row by row: the plain (non-constraint) indexes of `table`
        are dropped before COPY and created again, from their own definitions, after it."""
        if self._pg is None:
            return []
        found = await self._pg.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = $1 AND i.schemaname = "
            "coalesce($2, current_schema()) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = "
            "i.indexname)", table, self.schema)
        for row in found:
            await self._pg.execute(f'DROP INDEX "{row["indexname"]}"')
        return [str(row["indexdef"]) for row in found]

    async def finish(self) -> None:
        """Sequences past the explicit ids COPY wrote, and fresh planner statistics."""
        if self._lite is not None:
            self._lite.execute("ANALYZE")
            self._lite.commit()
            return
        for table in self.counts:
            await self._pg.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)')
        await self._pg.execute("ANALYZE")

    async def max_id(self, table: str) -> int:
        if self._lite is not None:
            return int(self._lite.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0])
        return int(await self._pg.fetchval(f'SELECT coalesce(max(id), 0) FROM "{table}"'))

    async def count(self, table: str) -> int:
        if self._lite is not None:
            return int(self._lite.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        return int(await self._pg.fetchval(f'SELECT count(*) FROM "{table}"'))


class _missing_ok:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, value: Any, tb: Any) -> bool:
        return kind is not None and issubclass(kind, FileNotFoundError)


def _value(value: Any, sqlite: bool) -> Any:
    """What each driver takes: JSON as text; on SQLite, timestamps in SQLAlchemy's text form and dates as ISO."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    if sqlite:
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, date):
            return value.isoformat()
    return value



@dataclass
class Snapshot:
    """The database as seeded, kept aside so measurements that change it (`forget me`, `program form`) can be run
    again: PostgreSQL copies the database (`CREATE DATABASE ... TEMPLATE`), SQLite the file (its backup API).
    A database isolated by schema (the tests') has no snapshot: restoring it does nothing."""

    url: str
    schema: str | None = None

    @property
    def _names(self) -> tuple[str, str]:
        name = make_url(normalise_url(self.url)).database or ""
        return name, (f"{name}_seeded" if not is_sqlite(self.url) else f"{name}.seeded")

    async def save(self) -> None:
        await self._copy(*self._names)

    async def restore(self) -> None:
        source, copy = self._names
        await self._copy(copy, source)

    async def _copy(self, source: str, into: str) -> None:
        if self.schema is not None:
            return
        if is_sqlite(self.url):
            with sqlite3.connect(source) as old, sqlite3.connect(into) as new:
                old.backup(new)
            return
        import asyncpg

        admin = await asyncpg.connect(Store(self.url)._dsn("postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{into}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{into}" TEMPLATE "{source}"')
        finally:
            await admin.close()
