"""Privacy: `my data` and `forget me`."""

from __future__ import annotations

from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec
from bot.privacy.commands import forget_cancelled, forget_confirmed, forget_me, my_data_command

CAPABILITY = Capability(
    name="privacy",
    commands=(
        (CommandSpec(("my", "data"), "help.my_data", aliases=(("data", "saya"),)), my_data_command),
        (CommandSpec(("forget", "me"), "help.forget_me", aliases=(("lupakan", "saya"),)), forget_me),
    ),
    actions={"forget.confirm": forget_confirmed, "forget.cancel": forget_cancelled},
)
