"""Block Kit and Adaptive Card JSON -> a text dump of what a person sees, and the mechanical faults in it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from adapters.signing import PayloadSigner, Scope, Seal
from adapters.slack.blocks import fallback_text, render
from adapters.slack.modals import Metadata, modal
from adapters.teams.cards import message_card
from adapters.teams.form_cards import form_card
from adapters.teams.text import Person
from bot.kernel.i18n import Translator
from bot.kernel.messages import Form, Message

Json = dict[str, Any]
SIGNER = PayloadSigner(key="render-review")  # values are signed as for real, though nothing here is sent
SLACK_SEAL = Seal(SIGNER, Scope("slack", "T-REVIEW", None))
TEAMS_SEAL = Seal(SIGNER, Scope("teams", "tenant-review", None))
PEOPLE: dict[str, str] = {}  # user id -> name, for mentions (filled by the review from the demo's people)


def _names(user_id: str) -> str | None:
    return PEOPLE.get(user_id)


def _people() -> Mapping[str, Person]:
    return {uid: Person(user_id=uid, name=name, mention_id=uid) for uid, name in PEOPLE.items()}


# ---- Slack ---------------------------------------------------------------------------------------------------


def slack_blocks(message: Message, *, t: Translator) -> list[Json]:
    return render(message, t=t, names=_names, seal=SLACK_SEAL)


def slack_view(form: Form, *, t: Translator) -> Json:
    return modal(form, t=t, metadata=Metadata(form.form_id, form.state), seal=SLACK_SEAL.for_user("U-REVIEW"),
                 names=_names)


def _shown_mrkdwn(text: str) -> str:
    """What Slack shows of mrkdwn: mentions as @Name, the three escapes undone once (emphasis marks kept)."""
    text = re.sub(r"<@([UW][A-Z0-9]+)>", lambda m: "@" + (PEOPLE.get(m.group(1)) or m.group(1)), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _slack_element(element: Json) -> str:
    kind = element.get("type")
    if kind == "button":
        style = {"primary": " (green)", "danger": " (red)"}.get(element.get("style", ""), "")
        return f"[{element['text']['text']}]{style}"
    if kind in ("static_select", "multi_static_select"):
        options = element.get("options") or [o for g in element.get("option_groups", []) for o in g["options"]]
        labels = " | ".join(o["text"]["text"] for o in options)
        many = "pick several" if kind.startswith("multi") else "pick one"
        return f"[▾ {element['placeholder']['text']} ({many}): {labels}]"
    return f"[{kind}]"


def slack_lines(blocks: list[Json]) -> Iterator[str]:
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            yield f"## {block['text']['text']}"
        elif kind == "section" and "text" in block:
            yield _shown_mrkdwn(block["text"]["text"])
        elif kind == "section":
            yield from ("  | " + _shown_mrkdwn(f["text"]).replace("\n", " / ") for f in block["fields"])
        elif kind == "context":
            yield "  (small grey) " + " ".join(_shown_mrkdwn(e.get("text", "")) for e in block["elements"])
        elif kind == "actions":
            yield "  " + "  ".join(_slack_element(e) for e in block["elements"])
        elif kind == "image":
            yield f"  [image: {block['alt_text']}]"
        elif kind == "divider":
            yield "  ----------"
        elif kind == "input":
            yield from _slack_input(block)
        else:
            yield f"  [{kind}]"


def _slack_input(block: Json) -> Iterator[str]:
    element = block["element"]
    optional = " (optional)" if block.get("optional") else ""
    yield f"  > {block['label']['text']}{optional}"
    kind = element["type"]
    if kind == "plain_text_input":
        hint = element.get("placeholder", {}).get("text", "")
        initial = element.get("initial_value", "")
        lines = "multi-line" if element.get("multiline") else "one line"
        yield f"      text, {lines}, max {element.get('max_length')}" + (f"; placeholder: {hint}" if hint else "") + \
            (f"; filled: {initial}" if initial else "")
    elif kind in ("static_select", "multi_static_select"):
        yield "      " + _slack_element(element)
    elif kind == "number_input":
        yield f"      number {element.get('min_value', '')}..{element.get('max_value', '')}" + \
            (f", filled: {element['initial_value']}" if "initial_value" in element else "")
    else:
        yield f"      {kind}" + (f", filled: {element['initial_date']}" if "initial_date" in element else "")


def slack_message(message: Message, *, t: Translator) -> str:
    notification = _shown_mrkdwn(fallback_text(message))[:160]
    return "\n".join([f"(notification) {notification!r}", *slack_lines(slack_blocks(message, t=t))])


def slack_form(form: Form, *, t: Translator) -> str:
    view = slack_view(form, t=t)
    head = f"MODAL «{view['title']['text']}»   buttons: [{view['close']['text']}] [{view['submit']['text']}]"
    return "\n".join([head, *slack_lines(view["blocks"])])


# ---- Teams ---------------------------------------------------------------------------------------------------


def teams_card(message: Message, *, t: Translator) -> Json:
    return message_card(message, t=t, people=_people(), seal=TEAMS_SEAL)


def teams_form_card(form: Form, *, t: Translator) -> Json:
    return form_card(form, t=t, seal=TEAMS_SEAL.for_user("review"), people=_people(), nonce="review")


def _shown_markdown(text: str) -> str:
    """What Teams shows of card markdown: escapes undone, <at> tags as @Name, bold marks kept."""
    text = re.sub(r"<at>(.*?)</at>", r"@\1", text)
    return re.sub(r"\\(.)", r"\1", text).replace("\n\n", "\n")


def _teams_style(element: Json) -> str:
    marks = [element[k] for k in ("size", "weight", "color") if k in element]
    if element.get("isSubtle"):
        marks.append("grey")
    return f"({' '.join(marks)}) " if marks else ""


def teams_lines(body: list[Json]) -> Iterator[str]:
    for element in body:
        kind = element.get("type")
        rule = "  ----------\n" if element.get("separator") else ""
        if kind == "TextBlock":
            yield rule + _teams_style(element) + _shown_markdown(element["text"])
        elif kind == "FactSet":
            yield from (f"  | {_shown_markdown(f['title'])}: {_shown_markdown(f['value'])}" for f in element["facts"])
        elif kind == "ActionSet":
            yield rule + "  " + "  ".join(_teams_action(a) for a in element["actions"])
        elif kind == "Image":
            yield f"  [image: {element.get('altText', '')}]"
        elif kind and kind.startswith("Input."):
            yield from _teams_input(element)
        else:
            yield f"  [{kind}]"


def _teams_action(action: Json) -> str:
    style = {"positive": " (green)", "destructive": " (red)"}.get(action.get("style", ""), "")
    return f"[{action['title']}]{style}"


def _teams_input(element: Json) -> Iterator[str]:
    required = "" if element.get("isRequired") else " (optional)"
    if element.get("label"):
        yield f"  > {element['label']}{required}"
    kind = element["type"]
    detail = kind.removeprefix("Input.")
    if kind == "Input.ChoiceSet":
        many = "pick several" if element.get("isMultiSelect") else "pick one"
        detail = f"{many}: " + " | ".join(c["title"] for c in element["choices"])
    elif kind == "Input.Text":
        detail = ("multi-line" if element.get("isMultiline") else "one line") + \
            (f"; placeholder: {element['placeholder']}" if element.get("placeholder") else "")
    elif kind == "Input.Number":
        detail = f"number {element.get('min', '')}..{element.get('max', '')}"
    if "value" in element and kind != "Input.ChoiceSet":
        detail += f"; filled: {element['value']}"
    yield f"      {detail}"
    if element.get("errorMessage"):
        yield f"      (if wrong) {element['errorMessage']}"


def teams_message(message: Message, *, t: Translator) -> str:
    content = teams_card(message, t=t)
    return "\n".join(teams_lines(content["body"] + ([{"type": "ActionSet", "actions": content["actions"]}]
                                                     if content.get("actions") else [])))


def teams_form(form: Form, *, t: Translator) -> str:
    content = teams_form_card(form, t=t)
    return "\n".join(["CARD FORM", *teams_lines(content["body"]),
                      *teams_lines([{"type": "ActionSet", "actions": content.get("actions", [])}])])
