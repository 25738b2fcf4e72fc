"""docs/slack.md says what `lingkar slack manifest` prints: every scope with its reason, the events a removal
arrives by, the redirect URL and org_deploy_enabled, and the commands it names exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from adapters.cli import app as cli
from adapters.slack.manifest import BOT_SCOPES

DOC = (Path(__file__).parents[2] / "docs" / "slack.md").read_text(encoding="utf-8")


def printed(*options: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["slack", "manifest", "--url", "https://lingkar.example.com", *options])
    assert result.exit_code == 0, result.output
    loaded = yaml.safe_load(result.output)
    assert isinstance(loaded, dict)
    return loaded


def test_the_scope_table_lists_exactly_the_manifests_scopes() -> None:
    rows = re.findall(r"^\| (`[^|]+`) \|", DOC, flags=re.M)  # the first cell of the scope table
    table = {scope for row in rows for scope in re.findall(r"`([^`]+)`", row)}
    assert table == set(BOT_SCOPES)
    assert printed()["oauth_config"] == {"scopes": {"bot": list(BOT_SCOPES)}}


def test_add_to_slack_and_org_deploy_print_what_the_doc_says() -> None:
    made = printed("--oauth", "--org-deploy")
    oauth, settings = made["oauth_config"], made["settings"]
    assert isinstance(oauth, dict) and isinstance(settings, dict)
    assert oauth["redirect_urls"] == ["https://lingkar.example.com/slack/oauth_redirect"]
    assert "`https://lingkar.example.com/slack/oauth_redirect` under `oauth_config.redirect_urls`" in DOC
    assert settings["org_deploy_enabled"] is True and "`settings.org_deploy_enabled: true`" in DOC
    assert printed()["settings"]["org_deploy_enabled"] is False  # type: ignore[index]
    events = settings["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
    assert "subscribes to `app_uninstalled` and `tokens_revoked`" in DOC


def test_the_commands_the_doc_names_exist() -> None:
    for command in ("slack token-key", "slack rotate-tokens", "slack manifest", "workspace erase", "db upgrade"):
        assert f"lingkar {command}" in DOC
        result = CliRunner().invoke(cli, [*command.split(), "--help"])
        assert result.exit_code == 0, (command, result.output)
