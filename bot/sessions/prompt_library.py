"""Discussion prompts for circles and pairs, by theme family, in English and Bahasa Indonesia.

The data lives in bot/sessions/prompt_data/<family>.json: {"family", "keywords": {"en", "id"}, "prompts":
[{"id", "text": {"en", "id"}}]}. Families whose name starts with "pair_" hold prompts for two people
(1-on-1, peer, reverse mentoring) and are never chosen from a circle's theme title; "generic" is the
fallback every circle family is topped up with.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

from bot.kernel.i18n import DEFAULT_LOCALE, LOCALES, normalise_locale
from bot.kernel.text_keys import fold

__all__ = [
    "GENERIC",
    "PAIR_PREFIX",
    "Prompt",
    "PromptDataError",
    "families",
    "family_for_theme",
    "next_prompt",
    "prompts_for",
]

GENERIC = "generic"
PAIR_PREFIX = "pair_"
_DATA_PACKAGE = "bot.sessions.prompt_data"
_WORD = re.compile(r"[^\W_]+")


class PromptDataError(ValueError):
    """A file in bot/sessions/prompt_data is malformed: a packaging or authoring bug, never a user error."""


@dataclass(frozen=True)
class Prompt:
    id: str
    family: str
    text: dict[str, str] = field(hash=False)  # {"en": ..., "id": ...}; a dict is not hashable

    def in_locale(self, locale: str) -> str:
        """The text in `locale` ("id", "id-ID", "in", ...), English for anything else."""
        return self.text.get(normalise_locale(locale) or DEFAULT_LOCALE) or self.text[DEFAULT_LOCALE]


@dataclass(frozen=True)
class _Family:
    name: str
    keywords: tuple[tuple[str, ...], ...]  # each keyword as folded words: "work-life balance" -> 3 words
    prompts: tuple[Prompt, ...]


def families() -> tuple[str, ...]:
    """Every family name, circle and pair, sorted."""
    return tuple(_library())


def family_for_theme(title: str) -> str:
    """Map a free-text circle theme title, in either language, to a circle family; "generic" if none fits.

    Keywords match whole words (case- and accent-insensitive; an English plural "s" is allowed), and
    a keyword of several words counts as many points as it has words, so "work-life balance" outweighs
    a stray "work". The highest score wins; on a tie, the family whose keyword comes first in the title.
    """
    words = _words(title)
    best_name, best_key = GENERIC, (0, 0)
    for name, family in _library().items():
        if name.startswith(PAIR_PREFIX):
            continue
        score, first = 0, len(words)
        for keyword in family.keywords:
            at = _find(words, keyword)
            if at is not None:
                score += len(keyword)
                first = min(first, at)
        if score and (score, -first) > best_key:
            best_name, best_key = name, (score, -first)
    return best_name


def prompts_for(*, family: str) -> tuple[Prompt, ...]:
    """A circle family's own prompts followed by the generic ones; a pair family's own prompts only."""
    library = _library()
    if family not in library:
        raise ValueError(f"unknown prompt family {family!r}; known: {', '.join(library)}")
    own = library[family].prompts
    if family == GENERIC or family.startswith(PAIR_PREFIX):
        return own
    return own + library[GENERIC].prompts


def next_prompt(*, family: str, used_ids: Collection[str], seed: int = 0) -> Prompt | None:
    """The next prompt not in `used_ids`, or None when all are used.

    The order is a fixed shuffle per seed (a circle's or pair's id makes a good seed, so two circles on
    the same theme do not walk the same path), with the family's own prompts before the generic ones.
    The shuffle sorts by a hash of seed and prompt id, so adding prompts to a file later does not
    reorder the ones already there.
    """
    used = frozenset(used_ids)
    for prompt in _ordered(prompts_for(family=family), family=family, seed=seed):
        if prompt.id not in used:
            return prompt
    return None


def _ordered(prompts: Sequence[Prompt], *, family: str, seed: int) -> list[Prompt]:
    def key(prompt: Prompt) -> tuple[bool, bytes]:
        digest = hashlib.sha256(f"{seed}:{prompt.id}".encode()).digest()
        return (prompt.family != family, digest)

    return sorted(prompts, key=key)


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def _find(words: Sequence[str], keyword: Sequence[str]) -> int | None:
    """Index of the first place `keyword`'s words appear consecutively in `words`."""
    span = len(keyword)
    for start in range(len(words) - span + 1):
        window = words[start : start + span]
        if all(word in (part, part + "s") for word, part in zip(window, keyword, strict=True)):
            return start
    return None


@cache
def _library() -> Mapping[str, _Family]:
    loaded: dict[str, _Family] = {}
    owner: dict[str, str] = {}  # prompt id -> file, to report duplicates across files
    root = resources.files(_DATA_PACKAGE)
    for entry in sorted((e for e in root.iterdir() if e.name.endswith(".json")), key=lambda e: e.name):
        try:
            raw = json.loads(entry.read_text(encoding="utf-8"), object_pairs_hook=_reject_duplicate_keys)
        except json.JSONDecodeError as exc:
            raise PromptDataError(f"{entry.name}: not valid JSON: {exc}") from exc
        family = _parse_family(raw, source=entry.name)
        for prompt in family.prompts:
            if prompt.id in owner:
                raise PromptDataError(f"{entry.name}: prompt id {prompt.id!r} already used in {owner[prompt.id]}")
            owner[prompt.id] = entry.name
        loaded[family.name] = family
    if GENERIC not in loaded:
        raise PromptDataError(f"{_DATA_PACKAGE} has no {GENERIC}.json")
    return MappingProxyType(loaded)


def _reject_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # json keeps the last of two equal keys silently; a prompt with two "id"s would lose its identifier.
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise PromptDataError(f"duplicate keys {duplicates}")
    return dict(pairs)


def _parse_family(raw: object, *, source: str) -> _Family:
    if not isinstance(raw, dict):
        raise PromptDataError(f"{source}: expected an object at the top level")
    name = raw.get("family")
    if not isinstance(name, str) or name != source.removesuffix(".json"):
        raise PromptDataError(f"{source}: family {name!r} does not match the file name")
    keywords_raw = raw.get("keywords")
    if not isinstance(keywords_raw, dict) or set(keywords_raw) != set(LOCALES):
        raise PromptDataError(f"{source}: keywords must have exactly the keys {list(LOCALES)}")
    keywords: list[tuple[str, ...]] = []
    for locale in LOCALES:
        listed = keywords_raw[locale]
        if not isinstance(listed, list):
            raise PromptDataError(f"{source}: keywords.{locale} must be a list")
        for keyword in listed:
            words = _words(keyword) if isinstance(keyword, str) else ()
            if not words:
                raise PromptDataError(f"{source}: keyword {keyword!r} has no words")
            keywords.append(words)
    prompts_raw = raw.get("prompts")
    if not isinstance(prompts_raw, list) or not prompts_raw:
        raise PromptDataError(f"{source}: prompts must be a non-empty list")
    prompts = tuple(_parse_prompt(item, family=name, source=source) for item in prompts_raw)
    return _Family(name=name, keywords=tuple(dict.fromkeys(keywords)), prompts=prompts)


def _parse_prompt(raw: object, *, family: str, source: str) -> Prompt:
    if not isinstance(raw, dict):
        raise PromptDataError(f"{source}: each prompt must be an object")
    prompt_id = raw.get("id")
    if not isinstance(prompt_id, str) or not prompt_id.startswith(f"{family}-"):
        raise PromptDataError(f"{source}: prompt id {prompt_id!r} must start with {family + '-'!r}")
    text = raw.get("text")
    if not isinstance(text, dict) or set(text) != set(LOCALES):
        raise PromptDataError(f"{source}: {prompt_id}: text must have exactly the keys {list(LOCALES)}")
    cleaned: dict[str, str] = {}
    for locale in LOCALES:
        value = text[locale]
        if not isinstance(value, str) or not value.strip():
            raise PromptDataError(f"{source}: {prompt_id}: text.{locale} is empty")
        cleaned[locale] = value.strip()
    return Prompt(id=prompt_id, family=family, text=cleaned)
