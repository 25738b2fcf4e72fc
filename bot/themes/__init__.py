"""Themes chosen by employees: propose, approval-vote, admin curation, selection at closing."""

from __future__ import annotations

from bot.kernel.capability import Capability
from bot.kernel.grammar import CommandSpec
from bot.themes.commands import (
    admin_add,
    admin_merge,
    admin_reject,
    admin_rename,
    ballot_action,
    propose,
    theme_list,
    vote,
    vote_action,
)
from bot.themes.selection import close_step

CAPABILITY = Capability(
    name="themes",
    commands=(
        (CommandSpec(("theme", "propose"), "help.theme_propose",  # help shows the last: `usulkan tema`
                     aliases=(("tema", "usul"), ("usulkan", "tema"))), propose),
        (CommandSpec(("theme", "vote"), "help.theme_vote", aliases=(("tema", "pilih"),)), vote),
        (CommandSpec(("theme", "list"), "help.theme_list", aliases=(("tema", "daftar"),)), theme_list),
        (CommandSpec(("theme", "add"), "help.theme_add", admin=True, group="admin"), admin_add),
        (CommandSpec(("theme", "rename"), "help.theme_rename", admin=True, group="admin"), admin_rename),
        (CommandSpec(("theme", "merge"), "help.theme_merge", admin=True, group="admin"), admin_merge),
        (CommandSpec(("theme", "reject"), "help.theme_reject", admin=True, group="admin"), admin_reject),
    ),
    actions={"theme.vote": vote_action, "theme.ballot": ballot_action},
    on_close=(close_step,),
)
