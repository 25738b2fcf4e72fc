"""`lingkar slack ...`: the app manifest to paste into api.slack.com."""

from __future__ import annotations

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
