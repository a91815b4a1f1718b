"""Voucher workflows: loading a batch, giving a voucher or recording that it was declined, and
revealing a code. Each runs in one transaction and is audited (never a code, never a name)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from coproduction.audit import record
from coproduction.models import Participant, Project, Role, User, Voucher, VoucherBatch, VoucherGift
from coproduction.models.vouchers import MAX_CODE_LENGTH
from coproduction.spreadsheets import UnreadableSpreadsheet, read_csv
from coproduction.vouchers.codes import code_hash, code_hashes, ending, plain
from coproduction.vouchers.occasions import Occasion

MAX_CODES = 5_000
# The person who gave a voucher may show its code again for this long (to read it out once
# more, or if the participant lost the card before leaving); after that, a coordinator can.
REVEAL_WINDOW = timedelta(hours=24)


class VoucherRefused(Exception):
    """Nothing was saved; `problems` say why, in words for the person who asked."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def project_today(project: Project) -> date:
    return timezone.localdate(timezone=project.tzinfo)


# ---------------------------------------------------------------- loading a batch


@dataclass
class LoadCheck:
    """What a load would add, and every problem that stops it (by row or line)."""

    codes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    repeated_in_file: int = 0
    already_loaded: int = 0


def codes_from_text(text: str) -> list[tuple[int, str]]:
    """Pasted codes, one a line (blank lines skipped), with their line numbers."""
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def codes_from_csv(content: bytes) -> list[tuple[int, str]]:
    """The `code` column of a CSV file, with spreadsheet row numbers; refused (VoucherRefused)
    when the file cannot be read."""
    try:
        rows = read_csv(content, required=["code"], max_rows=MAX_CODES)
    except UnreadableSpreadsheet as error:
        raise VoucherRefused([str(error)]) from None
    return [(number, cells["code"]) for number, cells in rows if cells["code"]]


def check_codes(project: Project, numbered: list[tuple[int, str]], *, where: str = "Line") -> LoadCheck:
    """Check every code: its length and characters, a code twice in the file (spaces, hyphens
    and case aside), and a code already loaded in this project (found by keyed hash, in one
    query, without decrypting the stock)."""
    check = LoadCheck()
    if not numbered:
        check.problems.append("There are no codes to load.")
        return check
    if len(numbered) > MAX_CODES:
        check.problems.append(f"There are more than {MAX_CODES:,} codes; load them in smaller batches.")
        return check
    hashes = {number: code_hashes(project.pk, code) for number, code in numbered}
    loaded = set(
        Voucher.objects.filter(project=project, code_hash__in=[h for hs in hashes.values() for h in hs]).values_list(
            "code_hash", flat=True
        )
    )
    seen: dict[str, int] = {}
    for number, code in numbered:
        if len(code) > MAX_CODE_LENGTH:
            check.problems.append(f"{where} {number}: the code is longer than {MAX_CODE_LENGTH} characters.")
            continue
        if not plain(code) or any(not character.isprintable() for character in code):
            check.problems.append(f"{where} {number}: the code has characters that are not letters, digits or signs.")
            continue
        key = plain(code)
        if key in seen:
            check.repeated_in_file += 1
            check.problems.append(f"{where} {number}: the code ending {ending(code)} is already in {where.lower()} {seen[key]}.")
        elif loaded.intersection(hashes[number]):
            check.already_loaded += 1
            check.problems.append(f"{where} {number}: the code ending {ending(code)} is already loaded.")
        else:
            seen[key] = number
            check.codes.append(code)
    return check


def load_batch(
    *, project: Project, supplier: str, value: Decimal, expires_on: date, numbered: list[tuple[int, str]], by: User, where: str
) -> VoucherBatch:
    """All the codes or none. Steps: check every code (VoucherRefused listing every problem);
    refuse a batch already expired; save the batch and its codes in one transaction. A code
    loaded by someone else meanwhile trips the unique hash: the whole batch is refused."""
    if expires_on < project_today(project):
        raise VoucherRefused(["These vouchers have already expired: check the expiry date."])
    check = check_codes(project, numbered, where=where)
    if check.problems:
        raise VoucherRefused(check.problems)
    try:
        with transaction.atomic():
            batch = VoucherBatch.objects.create(
                project=project, supplier=supplier, value=value, expires_on=expires_on, loaded_by=by
            )
            Voucher.objects.bulk_create(
                Voucher(project=project, batch=batch, code=code, code_hash=code_hash(project.pk, code)) for code in check.codes
            )
            record(by, "voucher_batch.loaded", batch)
    except IntegrityError:
        raise VoucherRefused(
            ["Some of these codes were loaded by someone else just now. Check the list and load again."]
        ) from None
    return batch


# ---------------------------------------------------------------- what can be given


@dataclass(frozen=True)
class VoucherKind:
    """A supplier and value that can be given now: all a giver chooses from (no counts)."""

    supplier: str
    value: Decimal

    @property
    def key(self) -> str:
        return f"{self.value}|{self.supplier}"

    @property
    def label(self) -> str:
        return f"£{self.value} {self.supplier}"


def kinds_in_stock(project: Project) -> list[VoucherKind]:
    rows = (
        Voucher.objects.filter(project=project)
        .in_stock(project_today(project))
        .values_list("batch__supplier", "batch__value")
        .order_by("batch__value", "batch__supplier")
        .distinct()
    )
    return [VoucherKind(supplier, value) for supplier, value in rows]


def kinds_loaded(project: Project) -> list[VoucherKind]:
    """Every supplier and value ever loaded in the project, in stock or not."""
    rows = VoucherBatch.objects.filter(project=project).values_list("supplier", "value").order_by("value", "supplier").distinct()
    return [VoucherKind(supplier, value) for supplier, value in rows]


# ---------------------------------------------------------------- giving


def _thank_you_so_far(occasion: Occasion, subject: Any, participant: Participant | None) -> VoucherGift | None:
    if participant is None:
        return None
    return (
        VoucherGift.objects.select_for_update()
        .filter(occasion_kind=occasion.kind, occasion_id=subject.pk, participant=participant)
        .first()
    )


def _checked(occasion: Occasion, subject: Any, participant: Participant | None) -> VoucherGift | None:
    """Refuse a thank-you the occasion does not allow now; the earlier one for this participant
    here, if any (a decline can become a gift: people change their minds)."""
    problem = occasion.refusal(subject)
    if problem is None and participant is not None and participant.withdrawn_at is not None:
        problem = "This participant has withdrawn; nothing can be recorded for them."
    if problem:
        raise VoucherRefused([problem])
    earlier = _thank_you_so_far(occasion, subject, participant)
    if earlier is not None and earlier.outcome == VoucherGift.Outcome.GIVEN:
        raise VoucherRefused([f"{participant.code} has already been given a voucher at this {occasion.label}."])
    return earlier


def _take_voucher(project: Project, kind: VoucherKind, now) -> Voucher:
    """The unused voucher of this kind expiring first, taken for this transaction.

    Race: two people giving the last voucher at once. `skip_locked` makes the second skip the
    row the first has locked (and find none); the conditional update is the guard that holds
    on databases without row locks, and if the row was taken in between."""
    today = project_today(project)
    unused = Voucher.objects.filter(
        project=project, given_at__isnull=True, batch__supplier=kind.supplier, batch__value=kind.value
    )
    candidates = unused.filter(batch__expires_on__gte=today).order_by("batch__expires_on", "pk")
    for _ in range(3):
        # One row at a time: locking several would make every other giver skip them all.
        voucher = candidates.select_for_update(skip_locked=True, of=("self",)).first()
        if voucher is None:
            break
        if Voucher.objects.filter(pk=voucher.pk, given_at__isnull=True).update(given_at=now):
            voucher.given_at = now
            return voucher
    if unused.filter(batch__expires_on__lt=today).exists():
        raise VoucherRefused([f"The {kind.label} vouchers left have expired. Ask a coordinator to load new ones."])
    raise VoucherRefused([f"There are no {kind.label} vouchers left. Ask a coordinator to load more."])


def thank(
    *, occasion: Occasion, subject: Any, participant: Participant | None, kind: VoucherKind | None, by: User
) -> VoucherGift:
    """Give a voucher of this kind or, with no kind, record that the participant declined."""
    if kind is None:
        return record_declined(occasion=occasion, subject=subject, participant=participant, by=by)
    return give_voucher(occasion=occasion, subject=subject, participant=participant, kind=kind, by=by)


@transaction.atomic
def give_voucher(
    *, occasion: Occasion, subject: Any, participant: Participant | None, kind: VoucherKind, by: User
) -> VoucherGift:
    """Give the participant a voucher at this occasion. Steps: check the occasion and the
    participant (one voucher each per occasion); take the voucher expiring first; record the
    gift (replacing an earlier "declined"); audit it. All in one transaction: a refusal at
    any step saves nothing."""
    now = timezone.now()
    earlier = _checked(occasion, subject, participant)
    voucher = _take_voucher(subject.project, kind, now)
    if earlier is not None:
        earlier.outcome, earlier.voucher, earlier.recorded_by, earlier.recorded_at = VoucherGift.Outcome.GIVEN, voucher, by, now
        earlier.save(update_fields=["outcome", "voucher", "recorded_by", "recorded_at"])
        gift = earlier
    else:
        gift = _new_thank_you(occasion, subject, participant, by, now, voucher=voucher)
    record(by, "voucher.given", gift)
    return gift


@transaction.atomic
def record_declined(*, occasion: Occasion, subject: Any, participant: Participant | None, by: User) -> VoucherGift:
    """The participant was offered a voucher and said no: recorded, no voucher used."""
    earlier = _checked(occasion, subject, participant)
    if earlier is not None:
        raise VoucherRefused([f"That {participant.code} declined is already recorded."])
    gift = _new_thank_you(occasion, subject, participant, by, timezone.now(), voucher=None)
    record(by, "voucher.declined", gift)
    return gift


def _new_thank_you(occasion, subject, participant, by, now, *, voucher: Voucher | None) -> VoucherGift:
    outcome = VoucherGift.Outcome.GIVEN if voucher else VoucherGift.Outcome.DECLINED
    try:
        with transaction.atomic():
            return VoucherGift.objects.create(
                project=subject.project,
                outcome=outcome,
                voucher=voucher,
                participant=participant,
                occasion_kind=occasion.kind,
                occasion_id=subject.pk,
                recorded_by=by,
                recorded_at=now,
            )
    except IntegrityError:
        # Someone recorded a thank-you for the same participant here at the same moment.
        raise VoucherRefused([f"A thank-you for {participant.code} at this {occasion.label} was recorded just now."]) from None


# ---------------------------------------------------------------- the code


def may_reveal(gift: VoucherGift, user: User, role: str, now=None) -> bool:
    """Coordinators; and the person who gave it, for REVEAL_WINDOW after giving it."""
    if gift.outcome != VoucherGift.Outcome.GIVEN:
        return False
    if role == Role.COORDINATOR:
        return True
    return gift.recorded_by_id == user.pk and (now or timezone.now()) - gift.recorded_at <= REVEAL_WINDOW


@transaction.atomic
def reveal_code(gift: VoucherGift, *, by: User) -> str:
    """The code, read (a code no key opens raises CannotOpen, and nothing is audited), then
    audited as revealed to this person."""
    code = gift.voucher.code
    record(by, "voucher.code_revealed", gift)
    return code
