"""Issue 14 on Teams: an admin's org import sent as a file in their personal chat, and the member's email read from
Teams' own record of them (TeamsInfo.get_member), which the `from` of an activity never carries."""

from __future__ import annotations

import pytest

from adapters.bootstrap import App
from adapters.teams.uploads import download_allowed
from adapters.uploads import MAX_BYTES
from bot.kernel.events import Command, Event
from bot.kernel.ports import Target
from bot.kernel.replies import Response
from tests.teams.activities import ADMIN, BUDI, SARI, TENANT, User, personal, with_file
from tests.teams.conftest import Teams
from tests.teams.helpers import make_admin
from tests.teams.mock_connector import MockConnector

CSV = b"email,department,team,manager\nbudi.santoso@contoso.co.id,Finance,Payroll,dewi.hr@contoso.co.id\n"
GUEST = User("Rina Tamu", "6b2f3c1e-0000-4000-8000-0000000009e5")


@pytest.fixture
def asked(client: Teams, monkeypatch: pytest.MonkeyPatch) -> list[Command]:
    """The commands the Teams bot gave the core (which still answers them)."""
    seen: list[Command] = []
    bot = client.endpoint.bot
    original = bot.ask_core

    async def spy(event: Event) -> list[Response]:
        if isinstance(event, Command):
            seen.append(event)
        return await original(event)

    monkeypatch.setattr(bot, "ask_core", spy)
    return seen


async def send_file(client: Teams, connector: MockConnector, text: str, *, name: str = "org.csv",
                    url: str | None = None) -> None:
    activity = with_file(personal(connector.url, ADMIN, text), name=name, download_url=url or connector.file_url(name))
    assert await client.post(activity) == 200


def said(connector: MockConnector, user: User = ADMIN) -> list[str]:
    return [call.text() for call in connector.to(user.personal)]


async def test_a_csv_sent_in_the_personal_chat_reaches_the_core_with_the_admins_email(
        app: App, client: Teams, connector: MockConnector, asked: list[Command]) -> None:
    await make_admin(app, ADMIN.aad)
    connector.roster = [ADMIN.member]
    connector.files["org.csv"] = CSV
    await send_file(client, connector, "admin import")
    [command] = asked
    assert command.text == "admin import" and command.attachment is not None
    assert (command.attachment.filename, command.attachment.data, command.attachment.directory) == (
        "org.csv", CSV, {})  # a bot sees no directory on Teams: members are matched by their own email
    assert command.actor.email == "dewi.hr@contoso.co.id"
    assert command.where == Target(platform="teams", workspace_id=TENANT, kind="user", ref=ADMIN.aad)
    assert len(connector.of("download")) == 1
    assert "Org data import" in said(connector)[-1]  # the core's answer (after "on it": a slow command)

    await send_file(client, connector, "admin import")  # the email is known now: Teams is not asked again
    assert [c.activity_id for c in connector.of("member")] == [ADMIN.teams_id]
    assert asked[1].actor.email == "dewi.hr@contoso.co.id"


async def test_a_file_over_the_cap_or_unreadable_is_refused_and_the_core_never_sees_it(
        app: App, client: Teams, connector: MockConnector, asked: list[Command]) -> None:
    await make_admin(app, ADMIN.aad)
    connector.files["big.csv"] = b"x" * (MAX_BYTES + 1)
    await send_file(client, connector, "admin import", name="big.csv")
    await send_file(client, connector, "admin import", name="gone.csv")  # OneDrive answers 404
    assert asked == []
    first, second = said(connector)
    assert first.startswith("That file is larger than 5 MB")
    assert second.startswith("I could not download that file from Teams")


async def test_only_the_configured_hosts_are_fetched_from(app: App, client: Teams, connector: MockConnector,
                                                         asked: list[Command]) -> None:
    await make_admin(app, ADMIN.aad)
    await send_file(client, connector, "admin import", url="https://files.evil.example/org.csv")
    await send_file(client, connector, "admin import", url="ftp://127.0.0.1/org.csv")
    assert asked == [] and connector.of("download") == []
    refusals = [text.replace("\\", "") for text in said(connector)]  # as Teams shows the escaped text
    assert len(refusals) == 2 and all("LINGKAR_TEAMS_FILE_HOSTS" in text for text in refusals)


async def test_without_the_command_a_file_is_not_read_and_without_a_file_the_command_runs(
        client: Teams, connector: MockConnector, asked: list[Command]) -> None:
    connector.files["org.csv"] = CSV
    await send_file(client, connector, "status")
    assert await client.post(personal(connector.url, ADMIN, "admin import")) == 200
    assert [(c.text, c.attachment) for c in asked] == [("status", None), ("admin import", None)]
    assert connector.of("download") == []


async def test_the_email_is_teams_record_of_the_member_and_a_failed_lookup_is_quiet(
        client: Teams, connector: MockConnector, asked: list[Command]) -> None:
    guest = {**GUEST.account, "userPrincipalName": "rina_vendor.example#EXT#@contoso.onmicrosoft.com"}
    principal_only = {**SARI.member, "email": None}
    connector.roster = [guest, principal_only]
    for user in (GUEST, SARI, BUDI):  # BUDI is not in the roster: Teams answers 404
        assert await client.post(personal(connector.url, user, "status")) == 200
    assert [c.actor.email for c in asked] == [None, "sari.wulandari@contoso.co.id", None]
    assert all(said(connector, user) for user in (GUEST, SARI, BUDI))  # everyone was answered
    connector.roster.append(BUDI.member)
    await client.post(personal(connector.url, BUDI, "status"))
    assert asked[-1].actor.email is None  # a failed lookup waits before Teams is asked again
    assert len([c for c in connector.of("member") if c.activity_id == BUDI.teams_id]) == 1


def test_download_hosts() -> None:
    hosts = ("sharepoint.com", "sharepoint.us")
    for url in ("https://contoso-my.sharepoint.com/personal/d/_layouts/15/download.aspx?UniqueId=1",
                "https://sharepoint.com/x", "https://agency.sharepoint.us/x", "https://CONTOSO.SharePoint.com/x"):
        assert download_allowed(url, hosts=hosts, local=False), url
    for url in ("http://contoso.sharepoint.com/x", "https://sharepoint.com.evil.example/x",
                "https://evilsharepoint.com/x", "http://127.0.0.1:8080/files/org.csv", "https://[::1/x", ""):
        assert not download_allowed(url, hosts=hosts, local=False), url
    assert download_allowed("http://127.0.0.1:8080/files/org.csv", hosts=hosts, local=True)
    assert not download_allowed("http://10.0.0.8/files/org.csv", hosts=hosts, local=True)


async def test_a_members_file_is_never_downloaded(client: Teams, connector: MockConnector,
                                                  asked: list[Command]) -> None:
    """Only admins import: the core refuses a member's command, and the file is not fetched for it."""
    connector.files["org.csv"] = CSV
    await send_file(client, connector, "admin import")
    [command] = asked
    assert command.attachment is None and connector.of("download") == []
    assert "admin" in said(connector)[-1].lower()


async def test_a_programs_script_file_reaches_the_core_for_an_admin_only(
        app: App, client: Teams, connector: MockConnector, asked: list[Command]) -> None:
    """`program script` takes a file too (CommandSpec.takes_file); a member's is never fetched."""
    connector.files["script.json"] = b"{}"
    await send_file(client, connector, "program script nothing-here", name="script.json")
    assert asked[-1].attachment is None and connector.of("download") == []
    await make_admin(app, ADMIN.aad)
    connector.roster = [ADMIN.member]
    await send_file(client, connector, "program script nothing-here", name="script.json")
    assert asked[-1].attachment is not None and asked[-1].attachment.data == b"{}"
    assert len(connector.of("download")) == 1 and "nothing-here" in said(connector)[-1]
