"""A program's script as values, and the one parser every script goes through: the default files and an admin's
upload alike. Errors carry a catalog key (`scripts.error.<code>`) and the JSON path, so an admin hears in their own
language exactly where the file is wrong; nothing here raises on bad input."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.kernel.i18n import DEFAULT_LOCALE, LOCALES, normalise_locale

# The stages of a mentoring relationship, in the order they happen.
STAGES: tuple[str, ...] = ("orientation", "goal_setting", "implementation", "midpoint_review", "reflection_closing")
MAX_BYTES = 100 * 1024  # a script is a few dozen prompts; anything larger is not one
MAX_PROMPTS = 40  # per stage
MAX_TEXT = 500  # characters of a prompt, a guidance line or a check-in question
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")  # stored in prompt_id (80 characters) beside "custom-<hex>"


@dataclass(frozen=True)
class ScriptPrompt:
    id: str
    text: dict[str, str] = field(hash=False)  # {"en": ..., "id": ...}

    def in_locale(self, locale: str) -> str:
        return self.text.get(normalise_locale(locale) or DEFAULT_LOCALE) or self.text[DEFAULT_LOCALE]


@dataclass(frozen=True)
class StageScript:
    name: str
    guidance: dict[str, str] = field(hash=False)  # one line for the moderator or mentor
    prompts: tuple[ScriptPrompt, ...]
    checkin: dict[str, str] | None = field(default=None, hash=False)  # the check-in's emphasis, if any

    def guidance_in(self, locale: str) -> str:
        return self.guidance.get(normalise_locale(locale) or DEFAULT_LOCALE) or self.guidance[DEFAULT_LOCALE]


@dataclass(frozen=True)
class Script:
    format: str
    stages: Mapping[str, StageScript]

    def stage(self, name: str) -> StageScript:
        return self.stages[name]

    def prompts(self) -> dict[str, ScriptPrompt]:
        return {p.id: p for stage in self.stages.values() for p in stage.prompts}

    def to_json(self) -> dict[str, Any]:
        """The form an admin downloads and uploads again; parse(to_json()) gives the same script back."""
        stages: dict[str, Any] = {}
        for name in STAGES:
            stage = self.stages[name]
            entry: dict[str, Any] = {"guidance": dict(stage.guidance)}
            if stage.checkin is not None:
                entry["checkin"] = dict(stage.checkin)
            entry["prompts"] = [{"id": p.id, "text": dict(p.text)} for p in stage.prompts]
            stages[name] = entry
        return {"format": self.format, "stages": stages}


@dataclass(frozen=True)
class ScriptError:
    code: str  # scripts.error.<code>
    path: str  # "$.stages.orientation.prompts[0].text.id"
    params: dict[str, object] = field(default_factory=dict, hash=False)


class _Errors(list[ScriptError]):
    def add(self, code: str, path: str, **params: object) -> None:
        self.append(ScriptError(code=code, path=path, params=params))


def parse_bytes(data: bytes, *, format: str) -> tuple[Script | None, list[ScriptError]]:
    """An uploaded file: size, encoding and JSON syntax first, then `parse`."""
    if len(data) > MAX_BYTES:
        return None, [ScriptError("too_large", "$", {"limit": MAX_BYTES // 1024})]
    try:
        raw = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        return None, [ScriptError("not_utf8", "$")]
    except _Duplicate as duplicate:
        return None, [ScriptError("duplicate_key", "$", {"key": str(duplicate)})]
    except json.JSONDecodeError as exc:
        return None, [ScriptError("not_json", "$", {"line": exc.lineno, "column": exc.colno})]
    return parse(raw, format=format)


def parse(raw: object, *, format: str) -> tuple[Script | None, list[ScriptError]]:
    """A script, or every error found (None then): all stages, each with guidance and prompts in both languages."""
    errors = _Errors()
    if not isinstance(raw, dict):
        errors.add("not_object", "$")
        return None, errors
    _unknown(raw, {"format", "stages"}, "$", errors)
    if "format" in raw and raw["format"] != format:
        errors.add("wrong_format", "$.format", expected=format)
    stages_raw = raw.get("stages")
    if not isinstance(stages_raw, dict):
        errors.add("not_object", "$.stages")
        return None, errors
    for name in stages_raw:
        if name not in STAGES:
            errors.add("unknown_stage", f"$.stages.{name}", known=", ".join(STAGES))
    stages: dict[str, StageScript] = {}
    seen: set[str] = set()
    for name in STAGES:
        if name not in stages_raw:
            errors.add("missing", f"$.stages.{name}")
            continue
        stage = _stage(stages_raw[name], name=name, format=format, path=f"$.stages.{name}", seen=seen, errors=errors)
        if stage is not None:
            stages[name] = stage
    if errors:
        return None, errors
    return Script(format=format, stages=stages), []


def _stage(raw: object, *, name: str, format: str, path: str, seen: set[str], errors: _Errors) -> StageScript | None:
    if not isinstance(raw, dict):
        errors.add("not_object", path)
        return None
    _unknown(raw, {"guidance", "checkin", "prompts"}, path, errors)
    guidance = _texts(raw.get("guidance"), f"{path}.guidance", errors)
    checkin = _texts(raw["checkin"], f"{path}.checkin", errors) if raw.get("checkin") is not None else None
    listed = raw.get("prompts")
    if not isinstance(listed, list) or not listed:
        errors.add("no_prompts", f"{path}.prompts")
        return None
    if len(listed) > MAX_PROMPTS:
        errors.add("too_many_prompts", f"{path}.prompts", limit=MAX_PROMPTS)
        return None
    prompts = [_prompt(item, format=format, stage=name, path=f"{path}.prompts[{i}]", seen=seen, errors=errors)
               for i, item in enumerate(listed)]
    if guidance is None or any(p is None for p in prompts):
        return None
    return StageScript(name=name, guidance=guidance, checkin=checkin,
                       prompts=tuple(p for p in prompts if p is not None))


def _prompt(raw: object, *, format: str, stage: str, path: str, seen: set[str],
            errors: _Errors) -> ScriptPrompt | None:
    if not isinstance(raw, dict):
        errors.add("not_object", path)
        return None
    _unknown(raw, {"id", "text"}, path, errors)
    text = _texts(raw.get("text"), f"{path}.text", errors)
    if text is None:
        return None
    prompt_id = raw.get("id")
    if prompt_id is None:  # a prompt an admin added: named by its words, so uploading the same file twice is stable
        digest = hashlib.sha256(json.dumps(text, sort_keys=True).encode()).hexdigest()[:10]
        prompt_id = f"{format}-{stage}-{digest}"
    if not isinstance(prompt_id, str) or not _ID.match(prompt_id):
        errors.add("bad_id", f"{path}.id")
        return None
    if prompt_id in seen:
        errors.add("duplicate_id", f"{path}.id", id=prompt_id)
        return None
    seen.add(prompt_id)
    return ScriptPrompt(id=prompt_id, text=text)


def _texts(raw: object, path: str, errors: _Errors) -> dict[str, str] | None:
    """{"en": ..., "id": ...}: both languages, no others, each non-empty and within MAX_TEXT."""
    if not isinstance(raw, dict):
        errors.add("needs_languages", path, languages=", ".join(LOCALES))
        return None
    _unknown(raw, set(LOCALES), path, errors)
    cleaned: dict[str, str] = {}
    for locale in LOCALES:
        value = raw.get(locale)
        if not isinstance(value, str) or not value.strip():
            errors.add("empty_text", f"{path}.{locale}")
        elif len(value.strip()) > MAX_TEXT:
            errors.add("text_too_long", f"{path}.{locale}", limit=MAX_TEXT)
        else:
            cleaned[locale] = " ".join(value.split())
    return cleaned if len(cleaned) == len(LOCALES) else None


def _unknown(raw: dict[str, Any], known: set[str], path: str, errors: _Errors) -> None:
    for key in raw:
        if key not in known:
            errors.add("unknown_key", f"{path}.{key}", known=", ".join(sorted(known)))


class _Duplicate(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # json keeps the last of two equal keys silently: an admin's second "prompts" would hide the first.
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _Duplicate(key)
        seen.add(key)
    return dict(pairs)
