"""The deploy kit's install step works: `pip install .` (the Dockerfile's) into a fresh venv, then `lingkar check`
passes and `lingkar serve` answers /readyz with 200 on a new SQLite database. Slow (a minute or two): one test."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "adapters", "bot", "scheduler", "storage")  # what the Dockerfile COPYs
INSTALL_GUARD = 900  # seconds: only so a broken build fails instead of hanging; pip uses this machine's cache
SERVE_GUARD = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def readyz(port: int) -> tuple[int, dict[str, object]] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return None  # not listening yet


def wait_ready(server: subprocess.Popen[str], port: int) -> tuple[int, dict[str, object]]:
    deadline, answer = time.monotonic() + SERVE_GUARD, None
    while time.monotonic() < deadline:
        assert server.poll() is None, "lingkar serve exited"
        answer = readyz(port)
        if answer is not None and answer[0] == 200:
            return answer
        time.sleep(0.5)
    raise AssertionError(f"/readyz never answered 200 within the hang guard: {answer}")


@pytest.mark.slow
def test_pip_install_then_check_and_serve(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / name, source / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=INSTALL_GUARD)
    installed = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(source)], capture_output=True,
                               text=True, timeout=INSTALL_GUARD)
    assert installed.returncode == 0, installed.stderr[-2000:]
    lingkar = str(venv / "bin" / "lingkar")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINGKAR_", "SLACK_", "Microsoft", "MICROSOFT_"))}
    env.update(LINGKAR_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'lingkar.db'}", LINGKAR_HOST="127.0.0.1",
               LINGKAR_PORT=str(port), LINGKAR_SECRET_KEY="a-test-key", LINGKAR_TEAMS_LOCAL="true")
    work = tmp_path / "work"  # no .env, and not the checkout: the installed package alone
    work.mkdir()
    checked = subprocess.run([lingkar, "check"], env=env, cwd=work, capture_output=True, text=True,
                             timeout=SERVE_GUARD)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([lingkar, "serve"], env=env, cwd=work, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert wait_ready(server, port) == (200, {"status": "ready"})
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            _, err = server.communicate(timeout=SERVE_GUARD)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
    assert "Traceback" not in err, err[-2000:]
