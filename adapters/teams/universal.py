"""Universal Actions: what an adaptiveCard/action invoke carries in, and the answers Teams reads back from it."""

from __future__ import annotations

from typing import Any

from adapters.teams.cards import CONTENT_TYPE

INVOKE = "adaptiveCard/action"  # an Action.Execute pressed, or a card's refresh
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
ERROR_TYPE = "application/vnd.microsoft.error"


def execute_data(value: Any) -> dict[str, Any] | None:
    """The action's data (the button's data merged with the card's inputs), or None when the invoke is not an
    Action.Execute: `{"action": {"type": "Action.Execute", "verb": ..., "data": {...}}, "trigger": ...}`."""
    if not isinstance(value, dict):
        return None
    action = value.get("action")
    if not isinstance(action, dict) or action.get("type") != "Action.Execute":
        return None
    data = action.get("data")
    return data if isinstance(data, dict) else None


def card_answer(content: dict[str, Any]) -> dict[str, Any]:
    """Teams shows this card in place of the pressed one, to the member who pressed it."""
    return {"statusCode": 200, "type": CONTENT_TYPE, "value": content}


def message_answer(text: str) -> dict[str, Any]:
    """The card stays as it is; Teams shows `text` beside it for a moment."""
    return {"statusCode": 200, "type": MESSAGE_TYPE, "value": text}


def error_answer(status: int, code: str, message: str) -> dict[str, Any]:
    """The card stays as it is (a refresh nobody can answer, an invoke that is not ours)."""
    return {"statusCode": status, "type": ERROR_TYPE, "value": {"code": code, "message": message}}
