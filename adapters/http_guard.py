"""Limits for the HTTP edge: body size, header and body read timeouts, and calm answers to broken requests."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler, Middleware
from aiohttp.web_protocol import RequestPayloadError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """Slack and Teams send small JSON or forms within a second; anything slower or bigger is not them."""

    header_seconds: float = 20.0  # connect (or the last answer) to the end of the next request's headers
    body_seconds: float = 20.0  # the end of the headers to the end of the body
    linger_seconds: float = 5.0  # after an early answer (408, 413), reading what the client still sends, then close
    max_body: int = 1_000_000


LIMITS = web.AppKey("http_limits", Limits)


def guarded_app(*, limits: Limits) -> web.Application:
    """An aiohttp app that reads every body under the limits before a handler sees the request."""
    web_app = web.Application(client_max_size=limits.max_body, middlewares=[_guard(limits)])
    web_app[LIMITS] = limits
    return web_app


def runner_options(web_app: web.Application) -> dict[str, Any]:
    """What web.AppRunner needs for the header timeout: aiohttp closes a connection still waiting for a whole
    request line and headers after keepalive_timeout (an hour by default), counted from connect or the last
    answer, however many bytes trickle in meanwhile. Lingering (10 s by default) lets a client that is still
    sending read an early answer instead of a reset."""
    limits = web_app[LIMITS]
    return {"keepalive_timeout": limits.header_seconds, "lingering_time": limits.linger_seconds}


def make_runner(web_app: web.Application) -> web.AppRunner:
    return web.AppRunner(web_app, **runner_options(web_app))


def _guard(limits: Limits) -> Middleware:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.body_exists:
            refused = await _read_body(request, limits)
            if refused is not None:
                return refused
        return await handler(request)

    return guard


async def _read_body(request: web.Request, limits: Limits) -> web.Response | None:
    """Read the whole body now (read() keeps it: the handler's own read()/text() returns it at once), or say why
    not. Too big raises aiohttp's 413 from read() itself."""
    try:
        async with asyncio.timeout(limits.body_seconds):
            await request.read()
    except TimeoutError:
        log.info("dropped a request whose body took longer than %ss", limits.body_seconds)
        return _closing(web.Response(status=408, text="request body too slow"))
    except (ConnectionResetError, RequestPayloadError, HttpProcessingError) as error:
        # The client went away mid-body, or sent a body that is not what its headers promised: nobody to answer
        # and nothing to fix here, so no traceback.
        log.debug("%s %s: incomplete or malformed body (%s)", request.method, request.path, type(error).__name__)
        return _closing(web.Response(status=400, text="incomplete or malformed request body"))
    return None


def _closing(response: web.Response) -> web.Response:
    response.force_close()  # whatever is left of this request is not worth reading
    return response


def holds_nul(value: Any, *, depth: int = 0) -> bool:
    """Whether any text in a parsed body holds a NUL character. No platform sends one, PostgreSQL cannot store
    one in a text column, and refusing the request at the edge keeps it out of every table at once."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > 64:  # parsed JSON is already depth-limited; this only bounds the walk
        return True
    if isinstance(value, dict):
        return any(holds_nul(k, depth=depth + 1) or holds_nul(v, depth=depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_nul(v, depth=depth + 1) for v in value)
    return False
