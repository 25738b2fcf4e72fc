"""What /readyz and the start-up check ask: does the database answer and is it at head, is the scheduler ticking."""

from __future__ import annotations

import asyncio
import logging

from adapters.bootstrap import App
from storage.migrate import SchemaState, schema_state

log = logging.getLogger(__name__)
DATABASE_SECONDS = 5.0  # a probe that hangs on a dead database host would hang the orchestrator's probe too
UNREACHABLE = 1  # exit codes of a refused start: a database that is down may come back (a restart may help) ...
UNMIGRATED = 2  # ... a schema behind the code will not, until someone runs `lingkar db upgrade`


class RefusedToStart(Exception):
    """`lingkar serve` will not serve: one line for the operator (no traceback), and the process's exit code."""

    def __init__(self, message: str, *, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


async def _state(lingkar: App) -> SchemaState:
    async with asyncio.timeout(DATABASE_SECONDS):
        return await schema_state(lingkar.engine)


def migration_problem(state: SchemaState) -> str | None:
    """None when this version can serve; otherwise one line that says what to do (the same words for /readyz, a
    refused start and `lingkar db check`). A revision this version does not know is served: in a rolling upgrade
    the new release migrates first, and the old replicas must stay in the proxy until they are replaced."""
    if state.at_head or not state.known:
        return None
    if state.current is None:
        return "the database has no Lingkar tables yet: run `lingkar db upgrade`"
    return f"the database is at revision {state.current}, this version needs {state.head}: run `lingkar db upgrade`"


def newer_schema(state: SchemaState) -> str | None:
    if state.known:
        return None
    return (f"the database is at revision {state.current}, which this version does not know: a newer version "
            f"migrated it (fine while its replicas replace this one; to go back, restore a backup)")


async def readiness_problems(lingkar: App) -> list[str]:
    """Empty when ready. No exception text: it can carry a host name or a user, and /readyz is public."""
    problems: list[str] = []
    try:
        state = await _state(lingkar)
    except Exception as error:
        log.warning("readiness: the database did not answer (%s)", type(error).__name__)
        problems.append("the database does not answer")
    else:
        if (problem := migration_problem(state)) is not None:
            problems.append(problem)
    if lingkar.settings.scheduler_enabled and not lingkar.scheduler.running:
        problems.append("the scheduler is not running")
    return problems


async def refuse_unless_migrated(lingkar: App) -> None:
    """At start: on an unmigrated database every tick would fail (`relation "delivery" does not exist`)."""
    try:
        state = await _state(lingkar)
    except Exception as error:
        raise RefusedToStart(f"cannot reach the database in LINGKAR_DATABASE_URL ({type(error).__name__}): is it "
                             f"running, and are its host, port and credentials right?",
                             exit_code=UNREACHABLE) from None
    if (problem := migration_problem(state)) is not None:
        raise RefusedToStart(f"not starting: {problem}", exit_code=UNMIGRATED)
    if (newer := newer_schema(state)) is not None:
        log.warning("%s", newer)
