"""`program create [format]`: one form per format, asking only what that format uses, every setting defaulted."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from adapters.bootstrap import App
from adapters.signing import PayloadSigner, Scope, Seal
from adapters.teams.form_cards import form_card
from bot.kernel.i18n import Translator
from bot.kernel.messages import Form, Number, Select
from bot.programs.form import program_form
from storage.tables import Program
from tests.helpers import errors_of, form_of, say, submit, text_of

CIRCLE_ONLY = {"size_min", "size_target", "size_max", "moderator_mode", "theme_mode"}
PAIR_ONLY = {"pair_matching", "pair_response_hours", "exclude_same_team"}


def _fields(form: Form) -> dict[str, object]:
    return {i.name: i.initial for i in form.inputs}


def _start(form: Form) -> str:
    [day] = [i.initial for i in form.inputs if i.name == "start_date"]
    assert isinstance(day, date)
    return day.isoformat()


async def _program(app: App, name: str) -> Program:
    async with app.uow() as uow:
        return (await uow.session.exec(select(Program).where(Program.name == name))).one()


async def test_the_circles_form_asks_no_pair_questions_and_has_a_default_for_each_setting(app: App) -> None:
    form = form_of(await say(app, "UADMIN", "program create")).form
    fields = _fields(form)
    assert fields.keys() >= CIRCLE_ONLY and not PAIR_ONLY & fields.keys() and "format" not in fields
    assert (fields["weeks"], fields["size_min"], fields["size_target"], fields["size_max"]) == (12, 4, 6, 8)
    settings = {i.name for i in form.inputs if isinstance(i, Number | Select)}
    assert all(fields[name] not in (None, "") for name in settings)  # nothing to pick or count starts empty
    assert "program create one_on_one" in form.intro

    replies = await submit(app, "UADMIN", form.form_id, {"name": "Lead", "goal": "Grow leaders",
                                                         "start_date": _start(form)})
    assert "created as a draft" in text_of(replies)
    program = await _program(app, "Lead")
    assert (program.format, program.weeks, program.size_target, program.meeting_time) == ("circles", 12, 6, "10:00")


async def test_a_pair_form_offers_the_pair_formats_and_their_settings_only(app: App) -> None:
    form = form_of(await say(app, "UADMIN", "program create peer")).form
    fields = _fields(form)
    assert fields.keys() >= PAIR_ONLY and not CIRCLE_ONLY & fields.keys()
    assert fields["format"] == "peer" and fields["pair_response_hours"] == 48
    [choice] = [i for i in form.inputs if i.name == "format" and isinstance(i, Select)]
    assert [o.value for o in choice.options] == ["one_on_one", "peer", "reverse"]

    start = _start(form)
    replies = await submit(app, "UADMIN", form.form_id, {"name": "Buddies", "goal": "Learn from peers",
                                                         "format": "peer", "start_date": start, "weeks": "0"})
    assert errors_of(replies)["weeks"] == "Enter a whole number from 1 to 52."  # 0 weeks: said why, nothing saved
    async with app.uow() as uow:
        assert (await uow.session.exec(select(Program).where(Program.name == "Buddies"))).first() is None
    await submit(app, "UADMIN", form.form_id, {"name": "Buddies", "goal": "Learn from peers", "format": "peer",
                                               "start_date": start})
    program = await _program(app, "Buddies")
    assert (program.format, program.pair_response_hours, program.size_min) == ("peer", 48, 4)


async def test_the_format_may_be_named_in_indonesian_and_a_wrong_one_is_explained(app: App) -> None:
    form = form_of(await say(app, "UADMIN", "program create terbalik", locale="id")).form
    assert _fields(form)["format"] == "reverse" and "berpasangan" in form.intro
    assert "“kelompok” bukan format program" in text_of(await say(app, "UADMIN", "program create kelompok"))


async def test_a_wrong_format_is_explained_in_english(app: App) -> None:
    assert "“groups” is not a program format" in text_of(await say(app, "UADMIN", "program create groups"))


def test_on_teams_the_create_card_shows_the_defaults_and_names_the_field_teams_refuses() -> None:
    """Input.Number needs a number (a string showed an empty field); 0 weeks is refused with the field's range."""

    t = Translator("en")
    card = form_card(program_form(t, today=date(2026, 12, 1)), t=t, seal=Seal(PayloadSigner(key="k"),
                                                                                Scope("teams", "T", "U")))
    inputs = {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}
    assert (inputs["f_weeks"]["value"], inputs["f_size_min"]["value"], inputs["f_weeks"]["min"]) == (12, 4, 1)
    assert inputs["f_weeks"]["errorMessage"] == "Number of weeks: enter a whole number from 1 to 52."
    assert inputs["f_name"]["errorMessage"].startswith("Please fill in") and "f_pair_matching" not in inputs
