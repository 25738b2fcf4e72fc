"""Alembic, driven from code: `lingkar db upgrade` and the start-up upgrade on SQLite call these."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

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
