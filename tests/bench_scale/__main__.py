"""`make bench-scale`: the analysis pages at the scale of a national consultation, under load.

Steps: build (or reuse) the seeded data set (tests/bench_scale/dataset.py) on PostgreSQL; start
gunicorn with 2 sync workers on 127.0.0.1 with production settings (DEBUG off) and one extra,
bench-only page, `/bench/bare/` (tests/bench_scale/settings.py: the same middleware, session
and signed-in user, and nothing else); sign 16 clients in (sessions made directly, MFA already
enrolled); then, for each page, alternately 16 concurrent clients on the bare page and 16 on the
page, `--rounds` times for `--seconds` each, and print p50/p95 of both and the ratio of the
p95s (the target: ≤ 3). The exports table follows when `tests/bench_scale/exports.py` exists
(`measure(project_id) -> rows`).

    nice -n 10 .venv/bin/python -m tests.bench_scale [--database URL] [--seconds 15] [--rounds 2]
        [--pages matrix,search] [--seed 1] [--no-exports]

The database defaults to DATABASE_URL, else postgres://postgres@127.0.0.1:5432/cg_scale.
"""

import argparse
import http.client
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 16
WORKERS = 2
BENCH_ENV = {
    "DEBUG": "false",
    "SECURE": "false",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECRET_KEY": "scale-bench-only-not-a-secret-0123456789abcdefghijklmnop",
    # A fixed, public key: the data set holds no encrypted values that matter.
    "FIELD_ENCRYPTION_KEYS": "c2NhbGUtYmVuY2gtb25seS1rZXktMDEyMzQ1Njc4OWE=",
    "LOG_LEVEL": "WARNING",
    "STATIC_MANIFEST": "false",  # no collectstatic for a bench; pages are fetched without assets
    "REDIS_URL": "redis://127.0.0.1:6379/7",  # the shared cache, as in production
    "DJANGO_SETTINGS_MODULE": "tests.bench_scale.settings",
}


@dataclass
class PageSpec:
    name: str
    path: str
    role: str  # whose sessions ask
    form: dict | None = None  # posted (with a CSRF token) instead of fetched


@dataclass
class Sample:
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def p(self, q: float) -> float:
        if not self.times:
            return float("nan")
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def pages(scale) -> list[PageSpec]:
    base = f"/p/{scale.slug}"
    return [
        PageSpec("theme × cohort matrix", f"{base}/analysis/matrix/", "analyst"),
        PageSpec("search 'police van'", f"{base}/analysis/search/", "analyst", form={"q": "police van"}),
        PageSpec("theme list", f"{base}/analysis/", "analyst"),
        PageSpec(
            "coding page, 400 excerpts",
            f"{base}/analysis/documents/{scale.long_document_id}/?part={densest_part(scale.long_document_id)}",
            "analyst",
        ),
        PageSpec("corpus (document list)", f"{base}/analysis/documents/", "analyst"),
        PageSpec("dashboard", f"{base}/", "coordinator"),
        PageSpec("interview list", f"{base}/interviews/", "coordinator"),
    ]


def densest_part(document_id: int) -> int:
    """The part of the document with the most coded passages: the coding page opens a long
    document a part at a time, and its first part may hold none."""
    from coproduction.analysis.parts import document_parts
    from coproduction.models import Document, Excerpt

    document = Document.objects.get(pk=document_id)
    spans = list(Excerpt.objects.filter(document=document).values_list("start", "end"))
    parts = document_parts(document)
    return max(parts, key=lambda part: sum(start < part.end and end > part.start for start, end in spans)).number


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One signed-in browser: a session cookie, a CSRF cookie, a new connection per request
    (gunicorn's sync workers close each one)."""

    def __init__(self, port: int, session_key: str):
        self.port = port
        self.cookies = {"sessionid": session_key}
        self.csrf = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, content
        finally:
            connection.close()

    def prepare(self, spec: PageSpec) -> None:
        """A posted page needs the CSRF token its form carries."""
        if spec.form is not None:
            status, content = self.request("GET", spec.path)
            match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
            if status != 200 or not match:
                raise SystemExit(f"{spec.path}: no form to post to (status {status})")
            self.csrf = match.group(1).decode()


def load(clients: list[Client], spec: PageSpec, seconds: float) -> Sample:
    """Every client asks for the page again as soon as it has an answer, for `seconds`."""
    sample = Sample()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(client: Client) -> None:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                status, _ = client.request("POST" if spec.form is not None else "GET", spec.path, spec.form)
            except OSError as error:
                with lock:
                    sample.errors.append(type(error).__name__)
                continue
            elapsed = time.perf_counter() - start
            with lock:
                if status == 200:
                    sample.times.append(elapsed)
                else:
                    sample.errors.append(str(status))

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sample


def sessions(user_id: int, n: int) -> list[str]:
    """n signed-in sessions for the user, as allauth's sign-in (with MFA) would leave them."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from coproduction.models import User

    user = User.objects.get(pk=user_id)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    keys = []
    for _ in range(n):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return keys


def start_server(port: int, env: dict) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn),
        "coproduction.wsgi:application",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "600",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603 — our own command
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def print_rows(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)) + " |")


def print_exports(project_id: int) -> None:
    if importlib.util.find_spec("tests.bench_scale.exports") is None:
        return
    from tests.bench_scale import exports

    rows = exports.measure(project_id)
    if rows and isinstance(rows[0], dict):
        header = list(rows[0])
        print_rows("Exports", header, [[row.get(h, "") for h in header] for row in rows])
    elif rows:
        print_rows("Exports", [f"column {i + 1}" for i in range(len(rows[0]))], [list(row) for row in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/cg_scale")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase (bare page or page)")
    parser.add_argument("--rounds", type=int, default=2, help="bare/page phases per page")
    parser.add_argument("--pages", default="", help="comma-separated words to pick pages by name")
    parser.add_argument("--no-exports", action="store_true", help="the pages only")
    args = parser.parse_args(argv)

    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": args.database}
    os.environ.update(BENCH_ENV)
    os.environ["DATABASE_URL"] = args.database
    import django

    django.setup()
    from tests.bench_scale.dataset import build

    scale = build("default", seed=args.seed)
    chosen = [p for p in pages(scale) if not args.pages or any(w in p.name for w in args.pages.split(","))]
    keys = {role: sessions(getattr(scale, f"{role}_id"), CLIENTS) for role in {p.role for p in chosen}}
    port = free_port()
    server = start_server(port, env)
    rows = []
    try:
        for spec in chosen:
            clients = [Client(port, key) for key in keys[spec.role]]
            for client in clients:
                client.prepare(spec)
            load(clients[:2], spec, 0.1)  # warm: templates, caches, connections
            load(clients[:2], PageSpec("bare", "/bench/bare/", spec.role), 0.1)
            bare, page = Sample(), Sample()
            for _ in range(args.rounds):
                for into, target in ((bare, PageSpec("bare", "/bench/bare/", spec.role)), (page, spec)):
                    got = load(clients, target, args.seconds)
                    into.times += got.times
                    into.errors += got.errors
            ratio = page.p(0.95) / bare.p(0.95) if bare.times and page.times else float("nan")
            row = [
                spec.name,
                f"{page.p(0.5):.3f} s",
                f"{page.p(0.95):.3f} s",
                f"{bare.p(0.5):.3f} s",
                f"{bare.p(0.95):.3f} s",
                f"×{ratio:.1f}",
                str(len(page.times)),
                ",".join(sorted(set(page.errors + bare.errors))) or "-",
            ]
            rows.append(row)
            print("  " + " | ".join(row), flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print_rows(
        f"PostgreSQL, {scale.documents:,} documents, {scale.excerpts:,} excerpts; gunicorn {WORKERS} sync workers, "
        f"{CLIENTS} concurrent clients, {args.rounds}×{args.seconds:.0f} s per page and per bare page",
        ["page", "p50", "p95", "bare p50", "bare p95", "ratio (p95)", "requests", "errors"],
        rows,
    )
    if not args.no_exports:
        print_exports(scale.project_id)
    ratios = [float(r[5][1:]) for r in rows]
    return 0 if all(r <= 3 for r in ratios) else 1


if __name__ == "__main__":
    sys.exit(main())
