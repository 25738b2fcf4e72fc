"""K-anonymity: the one rule for how many answers must exist before any figure of them is shown."""

from __future__ import annotations

from storage.tables import Program

MIN_K = 2


def k_of(program: Program, default: int) -> int:
    """The K a program's results are shown from: its own when an admin set one, else the configured default.
    Never below 2, whatever was stored: one answer shown on its own is that person's answer."""
    return max(MIN_K, program.k_anonymity) if program.k_anonymity else default
