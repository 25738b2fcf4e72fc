"""How an agreement reads: its terms, and the sessions it gives, in each reader's own zone and language."""

from __future__ import annotations

from datetime import datetime

from bot.agreements.form import day_name
from bot.agreements.groups import Group
from bot.agreements.terms import Terms
from bot.kernel.calendar import group_timetable
from bot.kernel.i18n import Translator, format_moment, zone_label
from bot.kernel.messages import Fields
from bot.kernel.timetable import Stretch, Timetable, stretch_from
from bot.sessions.timing import format_day, zone
from storage.tables import Member

SHOWN_SESSIONS = 3


def new_stretch(group: Group, terms: Terms, *, now: datetime) -> Stretch:
    """The agreed slot from the group's next session not yet started (bot/kernel/timetable.stretch_from)."""
    return stretch_from(group_timetable(group.program, group.unit), now=now, weekday=terms.weekday, at=terms.at,
                        zone=terms.zone, every_weeks=terms.every_weeks, minutes=terms.minutes)


def sessions_under(group: Group, terms: Terms, *, now: datetime) -> tuple[Timetable, list[int]]:
    """The group's timetable with the agreement applied, and the indexes of the sessions it would govern."""
    stretch = new_stretch(group, terms, now=now)
    table = group_timetable(group.program, group.unit).with_stretch(stretch)
    held = [i for i in range(stretch.start, table.count()) if table.moment(i) > now and table.moment(i) < table.cut]
    return table, held


def term_fields(t: Translator, terms: Terms, *, now: datetime) -> tuple[tuple[str, str], ...]:
    label = zone_label(now, zone(terms.zone).key)  # as every date names it: 'WIB', 'GMT', 'UTC+8'
    when = t("agreements.when", day=day_name(t, terms.weekday), time=terms.hhmm, zone=label)
    return (
        (t("agreements.field.every"), t(f"agreements.every.{terms.every_weeks}")),
        (t("agreements.label.when"), when),
        (t("agreements.field.minutes"), t("agreements.minutes", minutes=terms.minutes)),
        (t("agreements.label.topics"), terms.topics or t("agreements.none_written")),
        (t("agreements.label.contact"), terms.contact or t("agreements.none_written")),
        (t("agreements.label.confidential"), t(f"agreements.confidential.{'yes' if terms.confidential else 'no'}")),
    )


def reader_zones(group: Group, terms: Terms, reader: Member | None) -> list[str]:
    """A DM: the reader's own zone. A shared space: the agreed zone, then each member's when it differs."""
    fallback = group.program.timezone
    if reader is not None:
        return [zone(reader.timezone, fallback=fallback).key]
    names = [terms.zone]
    for member in group.members:
        name = zone(member.timezone, fallback=fallback).key
        if name not in names:
            names.append(name)
    return names


def session_lines(t: Translator, group: Group, terms: Terms, *, now: datetime, reader: Member | None) -> list[str]:
    """The next sessions under these terms, and a word on the program's end when few or none are left."""
    table, held = sessions_under(group, terms, now=now)
    zones = reader_zones(group, terms, reader)
    lines = [t("agreements.next_sessions")] if held else []
    for index in held[:SHOWN_SESSIONS]:
        moment = table.moment(index)
        lines.append("• " + " / ".join(format_moment(moment, timezone=z, locale=t.locale) for z in zones))
    end_day = format_day(table.cut.astimezone(zone(zones[0])).date(), locale=t.locale)
    if not held:
        lines.append(t("agreements.after_end", day=end_day))
    else:
        lines.append(t.n("agreements.sessions_left", len(held), count=len(held), day=end_day))
    return lines


def fields_block(t: Translator, terms: Terms, *, now: datetime) -> Fields:
    return Fields(term_fields(t, terms, now=now))


def as_text(t: Translator, terms: Terms, *, now: datetime) -> str:
    return "\n".join(f"{label}: {value}" for label, value in term_fields(t, terms, now=now))
