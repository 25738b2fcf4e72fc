"""`lingkar org import`: the same import from a shell, the platform's directory, every bad row listed, exit codes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from adapters.bootstrap import App, bootstrap
from adapters.cli import app as cli
from adapters.local.messenger import LocalMessenger
from adapters.org_import import OK, REFUSED, ROW_ERRORS, import_into
from adapters.settings import Settings
from tests.helpers import say
from tests.org.support import csv_bytes, member, records

GOOD = csv_bytes("email,team,seniority", "ani@example.com,Payments,1", "nobody@example.com,Sales,")


def _console() -> Console:
    return Console(record=True, width=160, color_system=None)


async def test_the_shell_import_uses_the_platform_directory(app: App, local: LocalMessenger) -> None:
    await say(app, "UADMIN", "status")  # the workspace is known once someone there used Lingkar
    local.people = {"ani@example.com": "UANI"}
    console = _console()
    assert await import_into(app, data=GOOD, workspace="local:W1", console=console) == OK
    shown = console.export_text()
    assert "Applied to members: 1. Waiting for their member (not seen yet): 1. Rows with errors: 0." in shown
    assert (await member(app, "UANI")).team == "Payments"
    assert (await records(app))["nobody@example.com"].external_id is None
    async with app.uow() as uow:
        [audit] = await uow.audit.list(workspace_id=1, action="org.imported")
    assert audit.detail == {"applied": 1, "pending": 1, "errors": 0, "created": 1, "via": "cli"}


async def test_every_bad_row_is_listed_and_the_exit_code_says_so(app: App) -> None:
    await say(app, "UADMIN", "status")
    rows = ["platform_id,start_date", *[f"U{i},someday" for i in range(30)], "U99,2026-01-05"]
    console = _console()
    assert await import_into(app, data=csv_bytes(*rows), workspace="local:W1", locale="id",
                             use_directory=False, console=console) == ROW_ERRORS
    shown = console.export_text()
    assert "Baris bermasalah: 30." in shown and shown.count("tanggal mulai bukan tanggal") == 30  # not only 25
    assert "someday" not in shown
    assert list(await records(app)) == ["id:U99"]


@pytest.mark.parametrize(("workspace", "data", "expected"), [
    ("W1", GOOD, "--workspace is <platform>:<workspace id>"),
    ("slack:TNOTHERE", GOOD, "There is no workspace slack:TNOTHERE"),
    ("local:W1", b"PK\x03\x04", "Excel workbook"),
])
async def test_nothing_is_imported_when_the_file_or_workspace_is_wrong(app: App, workspace: str, data: bytes,
                                                                       expected: str) -> None:
    await say(app, "UADMIN", "status")
    console = _console()
    assert await import_into(app, data=data, workspace=workspace, console=console) == REFUSED
    assert expected in console.export_text()
    assert await records(app) == {}


def test_lingkar_org_import_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LINGKAR_DATABASE_URL", url)

    async def workspace() -> None:
        built = await bootstrap(Settings(LINGKAR_DATABASE_URL=url))  # SQLite: migrated on start, as `serve` does
        async with built.uow() as uow:
            await uow.workspaces.get_or_create(platform="local", external_id="W1", now=datetime.now(UTC))
            await uow.commit()
        await built.close()

    asyncio.run(workspace())
    file = tmp_path / "org.csv"
    file.write_bytes(csv_bytes("platform_id,team,seniority", "U1,Payments,2", "U2,Sales,guru"))
    result = CliRunner().invoke(cli, ["org", "import", str(file), "--workspace", "local:W1"])
    assert result.exit_code == ROW_ERRORS, result.output
    assert "Applied to members: 1." in result.output and "the seniority is not 0-4" in result.output
    again = CliRunner().invoke(cli, ["org", "import", str(file), "--workspace", "slack:T404"])
    assert again.exit_code == REFUSED and "There is no workspace slack:T404" in again.output
