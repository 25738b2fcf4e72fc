"""What a card's buttons carry back (Action.Submit `data`), signed, and turning a submission into a neutral event."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from adapters.signing import Seal, Tampered
from bot.kernel.events import Action, Actor, FormSubmitted, FormValue
from bot.kernel.messages import Form, MultiSelect
from bot.kernel.ports import Target

KIND = "lingkar"  # marks data as ours; anything else posted as `value` is ignored
ACTION = "action"
CHOICE = "choice"
FORM = "form"
FIELD_PREFIX = "f_"  # input ids: never collide with the keys above when Teams merges inputs into data
REFRESH = "refresh"  # marks a card's refresh action: the answer is that member's own view, nothing is posted
# Action.Execute verbs, by the kind of data they carry (Teams requires one; Lingkar reads the data).
VERBS = {ACTION: "lingkar.action", CHOICE: "lingkar.choice", FORM: "lingkar.form", "view": "lingkar.view"}


SEAL = "seal"  # a form's signed state


def action_data(action_id: str, *, seal: Seal, value: str = "") -> dict[str, Any]:
    """The action id stays readable; the value is signed for it (and the workspace), so neither can be changed."""
    return {KIND: ACTION, "action_id": action_id, "value": seal.value(action_id, value)}


def view_data(action_id: str, *, seal: Seal) -> dict[str, Any]:
    """A card's refresh: the Choice's view action (signed like a button's), marked so only the card is answered."""
    return {**action_data(action_id, seal=seal), REFRESH: True}


def is_refresh(data: Any) -> bool:
    return isinstance(data, dict) and data.get(REFRESH) is True and data.get(KIND) == ACTION


def choice_data(action_id: str, *, input_id: str, multi: bool, seal: Seal) -> dict[str, Any]:
    """Which input holds the answer, signed too; each option's value is signed like a button's (cards.py)."""
    return {KIND: CHOICE, "action_id": action_id, "input": input_id, "multi": multi,
            SEAL: seal.value(f"choice:{action_id}", json.dumps([input_id, multi]))}


def digest(encoded: dict[str, Any]) -> str:
    """A short hash of the form copy a card carries (to re-render it with errors): a copy that was edited does
    not match the signed one."""
    canonical = json.dumps(encoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()[:18]).decode("ascii")


def form_data(form: Form, *, encoded: dict[str, Any] | None, seal: Seal, nonce: str) -> dict[str, Any]:
    """`seal` is bound to the member the form is for; the signed part holds what the core trusts (form id, state,
    field names) and the form's single-use nonce. Form id and state also stay readable, for people and tests."""
    fields = [i.name for i in form.inputs]
    multi = [i.name for i in form.inputs if isinstance(i, MultiSelect)]
    signed = {"f": form.form_id, "s": form.state, "i": fields, "m": multi, "n": nonce,
              "h": digest(encoded) if encoded is not None else None}
    data: dict[str, Any] = {KIND: FORM, "form_id": form.form_id, "state": form.state, "fields": fields,
                            "multi": multi, SEAL: seal.form(signed)}
    if encoded is not None:
        data["form"] = encoded
    return data


def verified_form(data: Any, *, seal: Seal) -> dict[str, Any]:
    """The signed part of a form submission, for the submitting member (`seal` bound to them); Tampered unless
    it verifies and the readable copies agree with it."""
    if not isinstance(data, dict):
        raise Tampered("form")
    signed = seal.read_form(data.get(SEAL))
    if data.get("form_id") != signed.get("f") or str(data.get("state") or "") != str(signed.get("s") or ""):
        raise Tampered("form")
    if not isinstance(signed.get("f"), str) or not signed["f"]:
        raise Tampered("form")
    return signed


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


def typed_values(data: dict[str, Any], *, fields: list[str] | None = None,
                 multi: list[str] | None = None) -> dict[str, FormValue]:
    """The form's inputs as the member typed them, by field name (of `fields` when given: the signed list)."""
    multi_names = set(multi if multi is not None else data.get("multi") or [])
    names = fields if fields is not None else [n for n in data.get("fields") or [] if isinstance(n, str)]
    values: dict[str, FormValue] = {}
    for key, raw in data.items():
        if not isinstance(key, str) or not key.startswith(FIELD_PREFIX):
            continue
        name = key.removeprefix(FIELD_PREFIX)
        if fields is not None and name not in fields:
            continue  # an input the form never had
        values[name] = _split(raw) if name in multi_names else _single(raw)
    for name in names:  # Teams leaves out inputs nobody touched
        if isinstance(name, str):
            values.setdefault(name, [] if name in multi_names else None)
    return values


def to_event(data: Any, *, actor: Actor, where: Target | None, seal: Seal) -> Action | FormSubmitted | None:
    """A card submission -> Action or FormSubmitted; None when the data is not one of ours. `seal` is bound to the
    actor's workspace: Tampered when what the card carries does not verify (edited, or from another workspace or
    member)."""
    if not isinstance(data, dict) or KIND not in data:
        return None
    kind = data.get(KIND)
    action_id = str(data.get("action_id") or "")
    if kind == ACTION and action_id:
        return Action(actor=actor, action_id=action_id, value=seal.read_value(action_id, data.get("value")),
                      where=where)
    if kind == CHOICE and action_id:
        try:
            input_id, multi = json.loads(seal.read_value(f"choice:{action_id}", data.get(SEAL)))
        except (TypeError, ValueError) as error:
            raise Tampered("choice") from error
        raw = data.get(str(input_id))
        if multi:
            return Action(actor=actor, action_id=action_id, where=where,
                          values=tuple(seal.read_value(action_id, v) for v in _split(raw)))
        chosen = _single(raw)
        return Action(actor=actor, action_id=action_id, where=where,
                      value=seal.read_value(action_id, chosen) if chosen else "")
    if kind == FORM:
        signed = verified_form(data, seal=seal.for_user(actor.user_id))
        fields = [str(n) for n in signed.get("i") or []]
        multi_names = [str(n) for n in signed.get("m") or []]
        nonce = signed.get("n")
        return FormSubmitted(actor=actor, form_id=str(signed["f"]), state=str(signed.get("s") or ""),
                             values=typed_values(data, fields=fields, multi=multi_names), where=where,
                             nonce=str(nonce) if nonce else None)
    raise Tampered(str(kind))  # marked as ours, yet none of what we send
