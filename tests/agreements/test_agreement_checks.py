"""What a client sends back is re-checked (actor, group, program, version); bad input gets a localised error under
its field and changes nothing; members who never did this read it in their own language."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import select

from adapters.bootstrap import App
from bot.kernel.i18n import translate
from bot.kernel.messages import Buttons, Select, TextInput
from bot.kernel.replies import FormErrors, Reply
from storage.repositories.outbox import file_of
from storage.tables import Delivery, ProgramState
from tests.agreements.support import FRIDAY_LONDON, agreement_messages, confirm_button, propose, versions
from tests.circles.world import Person, World, build_circle
from tests.helpers import errors_of, form_of, press, say, submit, text_of
from tests.kernel.payload_world import snapshot

STALE = translate("errors.stale_action", "en")


async def _two_circles(app: App) -> tuple[World, World]:
    ours = await build_circle(app, slug="ours", timezone="Asia/Jakarta", weekday=2, at="10:00",
                              start=date(2026, 1, 5), people=[Person("U1"), Person("U2", locale="id")],
                              moderator="U1")
    theirs = await build_circle(app, slug="theirs", timezone="Asia/Jakarta", weekday=3, at="09:00",
                                start=date(2026, 1, 5), people=[Person("V1"), Person("V2")], moderator="V1")
    return ours, theirs


async def test_another_groups_button_or_form_and_a_forged_version_change_nothing(app: App) -> None:
    ours, theirs = await _two_circles(app)
    await propose(app, "U1", FRIDAY_LONDON)
    button = await confirm_button(app, "U2")
    before = await snapshot(app)
    forged = [
        await press(app, "V1", button),  # a member of another circle presses our Confirm
        await press(app, "V1", f"agreement.open:circle.{ours.circle_id}"),
        await submit(app, "V1", "agreement", FRIDAY_LONDON, state=f"circle.{ours.circle_id}.1"),
        await submit(app, "STRANGER", "agreement", FRIDAY_LONDON, state=f"circle.{theirs.circle_id}.0"),
        await submit(app, "U1", "agreement", FRIDAY_LONDON, state=f"circle.{ours.circle_id}.7"),  # no such version
        await submit(app, "U1", "agreement", FRIDAY_LONDON, state=f"pair.{ours.circle_id}.1"),  # the wrong kind
        await press(app, "U1", "agreement.confirm:2147483000"),
    ]
    assert [text_of(r) for r in forged] == [STALE] * len(forged)
    assert await snapshot(app) == before
    # The control: the same Confirm from its own member works.
    assert "berlaku" in text_of(await press(app, "U2", button, locale="id"))


async def test_an_ended_program_refuses_confirmations_and_proposals(app: App) -> None:
    ours, _ = await _two_circles(app)
    await propose(app, "U1", FRIDAY_LONDON)
    button = await confirm_button(app, "U2")
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=ours.program_id)
        assert program is not None
        program.state = ProgramState.CLOSED
        uow.programs.add(program)
        await uow.commit()
    before = await snapshot(app)
    refused = translate("agreements.not_running", "en", program="Program ours")
    assert text_of(await press(app, "U2", button)) == translate("agreements.not_running", "id", program="Program ours")
    assert text_of(await submit(app, "U1", "agreement", FRIDAY_LONDON, state=f"circle.{ours.circle_id}.1")) == refused
    assert "not in an active pair or circle" in text_of(await say(app, "U1", "agreement"))
    assert await snapshot(app) == before


async def test_bad_input_names_the_field_in_the_members_language_and_keeps_nothing_half_done(app: App) -> None:
    await _two_circles(app)
    opened = form_of(await say(app, "U2", "kesepakatan", locale="id")).form
    before = await snapshot(app)
    typed = {**FRIDAY_LONDON, "time": "25:99", "topics": "x" * 1001, "every": "3", "zone": "Mars/Olympus"}
    errors = errors_of(await submit(app, "U2", opened.form_id, typed, state=opened.state, locale="id"))
    assert errors == {"time": translate("agreements.error.time", "id"),
                      "topics": translate("agreements.error.too_long", "id", limit=1000),
                      "every": translate("agreements.error.every", "id"),
                      "zone": translate("agreements.error.zone", "id")}
    assert "JJ:MM" in errors["time"]
    assert await snapshot(app) == before
    # Fixed and sent again (the form kept what was typed), it goes through; "09.30" is how many write a time.
    fixed = {**typed, "time": "09.30", "topics": "Kepemimpinan", "every": "4", "zone": "Asia/Jakarta"}
    assert "Name U1" in text_of(await submit(app, "U2", opened.form_id, fixed, state=opened.state, locale="id"))
    [proposal] = await versions(app)
    assert (proposal.meeting_time, proposal.every_weeks, proposal.topics) == ("09:30", 4, "Kepemimpinan")


async def test_the_form_and_show_read_naturally_in_bahasa_indonesia(app: App) -> None:
    ours, _ = await _two_circles(app)
    form = form_of(await say(app, "U2", "kesepakatan", locale="id")).form
    assert form.title == "Kesepakatan kami" and len(form.title) <= 24 and form.submit == "Usulkan"
    labels = {i.name: i.label for i in form.inputs}
    assert labels["every"] == "Seberapa sering" and labels["confidential"] == "Kerahasiaan"
    weekday = next(i for i in form.inputs if isinstance(i, Select) and i.name == "weekday")
    assert [o.label for o in weekday.options][:2] == ["Senin", "Selasa"] and weekday.initial == "2"
    zone = next(i for i in form.inputs if isinstance(i, Select) and i.name == "zone")
    assert zone.options[0].value == "Asia/Jakarta"  # the member's own zone first
    time_input = next(i for i in form.inputs if isinstance(i, TextInput) and i.name == "time")
    assert time_input.initial == "10:00"
    assert "Belum ada kesepakatan" in text_of(await say(app, "U2", "kesepakatan lihat", locale="id"))
    await propose(app, "U1", FRIDAY_LONDON)
    shown = text_of(await say(app, "U2", "kesepakatan lihat", locale="id"))
    assert "Usulan yang menunggu konfirmasi (versi 1)" in shown and "Belum: U2" in shown, shown
    assert ours.circle_id


async def test_a_member_of_several_groups_chooses_and_a_member_of_none_is_told_what_to_do(app: App) -> None:
    await build_circle(app, slug="one", timezone="Asia/Jakarta", weekday=2, at="10:00", start=date(2026, 1, 5),
                       people=[Person("U1"), Person("U2")], moderator="U1")
    two = await build_circle(app, slug="two", timezone="Asia/Jakarta", weekday=3, at="10:00", start=date(2026, 1, 5),
                             people=[Person("U1"), Person("U3")], moderator=None)
    [reply] = await say(app, "U1", "agreement")
    assert isinstance(reply, Reply) and not isinstance(reply, FormErrors)
    buttons = [b for block in reply.message.blocks if isinstance(block, Buttons) for b in block.buttons]
    assert [b.label for b in buttons] == ["Circle one (Program one)", "Circle two (Program two)"]
    form = form_of(await press(app, "U1", buttons[1].action_id)).form
    assert form.state == f"circle.{two.circle_id}.0"
    assert "not in an active pair or circle" in text_of(await say(app, "NOBODY", "agreement"))


async def test_my_data_holds_what_i_proposed_and_forget_me_clears_my_words(app: App) -> None:
    ours, _ = await _two_circles(app)
    secret = "Zebra-Topic-4412 and my career doubts"
    await propose(app, "U1", {**FRIDAY_LONDON, "topics": secret, "contact": "Zebra-Contact-9"})
    await press(app, "U2", await confirm_button(app, "U2"), locale="id")
    await say(app, "U1", "my data")
    async with app.uow() as uow:
        files = [d for d in (await uow.session.exec(select(Delivery).where(Delivery.kind == "file"))).all()
                 if d.target.endswith(":user:U1")]
    sent = file_of(files[-1])
    assert sent is not None
    data = json.loads(sent.data)
    assert [a["topics"] for a in data["agreements_proposed"]] == [secret]
    assert len(data["agreements_confirmed"]) == 1
    me = ours.members["U1"]
    assert [d for d in await agreement_messages(app) if "Zebra-Topic" in json.dumps(d.payload)]  # sent before
    await press(app, "U1", f"forget.confirm:{me}")
    [agreement] = await versions(app)
    assert (agreement.topics, agreement.contact, agreement.every_weeks) == ("", "", 2)  # the slot stays the group's
    async with app.uow() as uow:
        payloads = [json.dumps(d.payload) for d in (await uow.session.exec(select(Delivery))).all()]
    assert not [p for p in payloads if "Zebra-Topic" in p or "Zebra-Contact" in p]
