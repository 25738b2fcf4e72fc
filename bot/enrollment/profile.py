"""The enrollment questionnaire: the profile form, its validation, and writing answers to the member."""

from __future__ import annotations

from zoneinfo import available_timezones

from bot.kernel.availability import COMMON_ZONES
from bot.kernel.events import FormValue
from bot.kernel.i18n import LOCALES, Translator
from bot.kernel.messages import Form, Input, Number, Option, Select, TextInput
from bot.kernel.payload import small_number
from storage.tables import Member

PROFILE_FORM = "profile"
SENIORITY_LEVELS = range(5)  # junior, mid, senior, lead/manager, executive
MAX_LIST_ITEMS = 15
MAX_ITEM_LENGTH = 60


def split_list(value: str) -> list[str]:
    """'Python, public speaking; data' -> ['python', 'public speaking', 'data'] (deduplicated, in order)."""
    items: list[str] = []
    for raw in value.replace(";", ",").replace("\n", ",").split(","):
        item = " ".join(raw.split()).lower()[:MAX_ITEM_LENGTH]
        if item and item not in items:
            items.append(item)
    return items[:MAX_LIST_ITEMS]


def profile_form(t: Translator, member: Member, *, state: str = "", extra: tuple[Input, ...] = ()) -> Form:
    zones = COMMON_ZONES if member.timezone in COMMON_ZONES else (member.timezone, *COMMON_ZONES)
    return Form(
        form_id=PROFILE_FORM,
        title=t("profile.title"),
        intro=t("profile.intro"),
        submit=t("profile.submit"),
        state=state,
        inputs=(
            TextInput("department", t("profile.department"), initial=member.department, max_length=100),
            Select("seniority", t("profile.seniority"),
                   tuple(Option(t(f"seniority.{level}"), str(level)) for level in SENIORITY_LEVELS),
                   initial=str(member.seniority)),
            TextInput("job_title", t("profile.job_title"), initial=member.job_title, optional=True, max_length=200),
            TextInput("skills_offered", t("profile.skills_offered"), initial=", ".join(member.skills_offered),
                      optional=True, multiline=True, placeholder=t("profile.list_hint")),
            TextInput("skills_wanted", t("profile.skills_wanted"), initial=", ".join(member.skills_wanted),
                      optional=True, multiline=True, placeholder=t("profile.list_hint")),
            TextInput("interests", t("profile.interests"), initial=", ".join(member.interests),
                      optional=True, multiline=True, placeholder=t("profile.list_hint")),
            Select("timezone", t("profile.timezone"), tuple(Option(z, z) for z in zones),
                   initial=member.timezone),
            Number("work_start_hour", t("profile.work_start"), initial=member.work_start_hour,
                   min_value=0, max_value=23),
            Number("work_end_hour", t("profile.work_end"), initial=member.work_end_hour,
                   min_value=0, max_value=23),
            Select("locale", t("profile.locale"), tuple(Option(t(f"locale.{code}"), code) for code in LOCALES),
                   initial=member.locale or t.locale),
            *extra,
        ),
    )


def pair_inputs(t: Translator, *, program_format: str, role: str | None, capacity: int) -> tuple[Input, ...]:
    """Pair programs also ask the role (in reverse mentoring the junior is the mentor) and a mentor's capacity."""
    return (
        Select("role", t("profile.role"), (Option(t(f"profile.role.mentor.{program_format}"), "mentor"),
                                            Option(t(f"profile.role.mentee.{program_format}"), "mentee")),
               initial=role or "mentee"),
        Number("capacity", t("profile.capacity"), initial=capacity, min_value=1, max_value=5),
    )


def read_pair_fields(t: Translator, values: dict[str, FormValue]) -> tuple[str, int, dict[str, str]]:
    errors: dict[str, str] = {}
    role = _text(values, "role") or "mentee"
    if role not in ("mentor", "mentee"):
        errors["role"] = t("profile.error.choice")
    capacity = small_number(_text(values, "capacity") or "1", low=1, high=5)
    if capacity is None:
        errors["capacity"] = t("program.error.number", low=1, high=5)
    return role, capacity or 1, errors


def _text(values: dict[str, FormValue], name: str) -> str:
    value = values.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return (value or "").strip()


def _hour(values: dict[str, FormValue], name: str, t: Translator, errors: dict[str, str]) -> int:
    raw = _text(values, name)
    try:
        hour = int(raw)
    except ValueError:
        errors[name] = t("profile.error.hour")
        return 0
    if not 0 <= hour <= 23:
        errors[name] = t("profile.error.hour")
    return hour


def apply_profile(t: Translator, member: Member, values: dict[str, FormValue]) -> dict[str, str]:
    """Validate all answers first and write nothing unless every one is valid; returns field errors."""
    errors: dict[str, str] = {}
    department = _text(values, "department")
    if not department:
        errors["department"] = t("profile.error.required")
    elif len(department) > 100:
        errors["department"] = t("profile.error.too_long", limit=100)
    seniority = small_number(_text(values, "seniority") or str(member.seniority), low=0, high=len(SENIORITY_LEVELS))
    if seniority is None or seniority not in SENIORITY_LEVELS:
        errors["seniority"] = t("profile.error.choice")
    timezone = _text(values, "timezone") or member.timezone
    if timezone not in available_timezones():
        errors["timezone"] = t("profile.error.timezone")
    start = _hour(values, "work_start_hour", t, errors)
    end = _hour(values, "work_end_hour", t, errors)
    if "work_start_hour" not in errors and "work_end_hour" not in errors and start == end:
        errors["work_end_hour"] = t("profile.error.hours_equal")
    locale = _text(values, "locale") or member.locale or t.locale
    if locale not in LOCALES:
        errors["locale"] = t("profile.error.choice")
    job_title = _text(values, "job_title")
    if len(job_title) > 200:
        errors["job_title"] = t("profile.error.too_long", limit=200)
    if errors:
        return errors
    member.department = department
    assert seniority is not None  # no errors
    member.seniority = seniority
    member.job_title = job_title
    member.skills_offered = split_list(_text(values, "skills_offered"))
    member.skills_wanted = split_list(_text(values, "skills_wanted"))
    member.interests = split_list(_text(values, "interests"))
    member.timezone = timezone
    member.work_start_hour = start
    member.work_end_hour = end
    member.locale = locale
    member.profile_completed = True
    return {}
