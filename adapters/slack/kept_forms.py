"""Forms waiting for their button, in the database: the press may reach another replica than the one that sent it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import date, datetime, timedelta
from typing import Any

from adapters.slack.identity import PLATFORM
from adapters.slack.modals import Metadata
from bot.kernel.messages import DateInput, Form, Input, MultiSelect, Number, Option, Select, TextInput
from storage.uow import UnitOfWork

KINDS: dict[str, type[Input]] = {"text": TextInput, "select": Select, "multi": MultiSelect, "number": Number,
                                 "date": DateInput}
KIND_OF = {kind: name for name, kind in KINDS.items()}


def input_json(item: Input) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": KIND_OF[type(item)]}
    for spec in fields(item):
        value = getattr(item, spec.name)
        if spec.name == "options":
            value = [[o.label, o.value] for o in value]
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        data[spec.name] = value
    return data


def input_of(data: dict[str, Any]) -> Input:
    values = dict(data)
    kind = KINDS[values.pop("kind")]
    if "options" in values:
        values["options"] = tuple(Option(label, value) for label, value in values["options"])
    if kind is MultiSelect:
        values["initial"] = tuple(values.get("initial") or ())
    if kind is DateInput and values.get("initial"):
        values["initial"] = date.fromisoformat(values["initial"])
    return kind(**values)


def form_json(form: Form, metadata: Metadata) -> dict[str, Any]:
    return {"form": {"form_id": form.form_id, "title": form.title, "submit": form.submit, "state": form.state,
                     "intro": form.intro, "inputs": [input_json(i) for i in form.inputs]},
            "metadata": asdict(metadata)}


def form_of(data: dict[str, Any]) -> tuple[Form, Metadata]:
    kept = dict(data["form"])
    inputs = tuple(input_of(i) for i in kept.pop("inputs"))
    return Form(inputs=inputs, **kept), Metadata(**data["metadata"])


class PendingForms:
    """Forms waiting for a button press (Slack opens a modal only with a fresh trigger_id), kept for `ttl` in the
    kept_form table: any replica can open one, exactly one press takes it, and the scheduler sweeps the expired."""

    def __init__(self, uow: Callable[[], UnitOfWork], *, now: Callable[[], datetime],
                 ttl: timedelta = timedelta(days=1)) -> None:
        self._uow = uow
        self.now = now
        self.ttl = ttl

    async def keep(self, form: Form, metadata: Metadata, *, team_id: str) -> str:
        token = secrets.token_urlsafe(12)
        await self.keep_again(token, form, metadata, team_id=team_id)
        return token

    async def keep_again(self, token: str, form: Form, metadata: Metadata, *, team_id: str) -> None:
        """Also puts a form back when its modal could not open, so the button still works."""
        now = self.now()
        async with self._uow() as uow:
            workspace = await uow.workspaces.get_or_create(platform=PLATFORM, external_id=team_id, now=now)
            assert workspace.id is not None
            await uow.kept.keep_form(token=token, workspace_id=workspace.id, user_key=metadata.user or "",
                                     form=form_json(form, metadata), expires_at=now + self.ttl)
            await uow.commit()

    async def take(self, token: str, *, team_id: str) -> tuple[Form, Metadata] | None:
        """The form, once: None when it expired, was already opened, or belongs to another workspace."""
        async with self._uow() as uow:
            workspace = await uow.workspaces.find(platform=PLATFORM, external_id=team_id)
            if workspace is None or workspace.id is None:
                return None
            kept = await uow.kept.take_form(token=token, workspace_id=workspace.id, now=self.now())
            await uow.commit()
        return None if kept is None else form_of(kept)
