"""What a capability hands the kernel: one object per package, listed by adapters/bootstrap.capabilities()."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bot.kernel.context import (
    ActionHandler,
    CommandHandler,
    FormHandler,
    HomeSection,
    Hooks,
    JoinHook,
    LeaveHook,
    ProgramStep,
)
from bot.kernel.grammar import CommandSpec
from bot.kernel.planning import Planner

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class Capability:
    """One package's entry points and the hooks it offers the others."""

    name: str
    commands: tuple[tuple[CommandSpec, CommandHandler], ...] = ()  # help lists them in this order
    actions: Mapping[str, ActionHandler] = field(default_factory=dict)
    forms: Mapping[str, FormHandler] = field(default_factory=dict)
    planners: tuple[Planner, ...] = ()
    on_leave: tuple[LeaveHook, ...] = ()
    on_close: tuple[ProgramStep, ...] = ()  # `program close`: themes selected, self-select circles opened
    on_form: tuple[ProgramStep, ...] = ()  # `program form`: circles formed or pairs matched
    on_join: tuple[JoinHook, ...] = ()  # a member joined a program already forming or running
    home: tuple[HomeSection, ...] = ()


@dataclass(frozen=True)
class Routes:
    """Where each command, action verb and form id goes, and the hooks handlers read."""

    commands: dict[tuple[str, ...], CommandHandler]
    actions: dict[str, ActionHandler]
    forms: dict[str, FormHandler]
    hooks: Hooks


def routes(capabilities: Sequence[Capability]) -> Routes:
    """In capability order; a command path, action verb or form id claimed twice raises ValueError at start-up."""
    commands: dict[tuple[str, ...], CommandHandler] = {}
    actions: dict[str, ActionHandler] = {}
    forms: dict[str, FormHandler] = {}
    for capability in capabilities:
        for spec, handler in capability.commands:
            _claim(commands, spec.path, handler, what="command")
        for verb, action in capability.actions.items():
            _claim(actions, verb, action, what="action")
        for form_id, form in capability.forms.items():
            _claim(forms, form_id, form, what="form")
    hooks = Hooks(
        specs=tuple(spec for c in capabilities for spec, _ in c.commands),
        on_leave=tuple(hook for c in capabilities for hook in c.on_leave),
        on_close=tuple(step for c in capabilities for step in c.on_close),
        on_form=tuple(step for c in capabilities for step in c.on_form),
        on_join=tuple(hook for c in capabilities for hook in c.on_join),
        home=tuple(sorted((s for c in capabilities for s in c.home), key=lambda s: s.order)),
    )
    return Routes(commands=commands, actions=actions, forms=forms, hooks=hooks)


def planners(capabilities: Sequence[Capability]) -> tuple[Planner, ...]:
    """Every capability's planners, in capability order."""
    return tuple(p for c in capabilities for p in c.planners)


def _claim(table: dict[K, V], key: K, value: V, *, what: str) -> None:
    if key in table:
        raise ValueError(f"{what} {key!r} is claimed twice")
    table[key] = value
