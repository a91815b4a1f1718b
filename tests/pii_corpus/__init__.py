"""A labelled, fictional evaluation set for the PII scanner, written the way peer researchers type.

The data lives beside this module as plain UTF-8 text:

- `planted_dev.txt`, `planted_test.txt`: notes with personal data marked inline as
  `[[TYPE|text]]`. `dev` is for looking at misses while working; `test` is held out and is only
  measured, never read while tuning.
- `clean_dev.txt`, `clean_test.txt`: notes with no personal data at all, full of things that
  look like it (public places, organisations, helplines, nationalities, weekdays, times, money,
  outward postcodes, ordinary words that are also names).
- `allow_list.txt`: the public places, organisations and helplines of the fictional borough
  Riverside, one `kind|term` a line, as a coordinator would keep them.

In the note files one note is one block; blocks are separated by a line holding only `---`.
Every person, number and address is invented; phone numbers use Ofcom's drama ranges, NHS
numbers the 999 test range (with a valid check digit), domains are example domains or made-up
mailboxes.

How items are marked (one item is what a redaction should replace in one go):

- NAME: any person, first name, surname or both as one item; a title, or a kinship word used
  as one, goes with the name ("Mrs Okafor", "Uncle Femi", "Pastor John"), a description does
  not ("her son [Emeka]", "her nan [Doreen]"); a nickname or street name is one item ("Big Tee",
  "little mo", "Dan the Van"). A possessive "'s" stays out.
  Ordinary words are marked only where they name someone ("Rose's fella", not "the rose garden").
- PHONE, EMAIL: everything from the first to the last character of the number or address as
  written, including "+", brackets, words ("oh seven seven ...") and obfuscation ("[at]", " dot ").
- NHS_NUMBER, NI_NUMBER, SORT_CODE, BANK_ACCOUNT, PASSPORT: the value only, not the words
  around it ("sort code", "acc no", "passport").
- ADDRESS: house number and street, with a flat or unit prefix if given ("flat 3, 12 katherine
  rd"); a street without a number is not an item. POSTCODE: full postcodes only, "E7" alone is not.
- HANDLE: a profile name, with its "@" when written. URL: the whole link as written.
- DATE: a date with day, month and year ("march 2024" or "the 3rd" alone are not items).

`evaluate(scan, notes, allow_terms)` measures a scanner against notes loaded here. A planted
item counts as found when one finding, of any type, covers the whole item and reaches at most
`SLACK` characters beyond it on either side: "[NAME] Lopez" (half a name) and a finding that
swallows the sentence both fail. A finding that overlaps no planted item is a false alarm.
"""

import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).parent
SPLITS = ("dev", "test")
TYPES = (
    "NAME",
    "PHONE",
    "EMAIL",
    "NHS_NUMBER",
    "NI_NUMBER",
    "SORT_CODE",
    "BANK_ACCOUNT",
    "PASSPORT",
    "ADDRESS",
    "POSTCODE",
    "VEHICLE_REG",
    "HANDLE",
    "URL",
    "DATE",
)
STRUCTURED_TYPES = tuple(t for t in TYPES if t != "NAME")
ALLOW_KINDS = ("place", "organisation", "helpline")
SLACK = 3  # characters a finding may reach beyond an item on each side (a quote, "'s", a full stop)
THROUGHPUT_REPEATS = 20  # the whole corpus, concatenated this many times, is scanned in one call

# `]]` closes an item unless another `]` follows, so "name[at]x[dot]com" can sit inside one.
MARKUP = re.compile(r"\[\[(?P<type>[A-Z_]+)\|(?P<text>.+?)\]\](?!\])", re.DOTALL)
SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)


class Item(NamedTuple):
    type: str
    start: int
    end: int


class Note(NamedTuple):
    text: str
    items: list[Item]


def parse_note(block: str) -> Note:
    """One block of marked-up text as plain text plus the items' spans in it."""
    parts: list[str] = []
    items: list[Item] = []
    length = 0
    position = 0
    for match in MARKUP.finditer(block):
        if match.group("type") not in TYPES:
            raise ValueError(f"unknown type {match.group('type')!r} in {block[:60]!r}")
        before = block[position : match.start()]
        parts.append(before)
        length += len(before)
        text = match.group("text")
        items.append(Item(match.group("type"), length, length + len(text)))
        parts.append(text)
        length += len(text)
        position = match.end()
    parts.append(block[position:])
    return Note("".join(parts), items)


def parse_notes(source: str) -> list[Note]:
    return [parse_note(block.strip()) for block in SEPARATOR.split(source) if block.strip()]


def load_notes(kind: str, split: str) -> list[Note]:
    """`kind` is "planted" or "clean"; `split` is "dev" or "test"."""
    if kind not in ("planted", "clean") or split not in SPLITS:
        raise ValueError(f"no corpus {kind}_{split}")
    return parse_notes((HERE / f"{kind}_{split}.txt").read_text(encoding="utf-8"))


def load_allow_list() -> list[tuple[str, str]]:
    """The borough's public places, organisations and helplines as (kind, term)."""
    entries = []
    for number, line in enumerate((HERE / "allow_list.txt").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, term = line.partition("|")
        if kind not in ALLOW_KINDS or not term.strip():
            raise ValueError(f"allow_list.txt line {number}: expected kind|term, got {line!r}")
        entries.append((kind, term.strip()))
    return entries


def item_text(note: Note, item: Item) -> str:
    return note.text[item.start : item.end]


def call_scan(scan_function: Callable, text: str, allow_terms: Sequence[tuple[str, str]]) -> list:
    """Today's scanner may not take an allow-list yet; measure it without one rather than not at all."""
    if not allow_terms:
        return scan_function(text)
    try:
        return scan_function(text, allow_terms=allow_terms)
    except TypeError as error:
        if "allow_terms" not in str(error):
            raise  # a fault inside the scanner, not an older signature
        return scan_function(text)


def accepts_allow_terms(scan_function: Callable) -> bool:
    try:
        scan_function("", allow_terms=[("place", "Riverside")])
    except TypeError:
        return False
    return True


def covers(finding, item: Item) -> bool:
    return (
        finding.start <= item.start
        and finding.end >= item.end
        and item.start - finding.start <= SLACK
        and finding.end - item.end <= SLACK
    )


def overlaps(finding, item: Item) -> bool:
    return finding.start < item.end and item.start < finding.end


@dataclass
class Evaluation:
    """What a scanner found in a set of notes. Notes without items count as clean notes."""

    items: Counter = field(default_factory=Counter)  # type -> planted items
    found: Counter = field(default_factory=Counter)  # type -> items found
    missed: list[tuple[str, str]] = field(default_factory=list)  # (type, text)
    clean_notes: int = 0
    planted_notes: int = 0
    false_alarms: int = 0  # findings in clean notes
    spurious: int = 0  # findings in planted notes that overlap no item
    false_alarm_types: Counter = field(default_factory=Counter)  # finding type -> count (both kinds)
    false_alarm_texts: list[tuple[str, str]] = field(default_factory=list)  # (finding type, text)
    chars: int = 0
    seconds: float = 0.0

    def recall(self, types: Iterable[str]) -> float | None:
        types = list(types)
        planted = sum(self.items[t] for t in types)
        return sum(self.found[t] for t in types) / planted if planted else None

    @property
    def structured_recall(self) -> float | None:
        return self.recall(STRUCTURED_TYPES)

    @property
    def name_recall(self) -> float | None:
        return self.recall(["NAME"])

    @property
    def false_alarms_per_50(self) -> float | None:
        return self.false_alarms * 50 / self.clean_notes if self.clean_notes else None

    @property
    def chars_per_second(self) -> float:
        return self.chars / self.seconds if self.seconds else float("inf")

    def __add__(self, other: "Evaluation") -> "Evaluation":
        return Evaluation(
            self.items + other.items,
            self.found + other.found,
            self.missed + other.missed,
            self.clean_notes + other.clean_notes,
            self.planted_notes + other.planted_notes,
            self.false_alarms + other.false_alarms,
            self.spurious + other.spurious,
            self.false_alarm_types + other.false_alarm_types,
            self.false_alarm_texts + other.false_alarm_texts,
            self.chars + other.chars,
            self.seconds + other.seconds,
        )


def evaluate(scan_function: Callable, notes: Iterable[Note], allow_terms: Sequence[tuple[str, str]] = ()) -> Evaluation:
    """Scan each note once and score the findings against its planted items."""
    result = Evaluation()
    for note in notes:
        start = time.perf_counter()
        findings = call_scan(scan_function, note.text, allow_terms)
        result.seconds += time.perf_counter() - start
        result.chars += len(note.text)
        if note.items:
            result.planted_notes += 1
        else:
            result.clean_notes += 1
        for item in note.items:
            result.items[item.type] += 1
            if any(covers(finding, item) for finding in findings):
                result.found[item.type] += 1
            else:
                result.missed.append((item.type, item_text(note, item)))
        for finding in findings:
            if any(overlaps(finding, item) for item in note.items):
                continue
            if note.items:
                result.spurious += 1
            else:
                result.false_alarms += 1
            result.false_alarm_types[finding.type] += 1
            result.false_alarm_texts.append((finding.type, note.text[finding.start : finding.end]))
    return result


def throughput(scan_function: Callable, notes: Sequence[Note], allow_terms: Sequence[tuple[str, str]] = ()) -> float:
    """Characters per second for one scan of every note concatenated THROUGHPUT_REPEATS times."""
    text = "".join(note.text + "\n\n" for note in notes) * THROUGHPUT_REPEATS
    start = time.perf_counter()
    call_scan(scan_function, text, allow_terms)
    return len(text) / (time.perf_counter() - start)


def verbose() -> bool:
    return os.environ.get("PII_BENCH_VERBOSE") == "1"
