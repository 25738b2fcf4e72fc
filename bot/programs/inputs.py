"""One input per program setting, for `program create` and each `program edit` section, prefilled with a value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.kernel.availability import COMMON_ZONES
from bot.kernel.events import FormValue
from bot.kernel.i18n import Translator
from bot.kernel.messages import DateInput, Input, Number, Option, Select, TextInput
from storage.tables import Cadence, ModeratorMode, Participation, Program, ProgramFormat, ThemeMode

PAIR_MATCHING = ["shortlist", "direct"]
FLAGS = ("exclude_same_team", "org_fields_editable", "checkins_by_dm")  # yes / no
DATES = ("enrollment_opens", "enrollment_closes", "start_date")
# (low, high) of every whole-number setting; k_anonymity's low is the deployment's K (raise it, never lower it).
NUMBERS: dict[str, tuple[int, int]] = {
    "weeks": (1, 52), "size_min": (2, 20), "size_target": (2, 20), "size_max": (2, 20),
    "pair_response_hours": (1, 336), "max_theme_votes": (1, 10), "pair_cooldown_days": (0, 730),
    "seats": (0, 10_000), "invite_new_within_days": (0, 365), "pulse_every_weeks": (0, 52), "k_anonymity": (2, 50),
}


def _options(t: Translator, prefix: str, values: list[str]) -> tuple[Option, ...]:
    return tuple(Option(t(f"{prefix}.{v}"), v) for v in values)


def _yes_no(t: Translator) -> tuple[Option, ...]:
    return Option(t("common.no"), "no"), Option(t("common.yes"), "yes")


def _select(prefix: str, values: list[str]) -> Callable[[Translator, str, str], Input]:
    return lambda t, name, v: Select(name, label_of(t, name), _options(t, prefix, values), initial=v)


def _label(t: Translator, name: str) -> str:
    """Settings `program create` always had keep their labels; the newer ones live in intake.po."""
    return t(f"{'intake' if name in NEWER else 'program'}.form.{name}")


def label_of(t: Translator, name: str) -> str:
    return t(LABEL_KEYS[name]) if name in LABEL_KEYS else _label(t, name)


NEWER = {"enrollment_opens", "max_theme_votes", "pair_cooldown_days", "seats", "invite_new_within_days",
         "org_fields_editable", "k_anonymity", "pulse_every_weeks", "checkins_by_dm"}
LABEL_KEYS = {"meeting_weekday": "program.form.weekday", "meeting_time": "program.form.time",
              "timezone": "profile.timezone"}

_TEXTS: dict[str, tuple[int, bool]] = {  # max length, multiline
    "name": (120, False), "goal": (1000, True), "video_link": (500, False), "rules_frequency": (200, False),
    "rules_duration": (200, False), "rules_topics": (1000, True), "meeting_time": (5, False),
}
_OPTIONAL = {"video_link", "rules_frequency", "rules_duration", "rules_topics", "enrollment_opens",
             "enrollment_closes", "k_anonymity"}
_SELECTS: dict[str, Callable[[Translator, str, str], Input]] = {
    "format": _select("format", [f.value for f in ProgramFormat]),
    "cadence": _select("cadence", [c.value for c in Cadence]),
    "moderator_mode": _select("moderator_mode", [m.value for m in ModeratorMode]),
    "participation": _select("participation", [p.value for p in Participation]),
    "theme_mode": _select("theme_mode", [m.value for m in ThemeMode]),
    "pair_matching": _select("pair_matching", PAIR_MATCHING),
}


def field_input(t: Translator, name: str, value: str) -> Input:
    """The input for setting `name`, showing `value` (as values_of writes it)."""
    label = label_of(t, name)
    optional = name in _OPTIONAL
    if name in _SELECTS:
        return _SELECTS[name](t, name, value)
    if name in FLAGS:
        return Select(name, label, _yes_no(t), initial=value or "no")
    if name == "meeting_weekday":
        return Select(name, label, tuple(Option(t(f"weekday.{d}"), str(d)) for d in range(7)), initial=value)
    if name == "timezone":
        zones = COMMON_ZONES if value in COMMON_ZONES else (value, *COMMON_ZONES)
        return Select(name, label, tuple(Option(z, z) for z in zones), initial=value)
    if name in DATES:
        return DateInput(name, label, initial=date.fromisoformat(value) if value else None, optional=optional)
    if name in NUMBERS:
        low, high = NUMBERS[name]
        return Number(name, label, initial=int(value) if value else None, min_value=low, max_value=high,
                      optional=optional)
    limit, multiline = _TEXTS[name]
    hint = t("program.form.goal_hint") if name == "goal" else ""
    return TextInput(name, label, initial=value, multiline=multiline, optional=optional, max_length=limit,
                     placeholder=hint)


def inputs(t: Translator, names: tuple[str, ...], values: dict[str, FormValue]) -> tuple[Input, ...]:
    return tuple(field_input(t, name, _plain(values.get(name))) for name in names)


def _plain(value: FormValue) -> str:
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""


def values_of(program: Program) -> dict[str, FormValue]:
    """Every setting as a form would send it back: what `program edit` validates the changed section against."""
    values: dict[str, FormValue] = {}
    for name in SETTINGS:
        value = getattr(program, name)
        if name in FLAGS:
            values[name] = "yes" if value else "no"
        elif value is None:
            values[name] = ""
        elif isinstance(value, date):
            values[name] = value.isoformat()
        else:
            values[name] = str(value)
    return values


SETTINGS: tuple[str, ...] = (
    "name", "goal", "format", "video_link", "rules_frequency", "rules_duration", "rules_topics",
    "enrollment_opens", "enrollment_closes", "participation", "seats", "invite_new_within_days",
    "org_fields_editable", "start_date", "weeks", "cadence", "meeting_weekday", "meeting_time", "timezone",
    "size_min", "size_target", "size_max", "moderator_mode", "theme_mode", "max_theme_votes", "pair_matching",
    "pair_response_hours", "pair_cooldown_days", "exclude_same_team", "k_anonymity", "pulse_every_weeks",
    "checkins_by_dm",
)
