"""The direction of imports (DESIGN.md): adapters -> scheduler -> bot -> storage, checked on the real source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "bot": {"slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp", "adapters", "scheduler"},
    "storage": {"bot", "adapters", "scheduler", "slack_bolt", "slack_sdk", "botbuilder"},
    "scheduler": {"adapters", "slack_bolt", "slack_sdk", "botbuilder"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down(package: str) -> None:
    offenders = {}
    files = list((ROOT / package).rglob("*.py"))
    assert files, f"no modules found in {package}/"
    for path in files:
        bad = imported_roots(path) & FORBIDDEN[package]
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_the_check_itself_catches_a_bad_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nfrom slack_sdk.web import WebClient\n", encoding="utf-8")
    assert imported_roots(sample) & FORBIDDEN["bot"] == {"slack_sdk"}
