"""Alembic, driven from code: `lingkar db upgrade`, `db current`, the start-up upgrade and /readyz call these."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import make_engine, normalise_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, *, schema: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["schema"] = schema
    return config


def _upgrade(url: str, schema: str | None, revision: str) -> None:
    command.upgrade(alembic_config(url, schema=schema), revision)


async def upgrade(url: str, *, schema: str | None = None, revision: str = "head") -> None:
    """Alembic's env runs its own event loop, so it goes to a worker thread when called from async code."""
    await asyncio.to_thread(_upgrade, url, schema, revision)


def autogenerate(url: str, *, message: str) -> None:
    """For developers adding tables: writes a new revision from the difference to the models."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


@dataclass(frozen=True)
class SchemaState:
    """Where a database is against the code's migrations; `current` is None for a database never migrated."""

    current: str | None
    head: str

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def known(self) -> bool:
        """False for a revision this code does not ship: a newer version of Lingkar migrated the database."""
        return self.current is None or self.current in known_revisions()


@cache
def head_revision() -> str:
    """The newest revision this code ships (read once: the files do not change while the process runs)."""
    head = _scripts().get_current_head()
    if head is None:
        raise RuntimeError("storage/migrations has no revision")
    return head


@cache
def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in _scripts().walk_revisions())


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


async def schema_state(engine: AsyncEngine) -> SchemaState:
    """The database's revision (its alembic_version table, in the engine's search_path) against head.
    Connection errors propagate: the caller decides whether that means "not ready" or "refuse to start"."""
    async with engine.connect() as connection:
        current = await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    return SchemaState(current=current, head=head_revision())


def _missing_sqlite_file(url: str) -> bool:
    parsed = make_url(normalise_url(url))
    return parsed.drivername.startswith("sqlite") and bool(parsed.database) and not Path(parsed.database or "").exists()


async def schema_state_of(url: str, *, schema: str | None = None) -> SchemaState:
    """For `lingkar db current/check`: a SQLite file that does not exist is reported, not created by asking."""
    if _missing_sqlite_file(url):
        return SchemaState(current=None, head=head_revision())
    engine = make_engine(url, schema=schema, application_name="lingkar-check")
    try:
        return await schema_state(engine)
    finally:
        await engine.dispose()
