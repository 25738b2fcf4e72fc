"""The mock Teams connector, also keeping what it answered each call (the scenario reads new threads' ids)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tests.teams.mock_connector import MockConnector


class AnsweringConnector(MockConnector):
    """The mock connector, also keeping what it answered each call (the new activity's or thread's id)."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[int, dict[str, Any]] = {}  # id(call) -> the JSON answered

    async def _keep(self, response: web.Response) -> web.Response:
        if response.status < 300 and isinstance(response.body, bytes) and self.calls:
            # No await between recording the call and answering it: the newest call is this one.
            self.answers[id(self.calls[-1])] = json.loads(response.body)
        return response

    async def _send(self, request: web.Request) -> web.Response:
        return await self._keep(await super()._send(request))

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._keep(await super()._reply(request))

    async def _create(self, request: web.Request) -> web.Response:
        return await self._keep(await super()._create(request))
