"""Help in Bahasa Indonesia leads with the Indonesian command names (which work), English in brackets."""

from __future__ import annotations

from adapters.bootstrap import App, capabilities
from bot.kernel.capability import routes
from bot.kernel.grammar import parse
from bot.kernel.help import local_name
from tests.helpers import say, text_of

SPECS = list(routes(capabilities()).hooks.specs)


async def test_indonesian_help_names_commands_in_indonesian(app: App) -> None:
    text = text_of(await say(app, "U1", "bantuan", locale="id"))
    assert "ikut (join) [program]: ikut program" in text
    assert "keluar (leave) [program]:" in text and "bantuan (help):" in text
    assert "tema pilih (theme vote) [nomor]:" in text
    assert "\n  join [program]" not in text  # no line leads with the English name where an Indonesian one exists


async def test_english_help_is_unchanged(app: App) -> None:
    text = text_of(await say(app, "U2", "help"))
    assert "join [program]: " in text and "gabung" not in text.split("\n", 1)[1].rsplit("\n", 1)[0]


def test_every_indonesian_name_shown_is_a_command_that_works() -> None:
    shown = {spec.path: local_name(spec, "id") for spec in SPECS}
    assert sum(1 for name in shown.values() if name) >= 20
    for spec in SPECS:
        name = local_name(spec, "id")
        if name is not None:
            assert parse(name, SPECS).spec == spec, name
            assert local_name(spec, "en") is None
