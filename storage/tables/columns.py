"""Column helpers so every table declares timestamps and JSON lists the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column

from storage.types import UTCDateTime


def utc_column(*, nullable: bool = False, index: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def json_column(*, nullable: bool = False) -> Any:
    return Column(JSON, nullable=nullable)
