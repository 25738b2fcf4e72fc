"""Issue 18: a 100,000-member company on one database, seeded in bulk and measured through Lingkar's entry points.

    python bench/scale.py seed [--members 100000] [--database-url URL]
    python bench/scale.py measure [--only tick,digest,...] [--database-url URL]
    python bench/scale.py all          # seed, then measure everything

Several measurements run one after another, each in a fresh process (its RSS is its own).

The default database is PostgreSQL `lingkar_bench` on 127.0.0.1:5432 (created when missing; never `test`).
Prints figures only: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/scale.py` from anywhere

from bench.scale_company import FULL, company
from bench.scale_store import DEFAULT_URL, Snapshot, Store


async def run_seed(url: str, *, members: int, schema: str | None = None, settle: bool = False) -> Store:
    """Migrate a fresh database with the product's Alembic revisions, then seed it; prints the time per table."""
    store = Store(url, schema=schema)
    began = time.perf_counter()
    await store.prepare(fresh=True)
    print(f"schema (Alembic migrations): {time.perf_counter() - began:.1f} s")
    await store.open()
    try:
        from bench.scale_seed import seed

        await seed(store, company(members))
    finally:
        await store.close()
    if settle:
        from bench.scale_measure import settle as settle_tick

        await settle_tick(url, schema=schema)
    if schema is None:
        await Snapshot(url, schema=schema).save()  # what `forget me` and `program form` restore after measuring
    print(f"seeded {members:,} members in {time.perf_counter() - began:.1f} s")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("seed", "measure", "all"))
    parser.add_argument("--database-url", default=os.environ.get("LINGKAR_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--members", type=int, default=FULL, help="scales every count down proportionally")
    parser.add_argument("--only", default="", help="measure only these (comma-separated); see `measure --list`")
    parser.add_argument("--list", action="store_true", help="list the measurements and exit")
    parser.add_argument("--figures-json", default="", help=argparse.SUPPRESS)  # measure_apart's children
    parser.add_argument("--no-table", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--settle", action="store_true",
                        help="after seeding, run one product tick so what the history lacks is planned")
    args = parser.parse_args()
    from bench.scale_measure import measure, measure_apart, measurements

    known = list(measurements())
    if args.list:
        print("\n".join(known))
        return
    if args.command in ("seed", "all"):
        asyncio.run(run_seed(args.database_url, members=args.members, settle=args.settle))
    if args.command in ("measure", "all"):
        only = [name for name in args.only.split(",") if name] or known
        unknown = [name for name in only if name not in known]
        if unknown:
            parser.error(f"unknown measurement(s) {', '.join(unknown)}; known: {', '.join(known)}")
        if len(only) > 1:
            measure_apart(args.database_url, only=only)
        else:
            asyncio.run(measure(args.database_url, only=only, figures_json=args.figures_json,
                                show_table=not args.no_table))


if __name__ == "__main__":
    main()
