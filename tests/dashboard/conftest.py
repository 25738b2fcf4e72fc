"""The dashboard's test harness: a running Lingkar server on 127.0.0.1 (temp database, fake messengers) with both
identity doubles configured, clients signed in through the REAL sign-in flow (no backdoor route exists), and a
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; never a downloaded browser).

    async def test_x(dashboard, signed_in_client):
        client = await signed_in_client(SLACK_ADMIN)          # an aiohttp ClientSession with the session cookie
        page = await client.get(dashboard.at("/admin/programs"))

    async def test_y(dashboard, signed_in_page):
        page = await signed_in_page(TEAMS_ADMIN)              # a Playwright page, signed in through the Entra double

Seed data through the core as these people (tests/dashboard/people.py: `await dashboard.say(SLACK_ADMIN, "...")`),
or with tests/helpers.py against `dashboard.app` for the chat's local platform (which the dashboard cannot sign in to).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from cryptography.fernet import Fernet

from adapters.bootstrap import App, bootstrap
from adapters.local.messenger import LocalMessenger
from adapters.server import build_web_app
from adapters.settings import Settings
from bot.kernel.clock import ManualClock
from bot.kernel.events import Command
from bot.kernel.i18n import Translator
from bot.kernel.replies import Response
from tests.conftest import Database, create_schema
from tests.dashboard import entra_double, slack_oidc_double
from tests.dashboard.entra_double import EntraDouble
from tests.dashboard.people import CONFIGURED_ADMINS, EVERYONE, STORED_ADMINS, Person
from tests.dashboard.slack_oidc_double import SlackOidcDouble

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
SCREENS = Path(__file__).resolve().parents[2] / "build" / "dashboard-screens"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Dashboard:
    url: str  # http://127.0.0.1:<port>
    app: App
    clock: ManualClock
    slack: SlackOidcDouble
    entra: EntraDouble
    messengers: dict[str, LocalMessenger]  # the fakes standing in for Slack and Teams (and the local platform)

    def at(self, path: str) -> str:
        return f"{self.url}{path}"

    async def say(self, person: Person, text: str) -> list[Response]:
        """`person` types a command in chat (creates their workspace and member the first time)."""
        return await self.app.core.handle(Command(person.actor(), text))

    def ssl_context(self) -> ssl.SSLContext:
        """Trusts the Entra double's certificate, as a browser trusts Microsoft's."""
        return ssl.create_default_context(cafile=self.entra.ca_file)

    def expire_sessions(self) -> None:
        """Move Lingkar's clock past the session's max age (sessions are checked against it, not the cookie's)."""
        self.clock.advance(timedelta(hours=self.app.settings.dashboard_session_hours, minutes=1))


def dashboard_settings(database: Database, *, port: int, slack: SlackOidcDouble, entra: EntraDouble,
                       **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "LINGKAR_DATABASE_URL": database.url, "LINGKAR_ADMINS": ",".join(CONFIGURED_ADMINS),
        "LINGKAR_DASHBOARD_SESSION_KEY": Fernet.generate_key().decode(), "LINGKAR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LINGKAR_DASHBOARD_SLACK_CLIENT_ID": slack_oidc_double.CLIENT_ID,
        "LINGKAR_DASHBOARD_SLACK_CLIENT_SECRET": slack_oidc_double.CLIENT_SECRET,
        "LINGKAR_SLACK_API_URL": slack.api_url, "LINGKAR_SLACK_OPENID_URL": slack.authorize_url,
        "LINGKAR_DASHBOARD_ENTRA_CLIENT_ID": entra_double.CLIENT_ID,
        "LINGKAR_DASHBOARD_ENTRA_CLIENT_SECRET": entra_double.CLIENT_SECRET,
        "LINGKAR_ENTRA_AUTHORITY": entra.url, "LINGKAR_ENTRA_CA_FILE": entra.ca_file,
    }
    values.update(extra)
    return Settings(**values)


@pytest.fixture
async def idp_doubles() -> AsyncIterator[tuple[SlackOidcDouble, EntraDouble]]:
    slack, entra = await SlackOidcDouble().start(), await EntraDouble().start()
    try:
        yield slack, entra
    finally:
        await slack.close()
        await entra.close()


@contextlib.asynccontextmanager
async def running_dashboard(database: Database, clock: ManualClock, doubles: tuple[SlackOidcDouble, EntraDouble],
                            **extra: Any) -> AsyncIterator[Dashboard]:
    """A Lingkar server with the dashboard on a free port; `extra` settings on top of the harness's."""
    slack, entra = doubles
    port = free_port()
    settings = dashboard_settings(database, port=port, slack=slack, entra=entra, **extra)
    slack.redirect_uri = f"{settings.dashboard_base_url()}/admin/signin/slack/callback"
    entra.redirect_uri = f"{settings.dashboard_base_url()}/admin/signin/microsoft/callback"
    await create_schema(database)
    messengers = {"local": LocalMessenger(), "slack": LocalMessenger(), "teams": LocalMessenger()}
    lingkar = await bootstrap(settings, clock=clock, messenger_overrides=messengers, migrate=False,
                              schema=database.schema)
    runner = web.AppRunner(build_web_app(lingkar))
    try:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        found = Dashboard(url=f"http://127.0.0.1:{port}", app=lingkar, clock=clock, slack=slack, entra=entra,
                          messengers=messengers)
        await _seed_people(found)
        yield found
    finally:
        await runner.cleanup()
        await lingkar.close()


@pytest.fixture
async def dashboard(database: Database, clock: ManualClock,
                    idp_doubles: tuple[SlackOidcDouble, EntraDouble]) -> AsyncIterator[Dashboard]:
    async with running_dashboard(database, clock, idp_doubles) as found:
        yield found


async def _seed_people(dashboard: Dashboard) -> None:
    """Everyone has said `help` once (member rows with their locale); T1's second admin and T2's admin are
    stored admins (WorkspaceAdmin), the others are named in LINGKAR_ADMINS."""
    for person in EVERYONE:
        await dashboard.say(person, "help")
    async with dashboard.app.services.uow() as uow:
        for person in STORED_ADMINS:
            workspace = await uow.workspaces.find(platform=person.platform, external_id=person.tenant)
            assert workspace is not None and workspace.id is not None
            await uow.admins.add(workspace_id=workspace.id, user_external_id=person.user_id, added_by="test",
                                 now=dashboard.clock.now())
        await uow.commit()


SignIn = Callable[[Person], Awaitable[aiohttp.ClientSession]]


def new_client(dashboard: Dashboard) -> aiohttp.ClientSession:
    # unsafe: keep cookies for an IP address host (127.0.0.1), which aiohttp's jar otherwise drops.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 connector=aiohttp.TCPConnector(ssl=dashboard.ssl_context()))


async def sign_in(dashboard: Dashboard, client: aiohttp.ClientSession, person: Person) -> aiohttp.ClientResponse:
    """The browser's path: the sign-in button, the provider's page (which says yes), the callback. Returns the
    callback's answer, redirects not followed: 303 to the dashboard, or the refusal page."""
    double = dashboard.slack if person.platform == "slack" else dashboard.entra
    double.person = person
    response = await client.get(dashboard.at(f"/admin/signin/{person.provider}"), allow_redirects=False)
    assert response.status == 303, await response.text()
    at_provider = await client.get(response.headers["Location"], allow_redirects=False)
    assert at_provider.status == 302, await at_provider.text()
    callback = at_provider.headers["Location"]
    assert callback.startswith(f"{dashboard.url}/admin/signin/{person.provider}/callback?")
    return await client.get(callback, allow_redirects=False)


@pytest.fixture
async def signed_in_client(dashboard: Dashboard) -> AsyncIterator[SignIn]:
    clients: list[aiohttp.ClientSession] = []

    async def signed_in(person: Person) -> aiohttp.ClientSession:
        client = new_client(dashboard)
        clients.append(client)
        answer = await sign_in(dashboard, client, person)
        assert answer.status == 303 and answer.headers["Location"].startswith("/admin/"), await answer.text()
        return client

    try:
        yield signed_in
    finally:
        for client in clients:
            await client.close()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's Chromium, headless, started by the test (playwright's own browsers are never downloaded)."""
    if not Path(CHROMIUM).exists():  # noqa: ASYNC240 (once per test, before any server is busy)
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (`make test` does it)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


PageSignIn = Callable[..., Awaitable[Any]]


@pytest.fixture
async def signed_in_page(dashboard: Dashboard, browser: Any) -> AsyncIterator[PageSignIn]:
    """`await signed_in_page(person, viewport=PHONE)`: a page that clicked "Sign in with ..." on the landing page
    and came back through the identity double, now on the dashboard."""
    contexts: list[Any] = []

    async def signed_in(person: Person, *, viewport: dict[str, int] | None = None) -> Any:
        context = await browser.new_context(viewport=viewport or DESKTOP, ignore_https_errors=True,
                                            locale="id-ID" if person.locale == "id" else "en-US")
        contexts.append(context)
        page = await context.new_page()
        await sign_in_in_browser(dashboard, page, person)
        return page

    try:
        yield signed_in
    finally:
        for context in contexts:
            await context.close()


async def sign_in_in_browser(dashboard: Dashboard, page: Any, person: Person) -> None:
    (dashboard.slack if person.platform == "slack" else dashboard.entra).person = person
    landing = dashboard.at("/admin/signin")
    await page.goto(landing)
    label = "dashboard.signin.slack" if person.platform == "slack" else "dashboard.signin.microsoft"
    await page.get_by_role("link", name=Translator(person.locale)(label)).click()
    # Back from the provider: on the dashboard, or on the refusal page (the callback's own URL).
    await page.wait_for_url(lambda url: url.startswith(dashboard.url) and url != landing, timeout=15_000)


async def screenshot(page: Any, name: str) -> Path:
    """Save build/dashboard-screens/<name>.png (full page) for a person to look at."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
