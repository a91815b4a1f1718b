import pytest

from tests.wellbeing.factories import provider


@pytest.fixture
def supervisor_provider(world):
    """The world's supervisor as a provider with an account."""
    return provider(world.supervisor)
