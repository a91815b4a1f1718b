import pytest

from tests.analysis.factories import ThemeFactory, code, make_document


@pytest.fixture
def corpus(world):
    """Two themes (one a child), two documents of two cohorts, codings by the analyst."""
    project = world.project
    safety = ThemeFactory(project=project, name="Street safety", order=0)
    lighting = ThemeFactory(project=project, name="Lighting", parent=safety, order=0)
    services = ThemeFactory(project=project, name="Support services", order=1)
    first = make_document(project, text="I do not feel safe. The lamp is dark.\n\nThe outreach van helps.", cohort="Sex worker")
    second = make_document(project, text="Streets feel unsafe at night. Services are far away.", cohort="Resident")
    code(first, 0, 19, [safety], world.analyst)
    code(first, 20, 37, [lighting, safety], world.analyst)
    code(first, 39, 62, [services], world.analyst)
    code(second, 0, 29, [safety], world.analyst)
    world.extra.update(safety=safety, lighting=lighting, services=services, first=first, second=second)
    return world
