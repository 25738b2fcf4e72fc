"""A ballot's view action (what a Teams card refresh asks for): each member sees only their own vote, nothing
changes, and only the circle's members get a view."""

from __future__ import annotations

from adapters.bootstrap import App
from adapters.signing import PayloadSigner, Scope, Seal
from adapters.teams.cards import message_card
from adapters.teams.payloads import REFRESH
from bot.kernel.events import Action
from bot.kernel.i18n import Translator
from bot.kernel.messages import Choice
from bot.kernel.replies import Reply, Response, UpdateSource
from tests.kernel.payload_world import actor, snapshot, worlds

SEAL = Seal(PayloadSigner(key="test-key"), Scope("teams", "W1", None))


def _choice(responses: list[Response]) -> Choice:
    [update] = responses
    assert isinstance(update, UpdateSource), responses
    [choice] = [b for b in update.message.blocks if isinstance(b, Choice)]
    return choice


async def test_an_election_ballot_shows_each_member_only_their_own_vote(app: App) -> None:
    world, _ = await worlds(app)
    view = f"elect.ballot:{world['election']}"
    await app.core.handle(Action(actor("W1", "U1"), f"elect.vote:{world['election']}", value=str(world["U2"])))
    before = await snapshot(app)

    mine = await app.core.handle(Action(actor("W1", "U1"), view))
    theirs = await app.core.handle(Action(actor("W1", "U3"), view))
    outsider = await app.core.handle(Action(actor("W1", "U4"), view))

    assert await snapshot(app) == before  # a view changes nothing
    assert _choice(mine).selected == (str(world["U2"]),) and _choice(theirs).selected == ()
    assert _choice(mine).view == view
    assert [r.message.text if isinstance(r, Reply) else r for r in outsider] == [
        "Only members of this circle can vote here."]
    update = mine[0]
    assert isinstance(update, UpdateSource)
    card = message_card(update.message, t=Translator("en"), people={}, seal=SEAL)
    data = card["refresh"]["action"]["data"]
    assert data["action_id"] == view and data[REFRESH] is True and SEAL.read_value(view, data["value"]) == ""
