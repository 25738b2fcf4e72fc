"""`lingkar teams ...`: build the Teams app package."""

from __future__ import annotations

import uuid
from pathlib import Path

import typer

teams_app = typer.Typer(help="Microsoft Teams: the app package to upload.", no_args_is_help=True)


@teams_app.command("manifest")
def manifest(
    app_id: str = typer.Option(..., "--app-id", help="The bot's Microsoft App ID (MicrosoftAppId), a GUID."),
    domain: str = typer.Option(..., "--domain", help="Where Lingkar is served, e.g. lingkar.example.com."),
    out: Path = typer.Option(Path("lingkar-teams.zip"), "--out", help="Where to write the package."),
    version: str = typer.Option("1.0.0", help="The app version (raise it for every upload of a change)."),
    developer: str = typer.Option("Lingkar", help="Your organisation's name, shown in the app details."),
    website: str = typer.Option("", help="Website URL (default https://<domain>/)."),
    privacy: str = typer.Option("", help="Privacy statement URL (default https://<domain>/privacy)."),
    terms: str = typer.Option("", help="Terms of use URL (default https://<domain>/terms)."),
) -> None:
    """Build the Teams app package: manifest.json, icons and the Indonesian strings, zipped."""
    from adapters.bootstrap import capabilities
    from adapters.teams.manifest import AppInfo, build_package

    try:
        uuid.UUID(app_id)
    except ValueError:
        raise typer.BadParameter("the Microsoft App ID is a GUID, e.g. 9e1a7c1f-0000-4000-8000-000000000001",
                                 param_hint="--app-id") from None
    specs = [spec for capability in capabilities() for spec, _ in capability.commands]  # what Core.specs holds
    info = AppInfo(app_id=app_id, domain=domain, version=version, developer=developer, website=website,
                   privacy=privacy, terms=terms)
    out.write_bytes(build_package(info, specs=specs))
    typer.echo(f"Wrote {out}: upload it in Teams (Apps > Manage your apps > Upload an app).")
