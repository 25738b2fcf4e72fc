"""Forms already submitted: each opened form's single-use nonce, recorded when its submission is handled."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.tables.columns import utc_column


class UsedForm(SQLModel, table=True):
    """A nonce here means that form was handled: a replayed submit (a double press, a resent request) finds it and
    changes nothing. Holds no personal data: a random id, the workspace and a time."""

    __tablename__ = "used_form"

    nonce: str = Field(primary_key=True, max_length=64)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    used_at: datetime = Field(sa_column=utc_column())
