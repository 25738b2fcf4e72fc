"""What a client sends back is typed by an attacker: ids parsed strictly, targets kept inside the actor's workspace."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.ports import Target
from storage.tables import Program, Workspace

P = ParamSpec("P")
R = TypeVar("R")

# Ids are INTEGER columns: a larger number names nothing, and PostgreSQL would refuse it as a parameter.
MAX_ID = 2**31 - 1
# ASCII digits only: str.isdigit() also accepts "²" and "١", which int() then refuses or reads unexpectedly.
_DIGITS = re.compile(r"[0-9]{1,10}")
MAX_CHOICES = 100  # more options than any select we offer: a forged list, not a choice
ADMIN_ONLY = "admin_only"  # marks handlers wrapped by admin_only(), so tests can list them


class Unavailable(UserError):
    """A junk, forged, foreign or vanished id: one calm reply, the same whichever it was."""

    def __init__(self) -> None:
        super().__init__("errors.stale_action")


def int_id(value: object, *, low: int = 1) -> int:
    """A database id (or, with low=0, an index) from a button, select or form state; else Unavailable."""
    if not isinstance(value, str) or _DIGITS.fullmatch(value) is None:
        raise Unavailable()
    number = int(value)
    if not low <= number <= MAX_ID:
        raise Unavailable()
    return number


def id_and_index(value: object) -> tuple[int, int]:
    """"<id>.<index>", as a circle's session or a pair's meeting travels in buttons and form states."""
    if not isinstance(value, str):
        raise Unavailable()
    head, dot, tail = value.partition(".")
    if not dot:
        raise Unavailable()
    return int_id(head), int_id(tail, low=0)


def int_ids(values: Iterable[object]) -> list[int]:
    """Several ids from a multi-select: every one must parse, and no more than a select could hold."""
    chosen = []
    for value in values:
        chosen.append(int_id(value))
        if len(chosen) > MAX_CHOICES:
            raise Unavailable()
    return chosen


def small_number(value: str, *, low: int, high: int) -> int | None:
    """A typed number from a form field (seniority, capacity), or None when it is not one in range."""
    if _DIGITS.fullmatch(value) is None:
        return None
    number = int(value)
    return number if low <= number <= high else None


def own_target(workspace: Workspace, key: str) -> Target | None:
    """A channel or space a client named (or that was stored from one), only if it lives in this workspace."""
    try:
        target = Target.from_key(key)
    except ValueError:
        return None
    if target.platform != workspace.platform or target.workspace_id != workspace.external_id:
        return None
    if target.kind == "user" or not target.ref:
        return None
    return target


def announcement_channel(workspace: Workspace, program: Program) -> Target | None:
    """Where the program is announced; a stored target outside the workspace (saved before forms were checked)
    is never used."""
    return own_target(workspace, program.announcement_target) if program.announcement_target else None


def admin_only(handler: Callable[Concatenate[Ctx, P], Awaitable[R]]) -> Callable[Concatenate[Ctx, P], Awaitable[R]]:
    """Buttons and forms of admin commands check the role again: the command's check does not travel with them."""

    @wraps(handler)
    async def checked(ctx: Ctx, /, *args: P.args, **kwargs: P.kwargs) -> R:
        await ctx.require_admin()
        return await handler(ctx, *args, **kwargs)

    setattr(checked, ADMIN_ONLY, True)
    return checked


def is_admin_only(handler: object) -> bool:
    return bool(getattr(handler, ADMIN_ONLY, False))
