"""A file's consent card follows "on its way" at once (no scheduler tick), and carries a text fallback."""

from __future__ import annotations

from sqlmodel import select

from adapters.bootstrap import App
from adapters.teams.files import consent_activity
from bot.kernel.i18n import Translator
from scheduler.deliver import deliver_due
from storage.tables import Delivery, DeliveryStatus
from tests.teams.activities import ADMIN, BUDI, installed_personally, personal
from tests.teams.conftest import Teams
from tests.teams.helpers import make_admin, teams_program
from tests.teams.mock_connector import MockConnector
from tests.teams.test_files import consent_of


async def files_queued(app: App) -> list[Delivery]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Delivery).where(Delivery.kind == "file"))).all())


async def test_the_consent_card_goes_out_with_the_answer(app: App, client: Teams, connector: MockConnector) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    assert await client.post(personal(connector.url, BUDI, "my data")) == 200  # no deliver_due below

    said, card = connector.to(BUDI.personal)[-2:]
    assert "on its way" in said.text()
    consent = consent_of(card)
    assert consent["name"] == "lingkar-my-data.json"
    # What a client without file cards shows instead of an empty bubble, in the member's language.
    assert card.body["text"].startswith(
        "Lingkar has a file for you: Everything Lingkar stores about you (lingkar-my-data.json, ")
    assert "press Allow" in card.body["text"]
    [row] = await files_queued(app)
    assert row.status == DeliveryStatus.SENT and row.sent_ref and row.attempts == 1

    sent = len(connector.messages())  # the scheduler's next tick finds nothing left to send
    report = await deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=app.services.clock,
                               worker_id="test")
    assert report.sent == 0 and len(connector.messages()) == sent


async def test_a_refused_card_goes_back_to_the_scheduler(app: App, client: Teams, connector: MockConnector) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    connector.fail(400, kinds=("send",), conversation_id=BUDI.personal)  # the card only: the answer is a reply
    await client.post(personal(connector.url, BUDI, "my data"))
    [row] = await files_queued(app)
    assert (row.status, row.attempts, row.claimed_by) == (DeliveryStatus.PENDING, 0, None)  # untouched, not lost

    report = await deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=app.services.clock,
                               worker_id="test")
    retried = connector.to(BUDI.personal)[-1]
    assert report.sent == 1 and consent_of(retried)["name"] == "lingkar-my-data.json"
    # Sent by the scheduler, the card keeps the same whole-sentence fallback as when it goes out at once.
    assert retried.body["text"].startswith("Lingkar has a file for you: ") and "press Allow" in retried.body["text"]


def test_the_fallback_text_speaks_the_members_language() -> None:
    english = consent_activity(token="t", filename="export.zip", title="Export of Leadership", size=2048,
                               t=Translator("en"))
    indonesian = consent_activity(token="t", filename="export.zip", title="Ekspor Leadership", size=2048,
                                  t=Translator("id"))
    assert english.text == ("Lingkar has a file for you: Export of Leadership (export.zip, 2 KB). Open this chat in "
                            "Microsoft Teams and press Allow to save it to your OneDrive.")
    assert indonesian.text.startswith("Lingkar punya berkas untuk Anda: Ekspor Leadership (export.zip, 2 KB).")
    assert consent_activity(token="t", filename="a.json", title="Data Anda", size=10).text == "Data Anda: a.json (10 B)"


async def test_a_slow_commands_file_follows_its_late_answer(app: App, client: Teams, connector: MockConnector) -> None:
    await make_admin(app, ADMIN.aad)
    await teams_program(app)
    await client.post(installed_personally(connector.url, ADMIN))
    await client.post(personal(connector.url, ADMIN, "export leadership"))  # slow: "on it", the answer later

    texts = [call.text() for call in connector.to(ADMIN.personal)]
    assert any("On it" in text for text in texts) and any("on its way" in text for text in texts)
    card = connector.to(ADMIN.personal)[-1]
    assert consent_of(card)["name"].endswith(".zip") and "Lingkar has a file for you" in card.body["text"]
    [row] = await files_queued(app)
    assert row.status == DeliveryStatus.SENT
