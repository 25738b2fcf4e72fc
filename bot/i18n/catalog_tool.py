"""Developer helper: add or replace keys in both catalogs at once, keeping them in step.

    python -m bot.i18n.catalog_tool entries.json   # {"key": {"en": "...", "id": "..."}, ...}
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES

ROOT = Path(__file__).parent / "locales"


def po_path(locale: str) -> Path:
    return ROOT / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="lingkar", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def add_entries(entries: dict[str, dict[str, str]]) -> None:
    for locale in LOCALES:
        cat = load(locale)
        cat.fuzzy = False
        for key, texts in entries.items():
            if key in cat:
                del cat[key]
            cat.add(key, texts[locale])
        po_path(locale).parent.mkdir(parents=True, exist_ok=True)
        with po_path(locale).open("wb") as handle:
            write_po(handle, cat, sort_output=True, width=0, omit_header=False)


def main() -> None:
    add_entries(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))


if __name__ == "__main__":
    main()
