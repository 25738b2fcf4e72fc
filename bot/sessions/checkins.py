"""What circle and pair check-ins share: the answer options, reading a submitted form, the goal line, open windows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.kernel.calendar import Timed, session_time
from bot.kernel.events import FormValue
from bot.kernel.i18n import Translator
from bot.kernel.messages import Option, Select, TextInput
from bot.sessions.timing import checkin_closes, format_day
from storage.tables import Goal

MAX_PROGRESS = 300


def yes_no(t: Translator) -> tuple[Option, ...]:
    return (Option(t("running.checkin.yes"), "yes"), Option(t("running.checkin.no"), "no"))


def usefulness(t: Translator) -> tuple[Option, ...]:
    return tuple(Option(t(f"running.checkin.useful_{n}"), str(n)) for n in range(1, 6))


def checkin_inputs(t: Translator, *, yes_field: str, labels: tuple[str, str, str, str],
                   answer: tuple[bool, int, str] | None) -> tuple[Select, Select, TextInput]:
    """The form's three questions: yes/no (attended, met), usefulness 1-5, progress; `answer` fills them in.

    `labels`: the yes/no question, usefulness, progress and the progress hint, in the reader's language.
    """
    ask, useful, progress, hint = labels
    return (
        Select(yes_field, ask, yes_no(t), initial=("yes" if answer[0] else "no") if answer else None),
        Select("usefulness", useful, usefulness(t), initial=str(answer[1]) if answer else None),
        TextInput("progress", progress, initial=answer[2] if answer else "", optional=True, max_length=MAX_PROGRESS,
                  placeholder=hint),
    )


def form_value(values: dict[str, FormValue], name: str) -> str:
    """One submitted value as single-spaced text (a select may send a list)."""
    value = values.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join((value or "").split())


def read_answers(t: Translator, values: dict[str, FormValue], *,
                 yes_field: str) -> tuple[str, str, str, dict[str, str]]:
    """(yes or no, usefulness 1-5, progress, errors by field) of a check-in form."""
    answer, useful = form_value(values, yes_field), form_value(values, "usefulness")
    progress = form_value(values, "progress")
    errors: dict[str, str] = {}
    if answer not in ("yes", "no"):
        errors[yes_field] = t("running.error.choice")
    if useful not in {"1", "2", "3", "4", "5"}:
        errors["usefulness"] = t("running.error.choice")
    if len(progress) > MAX_PROGRESS:
        errors["progress"] = t("running.error.too_long", limit=MAX_PROGRESS)
    return answer, useful, progress, errors


def goal_summary(t: Translator, goal: Goal) -> str:
    return t("running.goal.summary", goal=goal.specific, progress=goal.progress,
             due=format_day(goal.due_on, locale=t.locale))


def goal_line(t: Translator, goal: Goal | None, *, none_key: str) -> str:
    # One wording for "your goal" wherever members see it, circle or pair.
    return t("running.checkin.goal_reminder", goal=goal_summary(t, goal)) if goal else t(none_key)


def is_open(program: Timed, index: int, now: datetime) -> bool:
    """A session's check-in is open from its start until the next session starts."""
    return session_time(program, index) <= now < checkin_closes(program, index)


def open_index(program: Timed, indices: Iterable[int], now: datetime) -> int | None:
    """The session whose check-in is open now: it has started and the next one has not."""
    return next((index for index in indices if is_open(program, index, now)), None)
