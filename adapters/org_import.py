"""`lingkar org import FILE --workspace <platform>:<id>`: the org import `admin import` runs in chat, from a shell."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from adapters.bootstrap import App, bootstrap
from adapters.settings import Settings
from bot.kernel.context import TenantScope
from bot.kernel.errors import UserError
from bot.kernel.i18n import Translator, resolve_locale
from bot.org.commands import import_file, reason, summary_lines
from bot.org.importing import Outcome
from bot.org.reading import MAX_BYTES
from storage.tables import Platform

log = logging.getLogger(__name__)

OK, ROW_ERRORS, REFUSED = 0, 1, 2  # exit codes: all rows imported; some rows had errors; nothing imported


def parse_workspace(value: str) -> tuple[str, str] | None:
    platform, _, external_id = value.partition(":")
    if platform not in {p.value for p in Platform} or not external_id.strip():
        return None
    return platform, external_id.strip()


async def _directory(app: App, t: Translator, named: tuple[str, str], console: Console) -> dict[str, str]:
    """The platform's email directory where a messenger for it is configured; without one, rows are matched by
    platform id and by the emails members' own messages told Lingkar."""
    platform, external_id = named
    try:
        return await app.messenger.email_directory(workspace_id=external_id, platform=platform)
    except Exception as error:  # no messenger, a missing scope, the platform down: the import goes on without it
        log.warning("no email directory from %s: %s", platform, type(error).__name__)
        console.print(f"[yellow]{escape(t('org.cli.no_directory', platform=platform, error=type(error).__name__))}"
                      "[/yellow]")
        return {}


def _errors_table(t: Translator, outcome: Outcome) -> Table:
    table = Table(title=t("org.import.title"))
    table.add_column(t("org.cli.line"), justify="right")
    table.add_column(t("org.cli.reason"))
    for error in outcome.errors:
        table.add_row(str(error.line), escape(reason(t, error)))
    return table


async def import_into(app: App, *, data: bytes, workspace: str, locale: str = "en", use_directory: bool = True,
                      console: Console | None = None) -> int:
    """Import `data` into the workspace named `<platform>:<external id>`; prints what happened (every bad row, not
    only the first ones as in chat) and returns the exit code. The workspace must be known (someone there has used
    Lingkar), so a typo imports nothing anywhere."""
    console = console or Console()
    t = Translator(resolve_locale(locale))
    named = parse_workspace(workspace)
    found = None
    if named is not None:
        async with app.uow() as uow:
            found = await uow.workspaces.find(platform=named[0], external_id=named[1])
    if named is None or found is None:
        key = "org.cli.workspace_format" if named is None else "org.cli.unknown_workspace"
        console.print(f"[red]{escape(t(key, workspace=workspace))}[/red]")
        return REFUSED
    directory = await _directory(app, t, named, console) if use_directory else {}
    async with app.uow() as uow:
        scope = TenantScope(uow=uow, workspace=found, now=app.services.clock.now())
        try:
            outcome = await import_file(scope, data=data, directory=directory)
        except UserError as refused:
            console.print(f"[red]{escape(t(refused.key, **refused.params))}[/red]")
            return REFUSED
        uow.audit.record(workspace_id=scope.workspace_id, at=scope.now, action="org.imported", actor_member_id=None,
                         detail={"applied": outcome.applied, "pending": outcome.pending,
                                 "errors": len(outcome.errors), "created": outcome.created, "via": "cli"})
        await uow.commit()
    for line in summary_lines(t, outcome):
        console.print(escape(line))
    if outcome.errors:
        console.print(_errors_table(t, outcome))
        console.print(escape(t("org.import.fix")))
    return ROW_ERRORS if outcome.errors else OK


async def _run(settings: Settings, *, data: bytes, workspace: str, locale: str, use_directory: bool,
               console: Console) -> int:
    app = await bootstrap(settings)
    try:
        return await import_into(app, data=data, workspace=workspace, locale=locale, use_directory=use_directory,
                                 console=console)
    finally:
        await app.close()


def run_import(settings: Settings, *, file: Path, workspace: str, locale: str, use_directory: bool) -> int:
    """Read the file (refused by its size before it is read into memory), bootstrap as `serve` does, so the
    platforms' messengers give the directory, import; returns the exit code."""
    console = Console()
    if file.stat().st_size > MAX_BYTES:
        t = Translator(resolve_locale(locale))
        console.print(f"[red]{escape(t('org.import.too_large', limit=MAX_BYTES // 2**20))}[/red]")
        return REFUSED
    return asyncio.run(_run(settings, data=file.read_bytes(), workspace=workspace, locale=locale,
                            use_directory=use_directory, console=console))
