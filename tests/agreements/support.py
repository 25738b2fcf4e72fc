"""What the agreement tests share: the form's values, the stored versions, the buttons members get."""

from __future__ import annotations

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.events import Command, FormValue
from bot.kernel.message_codec import decode
from bot.kernel.messages import Buttons
from bot.kernel.ports import Target
from bot.kernel.replies import Response
from storage.tables import Agreement, AgreementConfirmation, Circle, Delivery, Pair
from tests.helpers import WORKSPACE, actor, form_of, say, submit

FRIDAY_LONDON: dict[str, FormValue] = {
    "every": "2", "weekday": "4", "time": "09:00", "zone": "Europe/London", "minutes": "60",
    "topics": "Career steps and giving feedback", "contact": "Chat here, answer within two days",
    "confidential": "yes",
}


async def propose(app: App, user: str, values: dict[str, FormValue], *, where: str | None = None,
                  locale: str = "en") -> list[Response]:
    """`agreement` (typed in `where`, a space key, when given), then the form sent back with `values`."""
    here = Target.from_key(where) if where else None
    command = "kesepakatan" if locale == "id" else "agreement"
    opened = form_of(await app.core.handle(Command(actor(user, locale=locale), command, where=here)))
    return await submit(app, user, opened.form.form_id, values, state=opened.form.state, locale=locale)


async def versions(app: App) -> list[Agreement]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Agreement).order_by(col(Agreement.id)))).all())


async def confirmations(app: App) -> list[AgreementConfirmation]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(AgreementConfirmation)
                                            .order_by(col(AgreementConfirmation.id)))).all())


async def schedule_of(app: App, unit: type[Pair] | type[Circle], unit_id: int) -> list[dict[str, object]]:
    async with app.uow() as uow:
        found: Pair | Circle | None = await uow.session.get(unit, unit_id)
        assert found is not None
        return list(found.schedule)


async def agreement_messages(app: App, user: str | None = None) -> list[Delivery]:
    """Deliveries of kind "agreement" (to `user` by DM when given), oldest first."""
    async with app.uow() as uow:
        query = select(Delivery).where(Delivery.kind == "agreement").order_by(col(Delivery.id))
        if user is not None:
            query = query.where(Delivery.target == f"local:{WORKSPACE}:user:{user}")
        return list((await uow.session.exec(query)).all())


def buttons_of(delivery: Delivery) -> list[str]:
    return [b.action_id for block in decode(delivery.payload).blocks if isinstance(block, Buttons)
            for b in block.buttons]


async def confirm_button(app: App, user: str) -> str:
    """The Confirm button of the latest proposal sent to `user`."""
    for delivery in reversed(await agreement_messages(app, user)):
        found = [a for a in buttons_of(delivery) if a.startswith("agreement.confirm:")]
        if found:
            return found[0]
    raise AssertionError(f"no proposal reached {user}")


async def show(app: App, user: str, *, locale: str = "en") -> str:
    from tests.helpers import text_of

    return text_of(await say(app, user, "kesepakatan lihat" if locale == "id" else "agreement show", locale=locale))
