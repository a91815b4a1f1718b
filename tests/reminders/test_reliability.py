"""Outages against a real Redis and real Celery workers (marked `broker`): exactly-once delivery,
and the web process (sign-in, exports, bookings, invitations) while Redis or SMTP is down.

Each test starts its own redis-server on a free port on 127.0.0.1 (never the shared one) and
Celery workers as subprocesses that share the test database, so it needs PostgreSQL (CI runs
on it); on SQLite the test database lives in memory where a subprocess cannot see it.
The first test runs two real beat processes; the others send the claim task by hand, which is
what beat does every minute.
Emails are counted from the files the workers' file email backend writes.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduction.models import Notification, Role
from coproduction.notifications import outbox
from tests.factories import ParticipantFactory, ProjectFactory, UserFactory, member

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

REPO = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).parent / "celery")
REDIS_SERVER = "redis-server"
CLAIM = "coproduction.tasks.claim_due_notifications"
DELIVER = "coproduction.tasks.deliver_notification"


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: workers in subprocesses must see the test database (set DATABASE_URL)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A throwaway redis-server on its own port, which a test may stop and start again."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.tmp = tmp
        self.process: subprocess.Popen | None = None

    def start(self):
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([*args, "--daemonize", "no", "--dir", str(self.tmp)], stdout=subprocess.DEVNULL)
        wait_for(self.answers, 10, "redis to start")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@pytest.fixture
def redis(tmp_path):
    if subprocess.run(["which", REDIS_SERVER], capture_output=True).returncode:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Celery workers as subprocesses, on the test's Redis and the test database."""

    def __init__(self, redis: RedisServer, tmp: Path):
        self.redis = redis
        self.tmp = tmp
        self.outbox = tmp / "outbox"
        self.started = tmp / "started"
        self.outbox.mkdir()
        self.started.mkdir()
        self.processes: dict[str, subprocess.Popen] = {}
        self.producer = Celery(broker=redis.url)

    def environment(self, send_delay: float = 0, **extra: str) -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_")}
        env.update(
            DATABASE_URL=database_url(),
            REDIS_URL=self.redis.url,
            EMAIL_BACKEND="tests.reminders.send_hooks.SlowFileBackend",
            EMAIL_FILE_PATH=str(self.outbox),
            TEST_SEND_STARTED_DIR=str(self.started),
            TEST_SEND_DELAY=str(send_delay),
            NOTIFICATION_LEASE_SECONDS="2",
            NOTIFICATION_CLAIM_SECONDS="1",
            VAR_DIR=str(self.tmp / "var"),
            PYTHONPATH=str(REPO),
            PRIVATE_MEDIA_ROOT=str(self.tmp / "private"),
        )
        env.update(extra)
        return env

    def spawn(self, name: str, args: list[str], send_delay: float = 0, **extra: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        env = self.environment(send_delay, **extra)
        process = subprocess.Popen([CELERY, "-A", "coproduction", *args], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def start(self, name: str, *, send_delay: float = 0, **extra: str) -> subprocess.Popen:
        """A worker; `extra` environment variables override the defaults (e.g. a dead SMTP)."""
        args = ["worker", "--pool=solo", "-n", f"{name}@%h", "--loglevel=INFO"]
        args += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", "celery"]
        process = self.spawn(name, args, send_delay, **extra)
        wait_for(lambda: "ready." in self.log(name) or process.poll() is not None, 60, f"worker {name}")
        assert process.poll() is None, self.log(name)
        return process

    def start_beat(self, name: str) -> subprocess.Popen:
        """A real beat with the database scheduler, claiming every second instead of every minute."""
        process = self.spawn(name, ["beat", "--loglevel=INFO", "-s", str(self.tmp / f"{name}-schedule")])
        wait_for(lambda: CLAIM in self.log(name) or process.poll() is not None, 60, f"beat {name} to send the claim")
        assert process.poll() is None, self.log(name)
        return process

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text()

    def stop(self, name: str):
        self.processes[name].terminate()
        self.processes[name].wait(15)

    def kill(self, name: str):
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait(10)

    def stop_all(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def beat(self):
        """What beat does every minute."""
        self.producer.send_task(CLAIM)

    def deliveries(self) -> Counter:
        """How many emails each address received, from the files the workers wrote."""
        counts: Counter = Counter()
        for path in self.outbox.iterdir():
            for line in path.read_text().splitlines():
                if line.startswith("To: "):
                    counts[line.removeprefix("To: ")] += 1
        return counts


@pytest.fixture
def workers(redis, tmp_path):
    pool = Workers(redis, tmp_path)
    yield pool
    pool.stop_all()
    pool.producer.close()


def make_due_rows(count: int) -> list[Notification]:
    """`count` alerts for as many people, each due a minute ago."""
    project = ProjectFactory()
    due_at = timezone.now() - timedelta(minutes=1)
    return [
        Notification.objects.create(
            project=project,
            recipient=UserFactory(),
            template="coordinator-alert",
            due_at=due_at,
            idempotency_key=f"reliability:{i}",
        )
        for i in range(count)
    ]


@pytest.fixture
def due_rows():
    return make_due_rows(10)


def all_sent(rows) -> bool:
    return Notification.objects.filter(pk__in=[r.pk for r in rows], status=Notification.Status.SENT).count() == len(rows)


def assert_each_delivered_once(workers, rows):
    wait_for(lambda: all_sent(rows), 30, "every row to be sent")
    time.sleep(1)  # let any duplicate that was going to happen happen
    expected = Counter({row.recipient.email: 1 for row in rows})
    assert workers.deliveries() == expected


def test_beat_firing_twice_with_two_workers_delivers_each_once(workers, due_rows):
    workers.start("one")
    workers.start("two")
    workers.start_beat("beat-a")  # two beats (a misconfigured deployment): the claim fires twice
    workers.start_beat("beat-b")
    for row in due_rows:  # and every id queued twice more, as a redelivered message would be
        workers.producer.send_task(DELIVER, args=[row.pk])
        workers.producer.send_task(DELIVER, args=[row.pk])
    assert_each_delivered_once(workers, due_rows)
    assert {r.attempts for r in Notification.objects.filter(pk__in=[r.pk for r in due_rows])} == {1}


def test_a_worker_killed_mid_delivery_is_recovered_and_delivers_once(workers, due_rows):
    row = due_rows[0]
    Notification.objects.exclude(pk=row.pk).delete()
    workers.start("doomed", send_delay=60)
    workers.beat()
    wait_for(lambda: any(workers.started.iterdir()), 30, "the worker to be inside the send")
    workers.kill("doomed")
    # Its transaction died with it: the row is still claimed, unsent, and nothing went out.
    wait_for(lambda: Notification.objects.get(pk=row.pk).status == Notification.Status.SENDING, 10, "the row")
    assert workers.deliveries() == Counter()
    workers.start("rescuer")
    time.sleep(2.1)  # the lease (2 s in the workers) runs out
    workers.beat()
    assert_each_delivered_once(workers, [row])
    assert Notification.objects.get(pk=row.pk).attempts == 2


def test_a_broker_outage_loses_nothing_and_doubles_nothing(workers, redis, due_rows):
    workers.start("survivor")
    workers.start_beat("beat")
    wait_for(lambda: all_sent(due_rows), 30, "the first rows to be sent")
    redis.stop()
    # Bookings keep saving while the broker is down: the outbox is rows in the database.
    about = ParticipantFactory(project=due_rows[0].project)
    booked = outbox.notify_now(
        template="appointment-moved",
        about=about,
        key="moved",
        project=about.project,
        users=[UserFactory() for _ in range(3)],
        starts_at=timezone.now() + timedelta(days=1),
    )
    time.sleep(3)  # beat tries to claim every second and cannot reach the broker
    assert Notification.objects.filter(pk__in=[r.pk for r in booked], status=Notification.Status.PENDING).count() == 3
    redis.start()
    assert_each_delivered_once(workers, [*due_rows, *booked])


def test_a_delivery_queue_slower_than_the_lease_fails_nothing_and_doubles_nothing(workers):
    """One slow worker, 20 rows, 0.3 s a send: the last row waits ~6 s in the queue, three
    times the 2 s lease, while beat claims every second. No row is claimed again while its
    message waits, no attempt is used up by waiting, none is failed untried."""
    rows = make_due_rows(20)
    workers.start("slow", send_delay=0.3)
    workers.start_beat("beat")
    assert_each_delivered_once(workers, rows)
    states = Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", "attempts")
    assert set(states) == {(Notification.Status.SENT, 1)}


def test_the_send_then_die_window_is_measured(settings, capsys):
    """The one window where a message can go out twice: from the provider accepting it to the
    commit of the `sent` mark. Measured here on PostgreSQL over 200 deliveries (README quotes
    the figures); the assertion is loose so that a loaded machine does not fail it."""
    from django.db import transaction

    from coproduction.notifications import delivery

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    project = ProjectFactory()
    user = UserFactory()
    now = timezone.now()
    ids = [
        Notification.objects.create(
            project=project, recipient=user, template="coordinator-alert", due_at=now, idempotency_key=f"window:{i}"
        ).pk
        for i in range(200)
    ]
    windows: list[float] = []
    real_send = delivery.SENDERS[Notification.Channel.EMAIL]

    def timed_send(row, message):
        real_send(row, message)
        accepted = time.perf_counter()
        transaction.on_commit(lambda: windows.append(time.perf_counter() - accepted))

    delivery.SENDERS[Notification.Channel.EMAIL] = timed_send
    try:
        delivery.claim_due_notifications(queue=False)
        for pk in ids:
            assert delivery.deliver_notification(pk)
    finally:
        delivery.SENDERS[Notification.Channel.EMAIL] = real_send
    windows.sort()
    median, p99, worst = windows[len(windows) // 2], windows[int(len(windows) * 0.99)], windows[-1]
    with capsys.disabled():
        figures = f"median {median * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, max {worst * 1000:.2f} ms"
        print(f"\nsend-then-die window over {len(windows)} sends: {figures}")
    assert len(windows) == 200 and p99 < 0.5


# ---------------------------------------------------------------- outages seen by the web process
#
# The test process plays the web server: its cache and its Celery producer use the test's
# Redis, which the test stops while people sign in, book, export and are invited.


@pytest.fixture
def web(redis, settings, monkeypatch):
    from coproduction import cache as shared_cache
    from coproduction.celery import app

    settings.CACHES = {
        "default": {
            "BACKEND": "coproduction.cache.RedisWithDatabaseFallback",
            "LOCATION": redis.url,
            "FALLBACK": "fallback",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        "fallback": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_fallback"},
    }
    monkeypatch.setattr(shared_cache._Outage, "retry_at", None)
    monkeypatch.setattr(shared_cache, "RETRY_SECONDS", 0.5)
    previous = app.conf.broker_url

    def use_broker(url: str) -> None:
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    use_broker(redis.url)
    yield
    use_broker(previous)


def sign_in(client, user, password: str):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def test_redis_down_during_sign_in_is_no_500_and_still_limits(web, redis, password):
    project = ProjectFactory()
    early, late, attacked = (member(project, Role.PEER_RESEARCHER) for _ in range(3))
    dashboard = reverse("coproduction:dashboard", args=[project.slug])
    signed_in = Client()
    assert sign_in(signed_in, early, password).status_code == 302
    redis.stop()
    assert signed_in.get(dashboard).status_code == 200  # sessions live in the database
    during = Client()
    assert sign_in(during, late, password).status_code == 302
    assert during.get(dashboard).status_code == 200
    guesser = Client()
    for _ in range(5):
        assert sign_in(guesser, attacked, "wrong-password-x").status_code == 200
    refused = sign_in(guesser, attacked, password)
    assert "Too many failed login attempts" in refused.content.decode()  # limited, not open
    assert "_auth_user_id" not in guesser.session
    redis.start()
    time.sleep(0.6)  # the fallback tries Redis again after RETRY_SECONDS
    assert sign_in(Client(), late, password).status_code == 302


def test_redis_down_during_an_export_request_is_no_500_and_the_export_is_made_later(web, redis, workers, client_for, settings):
    from coproduction.models import ExportJob
    from tests.analysis.factories import ThemeFactory

    settings.ANALYSIS_BACKGROUND_EXPORT_ROWS = 0
    project = ProjectFactory()
    ThemeFactory(project=project, name="Lighting")
    client = client_for(member(project, Role.ANALYST))
    redis.stop()
    started = time.monotonic()
    response = client.post(reverse("analysis:export", args=[project.slug]), {"format": "codebook-csv"})
    assert response.status_code == 302 and time.monotonic() - started < 10
    job = ExportJob.objects.get()
    assert (job.status, job.queued_at) == (ExportJob.Status.QUEUED, None)
    assert "cannot be reached" in client.get(response["Location"]).content.decode()
    redis.start()
    workers.start("exporter")
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=1))  # a minute's outage
    workers.producer.send_task("analysis.requeue_stalled_exports")  # what beat does every minute
    wait_for(lambda: ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.DONE, 30, "the export")
    job.refresh_from_db()
    assert job.attempts == 1 and job.file_name


def test_redis_down_while_a_hundred_bookings_are_made_loses_and_doubles_no_reminder(web, redis, workers, world, client_for):
    from interviews.models import Interview
    from tests.interviews.factories import guide_for, venue_for
    from tests.participation.factories import consenting_participant

    guide_for(world.project)
    venue = venue_for(world.project)
    participants = [consenting_participant(world.project, world.coordinator) for _ in range(100)]
    first = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    client = client_for(world.coordinator)
    redis.stop()
    for i, participant in enumerate(participants):
        starts_at = timezone.localtime(first + timedelta(hours=2 * i)).strftime("%Y-%m-%dT%H:%M")
        booking = {"participant": participant.pk, "interviewer": world.peer.pk, "starts_at": starts_at}
        response = client.post(
            reverse("interviews:book", args=[world.project.slug]), {**booking, "duration_minutes": 60, "venue": venue.pk}
        )
        assert response.status_code == 302, response.content.decode()[:500]
    assert Interview.objects.count() == 100
    reminders = Notification.objects.filter(about_type="interviews.interview")
    assert reminders.count() == 200 and set(reminders.values_list("status", flat=True)) == {Notification.Status.PENDING}
    redis.start()
    workers.start("one")
    reminders.update(due_at=timezone.now() - timedelta(minutes=1))  # time passes: all are due
    workers.beat()
    wait_for(lambda: reminders.filter(status=Notification.Status.SENT).count() == 200, 60, "every reminder")
    time.sleep(1)
    assert workers.deliveries() == Counter({world.peer.email: 200})


def test_smtp_down_during_an_invitation_and_a_password_reset_loses_and_doubles_nothing(web, workers, client_for, client):
    project = ProjectFactory()
    coordinator = member(project, Role.COORDINATOR)
    peer = member(project, Role.PEER_RESEARCHER)
    smtp_down = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1"}
    workers.start("smtp-down", EMAIL_PORT=str(free_port()), EMAIL_TIMEOUT="2", NOTIFICATION_RETRY_SECONDS="1", **smtp_down)
    invited = client_for(coordinator).post(
        reverse("coproduction:members", args=[project.slug]), {"email": "new.person@example.org", "role": Role.ANALYST}
    )
    assert invited.status_code == 302
    reset = Client().post(reverse("account_reset_password"), {"email": peer.email})
    assert reset.status_code == 302
    rows = Notification.objects.filter(template__in=["invitation", "password_reset_key"])
    assert rows.count() == 2
    wait_for(lambda: set(rows.values_list("last_error", flat=True)) == {"ConnectionRefusedError"}, 30, "SMTP to refuse both")
    assert workers.deliveries() == Counter()
    workers.stop("smtp-down")
    workers.start("smtp-back")  # SMTP is back (the file backend)
    workers.start_beat("beat")
    wait_for(lambda: rows.filter(status=Notification.Status.SENT).count() == 2, 30, "both emails")
    time.sleep(1)
    assert workers.deliveries() == Counter({"new.person@example.org": 1, peer.email: 1})
    assert set(rows.values_list("sealed_message", flat=True)) == {None}
