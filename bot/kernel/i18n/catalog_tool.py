"""Developer helper: add or replace keys in both catalogs at once, keeping them in step.

    python -m bot.kernel.i18n.catalog_tool entries.json [domain]   # {"key": {"en": "...", "id": "..."}, ...}
    python -m bot.kernel.i18n.catalog_tool template <domain> <out.pot>   # `make translations-update` uses it

A counted text is given as a list of plural forms: {"key": {"en": ["{n} circle", "{n} circles"], "id": ["{n} ..."]}}.

Each capability keeps its keys in its own domain file (messages.po, circles.po, slack.po, ...).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.kernel.i18n import LOCALES

ROOT = Path(__file__).parent / "locales"


def po_path(locale: str, domain: str = "messages") -> Path:
    return ROOT / locale / "LC_MESSAGES" / f"{domain}.po"


def load(locale: str, domain: str = "messages") -> Catalog:
    path = po_path(locale, domain)
    if not path.exists():
        return Catalog(locale=locale, project="lingkar", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def add_entries(entries: dict[str, dict[str, str | list[str]]], domain: str = "messages") -> None:
    for locale in LOCALES:
        cat = load(locale, domain)
        cat.fuzzy = False
        cat.creation_date = cat.revision_date = datetime(2026, 1, 1, tzinfo=UTC)  # stable files, quiet diffs
        for key, texts in entries.items():
            if key in cat:
                del cat[key]
            text = texts[locale]
            if isinstance(text, list):
                cat.add((key, key), tuple(text))  # msgid_plural repeats the key: the key alone names the entry
            else:
                cat.add(key, text)
        path = po_path(locale, domain)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, cat, sort_output=True, width=0, omit_header=False)


def write_template(domain: str, out: Path) -> None:
    """The domain's keys (from the English catalog, the source of truth) as a POT for `pybabel update`."""
    template = Catalog(project="lingkar", fuzzy=False)
    for message in load("en", domain):
        if message.id:
            template.add(message.id)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        write_po(handle, template, width=0)  # in the English file's order, so an update moves nothing


def main() -> None:
    if sys.argv[1] == "template":
        write_template(sys.argv[2], Path(sys.argv[3]))
        return
    domain = sys.argv[2] if len(sys.argv) > 2 else "messages"
    add_entries(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")), domain)


if __name__ == "__main__":
    main()
