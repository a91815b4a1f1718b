import pytest
import time_machine

# Claims are for months that are over: most tests live in April 2026 and claim for March.
NOW = "2026-04-10 10:00 +01:00"


@pytest.fixture
def in_april_2026():
    with time_machine.travel(NOW, tick=False):
        yield
