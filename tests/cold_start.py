"""The first request in a fresh process, with and without the web process's warm-up
(`coproduction/warmup.py`), for the pages whose first load was slow: the theme × cohort matrix
and the PDF theme report. Part of `make bench`; alone: `python -m tests.cold_start`.

A temporary SQLite database with the demo project (what matters here is imports and one-off
set-up, not the data). Each measurement is its own process: "cold" runs django.setup() and then
the first request; "warmed" imports coproduction.wsgi (as gunicorn and runserver do, warm-up
included, timed as boot) and then the first request.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "theme × cohort page": ("get", "/p/riverside-safety/analysis/matrix/", {}),
    "PDF theme report": ("post", "/p/riverside-safety/analysis/exports/", {"format": "pdf"}),
}


def _environment(var_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {**env, "DEBUG": "true", "VAR_DIR": var_dir, "ALLOWED_HOSTS": "testserver", "LOG_LEVEL": "WARNING"}


def measure_in_this_process(page: str, mode: str) -> str:
    started = time.perf_counter()
    if mode == "warmed":
        import coproduction.wsgi  # noqa: F401
    else:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduction.settings")
        django.setup()
    boot = time.perf_counter() - started
    from django.test import Client

    from coproduction.models import User

    client = Client()
    client.force_login(User.objects.get(email="analyst@example.org"))
    method, url, data = PAGES[page]
    times = []
    for _ in range(2):
        started = time.perf_counter()
        response = getattr(client, method)(url, data)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
    return f"{boot:.2f} {times[0]:.2f} {times[1]:.2f}"


def run() -> None:
    python = sys.executable
    with tempfile.TemporaryDirectory() as var_dir:
        env = _environment(var_dir)
        for command in (["migrate", "--no-input", "-v0"], ["seed_demo"]):
            subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        print("first request in a fresh process (SQLite demo project; seconds)")
        print(f"{'page':24} {'mode':7} {'boot':>6} {'first':>6} {'second':>7}")
        for page in PAGES:
            for mode in ("cold", "warmed"):
                out = subprocess.run(
                    [python, "-m", "tests.cold_start", page, mode], cwd=ROOT, env=env, check=True, capture_output=True, text=True
                )
                boot, first, second = out.stdout.split()[-3:]
                print(f"{page:24} {mode:7} {boot:>6} {first:>6} {second:>7}")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(measure_in_this_process(sys.argv[1], sys.argv[2]))
    else:
        run()
