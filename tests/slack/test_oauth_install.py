"""'Add to Slack': the OAuth dance against the Slack double, two workspaces each served with its own token, and
the uninstall of one (its deliveries skipped with the reason, the other unaffected, its data kept until erased)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.fernet import Fernet
from sqlalchemy import Select, select
from sqlmodel import col

from adapters.bootstrap import App, bootstrap
from adapters.local.messenger import LocalMessenger
from adapters.server import build_web_app
from adapters.settings import Settings
from adapters.slack.installed import InstalledSlackMessenger
from adapters.slack.wiring import SLACK
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import encode
from bot.kernel.messages import Message
from bot.kernel.ports import Target
from scheduler.deliver import deliver_due
from scheduler.pacing import Pacer
from storage.repositories.workspace_state import erase_workspace
from storage.tables import Delivery, Member, Workspace, slack_bots, slack_installations
from tests.conftest import Database, create_schema
from tests.slack.conftest import SECRET, Slack
from tests.slack.mock_slack import MockSlack

CLIENT = ("1234.5678", "client-secret")
KEY = Fernet.generate_key().decode()
T1_TOKEN, T2_TOKEN = "xoxb-team-one-token", "xoxb-team-two-token"


@pytest.fixture
async def installed(database: Database, clock: ManualClock, local: LocalMessenger,
                    mock_slack: MockSlack) -> AsyncIterator[tuple[App, Slack]]:
    """Lingkar in "Add to Slack" mode (no SLACK_BOT_TOKEN), served on a free port, nothing installed yet."""
    mock_slack.client = CLIENT
    settings = Settings(LINGKAR_DATABASE_URL=database.url, SLACK_CLIENT_ID=CLIENT[0], SLACK_CLIENT_SECRET=CLIENT[1],
                        SLACK_SIGNING_SECRET=SECRET, LINGKAR_SLACK_TOKEN_KEYS=KEY,
                        LINGKAR_SLACK_API_URL=mock_slack.url)
    await create_schema(database)
    app = await bootstrap(settings, clock=clock, messenger_overrides={"local": local}, migrate=False,
                          schema=database.schema)
    web_app = build_web_app(app)
    try:
        async with TestClient(TestServer(web_app, host="127.0.0.1", port=0)) as client:
            yield app, Slack(client, web_app[SLACK], mock_slack)
    finally:
        assert app.platforms.slack is not None
        await app.platforms.slack.api.aclose()
        await app.close()


async def install(slack: Slack, *, code: str, team: str, name: str, token: str,
                  language: str = "en") -> tuple[int, str]:
    """An admin presses "Add to Slack", approves on Slack's page, and Slack sends their browser back with a code."""
    page = await slack.client.get("/slack/install")
    assert page.status == 200
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', await page.text())
    assert link is not None, "the install page links to Slack's authorize page"
    query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT[0]] and "chat:write" in query["scope"][0]
    # The state comes back in the URL and in the (Secure, so set by hand over plain HTTP) cookie it was paired with.
    cookie = page.headers["Set-Cookie"].split(";")[0]
    assert cookie == f"slack-app-oauth-state={query['state'][0]}"
    slack.mock.add_install(code, team_id=team, team_name=name, token=token)
    back = await slack.client.get("/slack/oauth_redirect", params={"code": code, "state": query["state"][0]},
                                  headers={"Accept-Language": language, "Cookie": cookie})
    return back.status, await back.text()


async def command(slack: Slack, *, team: str, user: str, text: str = "help") -> int:
    body = urlencode({"token": "legacy", "team_id": team, "team_domain": team.lower(), "channel_id": "C0GENERAL",
                      "user_id": user, "command": "/circle", "text": text, "api_app_id": "A1",
                      "response_url": slack.mock.response_url(f"{team}-{user}"), "trigger_id": slack.trigger()})
    status, _ = await slack.post(body, content_type="application/x-www-form-urlencoded")
    return status


async def event(slack: Slack, *, team: str, event: dict[str, Any], event_id: str) -> int:
    body = json.dumps({"token": "legacy", "team_id": team, "api_app_id": "A1", "event": event,
                       "type": "event_callback", "event_id": event_id, "event_time": 1767571200})
    status, _ = await slack.post(body, content_type="application/json")
    return status


async def test_two_workspaces_installed_each_with_its_own_token_then_one_uninstalls(
        installed: tuple[App, Slack], clock: ManualClock) -> None:
    app, slack = installed
    mock = slack.mock
    mock.add_user("U9", name="Eka Putri", team="T2")
    assert isinstance(app.platforms.slack, InstalledSlackMessenger)

    status, page = await install(slack, code="code-1", team="T1", name="Lingkar Test", token=T1_TOKEN)
    assert (status, "Lingkar is now in Lingkar Test") == (200, page[page.index("Lingkar is now"):][:30])
    status, page = await install(slack, code="code-2", team="T2", name="Toko <b>Dua</b>", token=T2_TOKEN,
                                 language="id-ID")
    assert status == 200 and "Lingkar kini ada di Toko &lt;b&gt;Dua&lt;/b&gt;" in page  # escaped, in Indonesian
    assert [c.args.get("code") for c in mock.calls_to("oauth.v2.access")] == ["code-1", "code-2"]

    # Stored encrypted: no token in the clear, each decrypts to its own.
    rows = await core_rows(app, select(slack_bots.c.team_id, slack_bots.c.bot_token))
    assert sorted(team for team, _ in rows) == ["T1", "T2"]
    assert all("xoxb" not in stored for _, stored in rows)
    assert {team: Fernet(KEY).decrypt(stored.encode()).decode() for team, stored in rows} == \
        {"T1": T1_TOKEN, "T2": T2_TOKEN}

    # Each workspace's requests are answered with its own token.
    mock.calls.clear()
    assert await command(slack, team="T1", user="U1") == 200
    t1_calls = [c for c in mock.calls if c.method not in ("respond",)]
    assert t1_calls and {c.token for c in t1_calls} == {T1_TOKEN}
    mock.calls.clear()
    assert await command(slack, team="T2", user="U9") == 200
    t2_calls = [c for c in mock.calls if c.method not in ("respond",)]
    assert t2_calls and {c.token for c in t2_calls} == {T2_TOKEN}

    # Deliveries too: each goes out with the token of the workspace in its Target (the double keeps one directory).
    mock.calls.clear()
    await app.messenger.send(Target(platform="slack", workspace_id="T2", kind="user", ref="U2"), Message("hai"))
    await app.messenger.send(Target(platform="slack", workspace_id="T1", kind="user", ref="U1"), Message("hi"))
    posts = mock.calls_to("chat.postMessage")
    assert [(p.args["text"], p.token) for p in posts] == [("hai", T2_TOKEN), ("hi", T1_TOKEN)]

    # T1 removes the app: marked inactive, its installation gone, its queued delivery skipped with the reason.
    assert await event(slack, team="T1", event={"type": "app_uninstalled"}, event_id="EvUninstall") == 200
    mock.revoke(T1_TOKEN)
    async with app.uow() as uow:
        spaces = {w.external_id: w for w in (await uow.session.exec(select(Workspace))).scalars()}
        teams = [team for team, in await core_rows(app, select(slack_installations.c.team_id))]
        await queue(uow, spaces["T1"], "U1", key="t1-after")
        await queue(uow, spaces["T2"], "U2", key="t2-after")
        await uow.commit()
    assert (spaces["T1"].inactive_reason, spaces["T2"].inactive_since) == ("app_uninstalled", None)
    assert spaces["T1"].inactive_since is not None and list(teams) == ["T2"]
    mock.calls.clear()
    report = await deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=clock, worker_id="w1",
                               pacer=Pacer.unlimited())
    assert (report.sent, dict(report.skipped)) == (1, {"workspace app_uninstalled": 1})
    assert [(p.args["text"], p.token) for p in mock.calls_to("chat.postMessage")] == [("t2-after", T2_TOKEN)]
    async with app.uow() as uow:
        outcome = {d.key: (d.status, d.last_error) for d in (await uow.session.exec(select(Delivery))).scalars()}
    assert outcome == {"t1-after": ("skipped", "workspace app_uninstalled"), "t2-after": ("sent", None)}

    # T2 carries on; T1's data is kept until an admin erases it, then only T2's is left.
    assert await command(slack, team="T2", user="U9") == 200
    async with app.uow() as uow:
        assert {m.external_id for m in (await uow.session.exec(select(Member))).scalars()} >= {"U1", "U9"}
        deleted = await erase_workspace(uow, platform="slack", external_id="T1")
        await uow.commit()
    assert deleted is not None and deleted >= 3  # the workspace, its member, its delivery
    async with app.uow() as uow:
        left = {(w.external_id) for w in (await uow.session.exec(select(Workspace))).scalars()}
        members = (await uow.session.exec(select(Member).where(col(Member.external_id) == "U1"))).scalars().all()
    assert (left, list(members)) == ({"T2"}, [])


async def queue(uow: Any, workspace: Workspace, user: str, *, key: str) -> None:
    target = Target(platform="slack", workspace_id=workspace.external_id, kind="user", ref=user)
    assert workspace.id is not None
    await uow.outbox.add(workspace_id=workspace.id, key=key, kind="dm", target=target.key(),
                         payload=encode(Message(key)), due_at=START_OF_TIME)


START_OF_TIME = datetime(2026, 1, 1, tzinfo=UTC)  # due long ago


async def test_a_redirect_without_the_state_it_issued_installs_nothing(installed: tuple[App, Slack]) -> None:
    app, slack = installed
    slack.mock.add_install("code-x", team_id="T3", team_name="Forged", token="xoxb-forged")
    back = await slack.client.get("/slack/oauth_redirect", params={"code": "code-x", "state": "made-up"},
                                  headers={"Accept-Language": "id"})
    assert back.status == 400 and "Pemasangan belum selesai" in await back.text()
    assert slack.mock.calls_to("oauth.v2.access") == []
    assert await core_rows(app, select(slack_bots.c.id)) == []


async def test_a_command_from_a_workspace_that_never_installed_is_told_so(installed: tuple[App, Slack]) -> None:
    """Slack signed it, so it is answered (bolt's 200), with no token to act with and nothing done."""
    _, slack = installed
    body = urlencode({"team_id": "T404", "channel_id": "C1", "user_id": "U1", "command": "/circle", "text": "join",
                      "api_app_id": "A1", "response_url": slack.mock.response_url("r404"), "trigger_id": "t404"})
    status, answer = await slack.post(body, content_type="application/x-www-form-urlencoded")
    assert (status, answer) == (200, "")
    assert [(c.method, c.args.get("text")) for c in slack.mock.calls] == [
        ("respond", 'Lingkar is not installed in this workspace yet: ask a Slack admin to add it with "Add to Slack".')]


async def test_revoked_bot_tokens_retire_that_workspace_only_and_user_tokens_change_nothing(
        installed: tuple[App, Slack]) -> None:
    app, slack = installed
    slack.mock.add_user("U9", name="Eka Putri", team="T2")
    for code, team, token in (("c1", "T1", T1_TOKEN), ("c2", "T2", T2_TOKEN)):
        assert (await install(slack, code=code, team=team, name=team, token=token))[0] == 200
        assert await command(slack, team=team, user="U1" if team == "T1" else "U9") == 200
    user_only = {"type": "tokens_revoked", "tokens": {"oauth": ["U9"], "bot": []}}
    assert await event(slack, team="T2", event=user_only, event_id="EvUserTokens") == 200
    assert await installed_teams(app) == ["T1", "T2"]
    bot = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    assert await event(slack, team="T2", event=bot, event_id="EvBotTokens") == 200
    assert await installed_teams(app) == ["T1"]
    async with app.uow() as uow:
        reasons = {w.external_id: w.inactive_reason for w in (await uow.session.exec(select(Workspace))).scalars()}
    assert reasons == {"T1": None, "T2": "tokens_revoked"}
    slack.mock.calls.clear()
    assert await command(slack, team="T1", user="U1") == 200
    assert {c.token for c in slack.mock.calls if c.method != "respond"} <= {T1_TOKEN}


async def installed_teams(app: App) -> list[str]:
    return sorted(team for team, in await core_rows(app, select(slack_bots.c.team_id)))


async def core_rows(app: App, statement: Select[Any]) -> list[Any]:
    """Rows of slack_sdk's tables (Core tables, not models)."""
    async with app.uow() as uow:
        return list((await (await uow.session.connection()).execute(statement)).all())
