"""Withdrawal erases a concern's few words (they may describe the participant) but keeps the
record that a concern was raised and dealt with."""

from datetime import timedelta

import pytest

from coproduction.participation.actions import withdraw_participant
from interviews import actions
from interviews.models import SafeguardingFlag
from tests.interviews.factories import make_interview

pytestmark = pytest.mark.django_db


def test_withdrawal_erases_concern_detail_and_keeps_the_record(world):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator, starts_in=-timedelta(hours=1))
    flag = actions.raise_flag(interview, detail="Mentioned a place and a person", by=world.peer)
    actions.resolve_flag(flag, by=world.coordinator)
    other = make_interview(world.project, world.peer, booked_by=world.coordinator, starts_in=-timedelta(hours=2))
    kept = actions.raise_flag(other, detail="Another participant's concern", by=world.peer)

    counts = withdraw_participant(interview.participant, by=world.coordinator)

    flag = SafeguardingFlag.objects.get(pk=flag.pk)
    assert flag.detail is None
    assert flag.raised_by == world.peer and flag.resolved_by == world.coordinator
    assert SafeguardingFlag.objects.get(pk=kept.pk).detail == "Another participant's concern"
    assert dict(counts).get("concern notes erased") == 1
