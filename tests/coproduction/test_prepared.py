"""A question compiled once (coproduction.prepared) answers exactly as the ordinary queryset would,
on every database, and is asked unprepared whenever its SQL would move with its values."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduction.access import _membership_by_slug_query, _memberships_by_slug
from coproduction.models import Membership, Role
from coproduction.prepared import NotPreparable, PreparedQuery
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def counted(build):
    """The build, counting how often it is called (each call is one compilation)."""
    calls = []

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return build(*args, **kwargs)

    return counting, calls


def test_a_membership_with_its_project_and_annotation_is_the_ordinary_one(django_assert_num_queries):
    member = MembershipFactory(role=Role.ANALYST)
    MembershipFactory(user=member.user)  # another project of the same person
    MembershipFactory(project=member.project)  # another person in the same project
    with django_assert_num_queries(1):
        (found,) = _membership_by_slug_query(user_id=member.user_id, slug=member.project.slug)
    (ordinary,) = _memberships_by_slug(user_id=member.user_id, slug=member.project.slug)
    assert (found.pk, found.role, found.user_has_totp) == (ordinary.pk, Role.ANALYST, False)
    assert found.project.__dict__.keys() == ordinary.project.__dict__.keys()
    assert {k: v for k, v in found.project.__dict__.items() if k != "_state"} == {
        k: v for k, v in ordinary.project.__dict__.items() if k != "_state"
    }
    assert found._state.adding is False and found._state.db == "default"


def test_each_new_value_is_bound_into_the_sql_kept_from_the_first_compilation(settings):
    settings.PREPARED_QUERIES_VERIFY = False  # as in production: nothing compiled after the first
    build, calls = counted(lambda user_id, slug: Membership.objects.filter(user_id=user_id, project__slug=slug))
    query = PreparedQuery(build)
    members = [MembershipFactory() for _ in range(4)]
    for member in members:
        assert [m.pk for m in query(user_id=member.user_id, slug=member.project.slug)] == [member.pk]
    assert query(user_id=members[0].user_id, slug=members[1].project.slug) == []
    assert len(calls) == 2  # stand-ins once, the first real values once, then never again
    assert query.count(user_id=members[2].user_id, slug=members[2].project.slug) == 1
    assert query.count(user_id=members[2].user_id, slug="no-such-project") == 0


def test_counts_and_slices_match_the_ordinary_queryset():
    project = ProjectFactory()
    for role in (Role.ANALYST, Role.ANALYST, Role.COORDINATOR):
        MembershipFactory(project=project, role=role)
    query = PreparedQuery(lambda project_id, role: Membership.objects.filter(project=project_id, role=role).order_by("pk"))
    assert query.count(project_id=project.pk, role=Role.ANALYST) == 2
    assert query.count(project_id=project.pk, role=Role.SUPERVISOR) == 0
    sliced = PreparedQuery(lambda project_id: Membership.objects.filter(project=project_id).order_by("pk")[:2])
    assert sliced.count(project_id=project.pk) == 2
    grouped = PreparedQuery(
        lambda project_id: (
            Membership.objects.filter(project=project_id).values_list("role").annotate(n=Count("pk")).order_by("role")
        )
    )
    assert grouped(project_id=project.pk) == [(Role.ANALYST, 2), (Role.COORDINATOR, 1)]


def test_times_and_dates_are_bound_like_any_other_value():
    member = MembershipFactory()
    query = PreparedQuery(lambda after: Membership.objects.filter(created_at__gt=after).order_by("pk"))
    assert [m.pk for m in query(after=member.created_at - datetime.timedelta(seconds=1))] == [member.pk]
    assert query(after=timezone.now() + datetime.timedelta(days=1)) == []
    day = member.created_at.date()
    on_day = PreparedQuery(lambda day: Membership.objects.filter(created_at__date__gte=day))
    assert len(on_day(day=day)) == Membership.objects.filter(created_at__date__gte=day).count() >= 1


def test_a_value_changed_on_its_way_in_is_asked_unprepared_and_still_answers_rightly(settings):
    settings.PREPARED_QUERIES_VERIFY = False
    alice, bob = UserFactory(display_name="Alice Example"), UserFactory(display_name="Bob Example")
    MembershipFactory(user=alice)
    MembershipFactory(user=bob)
    build, calls = counted(lambda name: Membership.objects.filter(user__display_name__icontains=name))
    query = PreparedQuery(build)
    assert [m.user_id for m in query(name="alice")] == [alice.pk]
    assert [m.user_id for m in query(name="bob")] == [bob.pk]
    assert len(calls) == 3  # the stand-ins (then refused), and each question the ordinary way


def test_none_and_other_types_are_asked_the_ordinary_way():
    member = MembershipFactory()
    query = PreparedQuery(lambda user_id: Membership.objects.filter(user_id=user_id))
    assert query(user_id=None) == []
    assert [m.pk for m in query(user_id=member.user_id)] == [member.pk]
    assert len(PreparedQuery(lambda pks: Membership.objects.filter(pk__in=pks))(pks=[member.pk])) == 1


def test_a_build_that_branches_on_a_value_fails_under_verification():
    project = ProjectFactory()
    MembershipFactory(project=project, role=Role.ANALYST)

    def branching(project_id, role):
        members = Membership.objects.filter(project=project_id)
        return members if role == Role.COORDINATOR else members.filter(role=role)

    # Asked first on the branch its stand-ins take, it is kept; the other branch then fails.
    query = PreparedQuery(branching)
    assert len(query(project_id=project.pk, role=Role.ANALYST)) == 1
    with pytest.raises(NotPreparable, match="moves with the values"):
        query(project_id=project.pk, role=Role.COORDINATOR)
    # Asked first on the other branch, the two compilations differ: it is never kept.
    query = PreparedQuery(branching)
    assert len(query(project_id=project.pk, role=Role.COORDINATOR)) == 1
    assert len(query(project_id=project.pk, role=Role.ANALYST)) == 1
    assert len(query(project_id=project.pk, role=Role.SUPERVISOR)) == 0
    # The branch is part of the shape: each is compiled for itself and both answer rightly.
    by_role = PreparedQuery(lambda role, project_id: branching(project_id, role))
    assert len(by_role(Role.COORDINATOR, project_id=project.pk)) == 1
    assert len(by_role(Role.SUPERVISOR, project_id=project.pk)) == 0


def test_a_kept_question_is_one_plain_query():
    member = MembershipFactory()
    _membership_by_slug_query(user_id=member.user_id, slug=member.project.slug)
    with CaptureQueriesContext(connection) as queries:
        _membership_by_slug_query(user_id=member.user_id, slug=member.project.slug)
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].lstrip().upper().startswith("SELECT")


def test_a_question_that_can_have_no_rows_asks_nothing(django_assert_num_queries):
    member = MembershipFactory()
    nothing = PreparedQuery(lambda project_id: Membership.objects.filter(project=project_id).none())
    with django_assert_num_queries(0):
        assert nothing(project_id=member.project_id) == []
        assert nothing.count(project_id=member.project_id) == 0


def test_a_positive_field_compared_with_zero_is_kept_and_bound(settings):
    """Zero and small numbers on a positive column (PostgreSQL passes them as Int4) are bound
    into the kept SQL like any other integer, and answer as the ordinary queryset does."""
    from coproduction.models import Project

    settings.PREPARED_QUERIES_VERIFY = False
    small = ProjectFactory(small_number_threshold=0)
    large = ProjectFactory(small_number_threshold=10)
    build, calls = counted(lambda at_least: Project.objects.filter(small_number_threshold__gte=at_least).order_by("pk"))
    query = PreparedQuery(build)
    assert [p.pk for p in query(at_least=0)] == [small.pk, large.pk]
    assert [p.pk for p in query(at_least=5)] == [large.pk]
    assert query(at_least=11) == []
    assert len(calls) == 2


def test_every_question_the_dashboards_and_the_codebook_ask_is_kept(world, client_for, monkeypatch):
    """A question that silently falls back answers rightly but compiles on every visit: the
    pages' own questions must each be kept (dates and times are bound on PostgreSQL only: the
    SQLite backend sends them as text)."""
    from coproduction.prepared import EVERY_QUERY

    product = [query for query in EVERY_QUERY if not query.build.__module__.startswith("tests.")]
    for query in product:  # as a fresh process has them, whatever other tests asked before
        monkeypatch.setattr(query, "_compiled", {})
        monkeypatch.setattr(query, "_empty", set())
    slug = world.project.slug
    for role, paths in {
        Role.COORDINATOR: ["/", "/analysis/", "/analysis/matrix/"],
        Role.ANALYST: ["/", "/analysis/", "/analysis/matrix/", "/analysis/documents/"],
        Role.PEER_RESEARCHER: ["/", "/analysis/"],
        Role.SUPERVISOR: ["/"],
    }.items():
        client = client_for(world.members[role])
        for path in paths:
            assert client.get(f"/p/{slug}{path}").status_code == 200, (role, path)
    product = [query for query in EVERY_QUERY if not query.build.__module__.startswith("tests.")]
    refused = {
        query.build.__qualname__: shapes
        for query in product
        if (shapes := [s for s in query.refused_shapes() if connection.vendor == "postgresql" or not _has_a_time(s)])
    }
    assert refused == {}
    asked = [query for query in product if query._compiled]
    assert len(asked) >= 10


def _has_a_time(key: tuple) -> bool:
    """Whether a question's key (mode, shape, the values' names and types) binds a date or a time."""
    return any(kind in (datetime.datetime, datetime.date) for _, kind in key[2])


def test_a_paginator_reads_kept_rows_a_page_at_a_time_as_it_reads_a_queryset(settings):
    from django.core.paginator import Paginator

    settings.PREPARED_QUERIES_VERIFY = False
    project = ProjectFactory()
    for _ in range(7):
        MembershipFactory(project=project)
    build, calls = counted(
        lambda project_id: Membership.objects.filter(project=project_id).select_related("user").order_by("-pk")
    )
    query = PreparedQuery(build)
    ordinary = Paginator(Membership.objects.filter(project=project).order_by("-pk"), 3)
    prepared = Paginator(query.rows(project_id=project.pk), 3)
    assert (prepared.count, prepared.num_pages) == (ordinary.count, ordinary.num_pages) == (7, 3)
    for number in (1, 2, 3, 99, "x"):
        assert [m.pk for m in prepared.get_page(number)] == [m.pk for m in ordinary.get_page(number)]
    assert prepared.get_page(1)[0].user.pk  # the related objects came with the rows
    assert len(calls) == 4  # rows and count: stand-ins and real values once each
    assert query.slice(5, None, project_id=project.pk)[0].pk == ordinary.object_list[5].pk


def test_a_count_leaves_out_the_order_and_the_related_rows(django_assert_num_queries):
    member = MembershipFactory()
    query = PreparedQuery(lambda user_id: Membership.objects.filter(user=user_id).select_related("project").order_by("pk"))
    query.count(user_id=member.user_id)
    with CaptureQueriesContext(connection) as queries:
        assert query.count(user_id=member.user_id) == 1
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "ORDER BY" not in sql and "coproduction_project" not in sql


def test_a_list_of_ids_binds_one_placeholder_per_id_and_its_length_is_the_shape(settings):
    settings.PREPARED_QUERIES_VERIFY = False
    members = [MembershipFactory() for _ in range(4)]
    build, calls = counted(lambda ids: Membership.objects.filter(pk__in=ids).order_by("pk"))
    query = PreparedQuery(build)
    pks = [m.pk for m in members]
    assert [m.pk for m in query(ids=pks[:2])] == pks[:2]
    assert [m.pk for m in query(ids=pks[2:])] == pks[2:]  # same length: the kept SQL
    assert [m.pk for m in query(ids=[pks[3], pks[3]])] == [pks[3]]  # a repeated id is harmless
    assert len(calls) == 2
    assert [m.pk for m in query(ids=pks[:3])] == pks[:3]  # another length: compiled for itself
    assert len(calls) == 4
    assert query(ids=[]) == []  # asks nothing, the ordinary way
