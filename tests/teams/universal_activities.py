"""The adaptiveCard/action invokes Teams posts for Universal Actions: an Action.Execute pressed, a card refreshed."""

from __future__ import annotations

import json
from typing import Any

from tests.teams.activities import User, personal
from tests.teams.mock_connector import Call


def execute(service_url: str, user: User, data: dict[str, Any], *, inputs: dict[str, Any] | None = None,
            verb: str = "lingkar.action", trigger: str = "manual", reply_to_id: str | None = None,
            like: dict[str, Any] | None = None) -> dict[str, Any]:
    """The invoke for an Action.Execute: its data merged with the card's inputs, in `like`'s conversation (a
    message activity to copy conversation and channelData from), else the member's 1:1 chat. Teams does not
    always say which card it came from (`replyToId`)."""
    activity = personal(service_url, user, "")
    if like is not None:
        activity["conversation"], activity["channelData"] = like["conversation"], like["channelData"]
    del activity["text"], activity["textFormat"]
    activity.update(type="invoke", name="adaptiveCard/action", value={
        "action": {"type": "Action.Execute", "verb": verb, "data": {**data, **(inputs or {})}}, "trigger": trigger})
    if reply_to_id:
        activity["replyToId"] = reply_to_id
    return activity


def refresh(service_url: str, user: User, card: dict[str, Any], *, like: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    """What Teams sends when `user` sees a card with a `refresh`: its action, triggered automatically."""
    action = card["refresh"]["action"]
    return execute(service_url, user, action["data"], verb=action["verb"], trigger="automatic", like=like)


def answer(body: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def executes(call_or_card: Call | dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Execute of a card (in ActionSets and at its end)."""
    card = call_or_card.card if isinstance(call_or_card, Call) else call_or_card
    found = [a for e in card["body"] if e.get("type") == "ActionSet" for a in e["actions"]]
    return [a for a in found + list(card.get("actions", [])) if a["type"] == "Action.Execute"]
