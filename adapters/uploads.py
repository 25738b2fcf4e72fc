"""A file an admin sends with a command (an org import, a program's script) in a Slack DM upload or a Teams
personal chat: which messages carry one (the command's `takes_file`), and reading it under a size cap, before the
core sees the command with the file attached."""

from __future__ import annotations

from collections.abc import Sequence

import aiohttp

from bot.kernel.grammar import CommandSpec, parse

MAX_BYTES = 5 * 1024 * 1024  # a CSV of a few tens of thousands of people; anything bigger is not an org import
TIMEOUT = aiohttp.ClientTimeout(total=60)


class UploadRefused(Exception):
    """The file cannot be taken; `reason` names the adapter's catalog text that tells the admin why
    (`<platform>.import.<reason>`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def takes_file(text: str, specs: Sequence[CommandSpec]) -> bool:
    """The message is a command that takes a file (`admin import`, `program script`), in any of its spellings (the
    core's grammar decides, as it will)."""
    parsed = parse(text, list(specs))
    return parsed.spec is not None and parsed.spec.takes_file


async def read_capped(response: aiohttp.ClientResponse, *, limit: int = MAX_BYTES) -> bytes:
    """The body, refused as `too_large` once it passes `limit` (by its Content-Length, or while it streams in, so a
    server that lies about the length costs no more memory than the cap)."""
    if response.content_length is not None and response.content_length > limit:
        raise UploadRefused("too_large")
    data = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        data.extend(chunk)
        if len(data) > limit:
            raise UploadRefused("too_large")
    return bytes(data)


def megabytes(limit: int = MAX_BYTES) -> int:
    return limit // (1024 * 1024)


def is_org_import(text: str, specs: Sequence[CommandSpec]) -> bool:
    """The org import: the one file command that needs the platform's email directory with its file."""
    parsed = parse(text, list(specs))
    return parsed.spec is not None and parsed.spec.path == ("admin", "import")
