"""`make bench`: how pages behave as their rows grow — time per request and query count.

Each app lists pages in tests/<app>/bench.py as `PAGES = [Page(...)]`; a page has a `grow(world,
n)` function that adds n rows it lists and returns the URL and the user to ask as. The bench
builds a fresh test database (PostgreSQL when DATABASE_URL is set, SQLite otherwise), measures
each page at a few sizes and prints a table. Query counts must stay flat as rows grow; times are
the median of repeated requests through Django's test client (no network, no browser).

Then the first request in a fresh process, with and without the web process's warm-up
(tests/cold_start.py): the theme × cohort page and the PDF report.

Then the PII section (tests/pii_corpus/benchmark.py, also `make bench-pii`): the scanner's recall
and false alarms on the labelled corpus against the targets, PASS or FAIL.
"""

import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SIZES = [10, 100, 1000]
REPEATS = 15


@dataclass
class Page:
    name: str
    grow: Callable  # (world, n) -> (url, user): adds n rows to what the page lists
    target_ms: float | None = None  # a time the page must keep at the largest size, PASS or FAIL


def load_pages() -> list[Page]:
    """Every app's pages; BENCH_PAGES=analysis (words, comma-separated) keeps those named so."""
    pages: list[Page] = []
    for path in sorted(Path(__file__).parent.glob("*/bench.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.bench")
        pages.extend(module.PAGES)
    only = [w for w in os.environ.get("BENCH_PAGES", "").split(",") if w]
    return [p for p in pages if not only or any(w in p.name for w in only)]


def measure(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches and templates
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # read now: later requests reset the connection's query log
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, count


def main() -> int:
    import tests.environment  # noqa: F401  (settings for tests, set before Django starts)

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduction.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.conftest import build_world

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    failures = []
    try:
        print(f"database: {connection.vendor}; median of {REPEATS} requests; rows added per size")
        print(f"{'page':42} " + " ".join(f"{n:>7} rows ms/queries" for n in SIZES))
        for page in load_pages():
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
            world = build_world()
            cells, counts, grown = [], [], 0
            for size in SIZES:
                url, user = page.grow(world, size - grown)
                grown = size
                client = Client()
                client.force_login(user)
                ms, queries = measure(client, url)
                cells.append(f"{ms:>10.1f} ms {queries:>3} q")
                counts.append(queries)
            flat = "" if len(set(counts)) == 1 else "   <-- query count grows with rows"
            if flat:
                failures.append(page.name)
            target = ""
            if page.target_ms is not None:
                met = ms <= page.target_ms
                target = f"   target ≤ {page.target_ms:.0f} ms at {SIZES[-1]}: {'PASS' if met else 'FAIL'}"
                if not met:
                    failures.append(f"{page.name} (slower than {page.target_ms:.0f} ms)")
            print(f"{page.name:42} " + " ".join(cells) + flat + target)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if failures:
        print(f"query count grows, or a target is missed, on: {', '.join(failures)}")
    print()
    from tests.cold_start import run as cold_start

    cold_start()
    print()
    from tests.pii_corpus.benchmark import run as pii_benchmark

    pii_failed = pii_benchmark()
    return 1 if failures or pii_failed else 0


if __name__ == "__main__":
    sys.exit(main())
