"""Files on Teams: a consent card first, the upload to the member's OneDrive when they press Allow."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from adapters.bootstrap import App
from adapters.teams.files import CONSENT, INFO
from adapters.teams.messenger import TeamsMessenger
from bot.kernel.ports import DeliveryError, Target
from scheduler.deliver import deliver_due
from storage.tables import PendingFile
from tests.teams.activities import BUDI, CHANNEL, SARI, TENANT, file_consent, installed_personally, personal
from tests.teams.conftest import Teams
from tests.teams.mock_connector import Call, MockConnector


def dm(aad: str) -> Target:
    return Target(platform="teams", workspace_id=TENANT, kind="user", ref=aad)


def consent_of(call: Call) -> dict[str, Any]:
    [attachment] = call.body["attachments"]
    assert attachment["contentType"] == CONSENT
    return attachment  # type: ignore[no-any-return]


async def waiting(app: App) -> list[PendingFile]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(PendingFile))).all())


async def ask_for_my_data(app: App, client: Teams, connector: MockConnector) -> Call:
    await client.post(installed_personally(connector.url, BUDI))
    assert await client.post(personal(connector.url, BUDI, "my data")) == 200
    await deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=app.services.clock, worker_id="test")
    card = connector.to(BUDI.personal)[-1]
    assert consent_of(card)  # the file itself is not in the chat yet
    return card


async def test_my_data_reaches_the_member_after_they_allow_it(app: App, client: Teams,
                                                              connector: MockConnector) -> None:
    card = await ask_for_my_data(app, client, connector)
    consent = consent_of(card)
    assert consent["name"] == "lingkar-my-data.json"
    [kept] = await waiting(app)
    assert consent["content"]["sizeInBytes"] == len(kept.data) and kept.user_key == BUDI.aad
    context = consent["content"]["acceptContext"]
    assert context == consent["content"]["declineContext"] and kept.token not in json.dumps(card.body["summary"])

    status, _ = await client.invoke(file_consent(
        connector.url, BUDI, action="accept", context=context, reply_to_id="1000",
        upload_url=connector.upload_url("lingkar-my-data.json"), name="lingkar-my-data.json"))
    assert status == 200
    [(name, uploaded, headers)] = connector.uploads
    assert name == "lingkar-my-data.json" and uploaded == kept.data
    assert headers["Content-Range"] == f"bytes 0-{len(uploaded) - 1}/{len(uploaded)}"
    assert json.loads(uploaded)["profile"]["display_name"] == "Budi Santoso"
    shown = connector.to(BUDI.personal)[-1]
    [info] = shown.body["attachments"]
    assert info["contentType"] == INFO and info["name"] == "lingkar-my-data.json"
    assert info["contentUrl"].endswith("/lingkar-my-data.json")
    assert await waiting(app) == []  # nothing personal stays behind once it is delivered

    status, _ = await client.invoke(file_consent(  # Allow pressed again on the same card
        connector.url, BUDI, action="accept", context=context, reply_to_id="1000",
        upload_url=connector.upload_url("again.json"), name="again.json"))
    assert status == 200 and len(connector.uploads) == 1
    assert "no longer waiting" in connector.to(BUDI.personal)[-1].text()


async def test_declining_drops_the_file(app: App, client: Teams, connector: MockConnector) -> None:
    context = consent_of(await ask_for_my_data(app, client, connector))["content"]["declineContext"]
    status, _ = await client.invoke(file_consent(connector.url, BUDI, action="decline", context=context,
                                                 reply_to_id="1000"))
    assert status == 200
    assert connector.uploads == [] and await waiting(app) == []
    assert "lingkar-my-data.json was not sent" in connector.to(BUDI.personal)[-1].text()


async def test_a_refused_upload_keeps_the_file_for_another_try(app: App, client: Teams,
                                                               connector: MockConnector) -> None:
    context = consent_of(await ask_for_my_data(app, client, connector))["content"]["acceptContext"]
    connector.upload_failures = 1
    accept = file_consent(connector.url, BUDI, action="accept", context=context, reply_to_id="1000",
                          upload_url=connector.upload_url("lingkar-my-data.json"), name="lingkar-my-data.json")
    status, _ = await client.invoke(accept)
    assert status == 200 and connector.uploads == []
    assert "did not take the upload" in connector.to(BUDI.personal)[-1].text()
    assert len(await waiting(app)) == 1
    await client.invoke(accept)
    assert len(connector.uploads) == 1 and await waiting(app) == []


async def test_only_its_member_and_only_https_can_take_a_file(app: App, client: Teams,
                                                              connector: MockConnector) -> None:
    context = consent_of(await ask_for_my_data(app, client, connector))["content"]["acceptContext"]
    await client.post(installed_personally(connector.url, SARI))
    status, _ = await client.invoke(file_consent(  # Sari replays Budi's card context
        connector.url, SARI, action="accept", context=context, reply_to_id="1000",
        upload_url=connector.upload_url("stolen.json"), name="stolen.json"))
    assert status == 200 and connector.uploads == []
    assert "no longer waiting" in connector.to(SARI.personal)[-1].text()
    status, _ = await client.invoke(file_consent(  # an upload URL that is neither HTTPS nor this machine
        connector.url, BUDI, action="accept", context=context, reply_to_id="1000",
        upload_url="http://files.example.com/upload", name="lingkar-my-data.json"))
    assert status == 200 and connector.uploads == []
    assert len(await waiting(app)) == 1  # still Budi's to accept


async def test_a_file_for_a_channel_says_where_to_ask(client: Teams, connector: MockConnector,
                                                      teams: TeamsMessenger) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    channel = Target(platform="teams", workspace_id=TENANT, kind="channel", ref=CHANNEL)
    await teams.send_file(channel, b"program,members\n", "mentoring-2026.zip", "Export of Mentoring 2026")
    told = json.dumps(connector.messages()[-1].body, ensure_ascii=False)
    assert "only in your personal chat" in told and "mentoring-2026.zip" in told
    assert CONSENT not in told and "program,members" not in told


async def test_a_consent_card_that_cannot_be_sent_keeps_nothing(app: App, client: Teams, connector: MockConnector,
                                                                teams: TeamsMessenger) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    connector.fail(503, times=10, kinds=("send",))
    with pytest.raises(DeliveryError):  # the outbox retries later with a fresh card
        await teams.send_file(dm(BUDI.aad), b'{"name": "Budi"}', "lingkar-my-data.json", "Your data")
    assert await waiting(app) == []
