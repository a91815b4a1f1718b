"""The scale data set builder, at a small size: seeded, whole, reusable."""

from coproduction.models import Coding, Document, Excerpt, Membership, Theme
from interviews.models import Interview
from tests.bench_scale.dataset import build


def test_a_small_build_has_what_it_says_and_is_reused(db):
    scale = build("default", seed=7, documents=40, excerpts=600, long_excerpts=50, migrate=False, log=lambda _: None)
    documents = Document.objects.filter(project_id=scale.project_id)
    assert documents.count() == 40
    assert Excerpt.objects.filter(document__project_id=scale.project_id).count() == 600
    assert Coding.objects.filter(theme__project_id=scale.project_id).count() == 600
    assert Excerpt.objects.filter(document_id=scale.long_document_id).count() == 50
    assert Theme.objects.filter(project_id=scale.project_id).count() == 60
    assert set(documents.values_list("cohort", flat=True)) <= {"Sex worker", "Resident", "Faith leader"}
    assert Interview.objects.filter(project_id=scale.project_id, document__isnull=False).count() == 40
    assert Membership.objects.filter(project_id=scale.project_id).count() == 4
    again = build("default", seed=7, documents=40, excerpts=600, long_excerpts=50, migrate=False, log=lambda _: None)
    assert again == scale
    assert Document.objects.filter(project_id=scale.project_id).count() == 40


def test_the_same_seed_gives_the_same_text(db):
    first = build("default", seed=3, documents=5, excerpts=20, long_excerpts=5, migrate=False, log=lambda _: None)
    texts = list(Document.objects.filter(project_id=first.project_id).order_by("pk").values_list("text", flat=True))
    second = build("default", seed=3, documents=5, excerpts=20, long_excerpts=5, rebuild=True, migrate=False, log=lambda _: None)
    again = list(Document.objects.filter(project_id=second.project_id).order_by("pk").values_list("text", flat=True))
    assert texts == again
