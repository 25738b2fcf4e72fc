"""Send pacing shared by every replica: the next free send moment of each workspace (or tenant)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class WorkspacePace(SQLModel, table=True):
    """Replicas reserve a workspace's send slots here, a few at a time, so the configured rate is the workspace's,
    not each process's. `next_at` is in the database's own clock (seconds since the epoch), the one clock every
    replica reads. Holds no personal data: a platform, a workspace's platform id and a moment."""

    __tablename__ = "workspace_pace"

    platform: str = Field(primary_key=True, max_length=16)
    workspace: str = Field(primary_key=True, max_length=64)  # the platform's workspace or tenant id
    next_at: float
