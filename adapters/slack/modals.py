"""Form -> a modal view, a view_submission -> the form's values, FormErrors -> Slack's inline `errors`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from adapters.signing import Seal, Tampered, new_nonce
from adapters.slack.blocks import SURFACE_BLOCKS, Json, menu_options, option, plain_text, sections
from adapters.slack.mrkdwn import Names
from bot.kernel.events import FormValue
from bot.kernel.i18n import Translator
from bot.kernel.messages import DateInput, Form, Input, MultiSelect, Number, Select, TextInput

log = logging.getLogger(__name__)

CALLBACK_ID = "lingkar.form"  # one callback for every form: the form id travels in private_metadata
ELEMENT = "value"  # each input block holds one element; the block id is the input's name
TITLE_TEXT = 24  # modal title, submit and close buttons
LABEL_TEXT = 2000
PLACEHOLDER_TEXT = 150
TEXT_INPUT_MAX = 3000
METADATA_MAX = 3000
ERROR_TEXT = 2000


@dataclass(frozen=True)
class Metadata:
    """What a modal carries from the command that opened it to its submission (Slack's private_metadata), signed
    for the workspace and the member it was opened for: edited, or submitted by anyone else, it does not verify."""

    form_id: str
    state: str = ""
    channel: str | None = None  # where the command or button was; replies go back there
    user: str | None = None
    response_url: str | None = None  # the command's response_url, valid for 30 minutes
    nonce: str | None = None  # single use: each opened modal gets a fresh one when encoded

    def encode(self, *, seal: Seal) -> str:
        """`seal` is bound to the workspace and the member who will see the modal."""
        nonce = self.nonce or new_nonce()
        data = {"f": self.form_id, "s": self.state, "c": self.channel, "u": self.user, "r": self.response_url,
                "n": nonce}
        encoded = seal.form({k: v for k, v in data.items() if v})
        if len(encoded) > METADATA_MAX and self.response_url:  # the reply path can fall back to the channel
            return replace(self, response_url=None, nonce=nonce).encode(seal=seal)
        if len(encoded) > METADATA_MAX:
            raise ValueError(f"form {self.form_id!r} carries {len(encoded)} characters of state, Slack keeps 3000")
        return encoded

    @classmethod
    def decode(cls, raw: str, *, seal: Seal) -> Metadata | None:
        """None unless `raw` verifies for `seal` (the submitting member's workspace and user)."""
        try:
            data = seal.read_form(raw)
        except Tampered:
            return None
        if not isinstance(data.get("f"), str):
            return None
        return cls(form_id=data["f"], state=str(data.get("s") or ""), channel=data.get("c"), user=data.get("u"),
                   response_url=data.get("r"), nonce=data.get("n"))


def modal(form: Form, *, t: Translator, metadata: Metadata, seal: Seal, names: Names | None = None) -> Json:
    inputs = [_input(i, t=t, names=names) for i in form.inputs]
    if len(inputs) > SURFACE_BLOCKS:
        log.warning("form %s has %d inputs, Slack shows %d", form.form_id, len(inputs), SURFACE_BLOCKS)
        inputs = inputs[:SURFACE_BLOCKS]
    intro = sections(form.intro) if form.intro else []
    intro = intro[: SURFACE_BLOCKS - len(inputs)]  # the fields matter more than the introduction
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain_text(form.title, limit=TITLE_TEXT, names=names),
        "submit": plain_text(form.submit, limit=TITLE_TEXT, names=names),
        "close": plain_text(t("slack.form.cancel"), limit=TITLE_TEXT),
        "private_metadata": metadata.encode(seal=seal),
        "blocks": [*intro, *inputs],
    }


def _input(item: Input, *, t: Translator, names: Names | None) -> Json:
    block: Json = {"type": "input", "block_id": item.name, "optional": item.optional,
                   "label": plain_text(item.label, limit=LABEL_TEXT, names=names), "element": _element(item, t=t)}
    return block


def _element(item: Input, *, t: Translator) -> Json:
    match item:
        case TextInput():
            limit = max(1, min(item.max_length, TEXT_INPUT_MAX))
            element: Json = {"type": "plain_text_input", "action_id": ELEMENT, "multiline": item.multiline,
                             "max_length": limit}
            if item.initial:
                element["initial_value"] = item.initial[:limit]
            if item.placeholder:
                element["placeholder"] = plain_text(item.placeholder, limit=PLACEHOLDER_TEXT)
            return element
        case Select():
            element = {"type": "static_select", "action_id": ELEMENT,
                       "placeholder": plain_text(t("slack.choose"), limit=PLACEHOLDER_TEXT),
                       **menu_options(item.options)}
            initial = next((o for o in item.options if o.value == item.initial), None)
            if initial is not None:
                element["initial_option"] = option(initial)
            return element
        case MultiSelect():
            element = {"type": "multi_static_select", "action_id": ELEMENT,
                       "placeholder": plain_text(t("slack.choose"), limit=PLACEHOLDER_TEXT),
                       **menu_options(item.options)}
            chosen = [option(o) for o in item.options if o.value in item.initial]
            if chosen:
                element["initial_options"] = chosen
            if item.max_selected:
                element["max_selected_items"] = item.max_selected
            return element
        case Number():
            element = {"type": "number_input", "action_id": ELEMENT, "is_decimal_allowed": False}
            for key, value in (("initial_value", item.initial), ("min_value", item.min_value),
                               ("max_value", item.max_value)):
                if value is not None:
                    element[key] = str(value)
            return element
        case DateInput():
            element = {"type": "datepicker", "action_id": ELEMENT}
            if item.initial is not None:
                element["initial_date"] = item.initial.isoformat()
            return element
    raise TypeError(f"unknown input {item!r}")


def notice(text: str, *, t: Translator) -> Json:
    """A modal that only says something (it replaces a submitted one that could not be accepted)."""
    return {"type": "modal", "title": plain_text(t("trust.form_invalid_title"), limit=TITLE_TEXT),
            "close": plain_text(t("trust.close"), limit=TITLE_TEXT), "blocks": sections(text)}


def values_of(view: dict[str, Any]) -> dict[str, FormValue]:
    """The submitted view's state as the core's form values: text as typed, choices by their values. (Modal text
    is raw, never Slack-formatted; the core keeps typed `<@id>` in form values from becoming mentions.)"""
    values: dict[str, FormValue] = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        for element in elements.values():
            values[block_id] = _value(element)
    return values


def _value(element: dict[str, Any]) -> FormValue:
    kind = element.get("type")
    if kind in ("static_select", "radio_buttons", "external_select"):
        chosen = element.get("selected_option")
        return str(chosen["value"]) if chosen else None
    if kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        return [str(o["value"]) for o in element.get("selected_options") or []]
    if kind == "datepicker":
        return element.get("selected_date")
    value = element.get("value")
    return value if isinstance(value, str) else None


def errors_for(view: dict[str, Any], *, errors: dict[str, str]) -> dict[str, str]:
    """Slack only accepts errors for the view's input blocks: any other field's error goes on the first one."""
    inputs = [b["block_id"] for b in view.get("blocks") or [] if b.get("type") == "input" and b.get("block_id")]
    shown: dict[str, str] = {}
    for field, text in errors.items():
        block = field if field in inputs else (inputs[0] if inputs else None)
        if block is None:
            continue
        shown[block] = f"{shown[block]} {text}" if block in shown else text
    return {block: text[:ERROR_TEXT] for block, text in shown.items()}
