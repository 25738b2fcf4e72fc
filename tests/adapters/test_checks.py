"""`lingkar check` and the same validation at start: one line per bad setting naming the variable, exit 2, no
traceback and no value; `lingkar --version`; `lingkar db current` and `lingkar db check`."""

from __future__ import annotations

import asyncio
import sqlite3
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from storage.migrate import head_revision, upgrade

SECRET = "hunter2-not-for-logs"
BAD = [  # (environment, the variable the line must name, what it must say is expected)
    ({"LINGKAR_DATABASE_URL": f"mysql://lingkar:{SECRET}@db/lingkar"}, "LINGKAR_DATABASE_URL", "postgresql+asyncpg://"),
    ({"LINGKAR_DATABASE_URL": f"{SECRET} is not a url"}, "LINGKAR_DATABASE_URL", "sqlite+aiosqlite:///"),
    ({"LINGKAR_DEFAULT_LOCALE": "fr"}, "LINGKAR_DEFAULT_LOCALE", "en, id"),
    ({"LINGKAR_DEFAULT_TIMEZONE": "Asia/Jakartaa"}, "LINGKAR_DEFAULT_TIMEZONE", "Asia/Jakarta"),
    ({"MicrosoftAppId": "9e1a7c1f-0000-4000-8000-000000000001"}, "MicrosoftAppId", "MicrosoftAppPassword"),
    ({"SLACK_BOT_TOKEN": f"xoxb-{SECRET}"}, "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"),
    # A single-tenant bot (what Azure creates today) signs in against its own tenant.
    ({"MicrosoftAppId": "9e1a7c1f-0000-4000-8000-000000000001", "MicrosoftAppPassword": SECRET},
     "MicrosoftAppTenantId", "MicrosoftAppType=SingleTenant"),
    ({"MicrosoftAppType": "Multi"}, "MicrosoftAppType", "SingleTenant, UserAssignedMSI, MultiTenant"),
    ({"LINGKAR_SLACK_COMMAND": "circle"}, "LINGKAR_SLACK_COMMAND", "/circle"),
    ({"LINGKAR_LOG_LEVEL": "LOUD"}, "LINGKAR_LOG_LEVEL", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
]


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("env", "variable", "expected"), BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
@pytest.mark.parametrize("command", ["check", "serve"])
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(command: str, env: dict[str, str], variable: str,
                                                        expected: str) -> None:
    code, out, err = run(command, env=env)
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("lingkar: ") and variable in lines[0] and expected in lines[0]
    assert "Traceback" not in out + err and SECRET not in out + err  # the value may be a secret: never echoed


def test_every_problem_gets_its_own_line() -> None:
    code, _, err = run("check", env={"LINGKAR_DEFAULT_LOCALE": "fr", "LINGKAR_DEFAULT_TIMEZONE": "Nowhere/Atall",
                                     "LINGKAR_LOG_LEVEL": "chatty"})
    assert code == 2
    assert [line.split(":")[1].strip() for line in err.splitlines()] == [
        "LINGKAR_DEFAULT_LOCALE", "LINGKAR_DEFAULT_TIMEZONE", "LINGKAR_LOG_LEVEL"]


@pytest.mark.parametrize("env", [
    {},
    {"LINGKAR_DATABASE_URL": "postgres://lingkar:pw@db:5432/lingkar", "LINGKAR_DEFAULT_LOCALE": "id",
     "LINGKAR_DEFAULT_TIMEZONE": "Asia/Makassar", "LINGKAR_LOG_LEVEL": "debug", "LINGKAR_SLACK_COMMAND": "/lingkar"},
    {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},  # Socket Mode needs no signing secret
    {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "MicrosoftAppId": "a", "MicrosoftAppPassword": "p",
     "MicrosoftAppTenantId": "t"},
    {"MicrosoftAppId": "a", "MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppTenantId": "t"},  # no password
], ids=["defaults", "postgres-and-indonesian", "socket-mode", "both-platforms", "managed-identity"])
def test_good_settings_pass(env: dict[str, str]) -> None:
    code, out, err = run("check", env=env)
    assert (code, err) == (0, "")
    assert out.startswith("Settings are valid")


def test_version_is_the_installed_one() -> None:
    code, out, _ = run("--version")
    assert (code, out.strip()) == (0, f"lingkar {version('lingkar')}")


def test_db_current_and_check_before_and_after_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "lingkar.db"
    env = {"LINGKAR_DATABASE_URL": f"sqlite+aiosqlite:///{path}"}
    code, out, _ = run("db", "current", env=env)
    assert code == 0 and "database: none" in out and head_revision() in out
    assert not path.exists()  # asking does not create the database
    code, _, err = run("db", "check", env=env)
    assert code == 1 and "lingkar db upgrade" in err

    asyncio.run(upgrade(env["LINGKAR_DATABASE_URL"]))
    code, out, _ = run("db", "current", env=env)
    assert code == 0 and out.splitlines()[0] == f"database: {head_revision()}"
    assert run("db", "check", env=env)[0] == 0

    connection = sqlite3.connect(path)
    with connection:  # a newer version migrated it: this one serves it, but `db check` says so
        connection.execute("UPDATE alembic_version SET version_num = 'f0f0f0f0f0f0'")
    connection.close()
    code, _, err = run("db", "check", env=env)
    assert code == 1 and "f0f0f0f0f0f0" in err and "does not know" in err


def test_db_commands_validate_settings_too() -> None:
    for command in (["db", "current"], ["db", "check"], ["db", "upgrade"]):
        code, _, err = run(*command, env={"LINGKAR_DATABASE_URL": "oracle://scott:tiger@db/x"})
        assert code == 2 and err.startswith("lingkar: LINGKAR_DATABASE_URL"), (command, err)
