"""A server that never forms, pairs, draws or sends an invite does not hold scipy, matplotlib, icalendar or numpy;
one with Teams off holds no botbuilder; one whose dashboard is not configured does not hold its sign-in (msal,
requests), pages or actions.

In a subprocess: other tests in this process may have imported them already. tests/pairs, tests/digest and
tests/calendar_files exercise the functions that import them on first use; tests/dashboard the configured dashboard.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = ("scipy", "matplotlib", "icalendar", "numpy", "botbuilder", "botframework", "msal", "requests")
# adapters/dashboard/app.py imports these only when LINGKAR_DASHBOARD_SESSION_KEY is set (issue 18, memory).
DASHBOARD = ("adapters.dashboard.signin", "adapters.dashboard.signin_microsoft", "adapters.dashboard.pages",
             "adapters.dashboard.actions")

BOOT = """
import asyncio, sys
import adapters.server
from adapters.bootstrap import bootstrap
from adapters.settings import Settings

async def main() -> None:
    app = await bootstrap(Settings(LINGKAR_DATABASE_URL=sys.argv[1]))
    adapters.server.build_web_app(app)  # every route `lingkar serve` installs
    await app.engine.dispose()

asyncio.run(main())
print(" ".join(sorted(m for m in {lazy} if m in sys.modules)))
"""


def test_serving_imports_no_heavy_library(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'lazy.db'}"
    done = subprocess.run([sys.executable, "-c", BOOT.format(lazy=HEAVY + DASHBOARD), url], capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [], f"imported at start: {done.stdout.strip()}"


TEAMS_OFF = """
import sys
from adapters import teams
from adapters.settings import Settings
from bot.kernel.clock import SystemClock

messenger = teams.build_messenger(Settings(LINGKAR_DATABASE_URL=sys.argv[1]), lambda: None, clock=SystemClock())
before = "botbuilder" in sys.modules
connection = messenger.connection  # the first use builds the real messenger
print(before, "botbuilder" in sys.modules, type(messenger.built).__name__, type(connection).__name__)
"""


def test_teams_off_builds_its_messenger_on_first_use(tmp_path: Path) -> None:
    """With Teams off (no MicrosoftAppId, no local mode) the Teams messenger, and botbuilder, are built when
    something uses it, and then it is the one Teams-on builds at start (adapters.teams.OnFirstUse)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'teams.db'}"
    done = subprocess.run([sys.executable, "-c", TEAMS_OFF, url], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "True", "TeamsMessenger", "Connection"]


def test_the_teams_route_is_the_endpoints() -> None:
    from adapters import teams
    from adapters.teams import http

    assert teams.ROUTE == http.ROUTE
