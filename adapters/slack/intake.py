"""/slack/events before bolt: signed, parseable, and shaped like a payload Lingkar handles, else a calm 4xx."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from adapters.http_guard import holds_nul

log = logging.getLogger(__name__)
Check = Callable[[Any], bool]


class Refused(Exception):
    """A request that never reaches bolt: the status to answer and why (a fixed phrase, never request content)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def response(self) -> web.Response:
        return web.Response(status=self.status, text=self.reason)


async def bolt_request(request: web.Request, *, signing_secret: str) -> AsyncBoltRequest:
    """The request as bolt takes it. Raises Refused when it is unsigned (401), not UTF-8, not JSON or a form
    (400), or not shaped like a payload Lingkar handles (400). Bolt parses bodies and builds its context before it
    checks signatures, and trusts the shape of what it parses: without this, junk gets 500s and tracebacks."""
    raw = await request.read()
    headers: dict[str, str] = {}
    for name, value in request.headers.items():  # a repeated header: the first, here and in bolt alike
        headers.setdefault(name.lower(), value)
    try:
        text = raw.decode("utf-8")  # what Slack sends; a charset parameter says nothing else
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if not signed(signing_secret, body=text, timestamp=headers.get("x-slack-request-timestamp"),
                  signature=headers.get("x-slack-signature")):
        raise Refused(401, "invalid request")
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower() or None
    try:
        body = parse_body(text, content_type)
    except (ValueError, TypeError, RecursionError):  # JSONDecodeError is a ValueError
        raise Refused(400, "body is neither JSON nor a form") from None
    problem = "text holds a NUL character" if holds_nul(body) else shape_problem(body)
    if problem is not None:
        log.info("Slack: refused a signed request: %s", problem)
        raise Refused(400, problem)
    return AsyncBoltRequest(body=text, query=request.query_string, headers=dict(headers))


def signed(secret: str, *, body: str, timestamp: str | None, signature: str | None) -> bool:
    """Slack's v0 signature, checked without the exceptions slack_sdk raises on an empty secret, a timestamp
    that is not a number or a signature that is not ASCII."""
    if not secret:
        return False
    if not timestamp or not signature or not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) < 16):
        return False
    if not signature.isascii():
        return False
    return SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp, signature=signature)


# -- shapes --------------------------------------------------------------------------------------------------------
# Every key below is one that bolt (building its context, matching listeners) or Lingkar's listeners read, with the
# type they assume. A key that is absent or null is fine unless `_required`; keys nobody reads are not checked.

def _str(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _bool(value: Any) -> bool:
    return value is None or isinstance(value, bool)


def _required(check: Check) -> Check:
    return lambda value: value is not None and check(value)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _either(*checks: Check) -> Check:
    return lambda value: any(check(value) for check in checks)


def _obj(**fields: Check) -> Check:
    def check(value: Any) -> bool:
        return value is None or (isinstance(value, dict) and all(c(value.get(k)) for k, c in fields.items()))

    return check


def _list(item: Check, *, nonempty: bool = False) -> Check:
    def check(value: Any) -> bool:
        if value is None:
            return not nonempty
        return isinstance(value, list) and (bool(value) or not nonempty) and all(item(i) for i in value)

    return check


def _map(item: Check) -> Check:
    return lambda value: value is None or (isinstance(value, dict) and all(item(v) for v in value.values()))


_OPTION = _obj(value=_required(_str))
_ELEMENT = _obj(type=_str, value=_str, selected_option=_OPTION, selected_options=_list(_required(_OPTION)),
                selected_date=_str)
_VIEW = _obj(id=_str, type=_str, callback_id=_str, private_metadata=_str, team_id=_str, app_installed_team_id=_str,
             blocks=_list(_required(_obj(block_id=_str, type=_str))),
             state=_obj(values=_map(_required(_map(_required(_ELEMENT))))))


def _context(value: Any) -> bool:
    """What bolt reads from a body to build its context, and again from its event, message and first
    authorization."""
    if value is None:
        return True
    if not isinstance(value, dict):
        return False
    scalars = ("enterprise_id", "team_id", "user_id", "channel_id", "thread_ts", "function_execution_id",
               "bot_access_token", "response_url", "trigger_id", "user_team", "type", "subtype", "tab",
               "channel_type", "bot_id")
    if not all(_str(value.get(key)) for key in scalars):
        return False
    if "event" in value and not isinstance(value["event"], dict):  # bolt reads it as `.get("event", {})`
        return False
    checks: dict[str, Check] = {
        "enterprise": _either(_str, _obj(id=_str)),
        "team": _either(_str, _obj(id=_str, enterprise_id=_str)),
        "user": _either(_str, _obj(id=_str, team_id=_str, name=_str)),
        "channel": _either(_str, _obj(id=_str)),
        "is_ext_shared_channel": _bool,
        "is_enterprise_install": _either(_bool, _str),
        "authorizations": _list(_required(_context)),
        "response_urls": _list(_required(_obj(response_url=_str))),
        "function_data": _obj(execution_id=_str),
        "view": _VIEW,
        "event": _context,
        "message": _context,
        "previous_message": _context,
        "item": _context,
        "assistant_thread": _context,
    }
    return all(check(value.get(key)) for key, check in checks.items())


_ACTION = _obj(action_id=_text, block_id=_str, type=_str, value=_str, action_ts=_str, selected_option=_OPTION,
               selected_options=_list(_required(_OPTION)))
# Someone did it: every interaction names its member (and, through them or the payload, the workspace).
_MEMBER = _required(_obj(id=_text, team_id=_str))
_BY_TYPE: dict[str, dict[str, Check]] = {
    "block_actions": {"user": _MEMBER, "actions": _list(_required(_ACTION), nonempty=True),
                      "container": _obj(type=_str, channel_id=_str, message_ts=_str, is_ephemeral=_bool)},
    "view_submission": {"user": _MEMBER, "view": _required(_obj(callback_id=_required(_str), type=_required(_str)))},
    "view_closed": {"user": _MEMBER, "view": _required(_obj(callback_id=_required(_str), type=_required(_str)))},
    "event_callback": {"event": _required(_obj(type=_required(_str), view=_VIEW, text=_str,
                                               files=_list(_required(_obj(id=_str))))), "event_id": _str},
    "url_verification": {"challenge": _required(_str)},
}
_COMMAND_FIELDS = ("command", "text", "channel_id", "user_id", "user_name", "team_id", "response_url", "trigger_id")


# Enterprise Grid events about the org's app as a whole may name no workspace of their own (team_id null): the org
# and the event's team_ids say which (adapters/slack/uninstall.py).
_ORG_EVENTS = frozenset({"team_access_revoked", "team_access_granted"})


def _workspace(body: dict[str, Any]) -> bool:
    """The team id, where Lingkar's team_of looks for it; or the org, for an org-level event."""
    team = body.get("team")
    user = body.get("user")
    event = body.get("event")
    org_event = isinstance(event, dict) and event.get("type") in _ORG_EVENTS and bool(body.get("enterprise_id"))
    return bool(body.get("team_id") or (isinstance(team, dict) and team.get("id"))
                or (isinstance(user, dict) and user.get("team_id")) or org_event)


def shape_problem(body: Any) -> str | None:
    """None when bolt and the listeners can read this body without tripping over it, else a short reason."""
    if not isinstance(body, dict):
        return "body is not an object"
    if not _context(body):
        return "malformed payload"
    kind = body.get("type")
    if "command" in body:
        if kind is not None or not all(_str(body.get(key)) for key in _COMMAND_FIELDS):
            return "malformed slash command"
        return None
    if kind is None:
        return None  # nothing bolt would route to a listener (an ssl_check, an empty form): bolt answers itself
    checks = _BY_TYPE.get(kind)
    if checks is None:
        return "unsupported payload type"
    if not all(check(body.get(key)) for key, check in checks.items()):
        return f"malformed {kind} payload"
    if kind != "url_verification" and not _workspace(body):
        return f"{kind} payload without a workspace"
    return None
