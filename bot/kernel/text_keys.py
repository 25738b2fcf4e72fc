"""Comparison keys for names people type: case-, accent- and spacing-insensitive."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """'  Kepemimpinan  Ë ' -> 'kepemimpinan e': the key duplicates and lookups compare on."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def slugify(text: str, *, max_length: int = 64) -> str:
    """'Kepemimpinan 2026!' -> 'kepemimpinan-2026' (ASCII, for program names people type and channel names)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_length].strip("-") or "program"
