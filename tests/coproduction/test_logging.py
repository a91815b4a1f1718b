"""Logs keep an exception's class and place, never its message or traceback (they quote data)."""

import logging

from coproduction.logfilters import ExceptionClassOnly


def test_an_exception_is_logged_by_class_and_place_only():
    logger = logging.getLogger("test.redaction")
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(ExceptionClassOnly())
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("Key (project_id, code)=(1, SW-007) already exists")
        except ValueError:
            logger.exception("Internal Server Error: %s", "/p/riverside/interviews/")
    finally:
        logger.removeHandler(handler)
    assert len(records) == 1
    assert "SW-007" not in records[0] and "Traceback" not in records[0]
    assert "Internal Server Error: /p/riverside/interviews/" in records[0]
    assert "builtins.ValueError at " in records[0] and "test_logging.py" in records[0]


def test_the_console_handler_uses_the_filter(settings):
    assert "exception_class_only" in settings.LOGGING["handlers"]["console"]["filters"]


def test_celery_workers_log_through_the_same_filter(settings):
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False
