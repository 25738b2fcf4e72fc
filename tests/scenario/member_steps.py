"""Issue 16's member-facing items in the shared scenario: each member's own view of a shared ballot, a profile that
opens again exactly as stored, and `my data` arriving as a file in the member's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from tests.scenario.kinds import (
    AYU,
    BUDI,
    CITRA,
    EKO,
    FAJAR,
    PEOPLE,
    Db,
    FileArrives,
    Fill,
    FormShows,
    OwnView,
    Say,
    Sees,
    Step,
)

if TYPE_CHECKING:
    from tests.scenario.driver import Driver

# After Ayu and Citra voted for Ayu, Eko for himself, Fajar for Budi (and Budi not at all): each sees only their own.
OWN_BALLOT_VIEWS: list[Step] = [
    OwnView(AYU, "elect.vote", chosen=PEOPLE[AYU], others=(PEOPLE[EKO],)),
    OwnView(EKO, "elect.vote", chosen=PEOPLE[EKO], others=(PEOPLE[AYU],)),
    OwnView(CITRA, "elect.vote", chosen=PEOPLE[AYU], others=(PEOPLE[EKO],)),
    OwnView(BUDI, "elect.vote", chosen=None, others=(PEOPLE[BUDI],)),
]

# Fajar's new answers: shorter hours, skills typed with capitals, and Bahasa Indonesia from now on.
NEW_ANSWERS: Mapping[str, str] = {
    "work_start_hour": "8", "work_end_hour": "16", "skills_offered": "SQL, Public speaking", "locale": "id",
}


async def fajar_stored_as_typed(driver: Driver) -> None:
    fajar = await driver.member(FAJAR)
    assert (fajar.work_start_hour, fajar.work_end_hour) == (8, 16)
    assert fajar.skills_offered == ["SQL", "Public speaking"]  # capitals kept, as typed
    assert fajar.locale == "id" and fajar.department == "Engineering"


def profile_round_trip(profile: Mapping[str, str]) -> list[Step]:
    """Fajar (who joined with `profile`) edits his profile, then opens it again: it shows what is stored."""
    answers = {**profile, **NEW_ANSWERS}
    return [
        Say(FAJAR, "profile"),
        Fill(FAJAR, answers),
        Sees(FAJAR, "Profil Anda sudah disimpan."),
        Db("Fajar's profile is stored as he typed it", fajar_stored_as_typed),
        Say(FAJAR, "profil"),
        FormShows(FAJAR, {name: answers[name] for name in (
            "department", "seniority", "job_title", "skills_offered", "skills_wanted", "interests", "timezone",
            "work_start_hour", "work_end_hour", "locale")}),
    ]


MY_DATA: list[Step] = [
    Say(FAJAR, "my data"),
    Sees(FAJAR, "Data Anda sedang dikirim ke pesan langsung Anda sebagai berkas JSON."),
    FileArrives(FAJAR, title="Semua data Anda yang disimpan Lingkar", filename="lingkar-my-data.json",
                fallback="Lingkar punya berkas untuk Anda"),
]
