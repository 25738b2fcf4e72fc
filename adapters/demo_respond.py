"""Demo members who answer what they receive: press the first button and fill the form it opens."""

from __future__ import annotations

import random
from datetime import timedelta

from adapters.local.messenger import Sent
from bot.kernel.messages import Buttons, DateInput, Form, MultiSelect, Number, Select, TextInput
from bot.kernel.replies import OpenForm, Response

LINES = ["Tried the feedback framework with my team", "Mencoba memberi umpan balik lebih spesifik",
         "Booked time with my manager about growth", "Belajar membuat dashboard sederhana",
         "Practised presenting in our weekly meeting", "Lebih berani bertanya di rapat"]


def first_action(sent: Sent) -> str | None:
    for block in sent.message.blocks:
        if isinstance(block, Buttons) and block.buttons:
            return block.buttons[0].action_id
    return None


def fill(form: Form, rng: random.Random, *, today_iso: str) -> dict[str, str | list[str] | None]:
    """Plausible answers for any form the core opens, from its inputs alone."""
    values: dict[str, str | list[str] | None] = {}
    for field in form.inputs:
        match field:
            case Select(options=options, initial=initial):
                # Ratings and yes/no questions list their best answer last or first; most people are content.
                upper = options[len(options) // 2:] if len(options) > 2 else options[:1]
                values[field.name] = initial if initial and rng.random() < 0.3 else rng.choice(upper).value
            case MultiSelect(options=options):
                values[field.name] = [o.value for o in options if rng.random() < 0.8] or [options[0].value]
            case Number(min_value=low, max_value=high, initial=initial):
                low_, high_ = low if low is not None else 0, high if high is not None else 10
                values[field.name] = str(rng.randint(max(low_, high_ - 2), high_)) if initial is None else str(initial)
            case DateInput():
                values[field.name] = today_iso
            case TextInput(optional=optional):
                values[field.name] = "" if optional and rng.random() < 0.3 else rng.choice(LINES)
    return values


def form_in(responses: list[Response]) -> Form | None:
    return next((r.form for r in responses if isinstance(r, OpenForm)), None)


def later(days: int) -> timedelta:
    return timedelta(days=days)
