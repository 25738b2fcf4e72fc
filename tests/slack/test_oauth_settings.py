"""'Add to Slack' around the flow: the manifest, the settings that turn it on, token keys and their rotation, and
a removal in single-token mode."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlmodel import select
from typer.testing import CliRunner

from adapters.bootstrap import App
from adapters.cli import app as cli
from adapters.settings import Settings
from adapters.slack.manifest import manifest
from adapters.slack.tokens import TokenCipher
from bot.kernel.clock import ManualClock
from bot.kernel.ports import DeliveryError
from storage.engine import make_engine, make_session_factory
from storage.repositories.workspace_state import mark_inactive
from storage.tables import Workspace
from storage.uow import UnitOfWork
from tests.conftest import Database, create_schema
from tests.slack.conftest import Slack


def test_the_manifest_for_add_to_slack_names_the_redirect_url_and_org_deploy() -> None:
    made = manifest(url="https://lingkar.example.com/", socket_mode=False, oauth=True, org_deploy=True)
    assert made["oauth_config"]["redirect_urls"] == ["https://lingkar.example.com/slack/oauth_redirect"]
    assert made["settings"]["org_deploy_enabled"] is True
    assert {"app_uninstalled", "tokens_revoked"} <= set(made["settings"]["event_subscriptions"]["bot_events"])
    single = manifest(url="https://lingkar.example.com", socket_mode=False)
    assert ("redirect_urls" in single["oauth_config"], single["settings"]["org_deploy_enabled"]) == (False, False)
    with pytest.raises(ValueError, match="public URL"):
        manifest(url=None, socket_mode=True, oauth=True)


@pytest.mark.parametrize(("extra", "complaint"), [
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "both set"),
    ({"LINGKAR_SLACK_TOKEN_KEYS": ""}, "without LINGKAR_SLACK_TOKEN_KEYS"),
    ({"LINGKAR_SLACK_TOKEN_KEYS": "not-a-key"}, "not a Fernet key"),
    ({"SLACK_CLIENT_SECRET": ""}, "without SLACK_CLIENT_SECRET"),
])
def test_add_to_slack_settings_are_checked_at_start(extra: dict[str, str], complaint: str) -> None:
    given = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": "x",
             "LINGKAR_SLACK_TOKEN_KEYS": Fernet.generate_key().decode(), **extra}
    with pytest.raises(ValidationError, match=complaint) as raised:
        Settings(_env_file=None, **given)  # type: ignore[call-arg]
    said = " ".join(str(problem["msg"]) for problem in raised.value.errors())  # what `lingkar check` prints
    assert complaint in said and "xoxb-1" not in said and "not-a-key" not in said  # no value repeated


def test_a_new_key_first_still_reads_tokens_of_the_old_one_and_rotation_moves_them() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = TokenCipher((old,)).encrypt("xoxb-secret")
    both = TokenCipher((new, old))
    assert both.decrypt(stored) == "xoxb-secret"
    rotated = both.rotate(stored)
    assert TokenCipher((new,)).decrypt(rotated) == "xoxb-secret"
    with pytest.raises(DeliveryError, match="does not decrypt"):
        TokenCipher((new,)).decrypt(stored)


async def test_single_token_mode_marks_an_uninstalled_workspace_inactive(lingkar: App, slack: Slack) -> None:
    status, _ = await slack.command("help")
    assert status == 200
    status, _ = await slack.event({"type": "app_uninstalled"}, event_id="EvGone")
    assert status == 200
    async with lingkar.uow() as uow:
        workspace = (await uow.session.exec(select(Workspace))).one()
    assert (workspace.external_id, workspace.inactive_reason) == ("T1", "app_uninstalled")
    assert workspace.inactive_since is not None


async def test_workspace_erase_wants_yes_and_an_inactive_workspace(database: Database, clock: ManualClock) -> None:
    if database.schema:
        pytest.skip("the command opens its own engine on LINGKAR_DATABASE_URL, without the test's schema")
    await create_schema(database)
    engine = make_engine(database.url)
    try:
        async with UnitOfWork(make_session_factory(engine)) as uow:
            await uow.workspaces.get_or_create(platform="slack", external_id="T1", now=clock.now())
            await uow.commit()
    finally:
        await engine.dispose()
    runner = CliRunner()
    env = {"LINGKAR_DATABASE_URL": database.url}
    assert runner.invoke(cli, ["workspace", "erase", "slack", "T1"], env=env).exit_code == 2
    refused = await asyncio.to_thread(runner.invoke, cli, ["workspace", "erase", "slack", "T1", "--yes"], env=env)
    assert (refused.exit_code, "still active" in refused.output) == (1, True)
    engine = make_engine(database.url)
    try:
        async with UnitOfWork(make_session_factory(engine)) as uow:
            await mark_inactive(uow, platform="slack", external_id="T1", reason="app_uninstalled", now=clock.now())
            await uow.commit()
    finally:
        await engine.dispose()
    erased = await asyncio.to_thread(runner.invoke, cli, ["workspace", "erase", "slack", "T1", "--yes"], env=env)
    assert (erased.exit_code, erased.output.startswith("erased slack workspace T1")) == (0, True)
    unknown = await asyncio.to_thread(runner.invoke, cli, ["workspace", "erase", "slack", "T1", "--yes"], env=env)
    assert (unknown.exit_code, "no slack workspace T1" in unknown.output) == (1, True)
