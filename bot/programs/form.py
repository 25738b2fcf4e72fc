"""The `program create` form: every setting a program needs, validated all at once before anything is saved."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import available_timezones

from bot.kernel.availability import COMMON_ZONES
from bot.kernel.events import FormValue
from bot.kernel.i18n import Translator
from bot.kernel.messages import DateInput, Form, Number, Option, Select, TextInput
from storage.tables import Cadence, ModeratorMode, Participation, Program, ProgramFormat, ThemeMode

PROGRAM_FORM = "program.create"
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def _options(t: Translator, prefix: str, values: list[str]) -> tuple[Option, ...]:
    return tuple(Option(t(f"{prefix}.{v}"), v) for v in values)


def program_form(t: Translator, *, today: date, announce_here: str = "") -> Form:
    return Form(
        form_id=PROGRAM_FORM, title=t("program.form.title"), submit=t("program.form.submit"),
        intro=t("program.form.intro"), state=announce_here,
        inputs=(
            TextInput("name", t("program.form.name"), max_length=120),
            TextInput("goal", t("program.form.goal"), multiline=True, max_length=1000,
                      placeholder=t("program.form.goal_hint")),
            Select("format", t("program.form.format"), _options(t, "format", [f.value for f in ProgramFormat]),
                   initial=ProgramFormat.CIRCLES),
            DateInput("enrollment_closes", t("program.form.enrollment_closes"), optional=True),
            DateInput("start_date", t("program.form.start_date"), initial=today),
            Number("weeks", t("program.form.weeks"), initial=12, min_value=1, max_value=52),
            Select("cadence", t("program.form.cadence"), _options(t, "cadence", [c.value for c in Cadence]),
                   initial=Cadence.WEEKLY),
            Select("meeting_weekday", t("program.form.weekday"),
                   tuple(Option(t(f"weekday.{d}"), str(d)) for d in range(7)), initial="2"),
            TextInput("meeting_time", t("program.form.time"), initial="10:00", max_length=5),
            Select("timezone", t("profile.timezone"), tuple(Option(z, z) for z in COMMON_ZONES),
                   initial="Asia/Jakarta"),
            Number("size_min", t("program.form.size_min"), initial=4, min_value=2, max_value=20),
            Number("size_target", t("program.form.size_target"), initial=6, min_value=2, max_value=20),
            Number("size_max", t("program.form.size_max"), initial=8, min_value=2, max_value=20),
            Select("moderator_mode", t("program.form.moderator_mode"),
                   _options(t, "moderator_mode", [m.value for m in ModeratorMode]), initial=ModeratorMode.ELECTED),
            Select("participation", t("program.form.participation"),
                   _options(t, "participation", [p.value for p in Participation]), initial=Participation.VOLUNTARY),
            Select("theme_mode", t("program.form.theme_mode"),
                   _options(t, "theme_mode", [m.value for m in ThemeMode]), initial=ThemeMode.EMPLOYEE_VOTED),
            TextInput("video_link", t("program.form.video_link"), optional=True, max_length=500),
            TextInput("rules_frequency", t("program.form.rules_frequency"), optional=True, max_length=200),
            TextInput("rules_duration", t("program.form.rules_duration"), optional=True, max_length=200),
            TextInput("rules_topics", t("program.form.rules_topics"), optional=True, multiline=True,
                      max_length=1000),
            Select("pair_matching", t("program.form.pair_matching"),
                   _options(t, "pair_matching", ["shortlist", "direct"]), initial="shortlist"),
            Number("pair_response_hours", t("program.form.pair_response_hours"), initial=48, min_value=1,
                   max_value=336),
            Select("exclude_same_team", t("program.form.exclude_same_team"),
                   (Option(t("common.no"), "no"), Option(t("common.yes"), "yes")), initial="no"),
        ),
    )


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


def read_program(
    t: Translator, values: dict[str, FormValue], *, today: date
) -> tuple[dict[str, object], dict[str, str]]:
    """Returns the Program fields, or the errors per field (and then nothing is saved)."""
    r = _Reader(t, values)
    fields: dict[str, object] = {
        "name": r.text("name", required=True, limit=120),
        "goal": r.text("goal", required=True, limit=1000),
        "format": r.choice("format", [f.value for f in ProgramFormat], ProgramFormat.CIRCLES),
        "enrollment_closes": r.day("enrollment_closes", required=False),
        "start_date": r.day("start_date", required=True),
        "weeks": r.number("weeks", low=1, high=52, default=12),
        "cadence": r.choice("cadence", [c.value for c in Cadence], Cadence.WEEKLY),
        "meeting_weekday": int(r.choice("meeting_weekday", [str(d) for d in range(7)], "2")),
        "timezone": r.choice("timezone", sorted(available_timezones()), "Asia/Jakarta"),
        "size_min": r.number("size_min", low=2, high=20, default=4),
        "size_target": r.number("size_target", low=2, high=20, default=6),
        "size_max": r.number("size_max", low=2, high=20, default=8),
        "moderator_mode": r.choice("moderator_mode", [m.value for m in ModeratorMode], ModeratorMode.ELECTED),
        "participation": r.choice("participation", [p.value for p in Participation], Participation.VOLUNTARY),
        "theme_mode": r.choice("theme_mode", [m.value for m in ThemeMode], ThemeMode.EMPLOYEE_VOTED),
        "video_link": r.text("video_link", limit=500),
        "rules_frequency": r.text("rules_frequency"),
        "rules_duration": r.text("rules_duration"),
        "rules_topics": r.text("rules_topics", limit=1000),
        "pair_matching": r.choice("pair_matching", ["shortlist", "direct"], "shortlist"),
        "pair_response_hours": r.number("pair_response_hours", low=1, high=336, default=48),
        "exclude_same_team": r.choice("exclude_same_team", ["yes", "no"], "no") == "yes",
    }
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
    start, closes = fields["start_date"], fields["enrollment_closes"]
    if isinstance(start, date) and start < today:
        r.errors["start_date"] = t("program.error.past")
    if isinstance(start, date) and isinstance(closes, date) and closes > start:
        r.errors["enrollment_closes"] = t("program.error.closes_after_start")
    return fields, r.errors


def apply_fields(program: Program, fields: dict[str, object]) -> None:
    for name, value in fields.items():
        setattr(program, name, value)
