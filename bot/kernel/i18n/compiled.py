"""Compiled gettext catalogs: one babel Translations per locale, merged from every domain file.

`make install` / `make translations` compile the .po files with pybabel; a fresh clone, a test run or a .po edited
since the last compile still works because a missing or stale .mo is compiled here, in-process, from its .po.
"""

from __future__ import annotations

import contextlib
import gettext
import io
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).parent / "locales"


def domain_files(locale: str) -> list[Path]:
    """Every domain's .po of the locale (messages.po, circles.po, slack_install.po, ...), in a stable order."""
    return sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po"))


def compile_po(po: Path) -> bytes:
    with po.open("rb") as handle:
        parsed = read_po(handle, locale=po.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, parsed, use_fuzzy=False)
    return buffer.getvalue()


def _save_atomically(path: Path, data: bytes) -> None:
    # Parallel test workers may compile the same file: each writes its own temp file, then renames.
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def mo_bytes(po: Path) -> bytes:
    """The compiled catalog of one .po: the .mo beside it when up to date, else compiled now (and saved if we can)."""
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime >= po.stat().st_mtime:
            return mo.read_bytes()
    except FileNotFoundError:
        pass
    data = compile_po(po)
    with contextlib.suppress(OSError):  # a read-only install still translates, from memory
        _save_atomically(mo, data)
    return data


def load_translations(locale: str) -> Translations:
    """All domains of the locale merged into one Translations (keys are unique across domains).

    The language's own plural rule applies to every domain, whatever a file's Plural-Forms header says: merged
    catalogs share one rule, and a copied English header must not give Indonesian a second form it lacks."""
    merged: Translations | None = None
    for po in domain_files(locale):
        loaded = Translations(fp=io.BytesIO(mo_bytes(po)), domain=po.stem)
        merged = loaded if merged is None else merged.merge(loaded)
    merged = merged if merged is not None else Translations()
    merged.plural = gettext.c2py(get_plural(locale).plural_expr)  # type: ignore[attr-defined, assignment]
    return merged
