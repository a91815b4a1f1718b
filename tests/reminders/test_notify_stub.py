"""The real notifications-python-client against a GOV.UK Notify stand-in on 127.0.0.1.

Checks what the fake client cannot: the request shape the library sends (paths, fields, the
signed token) and how its errors are classified. Never calls the Internet.
"""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine

from coproduction.models import Notification
from coproduction.notifications import delivery
from tests.reminders.conftest import utc


class NotifyStub(BaseHTTPRequestHandler):
    requests: list = []
    status = 201

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        NotifyStub.requests.append({"path": self.path, "auth": self.headers["Authorization"], "body": body})
        payload = {"id": str(uuid.uuid4())} if NotifyStub.status < 400 else {"errors": [{"error": "x", "message": "no"}]}
        data = json.dumps(payload).encode()
        self.send_response(NotifyStub.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub(settings):
    NotifyStub.requests = []
    NotifyStub.status = 201
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotifyStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.NOTIFY_API_KEY = f"test-{uuid.uuid4()}-{uuid.uuid4()}"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = str(uuid.uuid4())
    settings.NOTIFY_SMS_TEMPLATE_ID = str(uuid.uuid4())
    yield NotifyStub
    server.shutdown()
    server.server_close()


def deliver_all():
    for pk in delivery.claim_due_notifications(queue=False):
        delivery.deliver_notification(pk)


@time_machine.travel(utc(2026, 6, 10, 11, 0), tick=False)
def test_email_and_sms_reach_notify_with_neutral_personalisation(world, make_row, stub, settings):
    world.peer.phone_number = "+447911123456"
    world.peer.save()
    make_row(recipient=world.peer, project=world.project, channel=Notification.Channel.NOTIFY_EMAIL)
    make_row(recipient=world.peer, project=world.project, channel=Notification.Channel.SMS, template="notes-overdue")
    deliver_all()
    by_path = {r["path"]: r for r in stub.requests}
    email = by_path["/v2/notifications/email"]["body"]
    assert email["email_address"] == world.peer.email
    assert email["template_id"] == settings.NOTIFY_EMAIL_TEMPLATE_ID
    assert set(email["personalisation"]) == {"subject", "body"}
    sms = by_path["/v2/notifications/sms"]["body"]
    assert sms["phone_number"] == "+447911123456"
    assert sms["personalisation"] == {"body": "You have something to finish. Sign in for details."}
    assert all(r["auth"].startswith("Bearer ") for r in stub.requests)
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}


@time_machine.travel(utc(2026, 6, 10, 11, 0), tick=False)
@pytest.mark.parametrize(("code", "status"), [(503, Notification.Status.PENDING), (400, Notification.Status.FAILED)])
def test_notify_errors_from_the_real_client(world, make_row, stub, code, status):
    stub.status = code
    row = make_row(recipient=world.peer, channel=Notification.Channel.NOTIFY_EMAIL)
    deliver_all()
    row.refresh_from_db()
    assert row.status == status


def test_an_unreachable_notify_is_transient(world, make_row, settings):
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.NOTIFY_API_KEY = f"test-{uuid.uuid4()}-{uuid.uuid4()}"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = str(uuid.uuid4())
    row = make_row(recipient=world.peer, channel=Notification.Channel.NOTIFY_EMAIL)
    deliver_all()
    row.refresh_from_db()
    assert row.status == Notification.Status.PENDING and row.not_before is not None
