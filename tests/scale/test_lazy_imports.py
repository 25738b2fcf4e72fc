"""A server that never forms, pairs, draws or sends an invite does not hold scipy, matplotlib, icalendar or numpy.

In a subprocess: other tests in this process may have imported them already. tests/pairs, tests/digest and
tests/calendar_files exercise the functions that import them on first use.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = ("scipy", "matplotlib", "icalendar", "numpy")

BOOT = """
import asyncio, sys
import adapters.server
from adapters.bootstrap import bootstrap
from adapters.settings import Settings

async def main() -> None:
    app = await bootstrap(Settings(LINGKAR_DATABASE_URL=sys.argv[1]))
    await app.engine.dispose()

asyncio.run(main())
print(" ".join(sorted(m for m in {heavy} if m in sys.modules)))
"""


def test_serving_imports_no_heavy_library(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'lazy.db'}"
    done = subprocess.run([sys.executable, "-c", BOOT.format(heavy=HEAVY), url], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [], f"imported at start: {done.stdout.strip()}"

