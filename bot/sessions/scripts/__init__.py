"""A script per program: which stage each session belongs to, and per stage its prompts, check-in emphasis and a
line of guidance for the moderator or mentor (docs/scripts.md).

Each format's default lives in bot/sessions/scripts/<format>.json, loaded and validated once; a program's own
script (Program.script, {} = the default) is an admin's edited copy, validated by the same parser when uploaded.
Sessions take their stage from `stage_of`, their times still from bot/kernel/calendar: a per-circle or per-pair
schedule replaces the times without touching the stages.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection, Sequence
from functools import cache
from importlib import resources

from bot.sessions.prompt_library import Prompt, families, prompts_for
from bot.sessions.scripts.model import (
    STAGES,
    Script,
    ScriptError,
    ScriptPrompt,
    StageScript,
    parse,
    parse_bytes,
)
from storage.tables import Program, ProgramFormat

__all__ = [
    "STAGES",
    "Script",
    "ScriptError",
    "ScriptPrompt",
    "StageScript",
    "checkin_question",
    "default_script",
    "known_prompt",
    "next_stage_prompt",
    "parse",
    "parse_bytes",
    "prompt_by_id",
    "script_for",
    "stage_of",
    "stages_for",
]

log = logging.getLogger(__name__)
_PACKAGE = "bot.sessions.scripts"


class ScriptDataError(ValueError):
    """A default script file is malformed: a packaging or authoring bug, never a user error."""


def stage_of(index: int, count: int) -> str:
    """The stage of session `index` (0-based) of `count`: the first orients, the second sets goals, the middle one
    reviews, the last reflects and closes, the rest implement. Short programs keep the ends: one session orients,
    two are orientation and closing, three add goal setting."""
    last = count - 1
    if index <= 0:
        return "orientation"
    if index >= last:
        return "reflection_closing"
    if index == 1:
        return "goal_setting"
    if index == count // 2:
        return "midpoint_review"
    return "implementation"


def stages_for(count: int) -> list[str]:
    return [stage_of(i, count) for i in range(count)]


@cache
def default_script(format: str) -> Script:
    name = f"{format}.json"
    source = resources.files(_PACKAGE) / name
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError) as exc:
        raise ScriptDataError(f"{name}: {exc}") from exc
    script, errors = parse(raw, format=format)
    if script is None:
        raise ScriptDataError(f"{name}: " + "; ".join(f"{e.path}: {e.code} {e.params}" for e in errors))
    return script


def script_for(program: Program) -> Script:
    """The program's script: the admin's own when saved, else its format's default."""
    if program.script:
        script, errors = parse(program.script, format=str(program.format))
        if script is not None:
            return script
        # Saved scripts passed this parser when uploaded; a later, stricter parser must not stop the sessions.
        log.warning("program %s: saved script no longer valid (%d errors); using the default", program.id,
                    len(errors))
    return default_script(str(program.format))


def checkin_question(program: Program, stage: str, locale: str) -> str | None:
    """The stage's check-in emphasis in the reader's language (the check-in form asks it instead of the general
    progress question), or None when the stage has none."""
    texts = script_for(program).stage(stage).checkin
    if not texts:
        return None
    return texts.get(locale) or texts.get("en") or None


def next_stage_prompt(script: Script, stage: str, *, used_ids: Collection[str], seed: int,
                      fallback: str | None) -> ScriptPrompt | Prompt | None:
    """The session's prompt: the stage's own in the script's order, then (when a long stage used them all) the
    implementation prompts, then the `fallback` library family in a fixed shuffle per seed. Never one in
    `used_ids`; None when nothing is left."""
    used = frozenset(used_ids)
    for candidate in _candidates(script, stage):
        if candidate.id not in used:
            return candidate
    if fallback is not None:
        for prompt in _shuffled(prompts_for(family=fallback), seed=seed):
            if prompt.id not in used:
                return prompt
    return None


def _candidates(script: Script, stage: str) -> Sequence[ScriptPrompt]:
    own = script.stage(stage).prompts
    return own if stage == "implementation" else own + script.stage("implementation").prompts


def _shuffled(prompts: Sequence[Prompt], *, seed: int) -> list[Prompt]:
    # Sorted by a hash of seed and id, as the library does: two circles on one theme take different paths.
    return sorted(prompts, key=lambda p: (p.family.startswith("generic"),
                                          hashlib.sha256(f"{seed}:{p.id}".encode()).digest()))


def prompt_by_id(program: Program, prompt_id: str) -> ScriptPrompt | Prompt | None:
    """A stored prompt id's text: the program's script, then its format's default (a prompt an admin removed after
    it was chosen), then the theme library (fallbacks, and prompts chosen before scripts existed)."""
    for script in (script_for(program), default_script(str(program.format))):
        found = script.prompts().get(prompt_id)
        if found is not None:
            return found
    return _library().get(prompt_id)


def known_prompt(prompt_id: str) -> ScriptPrompt | Prompt | None:
    """A prompt id's text without its program: the default scripts, then the library."""
    for format in ProgramFormat:
        found = default_script(str(format)).prompts().get(prompt_id)
        if found is not None:
            return found
    return _library().get(prompt_id)


@cache
def _library() -> dict[str, Prompt]:
    return {p.id: p for family in families() for p in prompts_for(family=family)}
