"""The core's Form -> an Adaptive Card with Input.* elements; re-rendered with the member's answers and errors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from adapters.signing import Seal, new_nonce
from adapters.teams.cards import BUDGET, card, size, submit, text_block
from adapters.teams.payloads import digest, field_id, form_data
from adapters.teams.text import Person, escape, plain, render, shorten, unquoted
from bot.kernel.events import FormValue
from bot.kernel.i18n import Translator
from bot.kernel.messages import DateInput, Form, Input, MultiSelect, Number, Option, Select, TextInput

_INPUTS: dict[str, type] = {cls.__name__: cls for cls in (TextInput, Select, MultiSelect, Number, DateInput)}


def encode_form(form: Form) -> dict[str, Any]:
    """The form travels inside its own submit button, so errors can be shown on it by any replica, any time."""
    inputs: list[dict[str, Any]] = []
    for field in form.inputs:
        data: dict[str, Any] = {"type": type(field).__name__}
        for key, value in vars(field).items():
            if key == "options":
                value = [[o.label, o.value] for o in value]
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            data[key] = value
        inputs.append(data)
    return {"form_id": form.form_id, "title": form.title, "submit": form.submit, "state": form.state,
            "intro": form.intro, "inputs": inputs}


def _input(data: dict[str, Any]) -> Input:
    data = dict(data)
    cls = _INPUTS[data.pop("type")]
    if "options" in data:
        data["options"] = tuple(Option(str(label), str(value)) for label, value in data["options"])
    if cls is MultiSelect:
        data["initial"] = tuple(data.get("initial") or ())
    if cls is DateInput and data.get("initial"):
        data["initial"] = date.fromisoformat(data["initial"])
    field: Input = cls(**data)
    return field


def decode_form(data: Any) -> Form | None:
    """None when the data is missing or was tampered with beyond recognition."""
    if not isinstance(data, dict):
        return None
    try:
        return Form(form_id=str(data["form_id"]), title=str(data["title"]), submit=str(data["submit"]),
                    state=str(data.get("state") or ""), intro=str(data.get("intro") or ""),
                    inputs=tuple(_input(i) for i in data["inputs"]))
    except (KeyError, TypeError, ValueError):
        return None


def signed_form(data: dict[str, Any], signed: dict[str, Any]) -> Form | None:
    """The form copy a submission carries, only when it is the one that was signed (payloads.verified_form)."""
    copy = data.get("form")
    if not isinstance(copy, dict) or not signed.get("h") or digest(copy) != signed["h"]:
        return None
    return decode_form(copy)


def _as_text(value: FormValue | object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _choices(options: tuple[Option, ...]) -> list[dict[str, str]]:
    return [{"title": plain(shorten(o.label, limit=200)), "value": o.value} for o in options]


def _number(value: str) -> int | float | None:
    """Input.Number takes a number: a string there shows an empty field (and a required one blocks the form)."""
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def input_element(field: Input, *, value: str, t: Translator) -> dict[str, Any]:
    label = plain(shorten(field.label, limit=200))
    element: dict[str, Any] = {"id": field_id(field.name), "label": label}
    if not field.optional:  # Teams checks this before sending: its message names the field
        element.update(isRequired=True, errorMessage=_required(unquoted(label), t=t))
    match field:
        case TextInput():
            element.update(type="Input.Text", isMultiline=field.multiline, maxLength=field.max_length)
            if field.placeholder:
                element["placeholder"] = plain(shorten(field.placeholder, limit=200))
        case Select():
            element.update(type="Input.ChoiceSet", style="compact", choices=_choices(field.options))
        case MultiSelect():
            element.update(type="Input.ChoiceSet", isMultiSelect=True, choices=_choices(field.options),
                           style="expanded" if len(field.options) <= 8 else "compact")
        case Number():
            element["type"] = "Input.Number"
            if field.min_value is not None:
                element["min"] = field.min_value
            if field.max_value is not None:
                element["max"] = field.max_value
            if field.min_value is not None and field.max_value is not None:  # Teams refuses 0 of 1-52 with this
                low, high = field.min_value, field.max_value
                # A label with its own colon ("Circle size: minimum") would read "…: minimum: enter…".
                element["errorMessage"] = t("rendered.form.number", low=low, high=high) if ": " in label else \
                    t("teams_cards.form.number", field=unquoted(label), low=low, high=high)
            number = _number(value)
            if number is not None:
                element["value"] = number
            return element
        case DateInput():
            element["type"] = "Input.Date"
    if value:
        element["value"] = value
    return element


def _required(label: str, *, t: Translator) -> str:
    """Teams shows this under the field. A question label would end "…?." in "Please fill in {field}.": a label
    like "Goal: what should the organisation achieve?" is named by its first part, a bare question gets asked."""
    if not label.rstrip().endswith("?"):
        return t("teams_cards.form.required", field=label)
    name, colon, _ = label.partition(": ")
    return t("teams_cards.form.required", field=name) if colon else t("rendered.form.answer")


def form_card(form: Form, *, t: Translator, seal: Seal, people: Mapping[str, Person] | None = None,
              values: Mapping[str, FormValue] | None = None, errors: Mapping[str, str] | None = None,
              budget: int = BUDGET, nonce: str | None = None) -> dict[str, Any]:
    """The form as a card. `values` (what the member typed) replace the initial values; `errors` go under fields.
    `seal` is bound to the member the form is for; `nonce` makes it single-use (a fresh one unless the card is the
    same form shown again with errors)."""
    nonce = nonce or new_nonce()
    people = people or {}
    entities: list[dict[str, Any]] = []
    body: list[dict[str, Any]] = [text_block(render(shorten(form.title, limit=300), people=people, entities=entities),
                                             size="Medium", weight="Bolder")]
    if form.intro:
        body.append(text_block(render(shorten(form.intro), people=people, entities=entities)))
    errors = errors or {}
    if errors:
        body.append(text_block(escape(t("teams.form.fix")), color="Attention", weight="Bolder"))
    for field in form.inputs:
        typed = values.get(field.name) if values is not None and field.name in values else field.initial
        body.append(input_element(field, value=_as_text(typed), t=t))
        if field.name in errors:
            body.append(text_block(escape(errors[field.name]), color="Attention", size="Small", spacing="None"))
    unplaced = [message for name, message in errors.items() if name not in form.fields_by_name]
    body.extend(text_block(escape(message), color="Attention") for message in unplaced)
    content = card(body, entities=entities,
                   actions=[submit(form.submit, data=form_data(form, encoded=encode_form(form), seal=seal, nonce=nonce),
                                   style="positive")])
    if size(content) > budget:  # a very large form: drop the copy it carries (errors then come as text)
        content = card(body, entities=entities,
                       actions=[submit(form.submit, data=form_data(form, encoded=None, seal=seal, nonce=nonce),
                                       style="positive")])
    return content
