import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduction.pii import DenyTerm, redact, scan

EXAMPLES = {
    "EMAIL": ["jo.bloggs@example.org", "someone+tag@mail.example.co.uk"],
    "PHONE": ["07700 900123", "+44 20 7946 0958", "020 7946 0018", "0161 496 0000", "+33 1 42 68 53 00"],
    "POSTCODE": ["LS1 4AB", "E1 6AN", "SW1A 1AA", "M60 2LA"],
    "NI_NUMBER": ["AB 12 34 56 C", "JG103752A", "QQ 12 34 56 C"],
    "NHS_NUMBER": ["943 476 5919", "9434765919", "401-023-2137"],
    "DATE": ["12/03/1990", "2021-02-28", "3rd March 1989", "March 3, 1989", "29/02/2000", "14.07.85"],
    "URL": ["https://example.com/x?y=1", "www.example.org", "http://example.net"],
    "HANDLE": ["@streetsafe1", "@jo_b"],
    "VEHICLE_REG": ["AB12 CDE", "AB12CDE", "A123 BCD"],
    "ADDRESS": ["14 Acacia Avenue", "3 Mill Lane", "221B Baker Street"],
}

WORDS = st.lists(st.sampled_from(["the", "and", "light", "was", "out", "near", "her", "we", "often", "walk"]), max_size=12)


def test_finds_each_type_with_span_and_placeholder():
    text = "Met at 14 Acacia Avenue, LS1 4AB. Call 020 7946 0018 or mail jo@example.org on 12/03/1990."
    found = {f.type: f for f in scan(text)}
    assert found["ADDRESS"].text == "14 Acacia Avenue"
    assert found["POSTCODE"].placeholder == "[POSTCODE]"
    assert text[found["PHONE"].start : found["PHONE"].end] == "020 7946 0018"
    assert found["EMAIL"].text == "jo@example.org"
    assert found["DATE"].text == "12/03/1990"


def test_nhs_number_needs_a_valid_checksum():
    assert [f.type for f in scan("number 943 476 5919 here")] == ["NHS_NUMBER"]
    assert "NHS_NUMBER" not in [f.type for f in scan("number 943 476 5918 here")]


def test_impossible_dates_are_not_dates():
    assert not [f for f in scan("on 31/02/1990 and 2021-13-01") if f.type == "DATE"]


def test_deny_list_terms_are_found_case_insensitively_with_their_kind():
    findings = scan("we met mazza near the old gasworks", [DenyTerm("Mazza", "nickname"), DenyTerm("Old Gasworks", "place")])
    assert [(f.type, f.text, f.placeholder) for f in findings] == [
        ("NICKNAME", "mazza", "[NICKNAME]"),
        ("PLACE", "old gasworks", "[PLACE]"),
    ]


def test_possible_names_skip_sentence_starts_and_common_words():
    findings = scan("Lighting was poor. We saw Dave on Monday and Kezia too.")
    assert [(f.type, f.text) for f in findings] == [("POSSIBLE_NAME", "Dave"), ("POSSIBLE_NAME", "Kezia")]


def test_redact_replaces_the_span_with_the_placeholder():
    text = "call 020 7946 0018 now"
    (finding,) = scan(text)
    assert redact(text, finding) == "call [PHONE] now"
    assert scan(redact(text, finding)) == []


def test_placeholders_are_not_findings():
    assert scan("[NAME] said [PHONE] and [NI NUMBER] at [ADDRESS], [NHS NUMBER]") == []


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(), st.lists(st.text(max_size=20), max_size=5))
def test_scanner_never_crashes_on_arbitrary_unicode(text, deny_terms):
    findings = scan(text, ["Ünïcødé", *deny_terms])
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    spans = sorted((f.start, f.end) for f in findings)
    assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(sorted(EXAMPLES)),
    data=st.data(),
    before=WORDS,
    after=WORDS,
)
def test_planted_pii_is_found_with_the_right_span(kind, data, before, after):
    value = data.draw(st.sampled_from(EXAMPLES[kind]))
    prefix = " ".join(before) + (" " if before else "")
    text = prefix + value + (" " if after else "") + " ".join(after)
    start = len(prefix)
    findings = scan(text)
    assert any(f.type == kind and f.start == start and f.end == start + len(value) for f in findings), (text, findings)


@settings(max_examples=100, deadline=None)
@given(term=st.text(alphabet=st.characters(categories=["Lu", "Ll"]), min_size=2, max_size=12), before=WORDS, after=WORDS)
def test_planted_deny_list_term_is_found(term, before, after):
    prefix = " ".join(before) + " "
    text = prefix + term + " " + " ".join(after)
    findings = scan(text, [term])
    assert any(f.type == "NAME" and f.start == len(prefix) and f.end == len(prefix) + len(term) for f in findings)


def test_scan_pii_command_prints_json_lines(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("mail jo@example.org please", encoding="utf-8")
    call_command("scan_pii", str(path))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [{"type": "EMAIL", "start": 5, "end": 19, "text": "jo@example.org"}]


def test_scan_pii_command_refuses_missing_and_binary_files(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("scan_pii", str(tmp_path / "missing.txt"))
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\xff\xfe\x00\x80")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("scan_pii", str(binary))


# Generated PII: every value of each type, not only the examples above.
DIGIT = st.sampled_from("0123456789")
FILLER = st.lists(st.text(alphabet="abcdeghijklmnopqrsvwxyzàéü", min_size=1, max_size=8), max_size=10)


@st.composite
def nhs_numbers(draw):
    digits = draw(st.lists(DIGIT, min_size=9, max_size=9))
    total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    if check == 10 or len(set(digits + [str(check)])) == 1:
        from hypothesis import reject

        reject()
    number = "".join(digits) + str(check)
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join([number[:3], number[3:6], number[6:]])


@st.composite
def ni_numbers(draw):
    first = draw(st.sampled_from("ABCEGHJKLMNOPRSTWXYZ"))
    second = draw(st.sampled_from("ABCEGHJKLMNPRSTWXYZ"))
    if first + second in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
        first = "A"
    digits = "".join(draw(st.lists(DIGIT, min_size=6, max_size=6)))
    sep = draw(st.sampled_from(["", " "]))
    return sep.join([first + second, digits[:2], digits[2:4], digits[4:], draw(st.sampled_from("ABCD"))])


@st.composite
def full_dates(draw):
    from datetime import date

    day = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2029, 12, 31)))
    pattern = draw(st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "{d} %B %Y", "%B {d}, %Y", "%d.%m.%y", "{d}th of %b %Y"]))
    return day.strftime(pattern).replace("{d}", str(day.day))


@st.composite
def uk_mobiles(draw):
    rest = "".join(draw(st.lists(DIGIT, min_size=9, max_size=9)))
    style = draw(st.sampled_from(["07{a} {b}", "07{a}{b}", "+44 7{a} {b}", "07{a} {c} {d}"]))
    return style.format(a=rest[:3], b=rest[3:], c=rest[3:6], d=rest[6:])


@st.composite
def emails(draw):
    word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
    local = draw(word) + draw(st.sampled_from(["", ".", "_", "+"])) + draw(word)
    return f"{local}@{draw(word)}.{draw(st.sampled_from(['org', 'co.uk', 'com', 'net']))}"


@st.composite
def postcodes(draw):
    area = draw(st.sampled_from(["E", "N", "M", "B", "LS", "SW", "EC", "BS", "CF"]))
    district = str(draw(st.integers(min_value=1, max_value=19)))
    inward = str(draw(st.integers(min_value=0, max_value=9))) + "".join(
        draw(st.lists(st.sampled_from("ABDEFGHJLNPQRSTUWXYZ"), min_size=2, max_size=2))
    )
    return f"{area}{district}{draw(st.sampled_from([' ', '']))}{inward}"


@st.composite
def vehicle_regs(draw):
    letters = st.sampled_from("ABCDEFGHJKLMNOPRSTUVWXY")
    first = "".join(draw(st.lists(letters, min_size=2, max_size=2)))
    last = "".join(draw(st.lists(letters, min_size=3, max_size=3)))
    return f"{first}{draw(st.integers(10, 79))}{draw(st.sampled_from([' ', '']))}{last}"


@st.composite
def handles(draw):
    return "@" + draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=2, max_size=15))


@st.composite
def urls(draw):
    host = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12))
    path = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/-_?=&", max_size=20))
    scheme = draw(st.sampled_from(["https://", "http://", "www."]))
    tld = draw(st.sampled_from(["org", "co.uk", "com"]))
    # Trailing punctuation is read as the sentence's, not the address's: end on a letter.
    return f"{scheme}{host}.{tld}/{path}x"


@st.composite
def addresses(draw):
    name = draw(st.sampled_from(["Acacia", "Mill", "Station", "Canal", "Victoria", "Chapel"]))
    kind = draw(st.sampled_from(["Street", "Road", "Lane", "Avenue", "Close", "Terrace", "Way"]))
    return f"{draw(st.integers(1, 999))}{draw(st.sampled_from(['', 'A', 'b']))} {name} {kind}"


GENERATED = {
    "VEHICLE_REG": vehicle_regs(),
    "HANDLE": handles(),
    "URL": urls(),
    "ADDRESS": addresses(),
    "NHS_NUMBER": nhs_numbers(),
    "NI_NUMBER": ni_numbers(),
    "DATE": full_dates(),
    "PHONE": uk_mobiles(),
    "EMAIL": emails(),
    "POSTCODE": postcodes(),
}


@settings(max_examples=600, deadline=None)
@given(kind=st.sampled_from(sorted(GENERATED)), data=st.data(), before=FILLER, after=FILLER)
def test_generated_pii_is_found_with_the_right_span(kind, data, before, after):
    value = data.draw(GENERATED[kind])
    prefix = "".join(word + " " for word in before)
    text = prefix + value + "".join(" " + word for word in after)
    findings = scan(text)
    start = len(prefix)
    assert any(f.type == kind and f.start == start and f.end == start + len(value) for f in findings), (text, findings)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("her friend Maria Lopez said", "Maria Lopez"),
        ("call Dave Smith", "Dave Smith"),
        ("met jade at the hub", "jade"),
        ("his real name is will", "will"),
        ("Rose's fella came by", "Rose"),
        ("her pimp is called Big Tee", "Big Tee"),
        ("they call him little mo", "little mo"),
        ("Mrs Okafor runs it", "Mrs Okafor"),
        ("spoke to Ionuț about it", "Ionuț"),
        ("her mate agnieszka kowalska was there", "agnieszka kowalska"),
        ("[NAME] Lopez was there", "Lopez"),
        ("Lopez [NAME] was there", "Lopez"),
    ],
)
def test_names_as_people_type_them_are_one_finding(text, expected):
    names = [f.text for f in scan(text) if f.type == "POSSIBLE_NAME"]
    assert names == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Polish and Romanian girls on Tuesday in March, about 10pm, £40 each",
        "three of them round E7, she's 19",
        "keep the faith, will call back, the rose garden",
        "Lighting was poor. We walked to the station at half 7.",
        "the outreach worker and a police officer, the GP said wait",
        "[NAME] said [PHONE] and [NI NUMBER] at [ADDRESS], [NHS NUMBER]",
    ],
)
def test_what_is_not_personal_data_is_not_flagged(text):
    assert scan(text) == []


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        (
            "ring oh seven seven double oh nine double oh one two three",
            "PHONE",
            "oh seven seven double oh nine double oh one two three",
        ),  # noqa: E501
        ("O77OO 9OO 123 is her number", "PHONE", "O77OO 9OO 123"),
        ("her romanian number +40 721 234 567", "PHONE", "+40 721 234 567"),
        ("brazil one 55 11 98765 4321", "PHONE", "55 11 98765 4321"),
        ("nhs no 943-476-5919", "NHS_NUMBER", "943-476-5919"),
        ("ni jg 10 37 52 a", "NI_NUMBER", "jg 10 37 52 a"),
        ("sort code 20-00-00 acc 12345678", "SORT_CODE", "20-00-00"),
        ("sort code 20-00-00 acc 12345678", "BANK_ACCOUNT", "12345678"),
        ("passport no 123456789", "PASSPORT", "123456789"),
        ("polish passport EA 1234567", "PASSPORT", "EA 1234567"),
        ("jade.b at gmail dot com", "EMAIL", "jade.b at gmail dot com"),
        ("rosie[at]hotmail[dot]co[dot]uk", "EMAIL", "rosie[at]hotmail[dot]co[dot]uk"),
        ("flat 3, 12 katherine rd", "ADDRESS", "flat 3, 12 katherine rd"),
        ("lives at e79hr", "POSTCODE", "e79hr"),
        ("van reg ab12 cde", "VEHICLE_REG", "ab12 cde"),
        ("her insta is jade_xo99", "HANDLE", "jade_xo99"),
        ("it's on linktr.ee/jadexo", "URL", "linktr.ee/jadexo"),
    ],
)
def test_identifiers_written_oddly_are_found_whole(text, kind, expected):
    assert expected in [f.text for f in scan(text) if f.type == kind]


def test_allow_list_hides_public_places_and_helplines_but_never_a_deny_list_entry():
    allow = [("place", "Rose Lane Market"), ("helpline", "0808 2000 247"), ("organisation", "Rose")]
    text = "met Rose at Rose Lane Market, she rang 0808 2000 247"
    assert scan(text, allow_terms=allow) == []
    findings = scan(text, [DenyTerm("Rose", "name")], allow)
    assert [(f.type, f.text) for f in findings] == [("NAME", "Rose"), ("NAME", "Rose")]


def test_allow_list_never_hides_an_address_or_postcode_beside_it():
    findings = scan("lives at 12 Katherine Road, E7 9HR", allow_terms=[("place", "Katherine Road")])
    assert [f.type for f in findings] == ["ADDRESS", "POSTCODE"]


def test_a_detector_that_fails_fails_the_whole_scan(monkeypatch):
    from coproduction import pii

    def broken(text):
        raise ValueError("odd input")

    monkeypatch.setitem(pii.DETECTORS, "number", broken)
    with pytest.raises(pii.ScanFailed) as failed:
        scan("call 020 7946 0018")
    assert failed.value.detector == "number" and "0018" not in str(failed.value)


def test_scan_pii_command_reads_the_allow_list_and_fails_closed(tmp_path, capsys, monkeypatch):
    from coproduction import pii

    note = tmp_path / "note.txt"
    note.write_text("rang 0808 2000 247 then met kasia", encoding="utf-8")
    call_command("scan_pii", str(note), "--allow", "0808 2000 247")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["text"] for line in lines] == ["kasia"]
    monkeypatch.setitem(pii.DETECTORS, "email", lambda text: 1 / 0)
    with pytest.raises(CommandError, match="check is incomplete"):
        call_command("scan_pii", str(note))
