"""Giving a voucher at an interview or an event, or recording that it was declined; who may;
empty and expired stock; the race for the last voucher; revealing the code."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from coproduction.models import AuditEvent, Voucher, VoucherGift
from coproduction.vouchers import actions
from coproduction.vouchers.occasions import occasion_of
from interviews.models import Interview
from tests.engagement.factories import held_event, make_event
from tests.interviews.factories import completed_interview, make_interview
from tests.participation.factories import consenting_participant
from tests.vouchers.factories import batch, expire, give

pytestmark = pytest.mark.django_db

KIND = "20.00|Corner Shop Card"


def thank_url(world, kind, pk):
    return f"/p/{world.project.slug}/vouchers/thank/{kind}/{pk}/"


def test_the_interviewer_gives_a_voucher_and_sees_only_its_code(world, client_for):
    batch(world.project, world.coordinator, codes=2)
    interview = completed_interview(world)
    client = client_for(world.peer)
    page = client.get(f"/p/{world.project.slug}/interviews/{interview.pk}/")
    assert "Thank the participant" in page.content.decode()
    form = client.get(thank_url(world, "interview", interview.pk)).content.decode()
    assert "£20.00 Corner Shop Card" in form
    assert "CODE-COR" not in form and "In stock" not in form  # no codes, no stock

    response = client.post(thank_url(world, "interview", interview.pk), {"outcome": "given", "kind": KIND})
    gift = VoucherGift.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/vouchers/given/{gift.pk}/")
    assert (gift.participant, gift.occasion_kind, gift.occasion_id) == (interview.participant, "interview", interview.pk)
    assert gift.voucher.code == "CODE-COR-0001" and gift.voucher.given_at is not None
    assert "CODE-COR-0001" not in client.get(response["Location"]).content.decode()  # hidden until asked

    shown = client.post(f"/p/{world.project.slug}/vouchers/given/{gift.pk}/code/")
    assert "data-code>CODE-COR-0001<" in shown.content.decode()
    assert "CODE-COR-0002" not in shown.content.decode()
    actions_logged = set(
        AuditEvent.objects.filter(object_type="coproduction.vouchergift", object_id=str(gift.pk)).values_list("action", flat=True)
    )
    assert actions_logged == {"voucher.given", "voucher.code_revealed"}
    assert "1 voucher given" in client.get(f"/p/{world.project.slug}/interviews/{interview.pk}/").content.decode()


def test_one_voucher_per_interview_but_a_decline_can_become_a_gift(world):
    batch(world.project, world.coordinator, codes=3)
    interview = completed_interview(world)
    occasion = occasion_of("interview")
    declined = actions.record_declined(occasion=occasion, subject=interview, participant=interview.participant, by=world.peer)
    assert declined.voucher is None and Voucher.objects.in_stock(timezone.localdate()).count() == 3
    with pytest.raises(actions.VoucherRefused, match="declined is already recorded"):
        actions.record_declined(occasion=occasion, subject=interview, participant=interview.participant, by=world.peer)
    gift = give("interview", interview, world.peer)
    assert gift.pk == declined.pk and gift.outcome == "given"
    with pytest.raises(actions.VoucherRefused, match="has already been given a voucher at this interview"):
        give("interview", interview, world.peer)
    assert Voucher.objects.filter(given_at__isnull=False).count() == 1


def test_declined_uses_no_voucher_and_works_with_no_stock(world, client_for):
    interview = completed_interview(world)
    client = client_for(world.peer)
    assert "There are no vouchers in stock to give" in client.get(thank_url(world, "interview", interview.pk)).content.decode()
    response = client.post(thank_url(world, "interview", interview.pk), {"outcome": "declined"})
    assert response.status_code == 302
    assert VoucherGift.objects.get().outcome == "declined"
    assert AuditEvent.objects.filter(action="voucher.declined").count() == 1


def test_the_last_voucher_gone_or_expired_says_so_and_saves_nothing(world, client_for):
    only = batch(world.project, world.coordinator, codes=1)
    first, second = completed_interview(world), completed_interview(world)
    give("interview", first, world.peer)
    client = client_for(world.peer)
    response = client.post(thank_url(world, "interview", second.pk), {"outcome": "given", "kind": KIND})
    assert "There are no £20.00 Corner Shop Card vouchers left. Ask a coordinator to load more." in response.content.decode()
    assert VoucherGift.objects.count() == 1

    Voucher.objects.filter(batch=only).update(given_at=None)
    VoucherGift.objects.all().delete()
    expire(only)
    response = client.post(thank_url(world, "interview", second.pk), {"outcome": "given", "kind": KIND})
    assert "The £20.00 Corner Shop Card vouchers left have expired." in response.content.decode()
    assert not VoucherGift.objects.exists() and not Voucher.objects.filter(given_at__isnull=False).exists()


def test_the_voucher_expiring_first_is_given_first(world):
    batch(world.project, world.coordinator, codes=1, prefix="LATER", expires_on=timezone.localdate() + timedelta(days=200))
    batch(world.project, world.coordinator, codes=1, prefix="SOONER", expires_on=timezone.localdate() + timedelta(days=20))
    assert give("event", held_event(world), world.coordinator).voucher.code.startswith("SOONER")


def test_at_an_event_the_code_is_optional_and_must_be_a_participants(world, client_for):
    batch(world.project, world.coordinator, codes=3)
    event = held_event(world)
    participant = consenting_participant(world.project, world.coordinator)
    client = client_for(world.peer)  # a facilitator
    url = thank_url(world, "event", event.pk)
    refused = client.post(url, {"outcome": "given", "kind": KIND, "participant_code": "Jane Smith"})
    assert "No participant in this project has that code." in refused.content.decode()
    assert 'value="Jane Smith"' in refused.content.decode()  # kept, to be corrected
    assert not VoucherGift.objects.exists()
    client.post(url, {"outcome": "given", "kind": KIND, "participant_code": participant.code.lower()})
    client.post(url, {"outcome": "given", "kind": KIND, "participant_code": ""})
    assert sorted(str(g.participant) for g in VoucherGift.objects.all()) == ["None", participant.code]
    assert "2 vouchers given" in client.get(f"/p/{world.project.slug}/engagement/{event.pk}/").content.decode()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda w: make_interview(w.project, w.peer, booked_by=w.coordinator), "once the interview has started"),
        (
            lambda w: make_interview(
                w.project, w.peer, booked_by=w.coordinator, status=Interview.Status.NO_SHOW, starts_in=-timedelta(days=1)
            ),
            "did not take place",
        ),
    ],
)
def test_an_interview_to_come_or_missed_cannot_be_thanked_at(world, client_for, make, message):
    batch(world.project, world.coordinator)
    interview = make(world)
    client = client_for(world.peer)
    assert message in client.get(thank_url(world, "interview", interview.pk)).content.decode()
    response = client.post(thank_url(world, "interview", interview.pk), {"outcome": "given", "kind": KIND})
    assert message in response.content.decode()
    assert not VoucherGift.objects.exists()


def test_an_event_to_come_cannot_be_thanked_at(world, client_for):
    event = make_event(world.project, by=world.coordinator, facilitators=[world.peer])
    response = client_for(world.peer).post(thank_url(world, "event", event.pk), {"outcome": "declined"})
    assert "once the event has started" in response.content.decode()
    assert not VoucherGift.objects.exists()


def test_a_withdrawn_participant_cannot_be_thanked(world):
    from coproduction.participation.actions import withdraw_participant

    batch(world.project, world.coordinator)
    interview = completed_interview(world)
    withdraw_participant(interview.participant, by=world.coordinator)
    with pytest.raises(actions.VoucherRefused, match="withdrawn"):
        give("interview", Interview.objects.get(pk=interview.pk), world.coordinator)


def test_another_researchers_interview_or_event_is_not_found(world, client_for):
    batch(world.project, world.coordinator)
    interview = completed_interview(world)
    event = held_event(world)
    client = client_for(world.second_peer)
    for kind, pk in [("interview", interview.pk), ("event", event.pk), ("nonsense", interview.pk)]:
        assert client.get(thank_url(world, kind, pk)).status_code == 404
        assert client.post(thank_url(world, kind, pk), {"outcome": "given", "kind": KIND}).status_code == 404
    assert not VoucherGift.objects.exists()


def test_a_gift_page_is_the_givers_or_a_coordinators_only(world, client_for):
    batch(world.project, world.coordinator)
    gift = give("interview", completed_interview(world), world.peer)
    assert client_for(world.second_peer).get(f"/p/{world.project.slug}/vouchers/given/{gift.pk}/").status_code == 404
    assert client_for(world.second_peer).post(f"/p/{world.project.slug}/vouchers/given/{gift.pk}/code/").status_code == 404
    assert not AuditEvent.objects.filter(action="voucher.code_revealed").exists()


def test_the_giver_may_show_the_code_for_a_day_a_coordinator_always(world, client_for):
    batch(world.project, world.coordinator)
    gift = give("interview", completed_interview(world), world.peer)
    reveal = f"/p/{world.project.slug}/vouchers/given/{gift.pk}/code/"
    with time_machine.travel(gift.recorded_at + actions.REVEAL_WINDOW + timedelta(minutes=1), tick=False):
        response = client_for(world.peer).post(reveal)
        assert response.status_code == 302
        assert "CODE-COR" not in client_for(world.peer).get(response["Location"]).content.decode()
        assert not AuditEvent.objects.filter(action="voucher.code_revealed").exists()
        shown = client_for(world.coordinator).post(reveal)
        assert "CODE-COR-0001" in shown.content.decode()
    assert AuditEvent.objects.get(action="voucher.code_revealed").actor == world.coordinator


def test_a_code_no_key_opens_says_cannot_be_opened_and_reveals_nothing(world, client_for, field_keys):
    field_keys("loaded")
    batch(world.project, world.coordinator)
    gift = give("interview", completed_interview(world), world.peer)
    field_keys("a-different-key")
    response = client_for(world.coordinator).post(f"/p/{world.project.slug}/vouchers/given/{gift.pk}/code/")
    assert response.status_code == 503 and "cannot be opened" in response.content.decode()
    assert "gAAAA" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="voucher.code_revealed").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_people_giving_the_last_voucher_at_once_one_gets_it(world):
    batch(world.project, world.coordinator, codes=1)
    interviews = [completed_interview(world), completed_interview(world)]
    barrier = threading.Barrier(2)
    outcomes = []

    def thank(interview):
        try:
            barrier.wait()
            give("interview", interview, world.peer)
            outcomes.append("given")
        except actions.VoucherRefused as refused:
            outcomes.append(refused.problems[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thank, args=(i,)) for i in interviews]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["There are no £20.00 Corner Shop Card vouchers left. Ask a coordinator to load more.", "given"]
    assert VoucherGift.objects.count() == 1 and Voucher.objects.filter(given_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_many_givers_at_once_never_give_one_voucher_twice(world):
    batch(world.project, world.coordinator, codes=3)
    event = held_event(world)
    barrier = threading.Barrier(6)
    outcomes = []

    def thank():
        try:
            barrier.wait()
            give("event", event, world.coordinator)
            outcomes.append("given")
        except actions.VoucherRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thank) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["given"] * 3 + ["refused"] * 3
    assert VoucherGift.objects.values("voucher").distinct().count() == 3


def test_batches_of_one_supplier_and_value_are_one_choice(world, client_for):
    batch(world.project, world.coordinator, prefix="A")
    batch(world.project, world.coordinator, prefix="B", expires_on=timezone.localdate() + timedelta(days=300))
    batch(world.project, world.coordinator, prefix="C", value="10.00")
    form = client_for(world.peer).get(thank_url(world, "interview", completed_interview(world).pk)).content.decode()
    assert form.count(">£20.00 Corner Shop Card<") == 1 and form.count(">£10.00 Corner Shop Card<") == 1
