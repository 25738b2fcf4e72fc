"""The Teams app package: manifest.json (bot, scopes, command lists from the core's help), icons, translation."""

from __future__ import annotations

import io
import json
import math
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from adapters.teams.text import shorten
from bot.kernel.grammar import CommandSpec
from bot.kernel.i18n import Translator

# The newest GA schema Microsoft documents (1.18 was never published); every field below is valid in it.
MANIFEST_VERSION = "1.22"
SCHEMA = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA = (f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/"
                       "MicrosoftTeams.Localization.schema.json")
ACCENT = "#0F766E"
COMMANDS_PER_LIST = 10  # Teams' limit per command list
PERSONAL = ("personal",)
SHARED = ("team", "groupChat")


@dataclass(frozen=True)
class AppInfo:
    app_id: str  # the bot's Microsoft App ID (also used as the Teams app id)
    domain: str  # where Lingkar is served, e.g. lingkar.example.com
    version: str = "1.0.0"
    developer: str = "Lingkar"
    website: str = ""
    privacy: str = ""
    terms: str = ""

    def url(self, given: str, path: str) -> str:
        return given or f"https://{clean_domain(self.domain)}{path}"


def clean_domain(domain: str) -> str:
    return domain.strip().removeprefix("https://").removeprefix("http://").split("/", 1)[0]


# What people do in a team channel or group chat (the rest is personal: profiles, check-ins, goals, my data):
# members join the program announced there and take part in its themes; moderators run a session in their circle's
# thread; admins create and run the program from the channel it is announced in. Teams shows at most ten.
IN_CHANNELS = (("help",), ("join",), ("theme", "propose"), ("theme", "vote"), ("session", "log"),
               ("prompt", "next"), ("program", "create"), ("program", "open"), ("program", "close"),
               ("program", "form"))


def _command_sets(specs: Sequence[CommandSpec]) -> list[tuple[tuple[str, ...], list[CommandSpec]]]:
    """Members' commands in the 1:1 chat; in channels and group chats, what is done there (IN_CHANNELS), then
    other organisers' commands if room is left."""
    members = [s for s in specs if s.group == "member"]
    by_path = {s.path: s for s in specs}
    shared = [by_path[path] for path in IN_CHANNELS if path in by_path]
    shared += [s for s in specs if s.group in ("moderator", "admin") and s not in shared]
    return [(PERSONAL, members[:COMMANDS_PER_LIST]), (SHARED, shared[:COMMANDS_PER_LIST])]


def _title(spec: CommandSpec, locale: str) -> str:
    # An Indonesian alias when there is one: a tapped command is sent as typed, and the alias parses too.
    path = spec.aliases[0] if locale == "id" and spec.aliases else spec.path
    return shorten(" ".join(path), limit=32)


def _description(spec: CommandSpec, t: Translator) -> str:
    return shorten(t(spec.help_key), limit=128)


def build_manifest(info: AppInfo, *, specs: Sequence[CommandSpec]) -> dict[str, Any]:
    t = Translator("en")
    command_lists = [{"scopes": list(scopes), "commands": [
        {"title": _title(s, "en"), "description": _description(s, t)} for s in chosen]}
        for scopes, chosen in _command_sets(specs) if chosen]
    domain = clean_domain(info.domain)
    return {
        "$schema": SCHEMA, "manifestVersion": MANIFEST_VERSION, "version": info.version, "id": info.app_id,
        "developer": {"name": info.developer, "websiteUrl": info.url(info.website, "/"),
                      "privacyUrl": info.url(info.privacy, "/privacy"),
                      "termsOfUseUrl": info.url(info.terms, "/terms")},
        "name": {"short": "Lingkar", "full": shorten(t("help.title"), limit=100)},
        "description": {"short": shorten(t("teams.manifest.short"), limit=80),
                        "full": shorten(t("teams.manifest.full"), limit=4000)},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [{"botId": info.app_id, "scopes": [*PERSONAL, *SHARED], "isNotificationOnly": False,
                  "supportsFiles": True, "supportsCalling": False, "supportsVideo": False,
                  "commandLists": command_lists}],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain],
        "localizationInfo": {"defaultLanguageTag": "en", "additionalLanguages": [{"languageTag": "id",
                                                                                   "file": "id.json"}]},
    }


def build_localization(specs: Sequence[CommandSpec], *, locale: str) -> dict[str, Any]:
    t = Translator(locale)
    strings: dict[str, Any] = {
        "$schema": LOCALIZATION_SCHEMA, "name.short": "Lingkar", "name.full": shorten(t("help.title"), limit=100),
        "description.short": shorten(t("teams.manifest.short"), limit=80),
        "description.full": shorten(t("teams.manifest.full"), limit=4000)}
    for n, (_, chosen) in enumerate(s for s in _command_sets(specs) if s[1]):
        for m, spec in enumerate(chosen):
            strings[f"bots[0].commandLists[{n}].commands[{m}].title"] = _title(spec, locale)
            strings[f"bots[0].commandLists[{n}].commands[{m}].description"] = _description(spec, t)
    return strings


def _ring(draw: ImageDraw.ImageDraw, size: int, fill: tuple[int, int, int, int], *, people: int = 6) -> None:
    """A circle of people: dots around a ring (lingkar means circle)."""
    centre, radius = size / 2, size * 0.30
    width = max(1, round(size * 0.06))
    draw.ellipse((centre - radius, centre - radius, centre + radius, centre + radius), outline=fill, width=width)
    dot = size * 0.09
    for k in range(people):
        angle = 2 * math.pi * k / people - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=fill)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def color_icon() -> bytes:
    """192x192, full colour: the accent colour behind a white circle of people."""
    image = Image.new("RGBA", (192, 192), ACCENT)
    _ring(ImageDraw.Draw(image), 192, (255, 255, 255, 255))
    return _png(image)


def outline_icon() -> bytes:
    """32x32, white on transparent (Teams tints it)."""
    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    _ring(ImageDraw.Draw(image), 32, (255, 255, 255, 255), people=5)
    return _png(image)


def build_package(info: AppInfo, *, specs: Sequence[CommandSpec]) -> bytes:
    """The zip Teams accepts as an app upload (Apps > Manage your apps > Upload an app)."""
    uuid.UUID(info.app_id)  # Teams wants the Microsoft App ID, a GUID; fail here rather than at upload
    files = {
        "manifest.json": json.dumps(build_manifest(info, specs=specs), ensure_ascii=False, indent=2).encode("utf-8"),
        "id.json": json.dumps(build_localization(specs, locale="id"), ensure_ascii=False, indent=2).encode("utf-8"),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():  # fixed timestamps: the same input builds the same package
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()
