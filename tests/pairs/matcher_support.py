"""Builders the matcher and scoring tests share."""

from __future__ import annotations

from bot.pairs.matcher import (
    Person,
    Rules,
    pair_score,
)

ALL_HOURS = frozenset(range(9, 17))


def person(member_id: int, **overrides: object) -> Person:
    """A profile that is feasible with every other default profile in every format's neutral case."""
    fields: dict[str, object] = {
        "member_id": member_id,
        "seniority": 2,
        "department": f"dept{member_id}",
        "team": f"team{member_id}",
        "manager_id": 1000 + member_id,
        "skills_offered": frozenset(),
        "skills_wanted": frozenset(),
        "interests": frozenset(),
        "available_utc_hours": ALL_HOURS,
    }
    fields.update(overrides)
    return Person(**fields)  # type: ignore[arg-type]


ONE = Rules(format="one_on_one")


PEER = Rules(format="peer")


REVERSE = Rules(format="reverse")


def score(mentor: Person, mentee: Person, rules: Rules) -> float:
    value = pair_score(mentor=mentor, mentee=mentee, rules=rules)
    assert value is not None, "expected a feasible pair"
    return value
