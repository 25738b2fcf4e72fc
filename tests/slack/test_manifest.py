"""`lingkar slack manifest`: valid YAML with the command, the scopes Lingkar uses and where Slack sends requests."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from adapters.cli import app
from adapters.slack.manifest import BOT_SCOPES

runner = CliRunner()


def test_the_manifest_for_an_https_url() -> None:
    result = runner.invoke(app, ["slack", "manifest", "--url", "https://lingkar.example.com/"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.output)
    endpoint = "https://lingkar.example.com/slack/events"
    command = manifest["features"]["slash_commands"][0]
    assert (command["command"], command["url"], command["should_escape"]) == ("/circle", endpoint, True)
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": endpoint}
    assert manifest["settings"]["event_subscriptions"] == {
        "bot_events": ["app_home_opened", "message.im", "app_uninstalled", "tokens_revoked", "team_access_revoked",
                       "team_access_granted"], "request_url": endpoint}
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False  # admins upload imports
    assert manifest["oauth_config"]["scopes"]["bot"] == ["commands", "chat:write", "im:write", "mpim:write",
                                                         "users:read", "users:read.email", "im:history",
                                                         "files:read", "groups:write", "files:write",
                                                         # program create checks and joins its channel (issue 17)
                                                         "channels:read", "groups:read", "channels:join"]
    assert set(BOT_SCOPES) == set(manifest["oauth_config"]["scopes"]["bot"])


def test_the_manifest_for_socket_mode_has_no_urls() -> None:
    result = runner.invoke(app, ["slack", "manifest", "--socket-mode", "--command", "/lingkar"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.output)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert manifest["features"]["slash_commands"][0]["command"] == "/lingkar"
    assert "request_url" not in manifest["settings"]["interactivity"]


def test_a_url_or_socket_mode_is_required() -> None:
    assert runner.invoke(app, ["slack", "manifest"]).exit_code != 0
    assert runner.invoke(app, ["slack", "manifest", "--url", "http://plain.example"]).exit_code != 0
