"""Sign-in at the HTTP level, through the identity doubles: who gets in, who is refused, what is refused."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import Dashboard, SignIn, new_client, sign_in
from tests.dashboard.people import (
    SLACK_ADMIN,
    SLACK_ADMIN_ID,
    SLACK_MEMBER,
    SLACK_OTHER_ADMIN,
    TEAMS_ADMIN,
    TEAMS_MEMBER,
)


@pytest.mark.parametrize("person", [SLACK_ADMIN, SLACK_ADMIN_ID, SLACK_OTHER_ADMIN, TEAMS_ADMIN])
async def test_an_admin_signs_in_through_the_identity_double(dashboard: Dashboard, signed_in_client: SignIn,
                                                             person) -> None:
    client = await signed_in_client(person)
    home = await client.get(dashboard.at("/admin/"), allow_redirects=False)
    assert home.status == 303 and home.headers["Location"] == "/admin/programs"
    signin_page = await client.get(dashboard.at("/admin/signin"))
    assert "lingkar_admin" in {cookie.key for cookie in client.cookie_jar}
    assert signin_page.status == 200


@pytest.mark.parametrize("person", [SLACK_MEMBER, TEAMS_MEMBER])
async def test_a_member_who_is_not_an_admin_is_refused_politely(dashboard: Dashboard, person) -> None:
    async with new_client(dashboard) as client:
        answer = await sign_in(dashboard, client, person)
        assert answer.status == 403
        assert "not a Lingkar admin" in await answer.text()
        again = await client.get(dashboard.at("/admin/"), allow_redirects=False)
        assert again.status == 303 and again.headers["Location"] == "/admin/signin"
