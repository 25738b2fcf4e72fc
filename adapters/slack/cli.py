"""`lingkar slack ...`: the app manifest to paste into api.slack.com, token encryption keys and their rotation."""

from __future__ import annotations

import asyncio

import typer

slack_app = typer.Typer(help="Slack: the app manifest, token encryption keys.", no_args_is_help=True)


@slack_app.command("manifest")
def manifest(
    url: str = typer.Option("", "--url", help="Lingkar's public HTTPS base URL, e.g. https://lingkar.example.com."),
    socket_mode: bool = typer.Option(False, "--socket-mode", help="Connect out with SLACK_APP_TOKEN, no public URL."),
    command: str = typer.Option("", "--command", help="The slash command (default LINGKAR_SLACK_COMMAND or /circle)."),
    oauth: bool = typer.Option(False, "--oauth", help="'Add to Slack': <url>/slack/oauth_redirect redirects."),
    org_deploy: bool = typer.Option(False, "--org-deploy", help="Enterprise Grid: installable across the whole org."),
) -> None:
    """Print the app manifest (YAML): create the app from it at https://api.slack.com/apps."""
    from adapters.settings import Settings
    from adapters.slack.manifest import manifest_yaml

    if not url and not socket_mode:
        raise typer.BadParameter("give --url https://your-host or --socket-mode", param_hint="--url")
    if url and not url.startswith("https://") and not socket_mode:
        raise typer.BadParameter("Slack only calls HTTPS URLs", param_hint="--url")
    if oauth and not url:
        raise typer.BadParameter("'Add to Slack' needs --url (Slack sends the admin back there)", param_hint="--url")
    typer.echo(manifest_yaml(url=url or None, socket_mode=socket_mode, command=command or Settings().slack_command,
                             oauth=oauth, org_deploy=org_deploy), nl=False)


@slack_app.command("token-key")
def token_key() -> None:
    """Print a new key for LINGKAR_SLACK_TOKEN_KEYS (put it first to rotate; keep the old ones after it)."""
    from cryptography.fernet import Fernet

    typer.echo(Fernet.generate_key().decode())


@slack_app.command("rotate-tokens")
def rotate_tokens(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would change, change nothing."),
) -> None:
    """Re-encrypt every stored bot token with the first key of LINGKAR_SLACK_TOKEN_KEYS, after a rotation. Run it
    again any time: tokens already on the newest key are left alone. Prints counts, never a token. Exit 1 when a
    token opens with none of the keys (a key was removed too early: put it back, or that workspace installs again)."""
    from adapters.settings import Settings
    from adapters.slack.rotation import rotate_tokens as rotate

    settings = Settings()
    keys = settings.slack_token_key_list()
    if not keys:
        typer.echo("lingkar: LINGKAR_SLACK_TOKEN_KEYS is empty; make a key with `lingkar slack token-key`", err=True)
        raise typer.Exit(2)
    counts = asyncio.run(rotate(database_url=settings.database_url, keys=keys, dry_run=dry_run))
    verb = "would re-encrypt" if dry_run else "re-encrypted"
    typer.echo(f"{verb} {counts['rotated'] + counts['plain']} stored Slack token(s) with the newest key "
               f"({counts['plain']} stored unencrypted before); {counts['current']} already on it; "
               f"{counts['unreadable']} readable with none of the keys")
    raise typer.Exit(1 if counts["unreadable"] else 0)
