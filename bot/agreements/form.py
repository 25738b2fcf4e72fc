"""The agreement form, filled in with the agreement on the table (or the group's current slot)."""

from __future__ import annotations

import re
from datetime import datetime

from babel.dates import get_day_names

from bot.agreements.groups import Group
from bot.agreements.terms import CONTACT_LIMIT, EVERY_WEEKS, LENGTHS, TOPICS_LIMIT, Terms, terms_of
from bot.kernel.availability import COMMON_ZONES
from bot.kernel.calendar import group_timetable
from bot.kernel.context import Ctx
from bot.kernel.i18n import Translator
from bot.kernel.messages import Form, Option, Select, TextInput
from bot.kernel.timetable import MAX_SESSIONS
from bot.sessions.timing import zone
from storage.tables import Agreement, AgreementStatus

FORM_ID = "agreement"
_MINUTES = re.compile(r"[0-9]{2,3}")
BABEL = {"en": "en_GB", "id": "id_ID"}


def day_name(t: Translator, weekday: int) -> str:
    return str(get_day_names("wide", locale=BABEL.get(t.locale, "en_GB"))[weekday])


def on_the_table(versions: list[Agreement]) -> Agreement | None:
    """The proposal waiting, else the agreement in force."""
    for status in (AgreementStatus.PROPOSED, AgreementStatus.CONFIRMED):
        found = [a for a in versions if a.status == status]
        if found:
            return found[-1]
    return None


def current_slot(group: Group, *, now: datetime) -> Terms:
    """The group's slot now (its timetable's next session), with the program's stated length when it names one."""
    table = group_timetable(group.program, group.unit)
    index = next((i for i in range(min(table.count(), MAX_SESSIONS)) if table.moment(i) > now),
                 table.count() - 1)
    stretch = table.stretch_for(index)
    local = table.moment(index).astimezone(zone(stretch.zone))
    stated = _MINUTES.search(group.program.rules_duration or "")
    length = int(stated.group(0)) if stated else 60
    return Terms(every_weeks=stretch.every_weeks if stretch.every_weeks in EVERY_WEEKS else 1,
                 weekday=local.weekday(), at=local.time().replace(second=0, microsecond=0), zone=stretch.zone,
                 minutes=stretch.minutes or (length if length in LENGTHS else 60), topics=group.program.rules_topics,
                 contact="", confidential=True)


def agreement_form(ctx: Ctx, group: Group, versions: list[Agreement]) -> Form:
    """State "<kind>.<id>.<latest version>": a proposal that arrives while the form is open is not overwritten."""
    t = ctx.t
    table = on_the_table(versions)
    terms = terms_of(table) if table is not None else current_slot(group, now=ctx.now)
    latest = versions[-1].version if versions else 0
    zones = [z for z in dict.fromkeys([ctx.member.timezone, terms.zone, *COMMON_ZONES]) if z]
    topics_limit = min(ctx.services.config.max_free_text, TOPICS_LIMIT)
    inputs = (
        Select("every", t("agreements.field.every"), tuple(
            Option(t(f"agreements.every.{n}"), str(n)) for n in EVERY_WEEKS), initial=str(terms.every_weeks)),
        Select("weekday", t("agreements.field.weekday"), tuple(
            Option(day_name(t, d), str(d)) for d in range(7)), initial=str(terms.weekday)),
        TextInput("time", t("agreements.field.time"), initial=terms.hhmm, max_length=5, placeholder="09:30"),
        Select("zone", t("agreements.field.zone"), tuple(Option(z, z) for z in zones), initial=terms.zone),
        Select("minutes", t("agreements.field.minutes"), tuple(
            Option(t("agreements.minutes", minutes=n), str(n)) for n in LENGTHS), initial=str(terms.minutes)),
        TextInput("topics", t("agreements.field.topics"), initial=terms.topics, multiline=True, optional=True,
                  max_length=topics_limit, placeholder=t("agreements.field.topics_hint")),
        TextInput("contact", t("agreements.field.contact"), initial=terms.contact, optional=True,
                  max_length=CONTACT_LIMIT, placeholder=t("agreements.field.contact_hint")),
        Select("confidential", t("agreements.field.confidential"), (
            Option(t("agreements.confidential.yes"), "yes"), Option(t("agreements.confidential.no"), "no")),
            initial="yes" if terms.confidential else "no"),
    )
    return Form(form_id=FORM_ID, title=t("agreements.form.title"), submit=t("agreements.form.submit"),
                intro=t("agreements.form.intro", group=group.name, program=group.program.name),
                state=f"{group.ref}.{latest}", inputs=inputs)
