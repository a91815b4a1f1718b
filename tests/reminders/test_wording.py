"""No message that leaves the app may say what an appointment is or what the project is about.

Every template, every part (subject, text, HTML, SMS) and the calendar file are rendered with
sample data that includes a participant code and a project name full of deny-listed words, as
a careless caller might pass them; none of it may come out.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from coproduction.models import Notification
from coproduction.notifications import delivery
from coproduction.notifications.digest import DigestLine

DENY = [
    "sex",
    "sexual",
    "interview",
    "therapy",
    "therapist",
    "psychotherapy",
    "supervision",
    "supervisor",
    "counselling",
    "counsellor",
    "abuse",
    "escort",
    "safeguarding",
    "prostitution",
    "brothel",
    "trafficking",
    "exploitation",
    "domestic",
    "violence",
    "wellbeing",
    "debrief",
    "research",
    "participant",
    "strategy",
]
PARTICIPANT_CODE = "SW-042"
SAMPLE = {
    "day": "tomorrow",
    "time": "10:00",
    "sign_in_url": "https://example.org/accounts/login/",
    "lines": [DigestLine("Items waiting for your review", 2), DigestLine("Alerts still open", 1)],
    "total": 3,
    "update_url": "https://example.org/s/Ab3dE6gH9jK2mN5p/",
    # What a careless caller might add; the templates must not use any of it.
    "participant_code": PARTICIPANT_CODE,
    "code": PARTICIPANT_CODE,
    "participant": PARTICIPANT_CODE,
    "project": "Sex work strategy: interviews and psychotherapy",
    "project_name": "Sex work strategy",
    "kind": "psychotherapy",
    "title": "Supervision",
}


def every_template() -> list[str]:
    """The templates delivery knows, and every other message template in templates/emails (a
    new one is covered by being there, whoever sends it)."""
    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    found = {path.name.removesuffix("-subject.txt") for path in folder.glob("*-subject.txt")}
    return sorted((set(delivery.TEMPLATES) | found) - NOT_THROUGH_THE_OUTBOX)


# To people with no account (residents and participants who asked for updates): a link to the
# public page instead of "Sign in" (coproduction.publication.notices).
NO_ACCOUNT = {"follow-up-update"}

# A one-off email to someone joining a project: rendered with its link when it is sent and sealed
# (coproduction.actions.invite), never from the reminder context and never as a text message.
NOT_THROUGH_THE_OUTBOX = {"invitation"}


def offending(text: str) -> list[str]:
    # Substrings, not words: "psychotherapist" and "sexual" must be caught too.
    found = [word for word in DENY if word in text.lower()]
    if PARTICIPANT_CODE.lower() in text.lower():
        found.append(PARTICIPANT_CODE)
    return found


def test_every_template_name_has_every_part():
    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    for name in every_template():
        for part in ("subject.txt", "body.txt", "body.html", "sms.txt"):
            assert (folder / f"{name}-{part}").is_file(), f"{name}-{part} is missing"


@pytest.mark.parametrize("template", every_template())
def test_every_part_of_every_template_is_neutral(template):
    message = delivery.render_message(template, SAMPLE)
    for part, text in [("subject", message.subject), ("text", message.text), ("html", message.html), ("sms", message.sms)]:
        assert text.strip(), f"{template} {part} is empty"
        assert not offending(text), f"{template} {part} says {offending(text)}: {text!r}"
    if template in NO_ACCOUNT:
        for text in (message.text, message.html, message.sms):
            assert SAMPLE["update_url"] in text and "Sign in" not in text and "sign in" not in text
    else:
        assert "Sign in" in message.text and "Sign in" in message.sms
    assert len(message.sms) <= 160, "one SMS fragment"


def test_the_digest_shows_a_total():
    message = delivery.render_message("daily-digest", SAMPLE)
    assert "Total: 3" in message.text and "3 items" in message.subject
    assert "<strong>3</strong>" in message.html


@pytest.mark.parametrize("template", sorted(delivery.APPOINTMENT_TEMPLATES))
def test_the_calendar_file_is_neutral(template):
    starts = datetime(2026, 3, 30, 9, tzinfo=UTC)
    row = Notification(
        pk=1,
        template=template,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        about_type="interviews.interview",
        about_id="42",
        due_at=timezone.now(),
    )
    ics = delivery.calendar_file(row).decode()
    assert "SUMMARY:Appointment" in ics
    assert not offending(ics), offending(ics)
    assert "interviews" not in ics and "42@" not in ics


def test_new_templates_are_covered():
    assert "session-request" in every_template()
    assert "follow-up-update" in every_template()


def test_the_follow_up_notice_says_an_update_exists_and_how_to_stop_and_nothing_else():
    message = delivery.render_message("follow-up-update", SAMPLE)
    link = SAMPLE["update_url"]
    assert message.subject == "An update"
    said = f"There is an update from a project you took part in: {link}"
    assert message.text.startswith(said) and message.sms.startswith(said)
    assert f'There is an update from a project you took part in: <a href="{link}">{link}</a>' in message.html
    for text in (message.text, message.html, message.sms):
        assert "ask the team" in text  # how to stop: there is no reply address or STOP keyword
        assert "account settings" not in text
    # Even a link as long as a real council's stays within one text message.
    long_link = {**SAMPLE, "update_url": "https://common-ground.riverside-council.gov.uk/s/Ab3dE6gH9jK2mN5p/"}
    assert len(delivery.render_message("follow-up-update", long_link).sms) <= 160


def test_the_deny_list_catches_what_it_should():
    assert offending("Your psychotherapy session") == ["therapy", "psychotherapy"]
    assert offending("About SW-042") == [PARTICIPANT_CODE]
    assert offending("You have an appointment tomorrow at 10:00. Sign in for details.") == []
