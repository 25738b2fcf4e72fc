"""Sign-in at the HTTP level, through the identity doubles: who gets in, who is refused, sign-out, expiry."""

from __future__ import annotations

import re

import aiohttp
import pytest
from cryptography.fernet import Fernet

from tests.dashboard.conftest import Dashboard, SignIn, new_client, sign_in
from tests.dashboard.people import (
    SLACK_ADMIN,
    SLACK_ADMIN_ID,
    SLACK_MEMBER,
    SLACK_OTHER_ADMIN,
    TEAMS_ADMIN,
    TEAMS_MEMBER,
    Person,
)

ANY_PAGE = "/admin/no-such-page"  # the 404 page: rendered by the shell alone, with the navigation when signed in


async def token_of(dashboard: Dashboard, client: aiohttp.ClientSession) -> str:
    page = await client.get(dashboard.at(ANY_PAGE))
    found = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert found, "a signed-in page carries the sign-out form with its CSRF token"
    return found.group(1)


async def is_signed_in(dashboard: Dashboard, client: aiohttp.ClientSession) -> bool:
    home = await client.get(dashboard.at("/admin/"), allow_redirects=False)
    assert home.status == 303
    return bool(home.headers["Location"] == "/admin/programs")


@pytest.mark.parametrize("person", [SLACK_ADMIN, SLACK_ADMIN_ID, SLACK_OTHER_ADMIN, TEAMS_ADMIN])
async def test_an_admin_signs_in_through_the_identity_double(dashboard: Dashboard, signed_in_client: SignIn,
                                                             person: Person) -> None:
    client = await signed_in_client(person)
    assert await is_signed_in(dashboard, client)
    page = await (await client.get(dashboard.at(ANY_PAGE))).text()
    assert person.name in page  # "Signed in as ..." from the member row, in the member's language
    assert f'<html lang="{person.locale}">' in page


async def test_the_session_cookie_is_httponly_lax_scoped_and_not_readable(dashboard: Dashboard) -> None:
    async with new_client(dashboard) as client:
        answer = await sign_in(dashboard, client, SLACK_ADMIN)
        cookie = answer.cookies["lingkar_admin"]
        assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/admin"
        assert cookie["max-age"] == str(8 * 3600)
        assert not cookie["secure"]  # only because LINGKAR_PUBLIC_URL is http://127.0.0.1 (tests/dev)
        key = Fernet(dashboard.app.settings.dashboard_session_key)
        assert "UADMIN" not in cookie.value and b'"UADMIN"' in key.decrypt(cookie.value.encode())  # encrypted


@pytest.mark.parametrize("person", [SLACK_MEMBER, TEAMS_MEMBER])
async def test_a_member_who_is_not_an_admin_is_refused_politely(dashboard: Dashboard, person: Person) -> None:
    async with new_client(dashboard) as client:
        answer = await sign_in(dashboard, client, person)
        assert answer.status == 403
        assert "you are not a Lingkar admin of this workspace" in await answer.text()
        assert not await is_signed_in(dashboard, client)


async def test_the_refusal_speaks_the_members_language(dashboard: Dashboard) -> None:
    await dashboard.say(SLACK_MEMBER, "language id")
    member_id = Person("slack", SLACK_MEMBER.tenant, SLACK_MEMBER.user_id, SLACK_MEMBER.name, "id")
    async with new_client(dashboard) as client:
        answer = await sign_in(dashboard, client, member_id)
        text = await answer.text()
        assert answer.status == 403 and 'lang="id"' in text and "Anda bukan admin Lingkar" in text


async def test_an_admin_of_another_workspace_is_not_an_admin_here(dashboard: Dashboard) -> None:
    """T2's stored admin signing in with T1's identity would be T1's member U... : ids are per workspace."""
    stranger = Person("slack", SLACK_ADMIN.tenant, SLACK_OTHER_ADMIN.user_id, "Budi in T1")
    await dashboard.say(stranger, "help")
    async with new_client(dashboard) as client:
        assert (await sign_in(dashboard, client, stranger)).status == 403


async def test_an_unknown_workspace_is_refused(dashboard: Dashboard) -> None:
    async with new_client(dashboard) as client:
        nobody = Person("slack", "T404", SLACK_ADMIN.user_id, "Same id, unknown team")
        assert (await sign_in(dashboard, client, nobody)).status == 403


async def test_sign_out_needs_the_csrf_token_and_then_ends_the_session(dashboard: Dashboard,
                                                                      signed_in_client: SignIn) -> None:
    client = await signed_in_client(SLACK_ADMIN)
    refused = await client.post(dashboard.at("/admin/signout"), data={}, allow_redirects=False)
    assert refused.status == 403 and "did not come from the dashboard" in await refused.text()
    forged = await client.post(dashboard.at("/admin/signout"), data={"csrf_token": "x" * 43}, allow_redirects=False)
    assert forged.status == 403
    assert await is_signed_in(dashboard, client)
    token = await token_of(dashboard, client)
    out = await client.post(dashboard.at("/admin/signout"), data={"csrf_token": token}, allow_redirects=False)
    assert out.status == 303 and out.headers["Location"] == "/admin/signin?notice=signed_out"
    assert not await is_signed_in(dashboard, client)


async def test_an_expired_session_is_sent_back_to_sign_in(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    """The max age is checked against Lingkar's clock and the issued-at time inside the encrypted cookie: a browser
    that keeps the cookie longer gets nothing more (docs/dashboard.md)."""
    client = await signed_in_client(TEAMS_ADMIN)
    dashboard.expire_sessions()
    asked = await client.get(dashboard.at("/admin/programs"), allow_redirects=False)
    assert asked.status == 303 and asked.headers["Location"] == "/admin/signin"
    assert not await is_signed_in(dashboard, client)


async def test_after_expiry_signing_in_again_returns_to_the_page_asked_for(dashboard: Dashboard,
                                                                          signed_in_client: SignIn) -> None:
    client = await signed_in_client(SLACK_ADMIN)
    dashboard.expire_sessions()
    await client.get(dashboard.at("/admin/programs?page=2"), allow_redirects=False)
    answer = await sign_in(dashboard, client, SLACK_ADMIN)
    assert answer.status == 303 and answer.headers["Location"] == "/admin/programs?page=2"


async def test_an_admin_removed_since_signing_in_is_let_out(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    client = await signed_in_client(SLACK_ADMIN_ID)
    async with dashboard.app.services.uow() as uow:
        workspace = await uow.workspaces.find(platform="slack", external_id=SLACK_ADMIN_ID.tenant)
        assert workspace is not None and workspace.id is not None
        assert await uow.admins.remove(workspace_id=workspace.id, user_external_id=SLACK_ADMIN_ID.user_id)
        await uow.commit()
    answer = await client.get(dashboard.at("/admin/programs"), allow_redirects=False)
    assert answer.status == 403 and "Anda bukan lagi admin Lingkar" in await answer.text()
    assert not await is_signed_in(dashboard, client)
