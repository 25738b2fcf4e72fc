"""Every id a button, select or form names is re-checked by the core: junk, forged and other workspaces' ids.

Two workspaces, W1 and W2, hold the same world (programs, circles, an election, polls, pairs, a goal). For
every registered action and form, a member of W2 names W1's ids: the reply is exactly the one for an id that
does not exist, and no row anywhere changes. The same event naming W2's own ids works, so each case really
reaches the handler. Junk values get the calm "out of date" reply, never the error hook.
"""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from adapters.bootstrap import App
from adapters.bootstrap import capabilities as all_features
from bot.kernel.events import Action, Command, Event, FormSubmitted, FormValue
from bot.kernel.i18n import translate
from bot.kernel.payload import is_admin_only
from bot.kernel.ports import Target
from bot.kernel.replies import FormErrors, Reply, Response, UpdateSource
from storage.tables import (
    Delivery,
    Program,
)
from tests.conftest import START
from tests.kernel.payload_cases import CASES, ID_CASES, Case
from tests.kernel.payload_world import World, actor, snapshot, worlds

STALE = translate("errors.stale_action", "en")
CHOOSE = repr([("attendees", translate("running.error.choice", "en"))])  # a multi-select's option not offered
UNEXPECTED = translate("errors.unexpected", "en", incident="").split("(")[0][:30]
ADMIN_ONLY = translate("errors.admin_only", "en")
NOWHERE = "2147483000"  # a well-formed id that names no row
JUNK = ["abc", "", "-1", "0", "1e9", "1.5", " 7", "+7", "²", "١", "99999999999", "9" * 5000, "x" * 10_000,
        "1;DROP TABLE program", "7\n"]


def _registered() -> dict[tuple[str, str], object]:
    """Every action verb and form id the features register, with its handler."""
    handlers: dict[tuple[str, str], object] = {}
    for feature in all_features():
        handlers.update({("action", verb): h for verb, h in feature.actions.items()})
        handlers.update({("form", form_id): h for form_id, h in feature.forms.items()})
    return handlers


def _event(case: Case, world: World, *, arg: str | None = None, value: str | None = None) -> Event:
    who = actor(world.workspace, case.user)
    arg = case.arg(world) if arg is None else arg
    value = case.value(world) if value is None else value
    if case.kind == "action" and case.name == "pair.choose" and case.field == "value":
        return Action(who, f"{case.name}:{arg}.{value}")
    if case.kind == "action":
        return Action(who, f"{case.name}:{arg}", value=value)
    values = case.values(world)
    if case.field == "value":  # a multi-select's options: one more member id than the form offered
        values = {**values, "attendees": [*values["attendees"], value]}
    return FormSubmitted(who, case.name, state=arg, values=values)


def _forged(case: Case, own: World, other: World, *, nowhere: bool = False) -> Event:
    """The case's event from a member of `own`, naming `other`'s id (or one that exists nowhere)."""
    if case.field == "arg":
        return _event(case, own, arg=NOWHERE if nowhere else case.arg(other))
    return _event(case, own, value=NOWHERE if nowhere else case.value(other))


def text_of(responses: list[Response]) -> str:
    """What a refused event shows: replies, or errors under a form's fields; never a form opened or a card changed."""
    assert responses and all(isinstance(r, Reply | FormErrors) for r in responses), responses
    return "\n".join(r.message.text if isinstance(r, Reply) else repr(sorted(r.errors.items())) for r in responses)


def test_every_registered_action_and_form_is_covered() -> None:
    """A handler added later without a case here fails this test: list it in CASES."""
    assert {(c.kind, c.name) for c in CASES} == set(_registered())
    assert {(c.kind, c.name) for c in CASES if c.admin} == {key for key, h in _registered().items()
                                                            if is_admin_only(h)}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
async def test_own_ids_reach_the_handler(app: App, case: Case) -> None:
    """The control: naming your own workspace's ids works, so a refusal below is the check, not a broken case."""
    _, b = await worlds(app)
    if case.field == "value" and case.name == "session.log":
        event = _event(case, b, value=str(b["U3"]))  # another member of the circle: offered, so accepted
    else:
        event = _event(case, b)
    before = await snapshot(app)
    responses = await app.core.handle(event)
    shown = "\n".join(r.message.text for r in responses if isinstance(r, Reply))
    assert STALE not in shown and UNEXPECTED not in shown and ADMIN_ONLY not in shown, responses
    assert responses
    if case.kind == "form" or case.name in ("theme.vote", "elect.vote", "circle.pick", "pair.choose",
                                             "pair.accept", "pair.decline", "forget.confirm"):
        assert await snapshot(app) != before, "the control should have written something"


@pytest.mark.parametrize("case", ID_CASES, ids=lambda c: c.label)
async def test_another_workspaces_id_is_like_no_id(app: App, case: Case) -> None:
    a, b = await worlds(app)
    before = await snapshot(app)
    missing = text_of(await app.core.handle(_forged(case, b, a, nowhere=True)))
    foreign = text_of(await app.core.handle(_forged(case, b, a)))
    assert foreign == missing
    assert UNEXPECTED not in foreign
    assert await snapshot(app) == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
async def test_junk_values_get_a_calm_reply(app: App, case: Case) -> None:
    _, b = await worlds(app)
    before = await snapshot(app)
    for junk in JUNK:
        if junk == "" and case.empty_ok:
            continue
        event = _event(case, b, arg=junk) if case.field == "arg" else _event(case, b, value=junk)
        responses = await app.core.handle(event)
        shown = "\n".join(r.message.text for r in responses if isinstance(r, Reply | UpdateSource))
        assert responses and UNEXPECTED not in shown, (junk, responses)
        if case.takes_id:
            assert text_of(responses) in (STALE, CHOOSE), (junk, responses)
    assert await snapshot(app) == before


async def test_composite_ids_are_checked_in_both_parts(app: App) -> None:
    """'<circle>.<session>' and '<pair>.<meeting>': a good first part does not carry a junk second one."""
    _, b = await worlds(app)
    before = await snapshot(app)
    for verb, head in (("checkin.open", b["circle"]), ("pair_checkin.open", b["pair"])):
        for tail in ("", "x", "-1", "99999999999", "²", "0.0"):
            assert text_of(await app.core.handle(Action(actor("W2", "U2"), f"{verb}:{head}.{tail}"))) == STALE
        for junk_head in ("", "x", "-1", "99999999999999999999", "²", str(head) + "0" * 12):
            assert text_of(await app.core.handle(Action(actor("W2", "U2"), f"{verb}:{junk_head}.0"))) == STALE
    assert await snapshot(app) == before


async def test_roles_are_checked_again_on_buttons_and_forms(app: App) -> None:
    """An admin's form, a ballot, a mentor's answer, a moderator's form: offered to some, refused to the others,
    whoever the button or form reached."""
    _, b = await worlds(app)
    before = await snapshot(app)
    for case in (c for c in CASES if c.admin):
        member = Case(case.name, case.kind, "U1", case.arg, values=case.values)
        assert text_of(await app.core.handle(_event(member, b))) == ADMIN_ONLY
    theme_vote = Action(actor("W2", "U4"), f"theme.vote:{b['enrolling']}", value=str(b["theme"]))
    assert text_of(await app.core.handle(theme_vote)) == translate("themes.not_enrolled", "en")
    not_the_mentor = Action(actor("W2", "U2"), f"pair.accept:{b['request']}")
    assert text_of(await app.core.handle(not_the_mentor)) == STALE
    not_a_nominee = Action(actor("W2", "U1"), f"elect.vote:{b['election']}", value=str(b["U3"]))
    assert text_of(await app.core.handle(not_a_nominee)) == STALE
    not_the_moderator = FormSubmitted(actor("W2", "U2"), "session.log", state=str(b["circle"]),
                                      values={"session": "0", "attendees": [], "outcomes": "x"})
    assert text_of(await app.core.handle(not_the_moderator)) == translate("running.only_moderator", "en",
                                                                          circle="Circle")
    someone_elses_erasure = Action(actor("W2", "U2"), f"forget.confirm:{b['U1']}")
    assert text_of(await app.core.handle(someone_elses_erasure)) == STALE
    assert await snapshot(app) == before


async def _deliveries(app: App) -> list[str]:
    async with app.uow() as uow:
        return [d.target for d in (await uow.session.exec(select(Delivery).order_by(col(Delivery.id)))).all()]


@pytest.mark.parametrize("state", [
    "slack:T0OTHER:channel:CVICTIM",  # another platform's channel (a Teams admin's card, edited)
    "local:W1:channel:CANNOUNCE",  # the same platform, another workspace
    "local:W2:user:U2",  # a person, not a channel
    "local:W2",
    "garbage",
])
async def test_program_create_announces_only_in_the_admins_own_workspace(app: App, state: str) -> None:
    await worlds(app)
    before = await snapshot(app)
    values: dict[str, FormValue] = {"name": "Forged", "goal": "Grow", "start_date": "2026-02-02"}
    shown = text_of(await app.core.handle(FormSubmitted(actor("W2", "UADMIN"), "program.create", state=state,
                                                        values=values)))
    assert shown == STALE
    assert await snapshot(app) == before
    # Whatever was created (nothing), opening it announces nowhere outside W2.
    await app.core.handle(Command(actor("W2", "UADMIN"), "program open forged"))
    assert [t for t in await _deliveries(app) if not t.startswith("local:W2:")] == []


async def test_program_create_takes_the_channel_it_was_submitted_from(app: App) -> None:
    """Where the adapter knows the conversation (a channel), that wins over whatever the state says."""
    await worlds(app)
    here = Target(platform="local", workspace_id="W2", kind="channel", ref="CHERE")
    values: dict[str, FormValue] = {"name": "Here", "goal": "Grow", "start_date": "2026-02-02"}
    event = FormSubmitted(actor("W2", "UADMIN"), "program.create", state="slack:T0OTHER:channel:CVICTIM",
                          values=values, where=here)
    assert "created as a draft" in text_of(await app.core.handle(event))
    assert "is open" in text_of(await app.core.handle(Command(actor("W2", "UADMIN"), "program open here")))
    assert [t for t in await _deliveries(app)] == ["local:W2:channel:CHERE"]


async def test_a_stored_foreign_announcement_target_is_never_used(app: App) -> None:
    """Programs saved before forms were checked may hold a forged target: opening one announces nowhere."""
    await worlds(app)
    async with app.uow() as uow:
        workspace = await uow.workspaces.find(platform="local", external_id="W2")
        assert workspace is not None
        uow.programs.add(Program(workspace_id=workspace.id or 0, name="Old", slug="old", created_at=START,
                                 announcement_target="slack:T0OTHER:channel:CVICTIM"))
        await uow.commit()
    reply = text_of(await app.core.handle(Command(actor("W2", "UADMIN"), "program open old")))
    assert reply == translate("program.opened_no_channel", "en", program="Old", slug="old")
    assert await _deliveries(app) == []


async def test_database_ids_beyond_integer_range_never_reach_the_database(app: App) -> None:
    """PostgreSQL refuses an INTEGER parameter above 2**31-1 and SQLite one above 2**63-1: both are refused first."""
    await worlds(app)
    for big in ("2147483648", "9223372036854775808"):
        assert text_of(await app.core.handle(Action(actor("W2", "U4"), f"join:{big}"))) == STALE
    assert len((await snapshot(app))["workspace"]) == 2
