"""Agreements of circles and pairs, and each member's confirmation of one version."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession


class AgreementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
