"""Synthetic employees for the demo: Indonesian and English names, mixed departments, seniority and zones."""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST = ["Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Andi", "Ayu", "Fajar", "Indah", "Hendra", "Rina",
         "Yusuf", "Maya", "Dimas", "Lestari", "Oliver", "Emma", "James", "Sophie", "Liam", "Grace", "Noah",
         "Chloe", "Arjun", "Priya", "Wei", "Mei", "Kevin", "Nadia", "Bayu", "Sari", "Tom", "Hannah", "Reza", "Wulan"]
LAST = ["Santoso", "Rahmawati", "Wijaya", "Lestari", "Pratama", "Kusuma", "Hidayat", "Nugroho", "Smith", "Brown",
        "Taylor", "Wilson", "Sharma", "Tan", "Lim", "Siregar", "Harahap", "Saputra"]
DEPARTMENTS = ["Engineering", "Finance", "Marketing", "Operations", "People & Culture", "Sales", "Legal", "Product"]
ZONES = ["Asia/Jakarta"] * 6 + ["Asia/Makassar", "Asia/Singapore", "Asia/Kolkata", "Europe/London"]
SKILLS = ["public speaking", "negotiation", "python", "data analysis", "excel", "leadership", "design thinking",
          "stakeholder management", "coaching", "social media", "ai tools", "budgeting", "writing", "sql"]
INTERESTS = ["hiking", "badminton", "cooking", "photography", "music", "reading", "football", "coffee", "travel"]


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    locale: str
    department: str
    seniority: int
    timezone: str
    work_start_hour: int
    skills_offered: list[str]
    skills_wanted: list[str]
    interests: list[str]

    def profile(self) -> dict[str, str]:
        return {
            "department": self.department, "seniority": str(self.seniority), "job_title": "",
            "skills_offered": ", ".join(self.skills_offered), "skills_wanted": ", ".join(self.skills_wanted),
            "interests": ", ".join(self.interests), "timezone": self.timezone,
            "work_start_hour": str(self.work_start_hour), "work_end_hour": str((self.work_start_hour + 9) % 24),
            "locale": self.locale,
        }


def people(count: int, *, seed: int = 7) -> list[Person]:
    rng = random.Random(seed)
    result = []
    for index in range(count):
        first, last = FIRST[index % len(FIRST)], rng.choice(LAST)
        english = first in {"Oliver", "Emma", "James", "Sophie", "Liam", "Grace", "Noah", "Chloe", "Tom", "Hannah"}
        zone = rng.choice(ZONES)
        skills = rng.sample(SKILLS, 4)
        result.append(Person(
            user_id=f"U{index + 1:03d}", name=f"{first} {last}", locale="en" if english else rng.choice(["id", "en"]),
            department=rng.choice(DEPARTMENTS), seniority=rng.choices(range(5), weights=[4, 5, 4, 2, 1])[0],
            timezone=zone, work_start_hour=rng.choice([7, 8, 9, 10]),
            skills_offered=skills[:2], skills_wanted=skills[2:], interests=rng.sample(INTERESTS, 2),
        ))
    return result
