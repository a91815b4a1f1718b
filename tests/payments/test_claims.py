"""Claims: the worked example (a rate change in the middle of the month), the limit warning,
submit, approve and return, the lock on approved claims, and bad input refused whole."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from coproduction.models import Activity, ActivityKind, AuditEvent, Claim, ClaimLocked, PaymentMethod, PaymentPolicy, Rate
from coproduction.payments import actions
from coproduction.payments.pricing import price
from tests.payments.factories import approved_claim, claim_with, rate, submitted_claim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_april_2026")]
MARCH = date(2026, 3, 1)


def add(claim, kind, day, hours):
    return actions.add_activity(claim, kind=kind, on=MARCH.replace(day=day), hours=Decimal(hours), by=claim.person)


def test_worked_example_with_a_rate_change_in_the_middle_of_the_month(world):
    """March 2026, interviews at £13.33 an hour until the 14th and £15.50 from the 15th;
    training at £40 per session; preparation at £12.25 an hour.

        3 March   interview 1.25 h × £13.33 = £16.6625 → £16.66
        14 March  interview 1.50 h × £13.33 = £19.995  → £20.00 (half up)
        15 March  interview 1.00 h × £15.50           = £15.50
        20 March  training, per activity (3 h)         = £40.00
        21 March  preparation 0.75 h × £12.25 = £9.1875 → £9.19
        (28 March preparation 2 h, left out)
        total 7.50 h                                   = £101.35
    """
    by = world.coordinator
    rate(world.project, ActivityKind.INTERVIEW, "13.33", starts_on=date(2026, 1, 1), by=by)
    rate(world.project, ActivityKind.INTERVIEW, "15.50", starts_on=date(2026, 3, 15), by=by)
    rate(world.project, ActivityKind.INTERVIEW, "99.00", starts_on=date(2026, 4, 1), by=by)  # not yet: after March
    rate(world.project, ActivityKind.TRAINING, "40.00", unit=Rate.Unit.ACTIVITY, by=by)
    rate(world.project, ActivityKind.PREPARATION, "12.25", by=by)
    actions.choose_method(project=world.project, person=world.peer, method=PaymentMethod.MONEY)
    claim = actions.open_claim(project=world.project, person=world.peer, month=MARCH)
    add(claim, ActivityKind.INTERVIEW, 3, "1.25")
    add(claim, ActivityKind.INTERVIEW, 14, "1.5")
    add(claim, ActivityKind.INTERVIEW, 15, "1")
    add(claim, ActivityKind.TRAINING, 20, "3")
    add(claim, ActivityKind.PREPARATION, 21, "0.75")
    left_out = add(claim, ActivityKind.PREPARATION, 28, "2")
    actions.change_activity(left_out, hours=Decimal("2"), included=False, by=world.peer)

    pricing = price(claim, method=PaymentMethod.MONEY)
    assert [line.amount for line in pricing.lines] == [
        Decimal("16.66"),
        Decimal("20.00"),
        Decimal("15.50"),
        Decimal("40.00"),
        Decimal("9.19"),
        None,
    ]
    assert (pricing.hours, pricing.amount) == (Decimal("7.50"), Decimal("101.35"))

    claim = actions.submit_claim(claim, by=world.peer)
    assert (claim.status, claim.hours, claim.amount, claim.method) == (
        Claim.Status.SUBMITTED,
        Decimal("7.50"),
        Decimal("101.35"),
        "money",
    )
    frozen = list(claim.activities.values_list("rate_amount", "amount"))
    assert frozen[1] == (Decimal("13.33"), Decimal("20.00")) and frozen[2] == (Decimal("15.50"), Decimal("15.50"))
    # A rate changed after submission does not change the submitted claim.
    Rate.objects.filter(kind=ActivityKind.INTERVIEW).update(amount=Decimal("1.00"))
    assert Claim.objects.get(pk=claim.pk).amount == Decimal("101.35")


def test_not_paid_keeps_the_hours_and_comes_to_nothing(world):
    claim = submitted_claim(world, hours=("2", "1.5"), method=PaymentMethod.NONE)
    assert (claim.hours, claim.amount, claim.method) == (Decimal("3.50"), Decimal("0.00"), "none")


def test_the_limit_warns_before_a_claim_crosses_it_and_points_to_benefits_advice(world, client_for):
    PaymentPolicy.objects.create(project=world.project, monthly_limit=Decimal("40.00"))
    claim = claim_with(world, hours=("2", "1"))  # 3 h × £15 = £45
    client = client_for(world.peer)
    url = reverse("payments:submit", kwargs={"slug": world.project.slug, "pk": claim.pk})
    page = client.get(url).content.decode()
    assert "over the project's limit of £40.00 a month" in page and "independent benefits adviser" in page
    assert "Citizens Advice" in page

    response = client.post(url, {})
    assert response.status_code == 200
    assert "independent benefits adviser" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DRAFT

    response = client.post(url, {"confirm_over_limit": "on"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.over_limit) == (Claim.Status.SUBMITTED, True)


def test_under_the_limit_there_is_no_warning(world, client_for):
    PaymentPolicy.objects.create(project=world.project, monthly_limit=Decimal("45.00"))
    claim = claim_with(world, hours=("2", "1"))  # exactly £45: not over
    page = client_for(world.peer).get(reverse("payments:submit", kwargs={"slug": world.project.slug, "pk": claim.pk}))
    assert "data-limit-warning" not in page.content.decode()
    assert actions.submit_claim(claim, by=world.peer).over_limit is False


def test_coordinator_approves_and_the_claim_is_locked_and_audited(world, client_for):
    claim = submitted_claim(world)
    client = client_for(world.coordinator)
    response = client.post(reverse("payments:approve", kwargs={"slug": world.project.slug, "pk": claim.pk}))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by) == (Claim.Status.APPROVED, world.coordinator)
    actions_audited = set(AuditEvent.objects.filter(object_id=str(claim.pk)).values_list("action", flat=True))
    assert {"claim.started", "claim.submitted", "claim.approved"} <= actions_audited

    claim.amount = Decimal("999.00")
    with pytest.raises(ClaimLocked):
        claim.save()
    with pytest.raises(ClaimLocked):
        claim.activities.first().delete()
    activity = claim.activities.first()
    peer = client_for(world.peer)
    response = peer.post(
        reverse("payments:activity_change", kwargs={"slug": world.project.slug, "pk": claim.pk, "activity_pk": activity.pk}),
        {"hours": "5", "included": "on"},
    )
    assert "can no longer be changed" in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).hours == activity.hours
    with pytest.raises(actions.PaymentsRefused):
        actions.return_claim(claim, by=world.coordinator, reason="Too late")


def test_coordinator_returns_with_a_reason_and_the_peer_corrects_and_submits_again(world, client_for):
    claim = submitted_claim(world, hours=("2",))
    client = client_for(world.coordinator)
    url = reverse("payments:return", kwargs={"slug": world.project.slug, "pk": claim.pk})
    response = client.post(url, {"reason": "   "})
    assert "Say why the claim is returned" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUBMITTED
    client.post(url, {"reason": "The preparation on 2 March was 1 hour."})
    claim.refresh_from_db()
    assert (claim.status, claim.amount, claim.return_reason) == (
        Claim.Status.RETURNED,
        None,
        "The preparation on 2 March was 1 hour.",
    )

    peer = client_for(world.peer)
    response = peer.get(reverse("payments:claim", kwargs={"slug": world.project.slug, "pk": claim.pk}))
    assert "The preparation on 2 March was 1 hour." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    dashboard = peer.get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})).content.decode()
    assert "1 claim returned to you to correct" in dashboard
    actions.change_activity(claim.activities.get(), hours=Decimal("1"), included=True, by=world.peer)
    claim = actions.submit_claim(claim, by=world.peer)
    assert (claim.status, claim.amount, claim.return_reason) == (Claim.Status.SUBMITTED, Decimal("15.00"), "")


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"hours": "-2"}, "hours", "Enter a number of hours more than 0."),
        ({"hours": "0"}, "hours", "Enter a number of hours more than 0."),
        ({"hours": "13"}, "hours", "Enter 12 hours or fewer for one activity."),
        ({"hours": "99999999"}, "hours", "Enter 12 hours or fewer for one activity."),
        ({"hours": "1.333"}, "hours", "two decimal places at most"),
        ({"hours": "lots"}, "hours", "Enter the hours as a number"),
        ({"on": "2026-04-01"}, "on", "Enter a day in March 2026."),
        ({"on": "9999-12-31"}, "on", "Enter a date between 1 January 2000 and 31 December 2099."),
        ({"kind": "supervision"}, "kind", "Choose what you did from the list."),
    ],
)
def test_bad_activities_are_refused_with_a_clear_message_and_nothing_saved(world, client_for, posted, field, message):
    claim = claim_with(world, hours=())
    data = {"kind": ActivityKind.PREPARATION, "on": "2026-03-05", "hours": "1.5", **posted}
    response = client_for(world.peer).post(
        reverse("payments:activity_add", kwargs={"slug": world.project.slug, "pk": claim.pk}), data
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert f'value="{data[field]}"' in response.content.decode() or field == "kind"  # the form keeps what was typed
    assert not Activity.objects.filter(claim=claim).exists()


def test_more_hours_than_a_day_has_are_refused(world):
    claim = claim_with(world, hours=("12",))  # 12 h on 2 March
    add(claim, ActivityKind.PREPARATION, 2, "10")
    with pytest.raises(actions.PaymentsRefused, match="more than a day has"):
        add(claim, ActivityKind.PREPARATION, 2, "3")
    assert claim.activities.count() == 2


def test_a_day_that_has_not_happened_is_refused(world, client_for):
    claim = claim_with(world, month=date(2026, 4, 1), hours=())
    response = client_for(world.peer).post(
        reverse("payments:activity_add", kwargs={"slug": world.project.slug, "pk": claim.pk}),
        {"kind": ActivityKind.PREPARATION, "on": "2026-04-20", "hours": "1"},
    )
    assert "Enter a day that has passed" in response.content.decode()
    assert not claim.activities.exists()


def test_a_claim_for_a_future_month_is_refused(world, client_for):
    client = client_for(world.peer)
    url = reverse("payments:start", kwargs={"slug": world.project.slug})
    response = client.post(url, {"month": "2026-05"})
    assert response.status_code == 200
    assert "May 2026 has not started yet. You can claim for this month or an earlier one." in response.content.decode()
    for nonsense in ("2026-13", "May", "1999-12"):
        assert client.post(url, {"month": nonsense}).status_code == 200
    assert not Claim.objects.exists()


def test_this_month_can_be_drafted_but_not_submitted_until_it_is_over(world):
    claim = claim_with(world, month=date(2026, 4, 1), hours=("1",))
    with pytest.raises(actions.PaymentsRefused, match="once the month is over"):
        actions.submit_claim(claim, by=world.peer)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DRAFT


def test_submission_needs_a_method_hours_and_a_rate_and_nothing_is_frozen_half_way(world):
    rate(world.project, by=world.coordinator)
    claim = actions.open_claim(project=world.project, person=world.peer, month=MARCH)
    add(claim, ActivityKind.PREPARATION, 4, "1")
    add(claim, ActivityKind.TEAM_MEETING, 5, "1")  # no rate for team meetings
    with pytest.raises(actions.PaymentsRefused) as refused:
        actions.submit_claim(claim, by=world.peer)
    assert refused.value.messages[0] == "Choose how you want to be paid first (under My payments)."
    assert any("There is no rate for Team meeting on 5 March 2026" in m for m in refused.value.messages)
    assert not Activity.objects.filter(claim=claim, amount__isnull=False).exists()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DRAFT


def test_an_activity_brought_in_is_left_out_rather_than_removed(world):
    claim = claim_with(world, hours=("1",))
    Activity.objects.create(claim=claim, kind=ActivityKind.INTERVIEW, on=MARCH, hours=Decimal(1), source="interview:1")
    with pytest.raises(actions.PaymentsRefused, match="leave it out"):
        actions.remove_activity(claim.activities.get(source="interview:1"), by=world.peer)
    actions.remove_activity(claim.activities.get(source=""), by=world.peer)
    assert list(claim.activities.values_list("source", flat=True)) == ["interview:1"]


def test_peers_see_only_their_own_claims_and_coordinators_only_submitted_ones(world, client_for):
    mine = claim_with(world)
    theirs = submitted_claim(world, person=world.second_peer)
    peer = client_for(world.peer)
    assert peer.get(reverse("payments:claim", kwargs={"slug": world.project.slug, "pk": theirs.pk})).status_code == 404
    page = peer.get(reverse("payments:mine", kwargs={"slug": world.project.slug})).content.decode()
    assert "March 2026" in page
    assert Claim.objects.visible_to(world.peer, world.project).get() == mine
    assert list(Claim.objects.visible_to(world.coordinator, world.project)) == [theirs]  # a draft is the person's own
    assert not Claim.objects.visible_to(world.analyst, world.project).exists()
    assert not Claim.objects.visible_to(world.supervisor, world.project).exists()
    coordinator = client_for(world.coordinator)
    assert coordinator.get(reverse("payments:claim", kwargs={"slug": world.project.slug, "pk": mine.pk})).status_code == 404


def test_coordinator_dashboard_counts_claims_waiting(world, client_for):
    submitted_claim(world)
    approved_claim(world, person=world.second_peer)
    page = client_for(world.coordinator).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))
    assert "1 claim waiting for approval" in page.content.decode()


def test_rate_card_and_limit(world, client_for):
    client = client_for(world.coordinator)
    url = reverse("payments:rates", kwargs={"slug": world.project.slug})
    data = {"kind": ActivityKind.INTERVIEW, "unit": Rate.Unit.HOUR, "amount": "20.00", "starts_on": "2026-04-01"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert "There is already a rate for interview held from 1 April 2026." in response.content.decode()
    for amount, message in [
        ("-5", "more than £0"),
        ("20.005", "to the penny"),
        ("5000", "£1,000.00 or less"),
        ("£20", "pounds and pence"),
    ]:
        response = client.post(url, {**data, "amount": amount, "starts_on": "2026-05-01"})
        assert message in response.content.decode(), amount
    assert Rate.objects.count() == 1
    limit_url = reverse("payments:limit", kwargs={"slug": world.project.slug})
    assert "more than £0" in client.post(limit_url, {"monthly_limit": "-1"}).content.decode()
    client.post(limit_url, {"monthly_limit": "150"})
    assert PaymentPolicy.current(world.project).monthly_limit == Decimal("150.00")
    client.post(limit_url, {"monthly_limit": ""})
    assert PaymentPolicy.current(world.project).monthly_limit is None
