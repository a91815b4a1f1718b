"""Loading a batch: pasted or from CSV, all or nothing, duplicates reported (within the file and
against stock) by line or row, codes stored encrypted and found by keyed hash, audited."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coproduction.models import AuditEvent, Voucher, VoucherBatch
from coproduction.vouchers.actions import project_today
from coproduction.vouchers.codes import code_hash, code_hashes
from tests.encrypted_records import read_column
from tests.vouchers.factories import batch

pytestmark = pytest.mark.django_db


def form(world, **overrides):
    data = {
        "supplier": "Corner Shop Card",
        "value": "15.00",
        "expires_on": (project_today(world.project) + timedelta(days=60)).isoformat(),
        "codes": "AAAA-1111\nBBBB-2222\n\nCCCC-3333\n",
    }
    return {**data, **overrides}


def url(world):
    return f"/p/{world.project.slug}/vouchers/load/"


def test_pasted_codes_load_encrypted_with_a_keyed_hash_and_an_audit_row(world, client_for):
    response = client_for(world.coordinator).post(url(world), form(world))
    assert response.status_code == 302
    loaded = VoucherBatch.objects.get(project=world.project)
    assert (loaded.supplier, str(loaded.value), loaded.vouchers.count()) == ("Corner Shop Card", "15.00", 3)
    voucher = loaded.vouchers.order_by("pk").first()
    assert voucher.code == "AAAA-1111"
    assert "AAAA-1111" not in read_column(Voucher, "code", voucher.pk)
    assert voucher.code_hash == code_hash(world.project.pk, "aaaa 1111") != code_hash(world.other_project.pk, "AAAA-1111")
    assert AuditEvent.objects.filter(action="voucher_batch.loaded", object_id=str(loaded.pk), actor=world.coordinator).exists()


def test_a_csv_file_loads_its_code_column(world, client_for):
    upload = SimpleUploadedFile("codes.csv", b"\xef\xbb\xbfnote,Code\nfirst,ZX-01\nsecond,ZX-02\n", content_type="text/csv")
    response = client_for(world.coordinator).post(url(world), {**form(world, codes=""), "file": upload})
    assert response.status_code == 302
    assert sorted(v.code for v in Voucher.objects.all()) == ["ZX-01", "ZX-02"]


def test_a_code_twice_in_the_paste_or_already_loaded_loads_nothing_and_says_where(world, client_for):
    batch(world.project, world.coordinator, codes=1, prefix="OLD")  # OLD-COR-0001
    pasted = "NEW-1\nnew 1\nold-cor-0001\nNEW-2"
    response = client_for(world.coordinator).post(url(world), form(world, codes=pasted))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Line 2: the code ending NEW1 is already in line 1." in body
    assert "Line 3: the code ending 0001 is already loaded." in body
    assert "Nothing was loaded" in body
    assert "NEW-2" in body  # what was typed is kept...
    assert VoucherBatch.objects.filter(project=world.project).count() == 1  # ...and nothing saved
    assert Voucher.objects.count() == 1


def test_duplicates_in_a_csv_are_reported_by_spreadsheet_row(world, client_for):
    upload = SimpleUploadedFile("codes.csv", b"code\nQ-1\nQ-2\nQ-1\n", content_type="text/csv")
    response = client_for(world.coordinator).post(url(world), {**form(world, codes=""), "file": upload})
    assert "Row 4: the code ending Q1 is already in row 2." in response.content.decode()
    assert not Voucher.objects.exists()


def test_a_code_loaded_under_the_previous_secret_key_is_still_found(world, client_for, settings):
    batch(world.project, world.coordinator, codes=1, prefix="OLD")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789abcdefghij"
    assert code_hashes(world.project.pk, "OLD-COR-0001")[1] == Voucher.objects.get().code_hash
    response = client_for(world.coordinator).post(url(world), form(world, codes="OLD-COR-0001"))
    assert "is already loaded" in response.content.decode()
    assert Voucher.objects.count() == 1


def test_the_same_code_may_be_loaded_in_another_project(world, client_for):
    batch(world.other_project, world.outsiders["coordinator"], codes=1, prefix="SHARED")
    response = client_for(world.coordinator).post(url(world), form(world, codes="SHARED-COR-0001"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"codes": ""}, "Paste the codes, or choose a CSV file with a column named code."),
        ({"value": "0"}, "Ensure this value is greater than or equal to 0.01."),
        ({"value": "twenty"}, "Enter a number."),
        ({"expires_on": "2001-01-01"}, "These vouchers have already expired: check the expiry date."),
        ({"expires_on": "9999-12-31"}, "Enter a date between 1 January 2000 and 31 December 2099."),
        ({"codes": "X" * 65}, "Line 1: the code is longer than 64 characters."),
        ({"supplier": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(world, client_for, overrides, message):
    response = client_for(world.coordinator).post(url(world), form(world, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VoucherBatch.objects.exists() and not Voucher.objects.exists()


def test_an_unreadable_or_codeless_csv_is_refused(world, client_for):
    client = client_for(world.coordinator)
    for content, message in [
        (b"\xff\xfe\x00c", "The file is not a CSV file."),
        (b"number\n1\n", "The file has no column code."),
        (b"code\n\n", "There are no codes to load."),
    ]:
        upload = SimpleUploadedFile("codes.csv", content, content_type="text/csv")
        response = client.post(url(world), {**form(world, codes=""), "file": upload})
        assert message in response.content.decode(), message
    assert not VoucherBatch.objects.exists()


def test_both_a_paste_and_a_file_is_refused(world, client_for):
    upload = SimpleUploadedFile("codes.csv", b"code\nA\n", content_type="text/csv")
    response = client_for(world.coordinator).post(url(world), {**form(world), "file": upload})
    assert "Paste the codes or choose a file, not both." in response.content.decode()
    assert not VoucherBatch.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(world, client_for, settings):
    settings.VOUCHER_UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("codes.csv", b"code\n" + b"ABCDEFGH\n" * 400, content_type="text/csv")
    response = client_for(world.coordinator).post(url(world), {**form(world, codes=""), "file": upload})
    assert "The file is larger than 1 KB" in response.content.decode()
    assert not VoucherBatch.objects.exists()
