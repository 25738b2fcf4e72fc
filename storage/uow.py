"""Unit of work: one transaction, the repositories on it, rollback unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.repositories.agreements import AgreementRepository
from storage.repositories.care import CareRepository
from storage.repositories.circles import CircleRepository
from storage.repositories.closing import ClosingRepository
from storage.repositories.conversations import ConversationRepository
from storage.repositories.digest_reads import DigestReadRepository
from storage.repositories.erasure import ErasureRepository
from storage.repositories.feedback import FeedbackRepository
from storage.repositories.kept import KeptRepository
from storage.repositories.org import OrgRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.pair_running import PairRunningRepository
from storage.repositories.pairs import PairRepository
from storage.repositories.programs import EnrollmentRepository, ProgramRepository
from storage.repositories.running import RunningRepository
from storage.repositories.seat_reads import SeatReadRepository
from storage.repositories.tenancy import (
    AdminRepository,
    AuditRepository,
    MemberRepository,
    WorkspaceRepository,
)
from storage.repositories.themes import ThemeRepository
from storage.repositories.used_forms import UsedFormRepository


class UnitOfWork:
    session: AsyncSession

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        s = self.session
        self.workspaces = WorkspaceRepository(s)
        self.members = MemberRepository(s)
        self.admins = AdminRepository(s)
        self.audit = AuditRepository(s)
        self.programs = ProgramRepository(s)
        self.enrollments = EnrollmentRepository(s)
        self.themes = ThemeRepository(s)
        self.circles = CircleRepository(s)
        self.running = RunningRepository(s)
        self.digest_reads = DigestReadRepository(s)
        self.seat_reads = SeatReadRepository(s)
        self.feedback = FeedbackRepository(s)
        self.outbox = OutboxRepository(s)
        self.erasure = ErasureRepository(s)
        self.conversations = ConversationRepository(s)
        self.pairs = PairRepository(s)
        self.pair_running = PairRunningRepository(s)
        self.kept = KeptRepository(s)
        self.used_forms = UsedFormRepository(s)
        self.org = OrgRepository(s)
        self.closing = ClosingRepository(s)
        self.care = CareRepository(s)
        self.agreements = AgreementRepository(s)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back whatever was not committed and detaches objects without expiring them,
        # so values read inside the unit of work stay readable after it.
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def flush(self) -> None:
        await self.session.flush()

    async def rollback(self) -> None:
        await self.session.rollback()
