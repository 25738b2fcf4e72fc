"""Set-up that works in today's Azure: bot types, admins by Entra object id, `admin add` on Teams, /privacy, /terms."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import ValidationError

from adapters.bootstrap import App
from adapters.legal_pages import render
from adapters.server import build_web_app
from adapters.settings import Settings
from adapters.teams.connection import BotConfig, make_adapter
from adapters.teams.manifest import AppInfo, build_manifest
from tests.teams.activities import ADMIN, BUDI, SARI, TENANT, User, in_channel, personal
from tests.teams.conftest import Teams
from tests.teams.helpers import make_admin
from tests.teams.mock_connector import MockConnector

APP_ID = "9e1a7c1f-0000-4000-8000-000000000001"
ONLY_ADMINS = "Only Lingkar admins can do that"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def teams_settings(**values: str) -> Settings:
    given: dict[str, Any] = {"_env_file": None, "MicrosoftAppId": APP_ID, **values}
    return Settings(**given)


def test_single_tenant_is_the_default_and_needs_its_tenant() -> None:
    assert Settings(_env_file=None).microsoft_app_type == "SingleTenant"  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="MicrosoftAppTenantId"):
        teams_settings(MicrosoftAppPassword="secret")
    settings = teams_settings(MicrosoftAppPassword="secret", MicrosoftAppTenantId=TENANT_ID)
    config = BotConfig.from_settings(settings)
    assert (config.APP_TYPE, config.APP_TENANTID) == ("SingleTenant", TENANT_ID)
    make_adapter(config)  # botbuilder accepts it: app id, password and tenant are all there


def test_a_managed_identity_needs_no_password_but_a_tenant() -> None:
    with pytest.raises(ValidationError, match="MicrosoftAppTenantId"):
        teams_settings(MicrosoftAppType="UserAssignedMSI")
    settings = teams_settings(MicrosoftAppType="userassignedmsi", MicrosoftAppTenantId=TENANT_ID)
    assert settings.microsoft_app_type == "UserAssignedMSI" and settings.microsoft_app_password == ""
    make_adapter(BotConfig.from_settings(settings))  # botbuilder 4.17 builds its managed-identity credentials


def test_other_types_are_refused_and_multi_tenant_still_works() -> None:
    with pytest.raises(ValidationError, match="SingleTenant, UserAssignedMSI, MultiTenant"):
        teams_settings(MicrosoftAppPassword="secret", MicrosoftAppType="SingleTennant")
    with pytest.raises(ValidationError, match="MicrosoftAppPassword"):
        teams_settings(MicrosoftAppTenantId=TENANT_ID)  # SingleTenant without its client secret
    old = teams_settings(MicrosoftAppPassword="secret", MicrosoftAppType="MultiTenant")
    assert BotConfig.from_settings(old).APP_TYPE == "MultiTenant"
    # Local mode (no app id) keeps botbuilder's unauthenticated branch whatever the type says.
    local = Settings(_env_file=None, LINGKAR_TEAMS_LOCAL=True)  # type: ignore[call-arg]
    assert BotConfig.from_settings(local).APP_TYPE == "MultiTenant"


def test_lingkar_admins_takes_entra_object_ids_as_pasted() -> None:
    settings = Settings(_env_file=None, LINGKAR_ADMINS=f" U012ABCDEF , {SARI.aad.upper()}")  # type: ignore[call-arg]
    assert settings.core_config().admins == frozenset({"U012ABCDEF", SARI.aad})


async def test_a_configured_entra_admin_is_an_admin_on_teams(app: App, client: Teams,
                                                             connector: MockConnector) -> None:
    pasted = Settings(_env_file=None, LINGKAR_ADMINS=ADMIN.aad.upper())  # type: ignore[call-arg]
    app.core.services.config = pasted.core_config()
    await client.post(personal(connector.url, ADMIN, "program list"))
    assert ONLY_ADMINS not in connector.to(ADMIN.personal)[-1].text()
    await client.post(personal(connector.url, BUDI, "program list"))
    assert ONLY_ADMINS in connector.to(BUDI.personal)[-1].text()  # Budi is not one


async def test_admin_add_by_mention_or_entra_id_makes_an_admin_on_teams(app: App, client: Teams,
                                                                        connector: MockConnector) -> None:
    await make_admin(app, ADMIN.aad)
    connector.roster = [SARI.account]
    await client.post(personal(connector.url, SARI, "program list"))
    assert ONLY_ADMINS in connector.to(SARI.personal)[-1].text()  # not an admin yet
    await client.post(in_channel(connector.url, ADMIN, "admin add @Sari Wulandari", mentioned=[SARI]))
    await client.post(personal(connector.url, SARI, "program list"))
    assert ONLY_ADMINS not in connector.to(SARI.personal)[-1].text()  # her mention named her Entra id

    # In a 1:1 chat Teams offers no @mention of others: the Entra object id, as copied from Entra, works there.
    await client.post(personal(connector.url, ADMIN, f"admin add {BUDI.aad.upper()}"))
    assert "is now a Lingkar admin" in connector.to(ADMIN.personal)[-1].text()
    await client.post(personal(connector.url, BUDI, "program list"))
    assert ONLY_ADMINS not in connector.to(BUDI.personal)[-1].text()
    await client.post(personal(connector.url, ADMIN, "admin add Budi"))
    assert "Object ID" in connector.to(ADMIN.personal)[-1].text()  # says how, nothing changes

    # Someone Teams cannot identify (not in the team's roster): no guessed `29:` id becomes an admin that matches
    # nobody; the command reads the name and asks for the Entra object id.
    rina = User("Rina Putri", "6b2f3c1e-0000-4000-8000-00000000c0a1")
    async with app.uow() as uow:
        workspace = await uow.workspaces.find(platform="teams", external_id=TENANT)
        assert workspace is not None and workspace.id is not None
        workspace_id = workspace.id
        before = await uow.admins.list(workspace_id=workspace_id)
    await client.post(in_channel(connector.url, ADMIN, "admin add @Rina Putri", mentioned=[rina]))
    assert "Object ID" in connector.messages()[-1].text()
    async with app.uow() as uow:
        assert await uow.admins.list(workspace_id=workspace_id) == before


async def test_privacy_and_terms_are_served_where_the_manifest_points(app: App) -> None:
    manifest = build_manifest(AppInfo(app_id=APP_ID, domain="lingkar.example.com"), specs=app.core.specs)
    paths = [manifest["developer"][k].removeprefix("https://lingkar.example.com") for k in ("privacyUrl",
                                                                                            "termsOfUseUrl")]
    assert paths == ["/privacy", "/terms"]
    async with TestClient(TestServer(build_web_app(app), host="127.0.0.1")) as client:
        pages = {}
        for path in paths:
            response = await client.get(path)
            assert response.status == 200 and response.content_type == "text/html"
            pages[path] = await response.text()
    assert "<h1>Lingkar: privacy</h1>" in pages["/privacy"] and "<code>forget me</code>" in pages["/privacy"]
    assert "<h1>Lingkar: terms of use</h1>" in pages["/terms"]


def test_pages_escape_what_they_show() -> None:
    page = render("# A <b>title</b>\n\nSee [this](javascript:alert(1)) and [docs](https://example.com/x).\n\n"
                  "| a | b |\n| --- | --- |\n| <i>x</i> | `y` |\n", title="t<")
    assert "<b>" not in page and "<i>" not in page and "&lt;b&gt;" in page and "<title>t&lt;</title>" in page
    assert 'href="javascript' not in page and '<a href="https://example.com/x">docs</a>' in page
    assert "<td>&lt;i&gt;x&lt;/i&gt;</td><td><code>y</code></td>" in page
