"""The org record and the platform email are the member's data: in `my data`, gone after `forget me`."""

from __future__ import annotations

from adapters.bootstrap import App
from bot.kernel.events import Command
from bot.kernel.replies import UpdateSource
from bot.privacy.commands import my_data
from tests.helpers import member_id, press
from tests.org.support import csv_bytes, member, records, send_import, with_email

ROWS = csv_bytes("email,department,team,manager,seniority,start_date",
                 "ani@example.com,Finance,Payments,boss@example.com,2,2024-03-01",
                 "budi@example.com,Legal,Contracts,ani@example.com,1,")


async def test_my_data_holds_the_org_record_and_forget_me_clears_it(app: App) -> None:
    await send_import(app, ROWS, directory={"boss@example.com": "UBOSS", "budi@example.com": "UBUDI"})
    await app.core.handle(Command(with_email("UANI", "ani@example.com"), "status"))
    ani = await member(app, "UANI")
    async with app.uow() as uow:
        data = await my_data(uow, ani, now=app.services.clock.now())
    assert data["profile"]["email"] == "ani@example.com" and data["profile"]["start_date"] == "2024-03-01"
    assert (data["profile"]["team"], data["profile"]["manager_external_id"]) == ("Payments", "UBOSS")
    [record] = data["org_record"]
    assert (record["key"], record["department"], record["team"], record["manager"]) == (
        "ani@example.com", "Finance", "Payments", "boss@example.com")
    assert (await member(app, "UBUDI")).manager_external_id == "UANI"

    me = await member_id(app, "UANI")
    await app.core.handle(Command(with_email("UANI", "ani@example.com"), "forget me"))
    confirmed = await press(app, "UANI", f"forget.confirm:{me}")
    assert any("Lingkar has forgotten you" in r.message.text for r in confirmed if isinstance(r, UpdateSource))
    async with app.uow() as uow:
        erased = await uow.members.get(workspace_id=1, member_id=me)
    assert erased is not None and erased.erased
    assert (erased.email, erased.department, erased.team, erased.start_date, erased.manager_external_id) == (
        "", "", "", None, None)
    assert "ani@example.com" not in await records(app)  # the row that named her is gone
    budi = (await records(app))["budi@example.com"]  # others' rows stay, without her address
    assert budi.department == "Legal" and budi.manager.startswith("erased-")
    assert (await member(app, "UBUDI")).manager_external_id != "UANI"  # her platform id is scrubbed everywhere
