"""`lingkar teams manifest`: the app package Teams accepts, with the core's commands and both languages."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from adapters.bootstrap import capabilities as all_features
from adapters.cli import app as cli
from adapters.teams.text import shorten
from bot.kernel.i18n import translate

APP_ID = "9e1a7c1f-0000-4000-8000-000000000001"


def test_the_cli_builds_a_package_teams_accepts(tmp_path: Path) -> None:
    out = tmp_path / "lingkar-teams.zip"
    result = CliRunner().invoke(cli, ["teams", "manifest", "--app-id", APP_ID, "--domain",
                                      "https://lingkar.example.com/", "--out", str(out)])
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(out)
    assert sorted(archive.namelist()) == ["color.png", "id.json", "manifest.json", "outline.png"]
    manifest = json.loads(archive.read("manifest.json"))

    assert manifest["manifestVersion"] == "1.22"  # the newest GA schema Microsoft documents
    assert manifest["$schema"] == "https://developer.microsoft.com/en-us/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
    assert manifest["id"] == APP_ID and manifest["validDomains"] == ["lingkar.example.com"]
    assert manifest["developer"]["privacyUrl"] == "https://lingkar.example.com/privacy"
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["supportsFiles"] is True  # file consent cards (exports, `my data`) in 1:1 chats
    specs = {" ".join(s.path): s for f in all_features() for s, _ in f.commands}
    for command_list in bot["commandLists"]:
        assert 0 < len(command_list["commands"]) <= 10
        for command in command_list["commands"]:
            assert len(command["title"]) <= 32 and len(command["description"]) <= 128
            # a longer help line is cut at a word with "…", as Teams allows 128 characters
            assert command["description"] == shorten(translate(specs[command["title"]].help_key, "en"), limit=128)
    personal = next(c for c in bot["commandLists"] if c["scopes"] == ["personal"])
    assert [c["title"] for c in personal["commands"]][:2] == ["join", "profile"]
    shared = next(c for c in bot["commandLists"] if "team" in c["scopes"])
    shared_titles = [c["title"] for c in shared["commands"]]
    assert shared_titles[:2] == ["help", "join"]  # members join from the channel a program is announced in
    assert {"theme vote", "session log", "program create", "program form"} <= set(shared_titles)
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80

    indonesian = json.loads(archive.read("id.json"))
    assert indonesian["bots[0].commandLists[0].commands[0].title"] == "gabung"
    assert indonesian["description.short"] == translate("teams.manifest.short", "id")
    assert manifest["localizationInfo"]["additionalLanguages"] == [{"languageTag": "id", "file": "id.json"}]

    color = Image.open(io.BytesIO(archive.read("color.png")))
    outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert color.size == (192, 192) and outline.size == (32, 32)
    rgba = outline.convert("RGBA")
    pixels = {rgba.getpixel((x, y)) for x in range(32) for y in range(32)}
    assert pixels == {(0, 0, 0, 0), (255, 255, 255, 255)}  # white on transparent, as Teams requires


def test_a_wrong_app_id_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "x.zip"
    result = CliRunner().invoke(cli, ["teams", "manifest", "--app-id", "lingkar-bot", "--domain", "example.com",
                                      "--out", str(out)])
    assert result.exit_code != 0 and "GUID" in result.output
    assert not out.exists()
