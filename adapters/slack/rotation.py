"""`lingkar slack rotate-tokens`: after a new key goes first in LINGKAR_SLACK_TOKEN_KEYS, re-encrypt every stored token
with it, so that the old key can be removed. Counts only: a token never reaches the output or the logs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.slack.installations import TOKEN_FIELDS
from adapters.slack.tokens import TokenCipher
from storage.engine import make_engine
from storage.tables import slack_bots, slack_installations


async def rotate_tokens(*, database_url: str, keys: tuple[str, ...], dry_run: bool = False,
                        schema: str | None = None) -> Counter[str]:
    """How many stored tokens were `rotated`, were `current` already (running it again changes nothing), were
    `plain` (stored before encryption: encrypted now) or `unreadable` (no key listed opens them: left as they are).
    One transaction: an interrupted run changes nothing."""
    cipher = TokenCipher(keys)
    counts: Counter[str] = Counter()
    engine = make_engine(database_url, schema=schema)
    try:
        async with engine.connect() as connection:
            for table in (slack_bots, slack_installations):
                await _rotate_table(connection, table, cipher, counts, dry_run=dry_run)
            await (connection.rollback() if dry_run else connection.commit())
    finally:
        await engine.dispose()
    return counts


async def _rotate_table(connection: AsyncConnection, table: Table, cipher: TokenCipher, counts: Counter[str], *,
                        dry_run: bool) -> None:
    fields = [name for name in TOKEN_FIELDS if name in table.c]
    rows = (await connection.execute(select(table.c.id, *(table.c[name] for name in fields)))).all()
    for row in rows:
        changes: dict[str, Any] = {}
        for name in fields:
            stored = getattr(row, name)
            if not stored:
                continue
            outcome, value = _rotated(cipher, stored)
            counts[outcome] += 1
            if value is not None:
                changes[name] = value
        if changes and not dry_run:
            await connection.execute(update(table).where(table.c.id == row.id).values(**changes))


def _rotated(cipher: TokenCipher, stored: str) -> tuple[str, str | None]:
    if stored.startswith("xox"):  # written before tokens were encrypted
        return "plain", cipher.encrypt(stored)
    if cipher.is_current(stored):
        return "current", None
    try:
        return "rotated", cipher.rotate(stored)
    except InvalidToken:
        return "unreadable", None
