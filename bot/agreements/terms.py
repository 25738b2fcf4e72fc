"""What a group agrees, as the form carries it: read and checked field by field, with a localised error per field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.kernel.events import FormValue
from bot.kernel.i18n import Translator
from storage.tables import Agreement

EVERY_WEEKS = (1, 2, 4)  # weekly, every two weeks, monthly (every four weeks: the timetable's unit is the week)
LENGTHS = (30, 45, 60, 90)
CONTACT_LIMIT = 500  # Agreement.contact's column
TOPICS_LIMIT = 1000  # Agreement.topics' column
_TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})")  # "09:30", "9:30" and the Indonesian "09.30"


@dataclass(frozen=True)
class Terms:
    every_weeks: int
    weekday: int  # 0 = Monday, in `zone`
    at: time
    zone: str
    minutes: int
    topics: str
    contact: str
    confidential: bool

    @property
    def hhmm(self) -> str:
        return self.at.strftime("%H:%M")

    def columns(self) -> dict[str, object]:
        return {"every_weeks": self.every_weeks, "weekday": self.weekday, "meeting_time": self.hhmm,
                "timezone": self.zone, "length_minutes": self.minutes, "topics": self.topics,
                "contact": self.contact, "confidential": self.confidential}


def terms_of(agreement: Agreement) -> Terms:
    """A stored version as Terms (stored values were checked when they were proposed)."""
    hour, minute = parse_time(agreement.meeting_time) or (10, 0)
    return Terms(every_weeks=agreement.every_weeks, weekday=agreement.weekday, at=time(hour, minute),
                 zone=agreement.timezone, minutes=agreement.length_minutes, topics=agreement.topics,
                 contact=agreement.contact, confidential=agreement.confidential)


def parse_time(text: str) -> tuple[int, int] | None:
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return (hour, minute) if hour < 24 and minute < 60 else None


def is_zone(name: str) -> bool:
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _text(values: dict[str, FormValue], name: str) -> str:
    raw = values.get(name)
    return raw.strip() if isinstance(raw, str) else ""


def _choice(values: dict[str, FormValue], name: str, allowed: tuple[int, ...]) -> int | None:
    raw = _text(values, name)
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 2 and int(raw) in allowed else None


def read_terms(t: Translator, values: dict[str, FormValue], *, topics_limit: int) -> tuple[Terms | None,
                                                                                            dict[str, str]]:
    """The form's values as Terms, or the errors keyed by field (nothing is changed; the form keeps what was typed)."""
    errors: dict[str, str] = {}
    every = _choice(values, "every", EVERY_WEEKS)
    weekday = _choice(values, "weekday", tuple(range(7)))
    minutes = _choice(values, "minutes", LENGTHS)
    at = parse_time(_text(values, "time"))
    zone = _text(values, "zone")
    topics, contact = _text(values, "topics"), _text(values, "contact")
    confidential = _text(values, "confidential") or "yes"
    if every is None:
        errors["every"] = t("agreements.error.every")
    if weekday is None:
        errors["weekday"] = t("agreements.error.weekday")
    if at is None:
        errors["time"] = t("agreements.error.time")
    if not is_zone(zone):
        errors["zone"] = t("agreements.error.zone")
    if minutes is None:
        errors["minutes"] = t("agreements.error.minutes")
    if len(topics) > topics_limit:
        errors["topics"] = t("agreements.error.too_long", limit=topics_limit)
    if len(contact) > CONTACT_LIMIT:
        errors["contact"] = t("agreements.error.too_long", limit=CONTACT_LIMIT)
    if confidential not in ("yes", "no"):
        errors["confidential"] = t("agreements.error.confidential")
    if errors or every is None or weekday is None or at is None or minutes is None:
        return None, errors
    return Terms(every_weeks=every, weekday=weekday, at=time(*at), zone=zone, minutes=minutes, topics=topics,
                 contact=contact, confidential=confidential == "yes"), {}
