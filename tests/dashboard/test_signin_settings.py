"""The dashboard's settings refuse what would make sign-in unsafe, and sign-in logs carry ids, never people."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from adapters.dashboard import sessions
from adapters.settings import Settings
from tests.dashboard.conftest import Dashboard, new_client, sign_in
from tests.dashboard.people import SLACK_ADMIN, TEAMS_MEMBER

KEY = Fernet.generate_key().decode()


def test_the_cookie_is_secure_unless_the_public_url_is_local_http() -> None:
    secure = Settings(LINGKAR_DASHBOARD_SESSION_KEY=KEY, LINGKAR_PUBLIC_URL="https://lingkar.example.com/")
    assert sessions.secure_cookie(secure) and secure.dashboard_base_url() == "https://lingkar.example.com"
    local = Settings(LINGKAR_DASHBOARD_SESSION_KEY=KEY, LINGKAR_PUBLIC_URL="http://localhost:3000")
    assert not sessions.secure_cookie(local)


@pytest.mark.parametrize(("values", "named"), [
    ({"LINGKAR_DASHBOARD_SESSION_KEY": "not-a-key", "LINGKAR_PUBLIC_URL": "https://x.example"},
     "LINGKAR_DASHBOARD_SESSION_KEY is not a Fernet key"),
    ({"LINGKAR_DASHBOARD_SESSION_KEY": KEY}, "without LINGKAR_PUBLIC_URL"),
    ({"LINGKAR_DASHBOARD_SESSION_KEY": KEY, "LINGKAR_PUBLIC_URL": "http://lingkar.example.com"}, "must be https://"),
    ({"LINGKAR_DASHBOARD_SESSION_KEY": KEY, "LINGKAR_PUBLIC_URL": "https://x.example",
      "LINGKAR_DASHBOARD_ENTRA_CLIENT_ID": "abc"}, "go together"),
])
def test_unsafe_or_incomplete_settings_are_refused_at_start(values: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        Settings(**values)


def test_sign_in_with_slack_reuses_the_slack_apps_credentials() -> None:
    add_to_slack = Settings(SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s", SLACK_SIGNING_SECRET="x",
                            LINGKAR_SLACK_TOKEN_KEYS=KEY)
    assert add_to_slack.dashboard_slack_credentials() == ("1.2", "s")
    own = Settings(LINGKAR_DASHBOARD_SLACK_CLIENT_ID="9.9", LINGKAR_DASHBOARD_SLACK_CLIENT_SECRET="t")
    assert own.dashboard_slack_credentials() == ("9.9", "t")
    assert Settings().dashboard_slack_credentials() is None


async def test_sign_in_logs_name_ids_never_names_emails_or_tokens(dashboard: Dashboard,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with new_client(dashboard) as client:
        assert (await sign_in(dashboard, client, SLACK_ADMIN)).status == 303
    async with new_client(dashboard) as client:
        assert (await sign_in(dashboard, client, TEAMS_MEMBER)).status == 403
    # Lingkar's own records: aiohttp's access log (which quotes the callback's code) and the SQL and HTTP
    # libraries are held at WARNING in production (adapters/logging_setup.CLAMPED).
    logged = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("adapters"))
    assert SLACK_ADMIN.user_id in logged and TEAMS_MEMBER.user_id in logged  # enough to answer "why not me?"
    for private in (SLACK_ADMIN.name, SLACK_ADMIN.email, TEAMS_MEMBER.name, TEAMS_MEMBER.email, "xoxp-", "code="):
        assert private not in logged, private
