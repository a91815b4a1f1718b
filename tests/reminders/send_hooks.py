"""Test-only email backend for the reliability tests (set through EMAIL_BACKEND in a worker's
environment; production code knows nothing of it).

It writes messages like Django's file backend; before each send it drops a marker file in
TEST_SEND_STARTED_DIR (so a test knows the worker is inside the send) and then waits
TEST_SEND_DELAY seconds (so a test can kill the worker mid-delivery).
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        started = os.environ.get("TEST_SEND_STARTED_DIR")
        if started:
            Path(started, uuid.uuid4().hex).touch()
        time.sleep(float(os.environ.get("TEST_SEND_DELAY", "0")))
        return super().send_messages(email_messages)
