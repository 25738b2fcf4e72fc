"""The `program create` form, and the one validation of every setting (create and each `program edit` section):
all fields at once, before anything is saved."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import available_timezones

from bot.kernel.events import FormValue
from bot.kernel.i18n import Translator
from bot.kernel.messages import Form, Select
from bot.programs.inputs import NUMBERS, PAIR_MATCHING, inputs, values_of
from storage.tables import Cadence, ModeratorMode, Participation, Program, ProgramFormat, ThemeMode

PROGRAM_FORM = "program.create"
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
# What `program create` asks, per format: only what that format uses, each field prefilled with its default (a
# setting not asked keeps its default too, and changes with `program edit`). A circles program has no format field
# (a missing format reads as circles); the pair formats share theirs.
_COMMON = ("name", "goal", "enrollment_opens", "enrollment_closes", "start_date", "weeks", "cadence",
           "meeting_weekday", "meeting_time", "timezone", "participation")
_RULES = ("video_link", "rules_frequency", "rules_duration", "rules_topics")
CIRCLE_FIELDS: tuple[str, ...] = (*_COMMON, "size_min", "size_target", "size_max", "moderator_mode", "theme_mode",
                                  *_RULES)
PAIR_FIELDS: tuple[str, ...] = ("format", *_COMMON, "pair_matching", "pair_response_hours", "exclude_same_team",
                                *_RULES)
PAIR_FORMATS = (ProgramFormat.ONE_ON_ONE, ProgramFormat.PEER, ProgramFormat.REVERSE)
# What `program create <format>` understands besides the format's own name (English and Indonesian).
FORMAT_WORDS = {"1on1": ProgramFormat.ONE_ON_ONE, "1-on-1": ProgramFormat.ONE_ON_ONE, "pairs": ProgramFormat.ONE_ON_ONE,
                "pasangan": ProgramFormat.ONE_ON_ONE, "lingkaran": ProgramFormat.CIRCLES,
                "sebaya": ProgramFormat.PEER, "terbalik": ProgramFormat.REVERSE}


def requested_format(args: str) -> ProgramFormat | None:
    """`program create [format]`: circles when nothing is said, None for a word that names no format."""
    word = args.strip().lower()
    if not word:
        return ProgramFormat.CIRCLES
    if word in {f.value for f in ProgramFormat}:
        return ProgramFormat(word)
    return FORMAT_WORDS.get(word)


def program_form(t: Translator, *, today: date, announce_here: str = "",
                 program_format: ProgramFormat = ProgramFormat.CIRCLES) -> Form:
    defaults = values_of(Program(workspace_id=0, name="", slug="", start_date=today, format=program_format,
                                 created_at=datetime.combine(today, time(), tzinfo=UTC)))
    pairs = program_format in PAIR_FORMATS
    fields = inputs(t, PAIR_FIELDS if pairs else CIRCLE_FIELDS, defaults)
    if pairs:  # the pair formats only: circles are their own form
        first = fields[0]
        assert isinstance(first, Select)
        fields = (replace(first, options=tuple(o for o in first.options if o.value in PAIR_FORMATS)), *fields[1:])
    intro = "\n".join([t("program.form.intro"), t(f"program_create.intro.{'pairs' if pairs else 'circles'}")])
    return Form(form_id=PROGRAM_FORM, title=t("program.form.title"), submit=t("program.form.submit"), intro=intro,
                state=announce_here, inputs=fields)


def _text(values: dict[str, FormValue], name: str) -> str:
    value = values.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return (value or "").strip()


class _Reader:
    """Collects every field's error so the member sees them all at once."""

    def __init__(self, t: Translator, values: dict[str, FormValue]) -> None:
        self.t = t
        self.values = values
        self.errors: dict[str, str] = {}

    def text(self, name: str, *, required: bool = False, limit: int = 200) -> str:
        value = _text(self.values, name)
        if required and not value:
            self.errors[name] = self.t("profile.error.required")
        elif len(value) > limit:
            self.errors[name] = self.t("profile.error.too_long", limit=limit)
        return value

    def choice(self, name: str, allowed: list[str], default: str) -> str:
        value = _text(self.values, name) or default
        if value not in allowed:
            self.errors[name] = self.t("profile.error.choice")
        return value

    def number(self, name: str, *, low: int, high: int, default: int) -> int:
        raw = _text(self.values, name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.errors[name] = self.t("program.error.number", low=low, high=high)
            return default
        if not low <= value <= high:
            self.errors[name] = self.t("program.error.number", low=low, high=high)
        return value

    def day(self, name: str, *, required: bool) -> date | None:
        raw = _text(self.values, name)
        if not raw:
            if required:
                self.errors[name] = self.t("profile.error.required")
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = self.t("program.error.date")
            return None


def _settings(r: _Reader, *, k_floor: int) -> dict[str, object]:
    def number(name: str, default: int, low: int | None = None) -> int:
        bottom, high = NUMBERS[name]
        return r.number(name, low=bottom if low is None else low, high=high, default=default)

    k_raw = _text(r.values, "k_anonymity")
    return {
        "name": r.text("name", required=True, limit=120),
        "goal": r.text("goal", required=True, limit=1000),
        "format": r.choice("format", [f.value for f in ProgramFormat], ProgramFormat.CIRCLES),
        "enrollment_opens": r.day("enrollment_opens", required=False),
        "enrollment_closes": r.day("enrollment_closes", required=False),
        "start_date": r.day("start_date", required=True),
        "weeks": number("weeks", 12),
        "cadence": r.choice("cadence", [c.value for c in Cadence], Cadence.WEEKLY),
        "meeting_weekday": int(r.choice("meeting_weekday", [str(d) for d in range(7)], "2")),
        "timezone": r.choice("timezone", sorted(available_timezones()), "Asia/Jakarta"),
        "size_min": number("size_min", 4),
        "size_target": number("size_target", 6),
        "size_max": number("size_max", 8),
        "moderator_mode": r.choice("moderator_mode", [m.value for m in ModeratorMode], ModeratorMode.ELECTED),
        "participation": r.choice("participation", [p.value for p in Participation], Participation.VOLUNTARY),
        "theme_mode": r.choice("theme_mode", [m.value for m in ThemeMode], ThemeMode.EMPLOYEE_VOTED),
        "max_theme_votes": number("max_theme_votes", 3),
        "video_link": r.text("video_link", limit=500),
        "rules_frequency": r.text("rules_frequency"),
        "rules_duration": r.text("rules_duration"),
        "rules_topics": r.text("rules_topics", limit=1000),
        "pair_matching": r.choice("pair_matching", PAIR_MATCHING, "shortlist"),
        "pair_response_hours": number("pair_response_hours", 48),
        "pair_cooldown_days": number("pair_cooldown_days", 180),
        "exclude_same_team": r.choice("exclude_same_team", ["yes", "no"], "no") == "yes",
        "seats": number("seats", 0),
        "invite_new_within_days": number("invite_new_within_days", 0),
        "org_fields_editable": r.choice("org_fields_editable", ["yes", "no"], "no") == "yes",
        # Feedback is shown from K answers; a program may ask for more than the deployment's K, never fewer.
        "k_anonymity": number("k_anonymity", k_floor, low=max(k_floor, NUMBERS["k_anonymity"][0])) if k_raw
        else None,
        "pulse_every_weeks": number("pulse_every_weeks", 4),
        "checkins_by_dm": r.choice("checkins_by_dm", ["yes", "no"], "no") == "yes",
    }


def _dates(t: Translator, fields: dict[str, object], errors: dict[str, str], *, today: date,
           before: Program | None) -> None:
    """A new date may not be in the past (one kept from before may be: the program started); enrollment opens,
    closes, then the program starts."""
    opens, closes, start = fields["enrollment_opens"], fields["enrollment_closes"], fields["start_date"]
    for name, day in (("start_date", start), ("enrollment_opens", opens), ("enrollment_closes", closes)):
        changed = before is None or getattr(before, name) != day
        if isinstance(day, date) and day < today and changed and name not in errors:
            errors[name] = t("program.error.past" if name == "start_date" else "intake.error.past")
    if isinstance(start, date) and isinstance(closes, date) and closes > start:
        errors.setdefault("enrollment_closes", t("program.error.closes_after_start"))
    if isinstance(opens, date) and isinstance(closes, date) and opens > closes:
        errors.setdefault("enrollment_opens", t("intake.error.opens_after_closes"))
    if isinstance(opens, date) and isinstance(start, date) and opens > start:
        errors.setdefault("enrollment_opens", t("intake.error.opens_after_start"))


def read_program(
    t: Translator, values: dict[str, FormValue], *, today: date, before: Program | None = None, k_floor: int = 2,
) -> tuple[dict[str, object], dict[str, str]]:
    """Returns the Program fields, or the errors per field (and then nothing is saved). `before`: the program as it
    is, when `program edit` validates a changed section together with every other current value."""
    r = _Reader(t, values)
    fields = _settings(r, k_floor=k_floor)
    match = TIME.match(_text(values, "meeting_time") or "10:00")
    if match is None:
        r.errors["meeting_time"] = t("program.error.time")
    else:
        fields["meeting_time"] = f"{int(match.group(1)):02d}:{match.group(2)}"
    if not r.errors.keys() & {"size_min", "size_target", "size_max"} and not (
        int(fields["size_min"]) <= int(fields["size_target"]) <= int(fields["size_max"])  # type: ignore[call-overload]
    ):
        r.errors["size_target"] = t("program.error.sizes")
    link = str(fields["video_link"])
    if link and not link.startswith(("https://", "http://")):
        r.errors["video_link"] = t("program.error.link")
    if fields["theme_mode"] == ThemeMode.SELF_SELECT and fields["format"] != ProgramFormat.CIRCLES:
        r.errors["theme_mode"] = t("intake.error.self_select_pairs")
    _dates(t, fields, r.errors, today=today, before=before)
    return fields, r.errors


def apply_fields(program: Program, fields: dict[str, object]) -> None:
    for name, value in fields.items():
        setattr(program, name, value)
