"""The core's front door: one event in, a list of responses out, one unit of work per event."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.kernel.capability import Capability, routes
from bot.kernel.context import Ctx, Services, Step
from bot.kernel.errors import UserError
from bot.kernel.events import Action, Actor, Command, Event, FormSubmitted, FormValue
from bot.kernel.grammar import CommandSpec, parse, without_mentions
from bot.kernel.help import help_message
from bot.kernel.home import home_message
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Message
from bot.kernel.org_records import learn_email, normal_email
from bot.kernel.ports import DeliveryError, SpaceRef
from bot.kernel.replies import FormErrors, Reply, Response
from bot.kernel.spaces import open_claimed
from storage.tables import Member, Workspace
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class Core:
    def __init__(self, *, services: Services, capabilities: Sequence[Capability]) -> None:
        self.services = services
        self.routes = routes(capabilities)
        self.specs: list[CommandSpec] = list(self.routes.hooks.specs)  # adapters read these (is_slow, manifests)

    async def handle(self, event: Event) -> list[Response]:
        """Never raises: user errors become localised replies, anything else goes through the error hook."""
        locale = resolve_locale(event.actor.locale, self.services.config.default_locale)
        try:
            async with self.services.uow() as uow:
                ctx = await self._context(uow, event)
                locale = ctx.t.locale
                try:
                    responses = await self._route(ctx, event)
                except UserError as error:
                    await uow.rollback()
                    return [Reply(Message(text=ctx.t(error.key, **error.params)))]
                await uow.commit()
        except Exception:
            return [self.on_error(event, locale)]
        await self._run_steps(event, ctx)
        return responses

    def is_slow(self, text: str) -> bool:
        """Adapters ask this before running a command, to acknowledge slow ones at once."""
        parsed = parse(text, self.specs)
        return parsed.spec is not None and parsed.spec.slow

    async def is_admin(self, actor: Actor) -> bool:
        """For adapters that do costly platform work only for admins (an org import reads the whole directory):
        the same rule `admin_only` handlers apply, so a non-admin's upload is refused without that work."""
        async with self.services.uow() as uow:
            ctx = await self._context(uow, Command(actor, "help"))
            admin = await ctx.is_admin()
            await uow.commit()
            return admin

    async def home(self, actor: Actor) -> Message:
        """The member's overview (Slack's App Home, Teams' personal tab): programs, circle, what is pending."""
        try:
            async with self.services.uow() as uow:
                ctx = await self._context(uow, Command(actor, "home"))
                message = await home_message(ctx)
                await uow.commit()
                return message
        except Exception:
            reply = self.on_error(Command(actor, "home"), resolve_locale(actor.locale))
            return reply.message

    def on_error(self, event: Event, locale: str) -> Reply:
        """The one error hook: log with context (never message bodies), apologise with an incident id."""
        incident = uuid.uuid4().hex[:8]
        log.exception(
            "unhandled error %s for %s event from %s/%s", incident, type(event).__name__,
            event.actor.platform, event.actor.workspace_id, extra={"incident": incident},
        )
        return Reply(Message(text=Translator(locale)("errors.unexpected", incident=incident)))

    async def _run_steps(self, event: Event, ctx: Ctx) -> None:
        """After-commit steps, first in first out (a step may add more). No transaction is open while the platform
        opens a space, so a messenger may store what it creates and SQLite is not locked; a failing step goes
        through the error hook and the member's reply stands."""
        steps = list(ctx.steps)
        while steps:
            step = steps.pop(0)
            try:
                steps.extend(await self._run_step(event, step, now=ctx.now, workspace=ctx.workspace))
            except Exception:
                self.on_error(event, ctx.t.locale)

    async def _run_step(self, event: Event, step: Step, *, now: datetime, workspace: Workspace) -> list[Step]:
        space: SpaceRef | None = None
        if step.space is not None and step.space.key:
            space = await open_claimed(self.services, request=step.space, workspace=workspace)
            if space is None:
                return []  # not opened yet: the deliverer retries it and the owner's planner finishes the step
        elif step.space is not None:
            request = step.space
            try:
                space = await self.services.messenger.open_space(
                    workspace_id=workspace.external_id, platform=workspace.platform, name=request.name,
                    members=list(request.members), private=request.private, parent=request.parent,
                    group_chat=request.group_chat)
            except DeliveryError as error:
                log.warning("could not open a space %s: %s", type(error).__name__, error)
        async with self.services.uow() as uow:
            ctx = await self._context(uow, event, now=now)
            await step.then(ctx, space)
            await uow.commit()
        return ctx.steps

    async def _context(self, uow: UnitOfWork, event: Event, *, now: datetime | None = None) -> Ctx:
        actor = event.actor
        now = now or self.services.clock.now()
        # One query for the common case (a known member of a known workspace); create only what is missing.
        workspace, member = await uow.workspaces.with_member(
            platform=actor.platform, external_id=actor.workspace_id, member_external_id=actor.user_id
        )
        if workspace is None:
            workspace = await uow.workspaces.get_or_create(
                platform=actor.platform, external_id=actor.workspace_id, now=now,
                locale=self.services.config.default_locale,
            )
        assert workspace.id is not None
        if member is None:
            member = await uow.members.get_or_create(
                workspace_id=workspace.id, external_id=actor.user_id, now=now,
                defaults=_defaults(actor, workspace),
            )
        _refresh_identity(member, actor)
        email = normal_email(actor.email)
        if email and email != member.email and not member.erased:
            await learn_email(uow, member, email)  # once per member: an org record may have waited for it
        locale = resolve_locale(member.locale, actor.locale, workspace.locale)
        return Ctx(services=self.services, uow=uow, actor=actor, workspace=workspace, member=member,
                   t=Translator(locale), now=now, where=event.where, hooks=self.routes.hooks,
                   attachment=event.attachment if isinstance(event, Command) else None)

    async def _route(self, ctx: Ctx, event: Event) -> list[Response]:
        if isinstance(event, Command):
            parsed = parse(event.text, self.specs)
            if parsed.spec is None:
                return [Reply(help_message(ctx.t, self.specs, admin=await ctx.is_admin(),
                                           unknown=event.text.strip()))]
            if parsed.spec.admin:
                await ctx.require_admin()
            return await self.routes.commands[parsed.spec.path](ctx, parsed.args)
        if isinstance(event, Action):
            verb, _, arg = event.action_id.partition(":")
            action_handler = self.routes.actions.get(verb)
            if action_handler is None:
                raise UserError("errors.stale_action")
            return await action_handler(ctx, event, arg)
        if isinstance(event, FormSubmitted):
            form_handler = self.routes.forms.get(event.form_id)
            if form_handler is None:
                raise UserError("errors.stale_action")
            # Single use: the nonce is claimed in this transaction, so the form's work and its claim commit (or
            # roll back) together, and a replayed or double-pressed submit changes nothing.
            if event.nonce and not await ctx.uow.used_forms.claim(nonce=event.nonce, workspace_id=ctx.workspace_id,
                                                                  now=ctx.now):
                raise UserError("trust.already_done")
            responses = await form_handler(ctx, _plain_values(event))
            if event.nonce and any(isinstance(r, FormErrors) for r in responses):
                await ctx.uow.used_forms.release(nonce=event.nonce)  # fixed and sent again, it still counts
            return responses
        raise TypeError(f"unknown event {event!r}")


def _plain_values(event: FormSubmitted) -> FormSubmitted:
    """Forms never carry mentions: typed `<@id>` stays text instead of pinging someone when echoed."""
    values: dict[str, FormValue] = {
        name: (without_mentions(value) if isinstance(value, str)
               else [without_mentions(v) for v in value] if isinstance(value, list) else value)
        for name, value in event.values.items()
    }
    return replace(event, values=values)


def _defaults(actor: Actor, workspace: Workspace) -> dict[str, object]:
    return {
        "display_name": (actor.display_name or "")[:200],
        "timezone": actor.timezone or workspace.timezone,
        "locale": resolve_locale(actor.locale) if actor.locale else None,
    }


def _refresh_identity(member: Member, actor: Actor) -> None:
    """Platforms are the source of truth for names; keep ours current without a separate sync."""
    if actor.display_name and member.display_name != actor.display_name[:200] and not member.erased:
        member.display_name = actor.display_name[:200]
    if not member.reachable:
        member.reachable = True  # they just spoke to us
