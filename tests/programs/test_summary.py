"""`program show` speaks of what the program's format has: circle sizes and moderators, or how pairs are matched."""

from __future__ import annotations

from adapters.bootstrap import App
from bot.kernel.messages import Fields
from bot.kernel.replies import Reply, Response
from storage.tables import ProgramFormat
from tests.helpers import make_program, say


def _labels(responses: list[Response]) -> set[str]:
    return {label for r in responses if isinstance(r, Reply) for block in r.message.blocks
            if isinstance(block, Fields) for label, _ in block.pairs}


async def test_a_pair_program_shows_its_matching_not_circle_sizes(app: App) -> None:
    await make_program(app, format=ProgramFormat.REVERSE, slug="reverse", name="Reverse", goal="g")
    await make_program(app, goal="g")
    pairs = _labels(await say(app, "UADMIN", "program show reverse"))
    assert "Matching" in pairs and "Circle size" not in pairs and "Moderators" not in pairs
    circles = _labels(await say(app, "UADMIN", "program show leadership"))
    assert "Circle size" in circles and "Matching" not in circles
