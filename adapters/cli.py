"""The `lingkar` command: demo, database migrations, serving, platform manifests, org data import."""

from __future__ import annotations

import asyncio
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import typer
from pydantic import ValidationError

from adapters.logging_setup import configure_logging
from adapters.settings import Settings
from adapters.slack.cli import slack_app
from adapters.teams.cli import teams_app

app = typer.Typer(help="Lingkar: mentoring circles and pairs for Slack and Microsoft Teams.", no_args_is_help=True)
db = typer.Typer(help="Database schema (Alembic).", no_args_is_help=True)
app.add_typer(db, name="db")
org = typer.Typer(help="Org data: department, team, manager, seniority and start date.", no_args_is_help=True)
app.add_typer(org, name="org")
workspace = typer.Typer(help="Workspaces (a Slack workspace, a Teams tenant).", no_args_is_help=True)
app.add_typer(workspace, name="workspace")
app.add_typer(teams_app, name="teams")
app.add_typer(slack_app, name="slack")


def _version() -> str:
    try:
        return version("lingkar")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"lingkar {_version()}")
        raise typer.Exit()


@app.callback()
def _main(_version_option: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                               help="Print the installed version and exit.")) -> None:
    """Lingkar: mentoring circles and pairs for Slack and Microsoft Teams."""


@app.command()
def demo(
    members: int = typer.Option(36, min=8, max=500, help="How many synthetic employees take part."),
    out: Path | None = typer.Option(None, help="Folder for the demo's database and files (default: a new temp dir)."),
) -> None:
    """Run the product on SQLite and the local platform, and print what everyone sees."""
    from adapters.demo import run_demo

    asyncio.run(run_demo(members=members, out_dir=out))


@db.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply pending migrations to LINGKAR_DATABASE_URL."""
    from storage.migrate import upgrade

    settings = _settings()
    asyncio.run(upgrade(settings.database_url, revision=revision))
    typer.echo(f"Database is at {revision}.")


@db.command("current")
def db_current() -> None:
    """Print the database's revision and the newest one this version ships."""
    from storage.migrate import schema_state_of

    state = asyncio.run(schema_state_of(_settings().database_url))
    typer.echo(f"database: {state.current or 'none (never migrated)'}\nhead:     {state.head}")


@db.command("check")
def db_check() -> None:
    """Exit 0 when the database is at head; otherwise say what to do and exit 1."""
    from adapters.readiness import migration_problem, newer_schema
    from storage.migrate import schema_state_of

    state = asyncio.run(schema_state_of(_settings().database_url))
    problem = migration_problem(state) or newer_schema(state)
    if problem is not None:
        typer.echo(f"lingkar: {problem}", err=True)
        raise typer.Exit(1)
    typer.echo("The database is at head.")


@app.command()
def check() -> None:
    """Validate the settings (the same checks `serve` makes at start): one line per problem, exit 2."""
    settings = _settings()
    platforms = [name for name, on in (("Slack", settings.slack_bot_token),
                                       ("Teams", settings.microsoft_app_id or settings.teams_local)) if on]
    typer.echo(f"Settings are valid (platforms: {', '.join(platforms) or 'none'}).")


@db.command("revision")
def db_revision(message: str = typer.Option(..., "-m", help="What changed.")) -> None:
    """(Developers) write a migration from the difference between the tables and the database."""
    from storage.migrate import autogenerate

    autogenerate(Settings().database_url, message=message)


@org.command("import")
def org_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The CSV (UTF-8)."),
    workspace: str = typer.Option(..., "--workspace", help="<platform>:<workspace id>, e.g. slack:T0123ABCD."),
    locale: str = typer.Option("en", "--locale", help="The report's language: en or id."),
    directory: bool = typer.Option(True, "--directory/--no-directory",
                                   help="Match emails through the platform's directory (Slack: users:read.email)."),
) -> None:
    """Import an org CSV as `admin import` does in chat. Exit 0: every row imported; 1: some rows had errors (the
    others were imported); 2: nothing was imported."""
    from adapters.org_import import run_import

    code = run_import(_settings(), file=file, workspace=workspace, locale=locale, use_directory=directory)
    raise typer.Exit(code)


@workspace.command("erase")
def workspace_erase(
    platform: str = typer.Argument(..., help="slack or teams."),
    external_id: str = typer.Argument(..., help="The workspace's id: a Slack team id (T0123ABCD), a Teams tenant."),
    yes: bool = typer.Option(False, "--yes", help="Really delete (without it, nothing is done)."),
    force: bool = typer.Option(False, "--force", help="Erase even though the app is still installed there."),
) -> None:
    """Delete every program, member and answer of a workspace whose app was removed (its data is kept until then)."""
    from adapters.workspace_erase import erase

    if not yes:
        typer.echo("lingkar: this deletes the workspace's data for good; add --yes to go ahead", err=True)
        raise typer.Exit(2)
    line = asyncio.run(erase(database_url=_settings().database_url, platform=platform, external_id=external_id,
                             force=force))
    typer.echo(line)
    raise typer.Exit(0 if line.startswith("erased") else 1)


@app.command()
def serve() -> None:
    """Serve Slack (/slack/events) and Teams (/api/messages) on one port, with the scheduler."""
    from adapters.readiness import RefusedToStart
    from adapters.server import serve as run_server

    settings = _settings()
    # Libraries that log SQL parameters, request bodies or tokens stay at WARNING even at DEBUG.
    configure_logging(level=settings.log_level, log_format=settings.log_format)
    try:
        asyncio.run(run_server(settings))
    except RefusedToStart as refused:  # an unmigrated or unreachable database: one line, no traceback
        typer.echo(f"lingkar: {refused}", err=True)
        raise typer.Exit(refused.exit_code) from None


def _settings() -> Settings:
    """The settings, or a line per wrong one on stderr (no traceback, no values: they may be secrets), exit 2."""
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            message = str(problem["msg"]).removeprefix("Value error, ")
            typer.echo(f"lingkar: {where}: {message}" if where else f"lingkar: {message}", err=True)
        raise typer.Exit(2) from None


def main() -> None:
    configure_logging(level="WARNING")  # `serve` sets LINGKAR_LOG_LEVEL once it has read the settings
    app()


if __name__ == "__main__":
    main()
