"""What an attacker sends to the sign-in: forged or replayed callbacks, a tampered cookie, open redirects, a
dashboard without its key. Every answer is a 4xx page, never a 500, and nobody gets in."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.fernet import Fernet
from yarl import URL

from adapters.bootstrap import bootstrap
from adapters.dashboard import auth, signin_slack
from adapters.server import build_web_app
from adapters.settings import Settings
from tests.conftest import Database
from tests.dashboard.conftest import Dashboard, new_client, sign_in
from tests.dashboard.people import SLACK_ADMIN, SLACK_MEMBER, TEAMS_ADMIN


async def is_signed_in(dashboard: Dashboard, client: aiohttp.ClientSession) -> bool:
    home = await client.get(dashboard.at("/admin/"), allow_redirects=False)
    return bool(home.headers.get("Location") == "/admin/programs")


async def test_a_callback_with_a_forged_state_is_refused(dashboard: Dashboard) -> None:
    async with new_client(dashboard) as client:
        await client.get(dashboard.at("/admin/signin/slack"), allow_redirects=False)  # this browser's own state
        code = dashboard.slack.code_for(SLACK_ADMIN)  # the victim's code, planted through a link
        query = urlencode({"code": code, "state": "x"})
        forged = await client.get(dashboard.at(f"/admin/signin/slack/callback?{query}"), allow_redirects=False)
        assert forged.status == 400 and "does not belong to this browser" in await forged.text()
        assert not await is_signed_in(dashboard, client)
        assert "openid.connect.token" not in dashboard.slack.calls  # refused before the code was spent


async def test_a_callback_without_a_sign_in_started_here_is_refused(dashboard: Dashboard) -> None:
    async with new_client(dashboard) as client:
        code = dashboard.slack.code_for(SLACK_ADMIN)
        answer = await client.get(dashboard.at(f"/admin/signin/slack/callback?code={code}&state=s"),
                                  allow_redirects=False)
        assert answer.status == 400 and not await is_signed_in(dashboard, client)


async def test_a_microsoft_callback_with_a_forged_state_is_refused(dashboard: Dashboard) -> None:
    dashboard.entra.person = TEAMS_ADMIN
    async with new_client(dashboard) as client:
        start = await client.get(dashboard.at("/admin/signin/microsoft"), allow_redirects=False)
        at_entra = await client.get(start.headers["Location"], allow_redirects=False)
        query = parse_qs(urlsplit(at_entra.headers["Location"]).query)
        forged = {"code": query["code"][0], "state": "not-the-state"}
        answer = await client.get(dashboard.at(f"/admin/signin/microsoft/callback?{urlencode(forged)}"),
                                  allow_redirects=False)
        assert answer.status == 400 and not await is_signed_in(dashboard, client)
        assert "token" not in dashboard.entra.calls


async def test_a_callback_replayed_after_use_is_refused(dashboard: Dashboard) -> None:
    dashboard.slack.person = SLACK_ADMIN
    async with new_client(dashboard) as client:
        start = await client.get(dashboard.at("/admin/signin/slack"), allow_redirects=False)
        callback = (await client.get(start.headers["Location"], allow_redirects=False)).headers["Location"]
        assert (await client.get(callback, allow_redirects=False)).status == 303
    async with new_client(dashboard) as other:  # someone who found the callback URL in a history or a log
        assert (await other.get(callback, allow_redirects=False)).status == 400
        assert not await is_signed_in(dashboard, other)


async def test_a_cancelled_or_failed_provider_answer_is_a_calm_page(dashboard: Dashboard) -> None:
    async with new_client(dashboard) as client:
        start = await client.get(dashboard.at("/admin/signin/slack"), allow_redirects=False)
        state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
        cancelled = await client.get(dashboard.at(f"/admin/signin/slack/callback?error=access_denied&state={state}"))
        assert cancelled.status == 400 and "cancelled" in await cancelled.text()
        start = await client.get(dashboard.at("/admin/signin/slack"), allow_redirects=False)
        state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
        bad_code = await client.get(dashboard.at(f"/admin/signin/slack/callback?code=nope&state={state}"))
        assert bad_code.status == 400 and "did not confirm who you are" in await bad_code.text()


async def test_a_tampered_or_foreign_cookie_is_no_session(dashboard: Dashboard) -> None:
    async with new_client(dashboard) as client:
        await sign_in(dashboard, client, SLACK_MEMBER)
        forged = Fernet(Fernet.generate_key()).encrypt(
            b'{"created": 1, "session": {"admin": {"platform": "slack", "workspace_id": "T1", "user_id": "UADMIN"}}}')
        here = URL(dashboard.at("/admin/"))
        client.cookie_jar.update_cookies({"lingkar_admin": forged.decode()}, response_url=here)
        assert not await is_signed_in(dashboard, client)
        client.cookie_jar.update_cookies({"lingkar_admin": "garbage"}, response_url=here)
        answer = await client.get(dashboard.at("/admin/programs"), allow_redirects=False)
        assert answer.status == 303


async def test_the_page_asked_for_is_only_ever_a_dashboard_path() -> None:
    assert auth._safe_next("/admin/programs/3")
    for evil in ("https://evil.example/", "//evil.example/admin/", "/admin//evil.example", "/admin/\\evil",
                 "/other", "/admin/signin/slack/callback?code=x", None, 7):
        assert not auth._safe_next(evil), evil


async def test_pages_forbid_scripts_framing_and_caching(dashboard: Dashboard) -> None:
    async with aiohttp.ClientSession() as client:
        answer = await client.get(dashboard.at("/admin/signin"))
        policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script-src" not in policy
        assert answer.headers["Cache-Control"] == "no-store" and answer.headers["X-Content-Type-Options"] == "nosniff"


async def test_without_a_session_key_the_dashboard_says_it_is_not_configured(database: Database) -> None:
    # No tables either: the page needs none.
    lingkar = await bootstrap(Settings(LINGKAR_DATABASE_URL=database.url), migrate=False, schema=database.schema)
    try:
        async with TestClient(TestServer(build_web_app(lingkar), host="127.0.0.1")) as client:
            for path in ("/admin/", "/admin/signin", "/admin/programs/1"):
                answer = await client.get(path, allow_redirects=False, headers={"Accept-Language": "id-ID,id;q=0.9"})
                assert answer.status == 503 and "Dasbor admin belum disiapkan" in await answer.text(), path
            posted = await client.post("/admin/signout", allow_redirects=False)
            assert posted.status == 503
    finally:
        await lingkar.close()


async def test_a_bug_is_an_apology_with_an_incident_code_not_a_bare_500(dashboard: Dashboard,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    def broken(_: object) -> bool:
        raise RuntimeError("a bug")

    monkeypatch.setattr(signin_slack, "configured", broken)
    async with aiohttp.ClientSession() as client:
        answer = await client.get(dashboard.at("/admin/signin"), headers={"Accept-Language": "id"})
        text = await answer.text()
    assert answer.status == 500 and "berikan kode insiden ini" in text and 'lang="id"' in text
    incident = re.search(r"operator Anda: ([0-9a-f]{8})", text)
    assert incident and any(incident.group(1) in record.getMessage() for record in caplog.records)


async def test_an_anonymous_page_view_sets_no_cookie(dashboard: Dashboard) -> None:
    async with aiohttp.ClientSession() as client:
        for path in ("/admin/signin", "/admin/no-such-page"):
            answer = await client.get(dashboard.at(path))
            assert "Set-Cookie" not in answer.headers, path
