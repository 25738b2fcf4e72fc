"""Message -> Block Kit, within Slack's limits; action ids made unique per block and read back."""

from __future__ import annotations

import logging
from typing import Any

from adapters.signing import Seal
from adapters.slack.mrkdwn import Names, plain, shorten, shorten_mrkdwn, split_mrkdwn
from bot.kernel.i18n import Translator
from bot.kernel.messages import (
    Block,
    Button,
    Buttons,
    Choice,
    Context,
    Divider,
    Fields,
    Header,
    Image,
    Message,
    Option,
    Text,
)

log = logging.getLogger(__name__)

MESSAGE_BLOCKS = 50  # chat.postMessage, chat.update, response_url
SURFACE_BLOCKS = 100  # modals and the App Home tab
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
HEADER_TEXT = 150
BUTTON_TEXT = 75
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS_PER_MENU = 100
ELEMENTS_PER_ACTIONS = 25
BUTTON_CHOICES = 5  # a Choice with more options (or a multi choice) becomes a menu
FALLBACK_TEXT = 3000  # `text` beside blocks is only for notifications and screen readers
ALT_TEXT = 2000
SEPARATOR = "#"  # Slack wants action ids unique within a block: "<core id>#<index>"

Json = dict[str, Any]


def encode_action(action_id: str, *, index: int) -> str:
    return f"{action_id}{SEPARATOR}{index}"


def decode_action(action_id: str) -> str:
    """The core's action id back from an encoded one (ids without our suffix pass through unchanged)."""
    head, sep, tail = action_id.rpartition(SEPARATOR)
    return head if sep and tail.isdigit() else action_id


def plain_text(text: str, *, limit: int, names: Names | None = None) -> Json:
    return {"type": "plain_text", "text": plain(text, names=names, limit=limit) or " ", "emoji": True}


def mrkdwn_text(text: str, *, limit: int = SECTION_TEXT) -> Json:
    return {"type": "mrkdwn", "text": shorten_mrkdwn(text, limit=limit), "verbatim": True}


def fallback_text(message: Message) -> str:
    """The `text` that goes beside the blocks (notifications, screen readers), escaped like everything else."""
    return shorten_mrkdwn(message.text, limit=FALLBACK_TEXT) or " "


def sections(text: str) -> list[Json]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk, "verbatim": True}}
            for chunk in split_mrkdwn(text, limit=SECTION_TEXT)]


def render(message: Message, *, t: Translator, names: Names | None = None, limit: int = MESSAGE_BLOCKS,
           seal: Seal | None = None) -> list[Json]:
    """Every block of the message, or its text when it has none; cut to `limit` blocks with a note at the end.
    With `seal` (everything sent to Slack) each button's and menu option's value is signed for its action and
    workspace; without, values stay plain (previews) and would not be accepted back."""
    rendered: list[Json] = []
    for block in message.blocks:
        rendered.extend(_block(block, t=t, names=names, seal=seal))
    if not message.blocks:
        rendered = sections(message.text)
    if len(rendered) > limit:
        log.info("a message of %d blocks was cut to Slack's %d", len(rendered), limit)
        note = {"type": "context", "elements": [mrkdwn_text(t("slack.truncated"))]}
        rendered = [*rendered[: limit - 1], note]
    return rendered


def _block(block: Block, *, t: Translator, names: Names | None, seal: Seal | None) -> list[Json]:
    match block:
        case Header(text=text):
            return [{"type": "header", "text": plain_text(text, limit=HEADER_TEXT, names=names)}] if text else []
        case Text(text=text):
            return sections(text)
        case Fields(pairs=pairs):
            fields = [_field(label, value) for label, value in pairs]
            return [{"type": "section", "fields": fields[i: i + FIELDS_PER_SECTION]}
                    for i in range(0, len(fields), FIELDS_PER_SECTION)]
        case Buttons(buttons=buttons):
            elements = [_button(b, index=i, names=names, seal=seal) for i, b in enumerate(buttons)]
            return [{"type": "actions", "elements": elements[i: i + ELEMENTS_PER_ACTIONS]}
                    for i in range(0, len(elements), ELEMENTS_PER_ACTIONS)]
        case Choice():
            return _choice(block, t=t, names=names, seal=seal)
        case Image(url=url, alt=alt):
            if not url.startswith(("https://", "http://")):
                return sections(alt) if alt else []
            return [{"type": "image", "image_url": url, "alt_text": shorten(alt or "image", limit=ALT_TEXT)}]
        case Divider():
            return [{"type": "divider"}]
        case Context(text=text):
            return [{"type": "context", "elements": [mrkdwn_text(text)]}] if text.strip() else []
    raise TypeError(f"unknown block {block!r}")


def _field(label: str, value: str) -> Json:
    """The label in bold over its value; both escaped, together within a field's 2,000 characters."""
    head = f"*{shorten_mrkdwn(label.strip(), limit=200)}*\n" if label.strip() else ""
    return {"type": "mrkdwn", "text": head + (shorten_mrkdwn(value, limit=FIELD_TEXT - len(head)) or " "),
            "verbatim": True}


def _button(button: Button, *, index: int, names: Names | None, value: str = "",
            selected: bool = False, seal: Seal | None = None) -> Json:
    label = ("✓ " if selected else "") + button.label
    element: Json = {"type": "button", "text": plain_text(label, limit=BUTTON_TEXT, names=names),
                     "action_id": encode_action(button.action_id, index=index)}
    if seal is not None:  # the action id is readable but comes back untrusted: the signed value vouches for it
        element["value"] = seal.value(button.action_id, value)
    elif value:
        element["value"] = value
    style = "primary" if selected else button.style
    if style in ("primary", "danger"):
        element["style"] = style
    return element


def option(item: Option, *, names: Names | None = None, seal: Seal | None = None, action_id: str = "") -> Json:
    value = seal.value(action_id, item.value) if seal is not None else item.value
    if len(value) > OPTION_VALUE:  # cut, it would not verify: keep option values short
        log.warning("a menu option's value of %d characters is over Slack's %d", len(value), OPTION_VALUE)
    return {"text": plain_text(item.label, limit=OPTION_TEXT, names=names), "value": value[:OPTION_VALUE]}


def menu_options(options: tuple[Option, ...], *, names: Names | None = None, seal: Seal | None = None,
                 action_id: str = "") -> Json:
    """`options` for up to 100, else `option_groups` of 100 each (Slack's limit per menu and per group)."""
    rendered = [option(o, names=names, seal=seal, action_id=action_id) for o in options]
    if len(rendered) <= OPTIONS_PER_MENU:
        return {"options": rendered}
    groups = []
    for start in range(0, len(rendered), OPTIONS_PER_MENU)[:OPTIONS_PER_MENU]:
        chunk = rendered[start: start + OPTIONS_PER_MENU]
        label = f"{chunk[0]['text']['text'][:35]} – {chunk[-1]['text']['text'][:35]}"
        groups.append({"label": {"type": "plain_text", "text": label}, "options": chunk})
    return {"option_groups": groups}


def _choice(choice: Choice, *, t: Translator, names: Names | None, seal: Seal | None) -> list[Json]:
    blocks: list[Json] = sections(choice.label) if choice.label else []
    if not choice.options:
        return blocks
    if not choice.multi and len(choice.options) <= BUTTON_CHOICES:
        elements = [_button(Button(o.label, choice.action_id), index=i, names=names, value=o.value,
                            selected=o.value in choice.selected, seal=seal)
                    for i, o in enumerate(choice.options)]
        return [*blocks, {"type": "actions", "elements": elements}]
    menu: Json = {
        "type": "multi_static_select" if choice.multi else "static_select",
        "action_id": encode_action(choice.action_id, index=0),
        # The label is the section above: the menu itself says "Choose…" rather than repeat it.
        "placeholder": plain_text(t("slack.choose"), limit=150, names=names),
        **menu_options(choice.options, names=names, seal=seal, action_id=choice.action_id),
    }
    chosen = [option(o, names=names, seal=seal, action_id=choice.action_id) for o in choice.options
              if o.value in choice.selected]
    if chosen and choice.multi:
        menu["initial_options"] = chosen
    elif chosen:
        menu["initial_option"] = chosen[0]
    return [*blocks, {"type": "actions", "elements": [menu]}]
