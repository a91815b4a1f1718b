"""Properties the PII scanner must keep on any text, not only on the labelled corpus.

- Planted items of every type, in every case and spacing variant, inside random sentences built
  from the vocabulary of the dev clean notes (the held-out test notes stay unseen), come back as
  one finding with exactly the item's span.
- The allow-list never hides a deny-list entry, even when the same term is on both lists or one
  contains the other.
- The scanner never crashes, keeps its findings ordered, apart and inside the text, and its time
  grows about linearly with the text (a 2 MB note).
"""

import re
import string
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coproduction.pii import DenyTerm, scan
from tests.pii_corpus import call_scan, load_allow_list, load_notes

ALLOW_TERMS = load_allow_list()
CLEAN_NOTES = [note.text for note in load_notes("clean", "dev")]
VOCABULARY = sorted({word for text in CLEAN_NOTES for word in text.split()})
SAMPLE = settings(max_examples=40, derandomize=True)

# Names here are not the held-out test split's (bar the ordinary words that are also names and the
# issue's own examples), so making these pass does not tune the scanner to that split.
# The type a finding may carry for each planted type.
FAMILIES = {"NAME": {"NAME", "NICKNAME", "POSSIBLE_NAME"}}

FIRST_NAMES = [
    "jade", "Rose", "Faith", "Amber", "Mark", "Bill", "Will", "Grace", "Hope", "Joy", "Summer",
    "Andreea", "Mihaela", "Ștefan", "Bożena", "Łukasz", "Grażyna", "Rūta", "Aistė", "Vytautas",
    "Nasrin", "Shahana", "Sohel", "Ubah", "Faduma", "Abdirahman", "Thaís", "Letícia", "João",
    "Chioma", "Ngozi", "Tunde", "Ayşe", "Mehmet", "Drita", "Besnik", "Siobhán", "Ciarán", "Courtney", "Dave",
]  # fmt: skip
SURNAMES = [
    "Lopez", "Smith", "Okafor", "Popescu", "Dumitrescu", "Nowak", "Wiśniewska", "Kazlauskienė", "Petrauskas",
    "Khatun", "Uddin", "Miah", "Egal", "Jama", "Oliveira", "Souza", "Adebayo", "Yılmaz", "Demir",
    "Hoxha", "Byrne", "Doherty", "O'Sullivan", "Whitfield",
]  # fmt: skip
TITLES = ["Mrs", "Mr", "Ms", "Miss", "Dr", "Auntie", "Uncle", "Pastor"]
NICKNAMES = ["Big Tee", "little mo", "Smokey", "T-Bone", "Lil J", "Lil Dre", "Brummie Steve", "Big Sal", "Tommy Two Phones"]
NAME_TEMPLATES = [
    "met {} at the hub",
    "her friend {} said",
    "she said her pimp is called {} and",
    "a punter named {} keeps",
    "call {} back tmrw",
    "{} said she was fine",
    "{}'s fella was outside",
    "his real name is {} but",
    "went with {} to the clinic",
]

STREETS = ["katherine", "tollgate", "wharf", "barking", "green", "romford", "carnarvon", "ferry", "sovereign", "rose", "hope"]
STREET_KINDS = ["road", "rd", "street", "st", "lane", "avenue", "close", "way", "grove"]
POSTCODE_OUTWARDS = ["E7", "E13", "E15", "E16", "E6", "E1W", "IG11", "RM10", "SE16", "N15", "EC1A"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
NI_PREFIXES = ["AB", "CE", "EH", "GL", "HP", "JK", "KM", "LR", "MA", "NP", "PE", "RS", "SP", "TW", "WL", "YB", "ZA"]
REG_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
ORDINALS = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}
# Mobile numbers abroad as people write them, with and without "+" ("#" is any digit).
ABROAD = [
    "+40 7## ### ###", "0040 7## ### ###", "+48 5## ### ###", "0048 6## ### ###", "+55 11 9#### ####",
    "0055 21 9#### ####", "+370 6## #####", "00370 6## #####", "+234 80# ### ####", "00234 80# ### ####",
]  # fmt: skip
DIGIT_WORDS = ["oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
MAIL_DOMAINS = ["gmail.com", "hotmail.co.uk", "yahoo.com", "outlook.com", "example.com", "example.org", "icloud.com"]
PROFILE_SITES = [
    "onlyfans.com/",
    "linktr.ee/",
    "instagram.com/",
    "x.com/",
    "twitter.com/",
    "tiktok.com/@",
    "fansly.com/",
    "t.me/",
    "beacons.ai/",
]

digits = st.text(string.digits, min_size=1, max_size=1)


def number(length: int) -> st.SearchStrategy[str]:
    return st.text(string.digits, min_size=length, max_size=length)


def recased(value: str) -> st.SearchStrategy[str]:
    return st.sampled_from([value, value.lower(), value.upper(), value.title()])


def spaced(groups: list[str]) -> st.SearchStrategy[str]:
    """Digit groups joined one way throughout: space, two spaces, dot, dash or nothing."""
    return st.sampled_from([" ", "  ", ".", "-", ""]).map(lambda sep: sep.join(groups))


@st.composite
def names(draw) -> str:
    shape = draw(st.sampled_from(["first", "surname", "full", "title", "nickname"]))
    if shape == "first":
        name = draw(st.sampled_from(FIRST_NAMES))
    elif shape == "surname":
        name = draw(st.sampled_from(SURNAMES))
    elif shape == "full":
        name = draw(st.sampled_from(FIRST_NAMES)) + draw(st.sampled_from([" ", "  "])) + draw(st.sampled_from(SURNAMES))
    elif shape == "title":
        title = draw(st.sampled_from(TITLES))
        dot = draw(st.sampled_from(["", "."])) if title in ("Mr", "Mrs", "Ms", "Dr") else ""
        name = title + dot + " " + draw(st.sampled_from(SURNAMES))
    else:
        name = draw(st.sampled_from(NICKNAMES))
    return draw(recased(name))


@st.composite
def phones(draw) -> str:
    tail = draw(number(3))
    shape = draw(st.sampled_from(["mobile", "london", "plus44", "abroad", "letter_o", "words"]))
    if shape == "mobile":
        return draw(spaced(["07700", "900", tail]))
    if shape == "london":
        return draw(st.sampled_from(["020 7946 0", "(020) 7946 0", "0207 946 0", "02079460"])) + tail
    if shape == "plus44":
        return draw(st.sampled_from(["+44 7700 900", "+447700900", "0044 7700 900 ", "+44 (0)7700 900 "])) + tail
    if shape == "abroad":
        pattern = draw(st.sampled_from(ABROAD))
        filled = iter(draw(number(pattern.count("#"))))
        return "".join(next(filled) if c == "#" else c for c in pattern)
    if shape == "letter_o":
        return draw(st.sampled_from(["O77OO 9OO ", "o7700 9oo ", "077OO9OO"])) + tail
    spoken = ["oh", "seven", "seven", "oh", "oh", "nine", "oh", "oh"] + [DIGIT_WORDS[int(d)] for d in tail]
    return draw(recased(" ".join(spoken)))


@st.composite
def emails(draw) -> str:
    local = draw(st.from_regex(r"[a-z][a-z0-9]{1,8}([._][a-z0-9]{1,6})?", fullmatch=True))
    domain = draw(st.sampled_from(MAIL_DOMAINS))
    at = draw(st.sampled_from(["@", " @ ", " at ", "[at]", " [at] ", "(at)", " [@] "]))
    dot = "." if at in ("@", " @ ") else draw(st.sampled_from([".", " dot ", "[dot]", " [dot] "]))
    return draw(recased(local + at + domain.replace(".", dot)))


def nhs_check_digit(body: str) -> int:
    return (11 - sum(int(x) * w for x, w in zip(body, range(10, 1, -1), strict=True)) % 11) % 11


@st.composite
def nhs_numbers(draw) -> str:
    """Issued numbers start 400-499 or 600-708; 999 is the test range. Bodies whose check digit would be 10 are never issued."""
    first = draw(st.integers(400, 499) | st.integers(600, 708) | st.just(999))
    body = draw(number(6).map(lambda rest: f"{first}{rest}").filter(lambda b: nhs_check_digit(b) != 10))
    whole = body + str(nhs_check_digit(body))
    return draw(spaced([whole[:3], whole[3:6], whole[6:]]) | st.just(whole[:5] + " " + whole[5:]))


@st.composite
def ni_numbers(draw) -> str:
    prefix, suffix, body = draw(st.sampled_from(NI_PREFIXES)), draw(st.sampled_from("ABCD")), draw(number(6))
    value = draw(
        st.sampled_from(
            [
                f"{prefix}{body}{suffix}",
                f"{prefix} {body[:2]} {body[2:4]} {body[4:]} {suffix}",
                f"{prefix} {body} {suffix}",
                f"{prefix}-{body[:2]}-{body[2:4]}-{body[4:]}-{suffix}",
            ]
        )
    )
    return draw(recased(value))


@st.composite
def sort_codes(draw) -> str:
    bank = f"{draw(st.integers(1, 99)):02d}"  # no sort code starts 00
    return draw(st.sampled_from([" ", "-", ""]).map(lambda sep: sep.join([bank, draw(number(2)), draw(number(2))])))


@st.composite
def bank_accounts(draw) -> str:
    value = draw(number(8))
    return draw(st.sampled_from([value, value[:4] + " " + value[4:]]))


@st.composite
def passports(draw) -> str:
    shape = draw(st.sampled_from(["uk", "two_letters", "one_letter"]))
    if shape == "uk":
        return draw(number(9))
    letters = st.text(string.ascii_uppercase, min_size=1, max_size=1)
    if shape == "two_letters":
        value = draw(letters) + draw(letters) + draw(st.sampled_from(["", " "])) + draw(number(draw(st.sampled_from([6, 7]))))
    else:
        value = draw(letters) + draw(number(8))
    return draw(st.sampled_from([value, value.lower()]))


@st.composite
def addresses(draw) -> str:
    house = str(draw(st.integers(1, 250))) + draw(st.sampled_from(["", "", "a", "b"]))
    street = f"{house} {draw(st.sampled_from(STREETS))} {draw(st.sampled_from(STREET_KINDS))}"
    flat = draw(st.sampled_from(["", "flat {}, ", "flat {} ", "unit {}, "]))
    return draw(recased(flat.format(draw(st.integers(1, 30))) + street))


@st.composite
def postcodes(draw) -> str:
    inward = draw(digits) + draw(st.text(INWARD_LETTERS, min_size=2, max_size=2))
    return draw(recased(draw(st.sampled_from(POSTCODE_OUTWARDS)) + draw(st.sampled_from([" ", "", "  "])) + inward))


@st.composite
def vehicle_regs(draw) -> str:
    letters = st.text(REG_LETTERS, min_size=3, max_size=3)
    if draw(st.booleans()):
        age = draw(st.sampled_from(["02", "09", "15", "19", "24", "51", "62", "66", "70", "73"]))
        value = (
            draw(letters)[:2] + draw(st.sampled_from(["", " "])) + age + draw(st.sampled_from([" ", "", "  "])) + draw(letters)
        )
    else:
        value = draw(letters)[0] + str(draw(st.integers(1, 999))) + draw(st.sampled_from([" ", ""])) + draw(letters)
    return draw(recased(value))


@st.composite
def handles(draw) -> str:
    return "@" + draw(st.from_regex(r"[a-z][a-z0-9]{2,9}([._][a-z0-9]{1,6})?", fullmatch=True).flatmap(recased))


@st.composite
def urls(draw) -> str:
    if draw(st.booleans()):
        return (
            draw(st.sampled_from(["", "https://", "http://"]))
            + "bit.ly/"
            + draw(st.from_regex(r"[A-Za-z0-9]{6,8}", fullmatch=True))
        )
    scheme = draw(st.sampled_from(["", "https://", "https://www.", "www.", "http://"]))
    if draw(st.booleans()):
        return scheme + "adultwork.com/ViewProfile.asp?UserID=" + draw(number(7))
    return scheme + draw(st.sampled_from(PROFILE_SITES)) + draw(st.from_regex(r"[a-z][a-z0-9_.]{2,12}[a-z0-9]", fullmatch=True))


@st.composite
def dates(draw) -> str:
    day, month, year = draw(st.integers(1, 28)), draw(st.integers(1, 12)), draw(st.integers(1960, 2008))
    shape = draw(st.sampled_from(["numeric", "short_year", "words", "ordinal", "us_words", "iso"]))
    if shape == "numeric":
        sep = draw(st.sampled_from(["/", ".", "-"]))
        return f"{day:02d}{sep}{month:02d}{sep}{year}"
    if shape == "short_year":
        return f"{day}/{month}/{year % 100:02d}"
    name = (
        draw(st.sampled_from([MONTHS[month - 1], MONTHS[month - 1][:3]])).capitalize()
        if draw(st.booleans())
        else MONTHS[month - 1]
    )
    if shape == "words":
        return f"{day} {name} {year}"
    if shape == "ordinal":
        return f"{day}{ORDINALS.get(day, 'th')}{draw(st.sampled_from([' ', ' of ']))}{name} {year}"
    if shape == "us_words":
        return f"{name} {day} {year}"
    return f"{year}-{month:02d}-{day:02d}"


ITEMS = {
    "NAME": (names(), NAME_TEMPLATES),
    "PHONE": (phones(), ["her number is {} but", "call her on {} after 6", "text {} she said"]),
    "EMAIL": (emails(), ["her email is {} she said", "mail her at {} not the other one"]),
    "NHS_NUMBER": (nhs_numbers(), ["nhs no {} for the gp", "her nhs number is {} she said"]),
    "NI_NUMBER": (ni_numbers(), ["NI {} for the form", "her national insurance is {} she said"]),
    "SORT_CODE": (sort_codes(), ["sort code {} acc on the card", "her sort code is {} she said"]),
    "BANK_ACCOUNT": (bank_accounts(), ["account number {} she said", "acc no {} for the grant"]),
    "PASSPORT": (passports(), ["her passport no is {} and", "passport {} is with him"]),
    "ADDRESS": (addresses(), ["she lives at {} with her nan", "moved to {} last week"]),
    "POSTCODE": (postcodes(), ["postcode {} for her mums", "she lives in {} now"]),
    "VEHICLE_REG": (vehicle_regs(), ["car reg {} silver ford", "the van {} was outside again"]),
    "HANDLE": (handles(), ["her insta is {} and", "snap {} she said"]),
    "URL": (urls(), ["her link is {} she said", "profile {} got leaked"]),
    "DATE": (dates(), ["dob {} she said", "her date of birth is {} for the form"]),
}

# Around each planted item: words drawn at random from the dev clean notes, or a whole note.
# Words first, so that a failing example shrinks to a short sentence.
filler = st.lists(st.sampled_from(VOCABULARY), max_size=12).map(" ".join) | st.sampled_from(CLEAN_NOTES)


@st.composite
def planted_sentences(draw, kind: str) -> tuple[str, int, int]:
    """A note of filler sentences with one planted item; returns the text and the item's span."""
    values, templates = ITEMS[kind]
    value, template = draw(values), draw(st.sampled_from(templates))
    before, after = draw(filler), draw(filler)
    head = (before + ". " if before else "") + template[: template.index("{}")]
    if head.endswith(". ") and kind == "NAME":
        value = value[0].upper() + value[1:]  # a sentence starts with a capital
    text = head + value + template[template.index("{}") + 2 :] + (". " + after if after else "")
    return text, len(head), len(head) + len(value)


def found_exactly(kind: str, text: str, start: int, end: int) -> bool:
    families = FAMILIES.get(kind, {kind})
    return any(f.start == start and f.end == end and f.type in families for f in scan(text))


@pytest.mark.parametrize("kind", list(ITEMS))
@SAMPLE
@given(data=st.data())
def test_planted_item_is_found_with_its_exact_span(kind, data):
    text, start, end = data.draw(planted_sentences(kind))
    findings = [(f.type, text[f.start : f.end]) for f in scan(text)]
    assert found_exactly(kind, text, start, end), f"{kind} {text[start:end]!r} in {text!r}: found {findings}"


DENY_KINDS = ["name", "nickname", "place"]
OVERLAPS = [
    # (deny term, allow term): the same term, the allow term containing the deny term, and the reverse.
    ("Rose", "Rose"),
    ("Rose", "Rose Lane"),
    ("Grace", "Grace Court"),
    ("Hope", "Hope Street"),
    ("Faith", "Faith Foundation"),
    ("Amber Way", "Amber"),
    ("Riverside Market", "Riverside"),
    ("Kingsmead", "Kingsmead Market"),
    ("Big Tee", "Tee"),
]


@SAMPLE
@given(
    pair=st.sampled_from(OVERLAPS) | st.sampled_from(ALLOW_TERMS).map(lambda entry: (entry[1], entry[1])),
    kind=st.sampled_from(DENY_KINDS),
    case=st.sampled_from([str, str.lower, str.upper]),
    before=filler,
    after=filler,
)
def test_allow_list_never_hides_a_deny_list_entry(pair, kind, case, before, after):
    deny, allow = pair
    text = f"{before} met {case(deny)} by {allow} at half 7 {after}"
    allow_terms = ALLOW_TERMS + [("place", allow), ("organisation", allow)]
    findings = scan(text, deny_terms=[DenyTerm(deny, kind)], allow_terms=allow_terms)
    for match in re.finditer(rf"(?<!\w){re.escape(deny)}(?!\w)", text, re.IGNORECASE):
        covered = any(f.start <= match.start() and f.end >= match.end() for f in findings)
        assert covered, f"deny term {deny!r} hidden at {match.start()} in {text!r}: {findings}"


def assert_well_formed(text: str, findings: list) -> None:
    assert findings == sorted(findings, key=lambda f: f.start)
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.text == text[finding.start : finding.end]
    for first, second in zip(findings, findings[1:], strict=False):
        assert first.end <= second.start


@settings(max_examples=150, derandomize=True)
@given(st.text())
def test_never_crashes_on_any_text(text):
    assert_well_formed(text, scan(text))


@SAMPLE
@given(st.text(), st.lists(st.text().filter(str.strip), max_size=3), st.lists(st.text().filter(str.strip), max_size=3))
def test_never_crashes_with_any_lists(text, deny, allow):
    findings = scan(text, deny_terms=[DenyTerm(term, "name") for term in deny], allow_terms=[("place", term) for term in allow])
    assert_well_formed(text, findings)


def realistic_note(size: int) -> str:
    notes = [note.text for split in ("dev", "test") for kind in ("planted", "clean") for note in load_notes(kind, split)]
    block = "\n".join(notes) + "\n"
    return (block * (size // len(block) + 1))[:size]


@pytest.mark.serial
def test_time_grows_about_linearly_with_a_2_mb_note():
    small, large = realistic_note(200_000), realistic_note(2_000_000)
    call_scan(scan, small, ALLOW_TERMS)  # warm caches and compiled patterns

    def seconds(text: str) -> float:
        start = time.perf_counter()
        call_scan(scan, text, ALLOW_TERMS)  # with the allow-list once scan() takes one
        return time.perf_counter() - start

    small_time = min(seconds(small) for _ in range(3))
    ratio = seconds(large) / small_time
    if ratio >= 15:  # the machine is shared: measure both once more before calling it superlinear
        ratio = min(ratio, seconds(large) / min(small_time, seconds(small)))
    assert ratio < 15, f"2 MB took {ratio:.1f} times as long as 200 KB"
