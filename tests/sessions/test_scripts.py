"""Default scripts: valid data, stages by session, prompt choice by stage without repeats, and the parser's errors."""

from __future__ import annotations

import json

import pytest

from bot.sessions.scripts import (
    STAGES,
    default_script,
    next_stage_prompt,
    parse,
    parse_bytes,
    stages_for,
)
from bot.sessions.scripts.model import MAX_BYTES

FORMATS = ("circles", "one_on_one", "peer", "reverse")


def test_stages_for_four_eight_and_twelve_sessions() -> None:
    assert stages_for(4) == ["orientation", "goal_setting", "midpoint_review", "reflection_closing"]
    assert stages_for(8) == ["orientation", "goal_setting", "implementation", "implementation", "midpoint_review",
                             "implementation", "implementation", "reflection_closing"]
    twelve = stages_for(12)
    assert twelve[:2] == ["orientation", "goal_setting"] and twelve[-1] == "reflection_closing"
    assert twelve.index("midpoint_review") == 6 and twelve.count("midpoint_review") == 1
    assert twelve.count("implementation") == 8
    assert stages_for(1) == ["orientation"] and stages_for(2) == ["orientation", "reflection_closing"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_default_script_has_every_stage_in_both_languages(fmt: str) -> None:
    script = default_script(fmt)
    assert tuple(script.stages) == STAGES
    for stage in script.stages.values():
        assert stage.prompts and stage.guidance["en"] and stage.guidance["id"]
        assert all(p.text["en"] and p.text["id"] and p.text["en"] != p.text["id"] for p in stage.prompts)
    assert parse(json.loads(json.dumps(script.to_json())), format=fmt) == (script, [])


def test_reverse_orientation_speaks_to_its_roles() -> None:
    orientation = default_script("reverse").stage("orientation")
    first = orientation.prompts[0]
    assert "Junior mentor" in first.text["en"] and "Senior mentee" in first.text["en"]
    assert "Mentor junior" in first.text["id"] and "Mentee senior" in first.text["id"]
    assert "learned so far" not in " ".join(p.text["en"] for p in orientation.prompts)


@pytest.mark.parametrize(("fmt", "fallback"), [("circles", "leadership"), ("reverse", "pair_reverse"),
                                               ("peer", "pair_peer"), ("one_on_one", "pair_one_on_one")])
def test_a_whole_program_never_repeats_and_each_session_starts_from_its_stage(fmt: str, fallback: str) -> None:
    script = default_script(fmt)
    used: list[str] = []
    for stage in stages_for(12):
        prompt = next_stage_prompt(script, stage, used_ids=used, seed=7, fallback=fallback)
        assert prompt is not None
        if stage != "implementation":  # once in the program: the stage's first prompt
            assert prompt.id == script.stage(stage).prompts[0].id
        used.append(prompt.id)
    assert len(set(used)) == 12


def _valid(fmt: str = "peer") -> dict[str, object]:
    return default_script(fmt).to_json()


def _codes(raw: object, fmt: str = "peer") -> list[tuple[str, str]]:
    script, errors = parse(raw, format=fmt)
    assert script is None
    return [(e.path, e.code) for e in errors]


def test_parse_reports_every_error_with_its_path() -> None:
    raw = _valid()
    stages = raw["stages"]
    assert isinstance(stages, dict)
    del stages["midpoint_review"]
    stages["warmup"] = {}
    stages["orientation"]["prompts"][0]["text"] = {"en": "Only English"}
    stages["orientation"]["colour"] = "red"
    stages["goal_setting"]["prompts"] = []
    stages["implementation"]["prompts"][1]["id"] = stages["implementation"]["prompts"][0]["id"]
    raw["format"] = "reverse"
    assert sorted(_codes(raw)) == sorted([
        ("$.format", "wrong_format"),
        ("$.stages.warmup", "unknown_stage"),
        ("$.stages.midpoint_review", "missing"),
        ("$.stages.orientation.colour", "unknown_key"),
        ("$.stages.orientation.prompts[0].text.id", "empty_text"),
        ("$.stages.goal_setting.prompts", "no_prompts"),
        ("$.stages.implementation.prompts[1].id", "duplicate_id"),
    ])


def test_parse_bytes_refuses_size_syntax_and_duplicate_keys() -> None:
    assert [e.code for e in parse_bytes(b"x" * (MAX_BYTES + 1), format="peer")[1]] == ["too_large"]
    assert [e.code for e in parse_bytes(b'{"stages": ', format="peer")[1]] == ["not_json"]
    assert [e.code for e in parse_bytes(b'{"stages": {}, "stages": {}}', format="peer")[1]] == ["duplicate_key"]
    assert [e.code for e in parse_bytes(b"\xff\xfe", format="peer")[1]] == ["not_utf8"]


def test_a_new_prompt_without_an_id_gets_a_stable_one() -> None:
    raw = _valid()
    added = {"text": {"en": "What surprised you this week?", "id": "Apa yang mengejutkan Anda minggu ini?"}}
    raw["stages"]["implementation"]["prompts"].append(added)  # type: ignore[index]
    first, errors = parse(raw, format="peer")
    again, _ = parse(json.loads(json.dumps(raw)), format="peer")
    assert first is not None and again is not None and not errors
    new_id = first.stage("implementation").prompts[-1].id
    assert new_id.startswith("peer-implementation-") and new_id == again.stage("implementation").prompts[-1].id
