"""The PII scanner behind the anonymisation gate (interview notes, engagement-event notes).

Pure functions: `scan(text, deny_terms)` returns typed `Finding`s with a code-point span and the
placeholder that replaces the span when a researcher redacts it. Nothing is logged or stored
here; callers decide what to keep (never the found text itself outside the draft).

Steps of `scan`:
1. each detector proposes findings (regular expressions, `phonenumbers` for phone numbers,
   checksums for NHS numbers, calendar checks for dates, the project's deny-list);
2. overlapping proposals are settled by priority (a known name beats a "possible name", an
   e-mail address beats the handle inside it), then by length;
3. the survivors are returned in text order.

Possible names (capitalised words that do not start a sentence and are not common words) are
findings too: a human decides, by redacting or by dismissing them with a reason.
"""

import bisect
import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers


@dataclass(frozen=True)
class Finding:
    type: str
    start: int
    end: int
    text: str
    placeholder: str

    def as_dict(self) -> dict:
        return {"type": self.type, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class DenyTerm:
    """A name, nickname or place the coordinators listed for this project."""

    term: str
    kind: str = "name"  # "name", "nickname" or "place"


PLACEHOLDERS = {
    "EMAIL": "[EMAIL]",
    "URL": "[URL]",
    "HANDLE": "[HANDLE]",
    "PHONE": "[PHONE]",
    "POSTCODE": "[POSTCODE]",
    "NI_NUMBER": "[NI NUMBER]",
    "NHS_NUMBER": "[NHS NUMBER]",
    "DATE": "[DATE]",
    "VEHICLE_REG": "[VEHICLE]",
    "ADDRESS": "[ADDRESS]",
    "NAME": "[NAME]",
    "NICKNAME": "[NICKNAME]",
    "PLACE": "[PLACE]",
    "POSSIBLE_NAME": "[NAME]",
}

LABELS = {
    "EMAIL": "Email address",
    "URL": "Web address",
    "HANDLE": "Social media handle",
    "PHONE": "Phone number",
    "POSTCODE": "Postcode",
    "NI_NUMBER": "National Insurance number",
    "NHS_NUMBER": "NHS number",
    "DATE": "Full date",
    "VEHICLE_REG": "Vehicle registration",
    "ADDRESS": "Street address",
    "NAME": "Name on the deny-list",
    "NICKNAME": "Nickname on the deny-list",
    "PLACE": "Place on the deny-list",
    "POSSIBLE_NAME": "Possible name",
}

# Lower number wins an overlap.
PRIORITY = {
    "NAME": 0,
    "NICKNAME": 0,
    "PLACE": 0,
    "EMAIL": 1,
    "URL": 2,
    "NHS_NUMBER": 3,
    "NI_NUMBER": 4,
    "DATE": 5,
    "PHONE": 6,
    "ADDRESS": 7,
    "POSTCODE": 8,
    "VEHICLE_REG": 9,
    "HANDLE": 2,  # "@a00aa" is a handle, not a postcode after an @
    "POSSIBLE_NAME": 20,
}

EMAIL_RE = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
URL_RE = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
HANDLE_RE = re.compile(r"(?<![\w@./])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
POSTCODE_RE = re.compile(
    r"(?<![\w])(?:GIR ?0AA|(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})(?![\w])",
    re.IGNORECASE,
)
NI_RE = re.compile(
    r"(?<![\w])(?:QQ|(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])",
    re.IGNORECASE,
)
NHS_RE = re.compile(r"(?<![\w])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w])")
UK_MOBILE_RE = re.compile(r"(?<![\w+])(?:\+44 ?7\d{3}|\(?07\d{3}\)?) ?\d{3} ?\d{3}(?![\w])")
MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
MONTH_NUMBERS = {name[:3]: number for number, name in enumerate(calendar.month_name) if name}
NUMERIC_DATE_RE = re.compile(r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w]|[/.-]\d)")
ISO_DATE_RE = re.compile(r"(?<![\w/.-])(\d{4})-(\d{2})-(\d{2})(?![\w]|-\d)")
DAY_MONTH_DATE_RE = re.compile(
    rf"(?<![\w])(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({MONTHS})\.?,? (\d{{4}})(?![\w])",
    re.IGNORECASE,
)
MONTH_DAY_DATE_RE = re.compile(rf"(?<![\w])({MONTHS})\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})(?![\w])", re.IGNORECASE)
VEHICLE_RES = [
    re.compile(r"(?<![\w])[A-Z]{2}[0-9]{2} ?[A-Z]{3}(?![\w])"),  # current: AB12 CDE
    re.compile(r"(?<![\w])[A-HJ-NP-Y][0-9]{1,3} ?[A-Z]{3}(?![\w])"),  # prefix: A123 BCD
    re.compile(r"(?<![\w])[A-Z]{3} ?[0-9]{1,3}[A-HJ-NP-Y](?![\w])"),  # suffix: ABC 123D
]
# Capitalised (or upper case) as in an address, so "the long road" mid-sentence is not one.
STREET_TYPES = (
    "street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|place|pl|court|ct|crescent|terrace|gardens|grove|"
    "square|sq|hill|park|row|mews|walk|parade|rise|vale|green|yard|wharf|embankment"
)
ADDRESS_RE = re.compile(
    r"(?<![\w])(?:(?:flat|apartment|unit) \d{1,4}[a-z]?,? )?"
    r"\d{1,4}[A-Za-z]?,? (?:[A-Z][\w'’-]*\s){1,3}"
    rf"(?:{STREET_TYPES.title()}|{STREET_TYPES.upper()})(?![\w'’-])",
)
CAPITALISED_RE = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'’][A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+)?(?![\w'’-])")
SENTENCE_END = set(".!?:;\"“”'‘’()[]•*-–—#>\n")

# Capitalised words that are not names even mid-sentence: pronouns, days, months, titles,
# organisations people mention, and words capitalised by habit. Sentence starts are skipped
# separately, so ordinary words only need listing when they are routinely capitalised.
COMMON_WORDS = frozenset(
    word.lower()
    for word in [
        "I",
        "I'm",
        "I've",
        "I'd",
        "I'll",
        "Mr",
        "Mrs",
        "Ms",
        "Miss",
        "Dr",
        "Sir",
        "Madam",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Christmas",
        "Easter",
        "Ramadan",
        "Eid",
        "Diwali",
        "English",
        "British",
        "Scottish",
        "Welsh",
        "Irish",
        "European",
        "Polish",
        "Romanian",
        "Bulgarian",
        "Portuguese",
        "Spanish",
        "Italian",
        "French",
        "Brazilian",
        "Thai",
        "Chinese",
        "African",
        "Caribbean",
        "Asian",
        "Muslim",
        "Christian",
        "Jewish",
        "Hindu",
        "Sikh",
        "God",
        "Police",
        "Council",
        "NHS",
        "GP",
        "A&E",
        "Hospital",
        "Street",
        "Road",
        "Lane",
        "Avenue",
        "Park",
        "Station",
        "Centre",
        "Center",
        "Hub",
        "Hubs",
        "Outreach",
        "Services",
        "Service",
        "Support",
        "Team",
        "Project",
        "Strategy",
        "Borough",
        "Town",
        "City",
        "London",
        "Internet",
        "Facebook",
        "Instagram",
        "WhatsApp",
        "Twitter",
        "TikTok",
        "Google",
        "Uber",
        "Tesco",
        "Covid",
        "Brexit",
        "Okay",
        "OK",
        "Yes",
        "No",
        "Not",
        "Also",
        "And",
        "But",
        "Or",
        "So",
        "Then",
        "The",
        "A",
        "An",
        "It",
        "He",
        "She",
        "They",
        "We",
        "You",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Here",
        "What",
        "When",
        "Where",
        "Why",
        "How",
        "Who",
        "Which",
        "If",
        "Because",
        "After",
        "Before",
        "While",
        "During",
        "Sometimes",
        "Often",
        "Never",
        "Always",
        "Maybe",
        "Perhaps",
        "Question",
        "Answer",
        "Notes",
        "Free",
        "Section",
        "Interview",
        "Interviewer",
        "Participant",
        "Topic",
        "Guide",
        "Lighting",
        "Safety",
        "Safe",
        "Night",
        "Day",
        "Evening",
        "Morning",
    ]
)


def _nhs_checksum_ok(digits: str) -> bool:
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _valid_date(day: int, month: int, year: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= calendar.monthrange(year if year > 0 else 2000, month)[1]


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year > 30 else 2000
    return year


def _dates(text: str) -> Iterable[tuple[int, int]]:
    for match in NUMERIC_DATE_RE.finditer(text):
        first, second, year = int(match[1]), int(match[3]), _year(match[4])
        # UK order first; a US-style date whose day is over 12 is a date too.
        if _valid_date(first, second, year) or _valid_date(second, first, year):
            yield match.span()
    for match in ISO_DATE_RE.finditer(text):
        if _valid_date(int(match[3]), int(match[2]), int(match[1])):
            yield match.span()
    for match in DAY_MONTH_DATE_RE.finditer(text):
        if _valid_date(int(match[1]), MONTH_NUMBERS[match[2][:3].title()], int(match[3])):
            yield match.span()
    for match in MONTH_DAY_DATE_RE.finditer(text):
        if _valid_date(int(match[2]), MONTH_NUMBERS[match[1][:3].title()], int(match[3])):
            yield match.span()


def _phones(text: str) -> Iterable[tuple[int, int]]:
    try:
        for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID):
            yield match.start, match.end
    except Exception:  # noqa: S110 - a library hiccup on odd input must not stop the other detectors
        pass
    # Mobile numbers in ranges not yet allocated still identify someone once they are.
    for match in UK_MOBILE_RE.finditer(text):
        yield match.span()


def _urls(text: str) -> Iterable[tuple[int, int]]:
    for match in URL_RE.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in ".,;:!?)]}'\"’”":
            end -= 1
        yield start, end


def _is_sentence_start(text: str, start: int) -> bool:
    position = start - 1
    while position >= 0 and text[position] in " \t\r\f\v":
        position -= 1
    return position < 0 or text[position] in SENTENCE_END


def _possible_names(text: str) -> Iterable[tuple[int, int]]:
    for match in CAPITALISED_RE.finditer(text):
        word = match[0]
        if word.lower() in COMMON_WORDS or _is_sentence_start(text, match.start()):
            continue
        yield match.span()


def _deny_list(text: str, terms: Iterable[DenyTerm | str]) -> Iterable[tuple[str, int, int]]:
    by_kind: dict[str, set[str]] = {}
    for item in terms:
        term = DenyTerm(item) if isinstance(item, str) else item
        cleaned = term.term.strip()
        if cleaned:
            kind = {"nickname": "NICKNAME", "place": "PLACE"}.get(term.kind, "NAME")
            by_kind.setdefault(kind, set()).add(cleaned)
    for kind, cleaned_terms in by_kind.items():
        # One alternation per kind, longest first, so "Old Gasworks Lane" wins over "Old Gasworks".
        alternatives = "|".join(re.escape(t) for t in sorted(cleaned_terms, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)
        for match in pattern.finditer(text):
            yield kind, match.start(), match.end()


def _proposals(text: str, deny_terms: Iterable[DenyTerm | str]) -> Iterable[tuple[str, int, int]]:
    yield from _deny_list(text, deny_terms)
    for kind, regex in [
        ("EMAIL", EMAIL_RE),
        ("HANDLE", HANDLE_RE),
        ("POSTCODE", POSTCODE_RE),
        ("NI_NUMBER", NI_RE),
        ("ADDRESS", ADDRESS_RE),
    ]:
        for match in regex.finditer(text):
            yield kind, match.start(), match.end()
    for regex in VEHICLE_RES:
        for match in regex.finditer(text):
            yield "VEHICLE_REG", match.start(), match.end()
    for match in NHS_RE.finditer(text):
        if _nhs_checksum_ok(re.sub(r"\D", "", match[0])):
            yield "NHS_NUMBER", match.start(), match.end()
    for start, end in _urls(text):
        yield "URL", start, end
    for start, end in _phones(text):
        yield "PHONE", start, end
    for start, end in _dates(text):
        yield "DATE", start, end
    for start, end in _possible_names(text):
        yield "POSSIBLE_NAME", start, end


def scan(text: str, deny_terms: Iterable[DenyTerm | str] = ()) -> list[Finding]:
    """Every finding in `text`, in order, without overlaps (see the module docstring)."""
    if not text:
        return []
    proposals = sorted(
        {(kind, start, end) for kind, start, end in _proposals(text, list(deny_terms)) if end > start},
        key=lambda p: (PRIORITY[p[0]], -(p[2] - p[1]), p[1]),
    )
    # Accepted spans never overlap, so sorted by start they are sorted by end too: a new span
    # can only collide with its neighbours in that order (bisect keeps this O(n log n)).
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Finding] = []
    for kind, start, end in proposals:
        index = bisect.bisect_right(starts, start)
        if index and ends[index - 1] > start:
            continue
        if index < len(starts) and starts[index] < end:
            continue
        starts.insert(index, start)
        ends.insert(index, end)
        kept.append(Finding(kind, start, end, text[start:end], PLACEHOLDERS[kind]))
    return sorted(kept, key=lambda f: (f.start, f.end))


def redact(text: str, finding: Finding) -> str:
    """Replace the finding's span with its placeholder. The span must still hold the same text."""
    if text[finding.start : finding.end] != finding.text:
        raise ValueError("The text changed since it was scanned.")
    return text[: finding.start] + finding.placeholder + text[finding.end :]
