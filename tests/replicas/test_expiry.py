"""Kept forms and seen event ids in the database: taken once, recorded once, swept when expired (with old nonces)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from adapters.bootstrap import App
from adapters.signing import FORM_MAX_AGE
from adapters.slack.background import RecentEvents
from adapters.slack.kept_forms import PendingForms, form_json, form_of
from adapters.slack.modals import Metadata
from adapters.sweep import EVENT_KEEP, Sweeping, sweep
from bot.kernel.clock import ManualClock
from bot.kernel.messages import DateInput, Form, MultiSelect, Number, Option, Select, TextInput
from bot.kernel.planning import PlanReport
from storage.tables import KeptForm, SeenEvent, UsedForm

FORM = Form(form_id="profile", title="Profil", submit="Simpan", state="p=3", intro="Halo", inputs=(
    TextInput("note", "Catatan", initial="tulisan", multiline=True, max_length=900, placeholder="…"),
    Select("level", "Level", (Option("Satu", "1"), Option("Dua", "2")), initial="2"),
    MultiSelect("days", "Hari", (Option("Senin", "mon"),), initial=("mon",), max_selected=1),
    Number("hour", "Jam", initial=8, min_value=0, max_value=23),
    DateInput("start", "Mulai", initial=date(2026, 1, 5)), DateInput("end", "Selesai"),
))


def test_a_kept_form_reads_back_as_it_was() -> None:
    metadata = Metadata("profile", "p=3", channel="C1", user="U1", response_url="https://x")
    assert form_of(form_json(FORM, metadata)) == (FORM, metadata)


async def test_a_form_is_taken_once_and_expires(app: App, clock: ManualClock) -> None:
    forms = PendingForms(app.uow, now=clock.now)
    token = await forms.keep(FORM, Metadata("profile", user="U1"), team_id="T1")
    assert await forms.take(token, team_id="T2") is None  # another workspace's press takes nothing
    taken = await asyncio.gather(forms.take(token, team_id="T1"), forms.take(token, team_id="T1"))
    assert sorted(t is None for t in taken) == [False, True]  # two presses at once: one opens it
    late = await forms.keep(FORM, Metadata("profile"), team_id="T1")
    clock.advance(forms.ttl + timedelta(seconds=1))
    assert await forms.take(late, team_id="T1") is None


async def test_an_event_id_is_first_once(app: App, clock: ManualClock) -> None:
    a, b = RecentEvents(app.uow, now=clock.now), RecentEvents(app.uow, now=clock.now)  # two replicas
    seen = await asyncio.gather(*(r.first("Ev1") for r in (a, b, a, b)))
    assert sorted(seen) == [False, False, False, True]
    assert await a.first(None) and await b.first("Ev2")


async def test_the_sweep_removes_only_what_expired(app: App, clock: ManualClock) -> None:
    now = clock.now()
    forms = PendingForms(app.uow, now=clock.now)
    await forms.keep(FORM, Metadata("profile"), team_id="T1")
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id="T1", now=now)
        assert workspace.id is not None
        for seconds, nonce in ((FORM_MAX_AGE + 60, "old"), (FORM_MAX_AGE - 60, "young")):
            uow.session.add(UsedForm(nonce=nonce, workspace_id=workspace.id, used_at=now - timedelta(seconds=seconds)))
        for age, event in ((EVENT_KEEP + timedelta(minutes=1), "EvOld"), (EVENT_KEEP - timedelta(minutes=1), "EvNew")):
            uow.session.add(SeenEvent(event_id=event, seen_at=now - age))
        await uow.commit()
    swept = await sweep(app.uow, now=now)
    assert (swept.forms, swept.events, swept.used_forms) == (0, 1, 1)  # EvOld and the nonce past FORM_MAX_AGE
    clock.advance(forms.ttl - timedelta(hours=1))
    later = await forms.keep(FORM, Metadata("profile"), team_id="T1")  # expires a day after the first
    swept = await sweep(app.uow, now=now + forms.ttl + timedelta(seconds=1))
    assert swept.forms == 1
    async with app.uow() as uow:
        left = [row.token for row in (await uow.session.exec(KeptForm.__table__.select())).all()]  # type: ignore[attr-defined]
        nonces = [row.nonce for row in (await uow.session.exec(UsedForm.__table__.select())).all()]  # type: ignore[attr-defined]
    assert left == [later] and nonces == []  # a day on, "young" is past FORM_MAX_AGE too


async def test_the_tick_sweeps_at_most_every_ten_minutes(app: App, clock: ManualClock) -> None:
    calls: list[int] = []

    async def plan(*_: object, **__: object) -> PlanReport:
        calls.append(1)
        return PlanReport()

    sweeping = Sweeping(plan)
    for minutes in (0, 5, 10):
        await sweeping(app.uow, now=clock.now() + timedelta(minutes=minutes), config=app.services.config)
    assert len(calls) == 3 and sweeping.last == clock.now() + timedelta(minutes=10)
