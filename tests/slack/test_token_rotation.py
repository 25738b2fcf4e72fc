"""`lingkar slack rotate-tokens`: after a new key goes first, every stored token is re-encrypted with it (bots and
installations), a second run changes nothing, a token no key opens is counted and left, and no token is printed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import insert, select
from typer.testing import CliRunner

from adapters.cli import app as cli
from adapters.slack.installations import EncryptedInstallationStore
from adapters.slack.rotation import rotate_tokens
from adapters.slack.tokens import TokenCipher
from storage.engine import make_engine
from storage.tables import slack_bots, slack_installations
from tests.conftest import Database, create_schema

OLD, NEW, LOST = (Fernet.generate_key().decode() for _ in range(3))
TOKENS = {"T1": "xoxb-one-secret", "T2": "xoxb-two-secret"}


async def stored(database: Database) -> list[tuple[str, str]]:
    """(team, stored bot token) of every bot and installation row."""
    engine = make_engine(database.url, schema=database.schema)
    try:
        async with engine.connect() as connection:
            rows = [*(await connection.execute(select(slack_bots.c.team_id, slack_bots.c.bot_token))).all(),
                    *(await connection.execute(select(slack_installations.c.team_id,
                                                      slack_installations.c.bot_token))).all()]
    finally:
        await engine.dispose()
    return sorted((str(team), str(token)) for team, token in rows)


async def seed(database: Database) -> None:
    """Two workspaces installed under the old key (a bot row and an installation row each), and one bot row whose
    key was thrown away."""
    await create_schema(database)
    engine = make_engine(database.url, schema=database.schema)
    try:
        store = EncryptedInstallationStore(client_id="1.2", engine=engine, cipher=TokenCipher((OLD,)))
        for team, token in TOKENS.items():
            await store.async_save(Installation(app_id="A1", team_id=team, user_id="U0", bot_token=token,
                                                bot_id="B1", bot_user_id="UBOT"))
        async with engine.begin() as connection:
            await connection.execute(insert(slack_bots).values(
                client_id="1.2", app_id="A1", team_id="T3", bot_token=Fernet(LOST).encrypt(b"xoxb-lost").decode(),
                is_enterprise_install=False, installed_at=datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None)))
    finally:
        await engine.dispose()


async def test_rotation_moves_every_token_to_the_newest_key_once(database: Database) -> None:
    await seed(database)
    before = await stored(database)
    dry = await rotate_tokens(database_url=database.url, keys=(NEW, OLD), dry_run=True, schema=database.schema)
    assert (dict(dry), await stored(database)) == ({"rotated": 4, "unreadable": 1}, before)

    done = await rotate_tokens(database_url=database.url, keys=(NEW, OLD), schema=database.schema)
    assert dict(done) == {"rotated": 4, "unreadable": 1}
    after = await stored(database)
    newest_only = TokenCipher((NEW,))  # the old key can go now
    assert [(team, newest_only.decrypt(token)) for team, token in after if team != "T3"] == [
        ("T1", TOKENS["T1"]), ("T1", TOKENS["T1"]), ("T2", TOKENS["T2"]), ("T2", TOKENS["T2"])]
    assert [t for t in after if t[0] == "T3"] == [t for t in before if t[0] == "T3"]  # left as it was

    again = await rotate_tokens(database_url=database.url, keys=(NEW, OLD), schema=database.schema)
    assert (dict(again), await stored(database)) == ({"current": 4, "unreadable": 1}, after)


async def test_the_command_prints_counts_and_never_a_token(database: Database) -> None:
    if database.schema is not None:  # the CLI reads LINGKAR_DATABASE_URL only: no per-test schema
        return
    await seed(database)
    runner = CliRunner()
    env = {"LINGKAR_DATABASE_URL": database.url, "LINGKAR_SLACK_TOKEN_KEYS": f"{NEW},{OLD}"}
    first = await asyncio.to_thread(runner.invoke, cli, ["slack", "rotate-tokens"], env=env)
    second = await asyncio.to_thread(runner.invoke, cli, ["slack", "rotate-tokens"], env=env)
    assert first.exit_code == second.exit_code == 1  # the token no key opens
    assert first.output.startswith("re-encrypted 4 stored Slack token(s) with the newest key")
    assert "0 already on it; 1 readable with none of the keys" in first.output
    assert second.output.startswith("re-encrypted 0 stored Slack token(s)") and "4 already on it" in second.output
    secrets = [token for _, token in await stored(database)] + [*TOKENS.values(), "xoxb"]
    assert not any(secret in first.output + second.output for secret in secrets)
