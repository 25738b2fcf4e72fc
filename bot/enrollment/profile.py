"""The enrollment questionnaire: the profile form, its validation, and writing answers to the member."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import available_timezones

from bot.kernel.admins import admin_ids
from bot.kernel.availability import COMMON_ZONES
from bot.kernel.context import Ctx
from bot.kernel.events import FormValue
from bot.kernel.i18n import LOCALES, Translator
from bot.kernel.messages import Form, Input, Number, Option, Select, TextInput
from bot.kernel.payload import small_number
from storage.tables import EnrollmentStatus, Member, Program, ProgramState

PROFILE_FORM = "profile"
SENIORITY_LEVELS = range(5)  # junior, mid, senior, lead/manager, executive
MAX_LIST_ITEMS = 15
MAX_ITEM_LENGTH = 60
ORG_TEXT_MAX = 100  # Member.department, Member.team
ASK_ADMINS = 3  # admins named as whom to ask about org fields
MAX_HOPES = 1000  # Enrollment.hopes


@dataclass(frozen=True)
class OrgView:
    """What the org import set on the member, and whether a program of theirs lets them correct it.

    Imported values win: department and seniority stay questionnaire answers until an import sets them; team only
    an import or a program with org_fields_editable sets, since a typed team would let anyone step around the
    same-team exclusion. Manager and start date are never the member's to edit."""

    imported: frozenset[str] = frozenset()  # of department, team, seniority: what their org record set
    editable: bool = False  # one of their programs (or the one they are joining) has org_fields_editable
    manager: str = ""  # the manager's name, or the address as imported while nobody knows whose it is
    admins: str = ""  # whom to ask, by name

    def can_edit(self, name: str) -> bool:
        if self.editable:
            return name in ("department", "team", "seniority")
        return name in ("department", "seniority") and name not in self.imported


NO_ORG = OrgView()  # no import applies to them: the questionnaire as it always was
_MEMBER_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED, EnrollmentStatus.INVITED)


async def _programs_allow(ctx: Ctx, joining: Program | None) -> bool:
    if joining is not None and joining.org_fields_editable:
        return True
    for enrollment in await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        if enrollment.status not in _MEMBER_STATUSES:
            continue
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        if program is not None and program.state != ProgramState.CLOSED and program.org_fields_editable:
            return True
    return False


async def _name_of(ctx: Ctx, external_id: str) -> str:
    member = await ctx.uow.members.by_external_id(workspace_id=ctx.workspace_id, external_id=external_id)
    return member.name if member is not None and not member.erased else external_id


async def org_view(ctx: Ctx, joining: Program | None = None) -> OrgView:
    """The acting member's org view, read before the profile form opens and again when it is submitted (a forged
    answer for a field the form did not show changes nothing)."""
    record = await ctx.uow.org.for_member(workspace_id=ctx.workspace_id, external_id=ctx.member.external_id)
    imported = frozenset(f for f in ("department", "team", "seniority")
                         if record is not None and getattr(record, f) not in ("", None))
    manager_id = ctx.member.manager_external_id
    manager = await _name_of(ctx, manager_id) if manager_id else (record.manager if record is not None else "")
    admins = [await _name_of(ctx, admin) for admin in (await admin_ids(ctx))[:ASK_ADMINS]]
    return OrgView(imported=imported, editable=await _programs_allow(ctx, joining), manager=manager,
                   admins=", ".join(admins))


def org_lines(t: Translator, member: Member, org: OrgView) -> list[str]:
    """The org fields the form does not let them edit, read-only, with whom to ask."""
    fields: list[tuple[str, str]] = []
    if member.department and not org.can_edit("department"):
        fields.append((t("org.column.department"), member.department))
    if member.team and not org.can_edit("team"):
        fields.append((t("org.column.team"), member.team))
    if "seniority" in org.imported and not org.can_edit("seniority"):
        fields.append((t("org.column.seniority"), t(f"seniority.{member.seniority}")))
    if org.manager:
        fields.append((t("org.column.manager"), org.manager))
    if member.start_date is not None:
        fields.append((t("org.column.start_date"), member.start_date.isoformat()))
    shown = " · ".join(f"{label}: {value}" for label, value in fields)
    lines = [t("org.profile.records", fields=shown)] if fields else []
    if org.editable and org.imported:
        lines.append(t("org.profile.editable"))
    elif fields:
        lines.append(t("org.profile.ask", admins=org.admins or t("org.profile.ask_anyone")))
    return lines


def profile_line(t: Translator, member: Member) -> str:
    """One line for summaries: department / team · seniority · time zone and hours."""
    where = " / ".join(part for part in (member.department, member.team) if part)
    hours = f"{member.work_start_hour:02d}-{member.work_end_hour:02d}"
    return f"{where} · {t(f'seniority.{member.seniority}')} · {member.timezone} {hours}"


def split_list(value: str) -> list[str]:
    """'Python, SQL; python' -> ['Python', 'SQL'] (as typed, so the profile shows them so; deduplicated regardless
    of case, in order). Matching compares them case-insensitively."""
    items: list[str] = []
    for raw in value.replace(";", ",").replace("\n", ",").split(","):
        item = " ".join(raw.split())[:MAX_ITEM_LENGTH]
        if item and item.casefold() not in {i.casefold() for i in items}:
            items.append(item)
    return items[:MAX_LIST_ITEMS]


def _org_inputs(t: Translator, member: Member, org: OrgView) -> tuple[Input, ...]:
    inputs: list[Input] = []
    if org.can_edit("department"):
        inputs.append(TextInput("department", t("profile.department"), initial=member.department,
                                max_length=ORG_TEXT_MAX))
    if org.can_edit("team"):
        inputs.append(TextInput("team", t("org.column.team"), initial=member.team, optional=True,
                                max_length=ORG_TEXT_MAX, placeholder=t("org.profile.team_hint")))
    if org.can_edit("seniority"):
        inputs.append(Select("seniority", t("profile.seniority"),
                             tuple(Option(t(f"seniority.{level}"), str(level)) for level in SENIORITY_LEVELS),
                             initial=str(member.seniority)))
    return tuple(inputs)


def profile_form(t: Translator, member: Member, *, state: str = "", extra: tuple[Input, ...] = (),
                 org: OrgView = NO_ORG) -> Form:
    zones = COMMON_ZONES if member.timezone in COMMON_ZONES else (member.timezone, *COMMON_ZONES)
    return Form(
        form_id=PROFILE_FORM,
        title=t("profile.title"),
        intro="\n".join((t("profile.intro"), *org_lines(t, member, org))),
        submit=t("profile.submit"),
        state=state,
        inputs=(
            *_org_inputs(t, member, org),
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


def pair_inputs(t: Translator, *, program_format: str, role: str | None, capacity: int,
                hopes: str = "") -> tuple[Input, ...]:
    """Pair programs also ask the role (in reverse mentoring the junior is the mentor) and a mentor's capacity;
    reverse mentoring asks the senior what they hope to learn (their mentor reads it when the pair starts)."""
    reverse = (TextInput("hopes", t("care.intake.hopes"), initial=hopes, optional=True, multiline=True,
                         max_length=MAX_HOPES, placeholder=t("care.intake.hopes_hint")),)
    return (
        Select("role", t("profile.role"), (Option(t(f"profile.role.mentor.{program_format}"), "mentor"),
                                            Option(t(f"profile.role.mentee.{program_format}"), "mentee")),
               initial=role or "mentee"),
        Number("capacity", t("profile.capacity"), initial=capacity, min_value=1, max_value=5),
        *(reverse if program_format == "reverse" else ()),
    )


def read_hopes(t: Translator, values: dict[str, FormValue]) -> tuple[str, dict[str, str]]:
    """The reverse-mentoring hopes answer (free text: kept out of logs, erased with the member)."""
    raw = values.get("hopes")
    hopes = (raw if isinstance(raw, str) else "").strip()
    if len(hopes) > MAX_HOPES:
        return "", {"hopes": t("profile.error.too_long", limit=MAX_HOPES)}
    return hopes, {}


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


def _org_answers(t: Translator, member: Member, values: dict[str, FormValue], org: OrgView,
                 errors: dict[str, str]) -> dict[str, object]:
    """Department, team and seniority, only where the member may set them (see OrgView); others are ignored."""
    changes: dict[str, object] = {}
    if org.can_edit("department"):
        department = " ".join(_text(values, "department").split())
        if not department:
            errors["department"] = t("profile.error.required")
        elif len(department) > ORG_TEXT_MAX:
            errors["department"] = t("profile.error.too_long", limit=ORG_TEXT_MAX)
        changes["department"] = department
    if org.can_edit("team"):
        team = " ".join(_text(values, "team").split())
        if len(team) > ORG_TEXT_MAX:
            errors["team"] = t("profile.error.too_long", limit=ORG_TEXT_MAX)
        changes["team"] = team
    if org.can_edit("seniority"):
        seniority = small_number(_text(values, "seniority") or str(member.seniority), low=0,
                                 high=len(SENIORITY_LEVELS))
        if seniority is None or seniority not in SENIORITY_LEVELS:
            errors["seniority"] = t("profile.error.choice")
        changes["seniority"] = seniority
    return changes


def apply_profile(t: Translator, member: Member, values: dict[str, FormValue], *,
                  org: OrgView = NO_ORG) -> dict[str, str]:
    """Validate all answers first and write nothing unless every one is valid; returns field errors."""
    errors: dict[str, str] = {}
    org_changes = _org_answers(t, member, values, org, errors)
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
    for name, value in org_changes.items():
        setattr(member, name, value)
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
