"""The deploy kit agrees with the code: compose and the Dockerfile run real `lingkar` commands, name only variables
.env.example documents, and the systemd unit is one systemd accepts. (No container runtime here: docs/deploy.md.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from adapters.cli import app
from adapters.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "PUBLIC_HOSTNAME"}  # read by compose itself, documented in .env.example too


def documented() -> set[str]:
    return {m.group(1) for m in re.finditer(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)=", (ROOT / ".env.example").read_text(),
                                            re.MULTILINE)}


def aliases() -> set[str]:
    return {str(field.alias) for field in Settings.model_fields.values()}


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def is_command(argv: list[str]) -> bool:
    """A real `lingkar` command line: `--help` on it succeeds."""
    assert argv[0] == "lingkar"
    return CliRunner().invoke(app, [*argv[1:], "--help"]).exit_code == 0


def test_every_setting_is_in_env_example() -> None:
    assert aliases() - documented() == set()


def test_compose_runs_migrations_once_then_two_replicas_behind_a_proxy() -> None:
    services = compose()["services"]
    assert services["migrate"]["command"] == ["lingkar", "db", "upgrade"] and services["migrate"]["restart"] == "no"
    replicas = [name for name, service in services.items() if service.get("command") == ["lingkar", "serve"]]
    assert len(replicas) == 2
    for name in replicas:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["db"]["image"].startswith("postgres:") and services["proxy"]["image"].startswith("caddy:")
    assert all(is_command(services[name]["command"]) for name in ("migrate", *replicas))
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert all(f"{name}:3000" in caddyfile for name in replicas) and "health_uri /readyz" in caddyfile


def test_compose_names_only_documented_variables() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    assert interpolated == COMPOSE_ONLY and documented() >= COMPOSE_ONLY
    lingkars = [service for service in compose()["services"].values() if service.get("command", [""])[0] == "lingkar"]
    assert len(lingkars) == 3
    for service in lingkars:  # the db and proxy images have variables of their own
        settings = set(service["environment"])
        assert settings <= documented() and settings <= aliases(), settings
    url = compose()["services"]["lingkar-1"]["environment"]["LINGKAR_DATABASE_URL"]
    assert url.startswith("postgresql+asyncpg://")


def test_dockerfile_multi_stage_slim_non_root_healthcheck_serve() -> None:
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    stages = [line for line in lines if line.startswith("FROM ")]
    assert len(stages) == 2 and all(re.match(r"FROM python:3\.1[1-3]-slim\b", stage) for stage in stages)
    assert "RUN /opt/lingkar/bin/pip install ." in lines  # what test_install.py runs in a fresh venv
    user = next(line for line in lines if line.startswith("USER "))
    assert user.split()[1] not in {"root", "0"} and lines.index(user) > lines.index(stages[1])
    healthcheck = " ".join(lines[lines.index(next(line for line in lines if line.startswith("HEALTHCHECK"))):][:2])
    assert "/healthz" in healthcheck
    assert lines[-1] == 'CMD ["lingkar", "serve"]' and is_command(["lingkar", "serve"])
    assert not any("db upgrade" in line for line in lines)  # migrations are a separate step


def test_systemd_unit() -> None:
    unit = (DEPLOY / "lingkar.service").read_text()
    assert "ExecStart=/opt/lingkar/bin/lingkar serve" in unit and "ExecStartPre=/opt/lingkar/bin/lingkar check" in unit
    assert "db upgrade" not in "".join(line for line in unit.splitlines() if line.startswith("Exec"))
    assert "RestartPreventExitStatus=2" in unit and "User=lingkar" in unit


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    lingkar = shutil.which("lingkar") or str(ROOT / ".venv" / "bin" / "lingkar")
    # The unit as installed, pointing at this machine's lingkar and .env.example instead of /opt and /etc.
    unit = (DEPLOY / "lingkar.service").read_text().replace("/opt/lingkar/bin/lingkar", lingkar)
    (tmp_path / "lingkar.service").write_text(unit.replace("/etc/lingkar/lingkar.env", str(ROOT / ".env.example")))
    done = subprocess.run([analyze, "verify", str(tmp_path / "lingkar.service")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
