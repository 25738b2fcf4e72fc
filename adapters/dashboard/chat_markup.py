"""The chat's light markup as HTML, for any text the dashboard shows from a catalog or the core.

Escaped first, then only our own tags: `command` spans as <code>, *bold* as <strong>, line breaks as <br>. So a
name or a theme a member typed can never become markup."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_CODE = re.compile(r"`([^`\n]{1,80})`")
_BOLD = re.compile(r"\*([^*\n]{1,200})\*")


def chat_markup(text: str) -> Markup:
    escaped = str(escape(text))
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    return Markup(escaped.replace("\n", "<br>\n"))
