"""What a card's buttons carry back (Action.Submit `data`), and turning a submission into a neutral event."""

from __future__ import annotations

from typing import Any

from bot.events import Action, Actor, FormSubmitted, FormValue
from bot.messages import Form, MultiSelect
from bot.ports import Target

KIND = "lingkar"  # marks data as ours; anything else posted as `value` is ignored
ACTION = "action"
CHOICE = "choice"
FORM = "form"
FIELD_PREFIX = "f_"  # input ids: never collide with the keys above when Teams merges inputs into data


def action_data(action_id: str, *, value: str = "") -> dict[str, Any]:
    return {KIND: ACTION, "action_id": action_id, "value": value}


def choice_data(action_id: str, *, input_id: str, multi: bool) -> dict[str, Any]:
    return {KIND: CHOICE, "action_id": action_id, "input": input_id, "multi": multi}


def form_data(form: Form, *, encoded: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {KIND: FORM, "form_id": form.form_id, "state": form.state,
                            "fields": [i.name for i in form.inputs],
                            "multi": [i.name for i in form.inputs if isinstance(i, MultiSelect)]}
    if encoded is not None:
        data["form"] = encoded
    return data


def field_id(name: str) -> str:
    return FIELD_PREFIX + name


def _split(raw: Any) -> list[str]:
    """Input.ChoiceSet with isMultiSelect answers "a,b,c"; some clients send a list."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(v) for v in raw if str(v)]
    return [v for v in str(raw).split(",") if v]


def _single(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def typed_values(data: dict[str, Any]) -> dict[str, FormValue]:
    """The form's inputs as the member typed them, by field name."""
    multi = set(data.get("multi") or [])
    values: dict[str, FormValue] = {}
    for key, raw in data.items():
        if not isinstance(key, str) or not key.startswith(FIELD_PREFIX):
            continue
        name = key.removeprefix(FIELD_PREFIX)
        values[name] = _split(raw) if name in multi else _single(raw)
    for name in data.get("fields") or []:  # Teams leaves out inputs nobody touched
        if isinstance(name, str):
            values.setdefault(name, [] if name in multi else None)
    return values


def to_event(data: Any, *, actor: Actor, where: Target | None) -> Action | FormSubmitted | None:
    """A card submission -> Action or FormSubmitted; None when the data is not one of ours."""
    if not isinstance(data, dict) or KIND not in data:
        return None
    kind = data.get(KIND)
    action_id = str(data.get("action_id") or "")
    if kind == ACTION and action_id:
        return Action(actor=actor, action_id=action_id, value=str(data.get("value") or ""), where=where)
    if kind == CHOICE and action_id:
        raw = data.get(str(data.get("input") or ""))
        if data.get("multi"):
            return Action(actor=actor, action_id=action_id, values=tuple(_split(raw)), where=where)
        return Action(actor=actor, action_id=action_id, value=_single(raw) or "", where=where)
    if kind == FORM and data.get("form_id"):
        return FormSubmitted(actor=actor, form_id=str(data["form_id"]), state=str(data.get("state") or ""),
                             values=typed_values(data), where=where)
    return None
