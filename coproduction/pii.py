"""The PII scanner behind the anonymisation gate (interview notes, engagement-event notes).

Pure functions: `scan(text, deny_terms, allow_terms)` returns typed `Finding`s with a code-point
span and the placeholder that replaces the span when a researcher redacts it. Nothing is logged
or stored here; callers decide what to keep (never the found text itself outside the draft).

Steps of `scan`:
1. each detector proposes findings: the project's deny-list; regular expressions for e-mail
   addresses (also written "at ... dot"), links, handles, postcodes, NI numbers, addresses and
   vehicle registrations; runs of digits and number words ("oh seven seven double oh nine"),
   read as phone, NHS (checksum), sort code, account or passport numbers; calendar checks for
   dates; and names (`pii_names`: a gazetteer, a dictionary and the words around a name);
2. proposals inside an allow-listed public place, organisation or helpline are dropped, except
   the deny-list's, which nothing hides;
3. overlapping proposals are settled by priority (a known name beats a "possible name", an
   e-mail address beats the handle inside it), then by length;
4. the survivors are returned in text order.

If a detector fails, `scan` raises `ScanFailed`: a gate that skipped a detector would pass text
it never checked, so callers refuse to submit or release instead.
"""

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from coproduction import pii_names
from coproduction import pii_words as words


class ScanFailed(RuntimeError):
    """A detector raised: the text was not fully checked. Carries the detector, never the text."""

    def __init__(self, detector: str):
        super().__init__(f"The {detector} detector failed.")
        self.detector = detector


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


@dataclass(frozen=True)
class AllowTerm:
    """A public place, organisation or helpline of the area that identifies nobody."""

    term: str
    kind: str = "place"  # "place", "organisation" or "helpline"


PLACEHOLDERS = {
    "EMAIL": "[EMAIL]",
    "URL": "[URL]",
    "HANDLE": "[HANDLE]",
    "PHONE": "[PHONE]",
    "POSTCODE": "[POSTCODE]",
    "NI_NUMBER": "[NI NUMBER]",
    "NHS_NUMBER": "[NHS NUMBER]",
    "SORT_CODE": "[SORT CODE]",
    "BANK_ACCOUNT": "[ACCOUNT NUMBER]",
    "PASSPORT": "[PASSPORT]",
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
    "SORT_CODE": "Bank sort code",
    "BANK_ACCOUNT": "Bank account number",
    "PASSPORT": "Passport number",
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
    "HANDLE": 2,  # "@a00aa" is a handle, not a postcode after an @
    "NHS_NUMBER": 3,
    "NI_NUMBER": 4,
    "SORT_CODE": 4,
    "DATE": 5,
    "PASSPORT": 5,
    "PHONE": 6,
    "BANK_ACCOUNT": 6,
    "ADDRESS": 7,
    "POSTCODE": 8,
    "VEHICLE_REG": 9,
    "POSSIBLE_NAME": 20,
}
DENY_TYPES = frozenset({"NAME", "NICKNAME", "PLACE"})
# What an allow-listed public place, service or helpline can hide: the words of its own name
# and its own number, never an address, a postcode or anything else that happens to touch it.
ALLOWABLE_TYPES = frozenset({"POSSIBLE_NAME", "PHONE", "URL", "HANDLE"})

PLACEHOLDER_RE = re.compile(r"\[(?:" + "|".join(re.escape(p[1:-1]) for p in set(PLACEHOLDERS.values())) + r")\]")

# ---------------------------------------------------------------- e-mail, links, handles

_AT_SIGN = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*)"
_DOT = r"(?:\.|\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
_TLD = r"(?:com|co|uk|org|net|info|biz|me|io|ro|pl|lt|lv|br|pt|es|it|fr|de|ie|nl|tr|al|bg|ng|gh|so|in|pk|bd|eu|edu|gov|ac|mail)"
EMAIL_RE = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# Written to dodge spam filters: "jade.b at gmail dot com", "jade[at]hotmail[dot]co[dot]uk",
# "bookings @ gmail . com". Spaces around a plain dot only count after a real or bracketed @:
# "she was at home. It was late" is not an address.
OBFUSCATED_EMAIL_RES = [
    re.compile(
        rf"(?<![\w.%+-])[A-Za-z0-9._%+-]+{at}[A-Za-z0-9-]+(?:{dot}[A-Za-z0-9-]+)*?{dot}{_TLD}(?:{dot}{_TLD})?(?![\w-])",
        re.IGNORECASE,
    )
    for at, dot in [(_AT_SIGN, rf"(?:\s?\.\s?|{_DOT})"), (r"\s+at\s+", _DOT)]
]
URL_RE = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# Links typed without a scheme: "linktr.ee/jadexo", "bit.ly/3abc", "onlyfans.com/rosie".
BARE_LINK_RE = re.compile(
    r"(?<![\w@./-])(?:[a-z0-9][a-z0-9-]*\.)+"
    r"(?:com|co\.uk|uk|org|net|me|ee|ly|io|tv|xxx|fans|link|bio|page|app|to|gl|gg|cc|co|vip|ai|fm|xyz|club|live|site|online|social)"
    r"(?:/[^\s<>\"']*)?(?![\w@-])",
    re.IGNORECASE,
)
HANDLE_RE = re.compile(r"(?<![\w@./])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
PLATFORMS = (
    "insta|instagram|ig|snap|snapchat|tiktok|twitter|tweeter|onlyfans|only fans|adultwork|telegram|kik|"
    "fb|facebook|fansly|vivastreet|tryst|grindr|tinder|bumble|badoo|hinge|youtube|twitch|discord|"
    "reddit|skype|wickr|fetlife|plenty of fish|linkedin|justfor\\.fans|chaturbate"
)
# "her insta is jade_xo99", "on snap: rosiee.x", "adultwork name sexyroxy": the next word is a
# handle when it follows a platform and a linking word, or carries a digit, dot or underscore.
PLATFORM_HANDLE_RE = re.compile(
    rf"(?<![\w])(?:{PLATFORMS})(?:'s)?(?:\s+(?:is|was|name|names|handle|account|page|profile|username|user|id|as|on|under|called))*"
    r"(?:\s*[:\-=]\s*|\s+)(?P<handle>@?[A-Za-z0-9_][A-Za-z0-9_.]{1,29}[A-Za-z0-9_])(?![\w@])",
    re.IGNORECASE,
)

# "her profile name ChloeE7xx", "username: rosie.b".
PROFILE_NAME_RE = re.compile(
    r"(?<![\w])(?:profile|user|screen|account|display|working)\s?name(?:\s+(?:is|was))?(?:\s*[:\-=]\s*|\s+)"
    r"(?P<handle>@?[A-Za-z0-9_][A-Za-z0-9_.]{1,29}[A-Za-z0-9_])(?![\w@])",
    re.IGNORECASE,
)

# ---------------------------------------------------------------- numbers

POSTCODE_RE = re.compile(
    r"(?<![\w])(?:GIR ?0AA|(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) {0,2}[0-9][ABD-HJLNP-UW-Z]{2})(?![\w])",
    re.IGNORECASE,
)
NI_RE = re.compile(
    r"(?<![\w])(?:QQ|(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])(?:[ -]{0,2}\d){6}[ -]{0,2}[A-D](?![\w])",
    re.IGNORECASE,
)
# Runs of digits, the letter O standing for zero inside them, and separators; "+" or "00" first.
DIGIT_RUN_RE = re.compile(r"(?<![\w+])\+?\(?[0-9](?:[0-9]|[ .\-/()]{1,2}(?=\(?[0-9]))*(?![\w])")
NUMBER_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "nil": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_NUMBER_UNIT = r"(?:zero|oh|o|nought|nil|one|two|three|four|five|six|seven|eight|nine|double|triple|treble|\d+)"
NUMBER_WORDS_RE = re.compile(
    rf"(?<![\w+])(?:\+\s?)?{_NUMBER_UNIT}(?:[\s,.-]{{1,3}}{_NUMBER_UNIT}){{4,}}(?![\w])",
    re.IGNORECASE,
)
ZERO_AS_O_RE = re.compile(r"(?<=[0-9])[oO]+|[oO]+(?=[0-9])")
PASSPORT_CUE_RE = re.compile(r"passport|pass port|travel doc", re.IGNORECASE)
PASSPORT_RE = re.compile(r"(?<![\w])(?:[A-Z]{1,2}[ -]?\d{6,8}|\d{9})(?![\w])", re.IGNORECASE)
BANK_CUE_RE = re.compile(r"\b(?:sort\s*code|s/c|account|acc|acct|a/c|bank|iban)\b", re.IGNORECASE)
SORT_CUE_RE = re.compile(r"\b(?:sort\s*code|s/c|sort)\b", re.IGNORECASE)
INTERNATIONAL_CODES = ("40", "48", "55", "370", "371", "372", "234", "233", "252", "880", "90", "355", "359", "351", "353")

# ---------------------------------------------------------------- dates, places, vehicles

MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
MONTH_NUMBERS = {name[:3]: number for number, name in enumerate(calendar.month_name) if name}
NUMERIC_DATE_RE = re.compile(r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w]|[/.-]\d)")
ISO_DATE_RE = re.compile(r"(?<![\w/.-])(\d{4})-(\d{2})-(\d{2})(?![\w]|-\d)")
DAY_MONTH_DATE_RE = re.compile(
    rf"(?<![\w])(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({MONTHS})\.?,? (\d{{4}}|'?\d{{2}})(?![\w])",
    re.IGNORECASE,
)
MONTH_DAY_DATE_RE = re.compile(rf"(?<![\w])({MONTHS})\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})(?![\w])", re.IGNORECASE)
VEHICLE_CURRENT_RE = re.compile(r"(?<![\w])([A-Z]{2}) ?[0-9]{2} {0,2}([A-Z]{3})(?![\w])", re.IGNORECASE)  # AB12 CDE
VEHICLE_OLDER_RES = [
    re.compile(r"(?<![\w])[A-HJ-NP-Y][0-9]{1,3} {0,2}[A-Z]{3}(?![\w])"),  # prefix: A123 BCD
    re.compile(r"(?<![\w])[A-Z]{3} {0,2}[0-9]{1,3}[A-HJ-NP-Y](?![\w])"),  # suffix: ABC 123D
]
# Near a word about a car, any case, and any letter (dateless and cherished plates: "O1 AAA").
VEHICLE_OLDER_ANY_CASE_RES = [
    re.compile(r"(?<![\w])[A-Z]{1,3} {0,2}[0-9]{1,4} {0,2}[A-Z]{1,3}(?![\w])", re.IGNORECASE),
    *(re.compile(r.pattern, re.IGNORECASE) for r in VEHICLE_OLDER_RES),
]
VEHICLE_CUE_RE = re.compile(r"\b(?:reg|registration|plate|plates|car|van|motor|vehicle|number plate)\b", re.IGNORECASE)
STREET_TYPES = (
    "street|st|road|rd|avenue|ave|lane|ln|close|cl|drive|dr|way|place|pl|court|ct|crescent|cres|terrace|tce|gardens|gdns|"
    "grove|gr|square|sq|hill|park|row|mews|walk|parade|pde|rise|vale|green|yard|wharf|embankment|broadway|estate|house|"
    "tower|towers|buildings|mansions|villas|lodge|passage|approach|circus|gate"
)
_ADDRESS_WORD = (
    r"(?!(?:the|a|an|of|on|in|at|to|by|down|up|off|near|from|and|or|but|with|for|my|her|his|their|our|your)\b)[^\W\d_][\w'’.-]*"
)
ADDRESS_RE = re.compile(
    r"(?<![\w])(?:(?:flat|apartment|apt|unit|room|no\.?|number)\s?\d{1,4}[a-z]?,?\s+)?"
    rf"\d{{1,4}}[a-z]?,?\s+(?:{_ADDRESS_WORD}\s+){{1,3}}?(?:{STREET_TYPES})\.?(?![\w'’-])",
    re.IGNORECASE,
)

# ---------------------------------------------------------------- number runs


def _nhs_checksum_ok(digits: str) -> bool:
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _words_to_digits(run: str) -> str:
    digits: list[str] = []
    repeat = 1
    for unit in re.findall(_NUMBER_UNIT, run, re.IGNORECASE):
        low = unit.lower()
        if low == "double":
            repeat = 2
        elif low in ("triple", "treble"):
            repeat = 3
        else:
            value = NUMBER_WORDS.get(low, unit)
            digits.append(value[0] * repeat + value[1:] if repeat > 1 else value)
            repeat = 1
    return "".join(digits)


def _is_phone(digits: str, plus: bool) -> bool:
    if plus or digits.startswith("00"):
        number = digits[2:] if digits.startswith("00") else digits
        try:
            return phonenumbers.is_possible_number(phonenumbers.parse("+" + number, None))
        except phonenumbers.NumberParseException:
            return False
    if digits.startswith("0"):
        return 10 <= len(digits) <= 11
    if len(digits) == 10 and digits.startswith("7"):
        return True  # a UK mobile typed without its 0
    if 10 <= len(digits) <= 13 and digits.startswith(INTERNATIONAL_CODES):
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse("+" + digits, None))
        except phonenumbers.NumberParseException:
            return False
    return False


def _context(text: str, start: int, cue: re.Pattern, width: int = 40) -> bool:
    return bool(cue.search(text, max(0, start - width), start))


def _classify_digits(text: str, start: int, digits: str, raw: str, plus: bool) -> str | None:
    """What a run of digits is, from its length, shape, checksum and the words just before it."""
    # A phone number starting 0 passes the checksum one time in eleven; grouped as an NHS
    # number is (3-3-4, or none) it is one.
    nhs_shaped = not digits.startswith("0") or re.fullmatch(r"\d{3}[ -]?\d{3}[ -]?\d{4}", raw)
    if len(digits) == 10 and not plus and _nhs_checksum_ok(digits) and nhs_shaped:
        return "NHS_NUMBER"
    if _is_phone(digits, plus):
        return "PHONE"
    sort_cue = _context(text, start, SORT_CUE_RE)
    if len(digits) == 6 and NUMERIC_DATE_RE.fullmatch(raw) and not sort_cue and any(_dates(raw)):
        return None  # "14.07.85" is a date unless it follows "sort code"
    if len(digits) == 6 and (re.fullmatch(r"\d\d[ .-]\d\d[ .-]\d\d", raw) or sort_cue):
        return "SORT_CODE"
    if len(digits) == 8 and (_context(text, start, BANK_CUE_RE) or re.fullmatch(r"\d{8}|\d{4} \d{4}", raw)):
        return "BANK_ACCOUNT"
    if len(digits) == 9 and (_context(text, start, PASSPORT_CUE_RE) or re.fullmatch(r"\d{9}", raw)):
        return "PASSPORT"
    if 7 <= len(digits) <= 9 and _context(text, start, PASSPORT_CUE_RE):
        return "PASSPORT"
    return None


def _number_runs(text: str) -> Iterator[tuple[str, int, int]]:
    # The letter O typed for a zero ("O77OO 9OO 123") is read as 0; same length, same offsets.
    digits_text = ZERO_AS_O_RE.sub(lambda m: "0" * len(m[0]), text) if ("o" in text or "O" in text) else text
    for match in DIGIT_RUN_RE.finditer(digits_text):
        start, end = match.span()
        raw = match[0].strip(" .-/()")
        offset = match[0].find(raw)
        start, end = start + offset, start + offset + len(raw)
        digits = re.sub(r"\D", "", raw)
        if len(digits) < 6:
            continue
        kind = _classify_digits(text, start, digits, raw.lstrip("+"), raw.startswith("+"))
        if kind:
            yield kind, start, end
        else:
            yield from _split_run(text, start, raw)
    for match in NUMBER_WORDS_RE.finditer(text):
        run = match[0]
        if not re.search(r"[a-z]", run, re.IGNORECASE) or len(re.findall(r"[a-z]+", run, re.IGNORECASE)) < 3:
            continue  # plain digits are handled above; "two or three" is not a number
        digits = _words_to_digits(run)
        plus = run.lstrip().startswith("+")
        if len(digits) >= 10 and _is_phone(digits, plus):
            yield "PHONE", match.start(), match.end()


NI_CUE_RE = re.compile(r"\b(?:ni|nino|national insurance|n\.i\.)\b", re.IGNORECASE)


def _ni_numbers(text: str) -> Iterator[tuple[int, int]]:
    for match in NI_RE.finditer(text):
        # "aa 01-01-00 a" holds a date; without "NI" before it, the date is what it is.
        if any(_dates(match[0][2:-1].strip(" -"))) and not _context(text, match.start(), NI_CUE_RE, 30):
            continue
        yield match.span()


def _split_run(text: str, start: int, raw: str) -> Iterator[tuple[str, int, int]]:
    """Two numbers typed one after the other ("23 05 80 6619 2044": a sort code and an account):
    the first split of the run's digit groups where both sides are something."""
    groups = [m.span() for m in re.finditer(r"\d+", raw)]
    if not 2 <= len(groups) <= 8:
        return
    for cut in range(1, len(groups)):
        left, right = raw[: groups[cut - 1][1]], raw[groups[cut][0] :]
        right_start = start + groups[cut][0]
        left_kind = _classify_digits(text, start, re.sub(r"\D", "", left), left, False)
        right_kind = _classify_digits(text, right_start, re.sub(r"\D", "", right), right, False)
        if left_kind and right_kind:
            yield left_kind, start, start + len(left)
            yield right_kind, right_start, start + len(raw)
            return


def _passports_with_letters(text: str) -> Iterator[tuple[int, int]]:
    for match in PASSPORT_RE.finditer(text):
        if re.search(r"[A-Za-z]", match[0]) and _context(text, match.start(), PASSPORT_CUE_RE):
            yield match.span()


# ---------------------------------------------------------------- dates


def _valid_date(day: int, month: int, year: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= calendar.monthrange(year if year > 0 else 2000, month)[1]


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year > 30 else 2000
    return year


def _dates(text: str) -> Iterator[tuple[int, int]]:
    for match in NUMERIC_DATE_RE.finditer(text):
        first, second, year = int(match[1]), int(match[3]), _year(match[4])
        # UK order first; a US-style date whose day is over 12 is a date too. After "sort code"
        # the same digits are bank details.
        if (_valid_date(first, second, year) or _valid_date(second, first, year)) and not _context(
            text, match.start(), SORT_CUE_RE, 20
        ):
            yield match.span()
    for match in ISO_DATE_RE.finditer(text):
        if _valid_date(int(match[3]), int(match[2]), int(match[1])):
            yield match.span()
    for match in DAY_MONTH_DATE_RE.finditer(text):
        if _valid_date(int(match[1]), MONTH_NUMBERS[match[2][:3].title()], _year(match[3].lstrip("'"))):
            yield match.span()
    for match in MONTH_DAY_DATE_RE.finditer(text):
        if _valid_date(int(match[2]), MONTH_NUMBERS[match[1][:3].title()], int(match[3])):
            yield match.span()


# ---------------------------------------------------------------- the rest


# A platform's or a public body's own address names nobody; with a path after it, it may.
PUBLIC_DOMAINS = frozenset(
    """bit.ly linktr.ee onlyfans.com instagram.com tiktok.com adultwork.com beacons.ai facebook.com twitter.com x.com
    snapchat.com t.me wa.me youtube.com google.com gov.uk nhs.uk fansly.com allmylinks.com lnk.bio tinyurl.com""".split()
)


def _urls(text: str) -> Iterator[tuple[int, int]]:
    for regex in (URL_RE, BARE_LINK_RE):
        for match in regex.finditer(text):
            start, end = match.span()
            if regex is BARE_LINK_RE and match[0].lower().rstrip(".,;:!?)") in PUBLIC_DOMAINS:
                continue
            while end > start and text[end - 1] in ".,;:!?)]}'\"’”":
                end -= 1
            yield start, end


def _vehicles(text: str) -> Iterator[tuple[int, int]]:
    for match in VEHICLE_CURRENT_RE.finditer(text):
        # Spaced and in lower case, "on 12 and" has the shape too: the letters must not be words.
        plate = match[0]
        letters_are_words = any(
            part.lower() in pii_names.FUNCTION_WORDS or words.zipf(part.lower()) >= 4.0 for part in match.groups()
        )
        tidy = plate.isupper() and " " not in plate[:3]
        if tidy or not letters_are_words or _context(text, match.start(), VEHICLE_CUE_RE, 30):
            yield match.span()
    for regex in VEHICLE_OLDER_RES:
        for match in regex.finditer(text):
            yield match.span()
    # Older plates typed in lower case are read as plates only near a word about a car.
    for regex in VEHICLE_OLDER_ANY_CASE_RES:
        for match in regex.finditer(text):
            if not match[0].isupper() and _context(text, match.start(), VEHICLE_CUE_RE, 30):
                yield match.span()


def _handles(text: str) -> Iterator[tuple[int, int]]:
    for match in HANDLE_RE.finditer(text):
        yield match.span()
    for match in (*PLATFORM_HANDLE_RE.finditer(text), *PROFILE_NAME_RE.finditer(text)):
        handle = match["handle"]
        low = handle.lower().lstrip("@")
        plain_word = low.isalpha() and (low in pii_names.FUNCTION_WORDS or words.zipf(low) >= 3.5)
        if (plain_word and not handle.startswith("@")) or not re.search(r"[a-z]", low):
            continue  # "on insta a lot", "her snap is private"
        yield match.span("handle")


@lru_cache(maxsize=256)
def _term_pattern(terms: frozenset[str]) -> re.Pattern | None:
    """Whole-word, case-insensitive; one alternation, longest first, so "Old Gasworks Lane" wins
    over "Old Gasworks". Compiled once per list, not once per note."""
    cleaned = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(t) for t in cleaned)
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)


def _term_spans(text: str, terms: frozenset[str]) -> Iterator[tuple[int, int]]:
    pattern = _term_pattern(terms)
    if pattern is not None:
        for match in pattern.finditer(text):
            yield match.span()


@lru_cache(maxsize=256)
def _deny_kinds(terms: tuple) -> tuple[tuple[str, frozenset[str]], ...]:
    by_kind: dict[str, set[str]] = {}
    for item in terms:
        term = DenyTerm(item) if isinstance(item, str) else item
        cleaned = term.term.strip()
        if cleaned:
            kind = {"nickname": "NICKNAME", "place": "PLACE"}.get(term.kind, "NAME")
            by_kind.setdefault(kind, set()).add(cleaned)
    return tuple((kind, frozenset(found)) for kind, found in by_kind.items())


def _deny_list(text: str, terms: tuple) -> Iterator[tuple[str, int, int]]:
    for kind, cleaned_terms in _deny_kinds(terms):
        for start, end in _term_spans(text, cleaned_terms):
            yield kind, start, end


@lru_cache(maxsize=256)
def _allow_terms(terms: tuple) -> tuple[frozenset[str], frozenset[str]]:
    """The allow-list's words, and its helplines' numbers as digits."""
    cleaned: set[str] = set()
    numbers: set[str] = set()
    for item in terms:
        if isinstance(item, AllowTerm):
            kind, term = item.kind, item.term
        elif isinstance(item, str):
            kind, term = "place", item
        else:
            kind, term = item
        term = term.strip()
        digits = re.sub(r"\D", "", term)
        if kind == "helpline" or len(digits) >= 5:
            numbers.add(digits)
        if term:
            cleaned.add(term)
    return frozenset(cleaned), frozenset(numbers)


def _allow_list(text: str, terms: tuple) -> tuple[pii_names.Spans, frozenset[str]]:
    """Spans of the allow-listed terms in the text, and the helplines' numbers as digits."""
    cleaned, numbers = _allow_terms(terms)
    return pii_names.Spans(_term_spans(text, cleaned)), numbers


DETECTORS = {
    "email": lambda text: (("EMAIL", *m.span()) for r in (EMAIL_RE, *OBFUSCATED_EMAIL_RES) for m in r.finditer(text)),
    "handle": lambda text: (("HANDLE", s, e) for s, e in _handles(text)),
    "postcode": lambda text: (("POSTCODE", *m.span()) for m in POSTCODE_RE.finditer(text)),
    "ni": lambda text: (("NI_NUMBER", s, e) for s, e in _ni_numbers(text)),
    "address": lambda text: (("ADDRESS", *m.span()) for m in ADDRESS_RE.finditer(text)),
    "vehicle": lambda text: (("VEHICLE_REG", s, e) for s, e in _vehicles(text)),
    "url": lambda text: (("URL", s, e) for s, e in _urls(text)),
    "number": _number_runs,
    "passport": lambda text: (("PASSPORT", s, e) for s, e in _passports_with_letters(text)),
    "date": lambda text: (("DATE", s, e) for s, e in _dates(text)),
    "nickname": lambda text: (("POSSIBLE_NAME", s, e) for s, e in pii_names.nicknames(text)),
}


def _proposals(text: str, deny_terms: tuple, allow_terms: tuple) -> Iterator[tuple[str, int, int]]:
    yield from _deny_list(text, deny_terms)
    allow_spans, allow_numbers = _allow_list(text, allow_terms)

    def allowed(kind: str, start: int, end: int) -> bool:
        if kind not in ALLOWABLE_TYPES:
            return False
        if kind == "PHONE" and re.sub(r"\D", "", text[start:end]) in allow_numbers:
            return True
        return allow_spans.holds(start, end)

    placeholders = pii_names.Spans(m.span() for m in PLACEHOLDER_RE.finditer(text))

    def names(text: str) -> Iterator[tuple[str, int, int]]:
        return (("POSSIBLE_NAME", s, e) for s, e in pii_names.names(text, placeholders, allow_spans))

    detectors = [*DETECTORS.items(), ("name", names)]
    for detector, propose in detectors:
        try:
            found = list(propose(text))
        except Exception as error:
            raise ScanFailed(detector) from error
        for kind, start, end in found:
            if not allowed(kind, start, end):
                yield kind, start, end


def _hashable(terms: Iterable) -> tuple:
    return tuple(tuple(t) if isinstance(t, list) else t for t in terms)


def scan(text: str, deny_terms: Iterable[DenyTerm | str] = (), allow_terms: Iterable = ()) -> list[Finding]:
    """Every finding in `text`, in order, without overlaps (see the module docstring).

    `allow_terms` are `AllowTerm`s, (kind, term) pairs or plain strings (places)."""
    if not text:
        return []
    words.warm()  # every list at the first scan of a process, not at a first place name later
    proposed = _proposals(text, _hashable(deny_terms), _hashable(allow_terms))
    proposals = sorted(
        {(kind, start, end) for kind, start, end in proposed if end > start},
        key=lambda p: (PRIORITY[p[0]], -(p[2] - p[1]), p[1]),
    )
    # A byte per character marks what an accepted finding covers: checking a proposal costs its
    # own length, so the whole pass stays linear in the text (a 2 MB note included).
    covered = bytearray(len(text))
    kept: list[Finding] = []
    for kind, start, end in proposals:
        if covered.find(1, start, end) != -1:
            continue
        covered[start:end] = b"\x01" * (end - start)
        kept.append(Finding(kind, start, end, text[start:end], PLACEHOLDERS[kind]))
    return sorted(kept, key=lambda f: (f.start, f.end))


def redact(text: str, finding: Finding) -> str:
    """Replace the finding's span with its placeholder. The span must still hold the same text."""
    if text[finding.start : finding.end] != finding.text:
        raise ValueError("The text changed since it was scanned.")
    return text[: finding.start] + finding.placeholder + text[finding.end :]
