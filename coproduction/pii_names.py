"""Possible names in notes as people type them: lower case, at a sentence start, before a
possessive, with diacritics, nicknames, titles, first name and surname together.

Every word gets a kind from the word lists in `pii_words`:
- STRONG: a known given name or surname that is not an English word ("dave", "okafor", "ionuț");
- WEAK: a known name that is also a word ("rose", "will", "jade", "smith");
- RARE: a word neither list knows and English rarely uses ("zizou"): a name only with a cue;
- WORD: everything else, including days, months, nationalities and places.

A STRONG word is a name wherever it stands, unless a place word follows it ("Victoria Park") or
it names a town after "in", "to" or "from". A WEAK or RARE word needs evidence: a capital
letter inside a sentence, a cue before it ("called", "her friend", "met", "Mrs"), or a verb of
saying or wanting after it ("rose said", "Summer wants"). Neighbouring name words join into one
span ("maria lopez", "Mrs Okafor", "Big Tee"), and the words next to a "[NAME]" placeholder are
checked as names, so redacting half a name never hides the other half.

What this cannot do (README, "The anonymisation gate"): it knows no meaning, so a name that is
also an ordinary word, typed in lower case with no cue ("hope was there"), is missed, and an
unusual capitalised word inside a sentence is asked about. The coordinators' deny-list covers
the names a project knows; the allow-list covers the area's public places and services.
"""

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from coproduction import pii_words as words

WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SENTENCE_END = set(".!?;:\n•")
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet if then than that this these those there here it its he she they we you i me
    him her them us my his their our your mine hers theirs ours yours who whom whose what which when where why how
    is was are were be been being am do does did done have has had having can could will would shall should may
    might must not no yes to of in on at by for with from up down out off over under about into onto upon after
    before since until while as like just only also too very really all any some each every both either neither
    more most much many few lot lots one other another such own same again still even ever never always often
    sometimes maybe because though although unless whether got get gets getting go goes going gone went come comes
    came coming say says said tell tells told see saw seen know knew known think thought want wanted need needed
    make made take took way back home now today tonight yesterday tomorrow week weeks month months year years time
    times day days night nights morning evening afternoon weekend men women people girls boys guys""".split()
)
NAMING_CUES = frozenset("called named nicknamed aka dubbed".split())
# "name is will": after these, even a short common word is taken as the name it is said to be.
DIRECT_NAMING = frozenset({("name", "is"), ("name", "was"), ("name's",), ("names",), ("called",), ("named",)})
NAMING_PHRASES = frozenset(
    DIRECT_NAMING
    | {
        ("known", "as"),
        ("goes", "by"),
        ("go", "by"),
        ("calls", "himself"),
        ("calls", "herself"),
        ("call", "him"),
        ("call", "her"),
        ("call", "them"),
        ("calls", "him"),
        ("calls", "her"),
        ("called", "him"),
        ("called", "her"),
        ("nicknamed",),
        ("aka",),
        ("dubbed",),
    }
)
# People a name is said to belong to: after these, a name that is also a word is a name.
RELATION_CUES = frozenset(
    """friend friends mate mates fella fellas boyfriend bf girlfriend gf partner husband hubby wife ex pimp pimps
    punter punters client clients regular regulars sister sis brother cousin mum mam mom mother dad father auntie
    aunt uncle nan nana gran daughter son manager landlord landlady neighbour neighbor flatmate housemate roommate
    colleague boss driver lover babyfather babymother bm bd madam maid receptionist minder dealer guy bloke woman
    girl lady man owner worker""".split()
)
# Verbs and "with": cues too, but a very common word after them stays a word ("clash with work").
ACTION_CUES = frozenset(
    """met meet meets meeting with told tell tells ask asks asked texted text texts rang ring rings phoned messaged
    dm visited visit saw seeing introduced called named and""".split()
)
# After a name: "rose said", "Summer wants", "florin lives".
SUBJECT_VERBS = frozenset(
    """said says told tells texted reckons asked rang wants wanted lost wrote works worked lives lived needs needed
    left keeps kept runs ran knows thinks thought called calls came went reckoned""".split()
)
# "Rose's fella", "andreea's number": a possessive before these makes the word a name.
POSSESSIONS = RELATION_CUES | frozenset(
    """number phone mobile flat place house room kids kid son daughter car van onlyfans insta instagram snap snapchat
    tiktok profile page account link ad ads bio""".split()
)
DETERMINERS = frozenset("the a an this that these those my his her their our your some any no every".split())
PLACE_PREPOSITIONS = frozenset("in at to from near round around outside inside via by off towards toward past opposite".split())
COMPASS = frozenset("north south east west upper lower great new st saint".split())
TITLES = frozenset("mr mrs ms miss mx dr sir madam auntie aunty uncle sister brother father pastor imam rev mama papa".split())
FORMAL_TITLES = frozenset("mr mrs ms miss mx dr".split())
NICKNAME_PREFIXES = frozenset("big little lil young old baby mad lady king queen".split())
# Names that are also common verbs or words after a name: never joined to a name by position.
NOT_SURNAMES_BY_POSITION = frozenset("will may can rose said hope mark bill long love young little rich gay stone van".split())

STRONG, WEAK, RARE, WORD = "strong", "weak", "rare", "word"


class Spans:
    """Non-overlapping spans (regex matches) that answer "does one hold [start, end)?" by
    bisection, so checking every finding stays O(n log n) on a 2 MB note."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.spans)

    def within(self, start: int, end: int) -> list[tuple[int, int]]:
        """The spans that start in [start, end)."""
        return self.spans[bisect.bisect_left(self.starts, start) : bisect.bisect_left(self.starts, end)]

    def holds(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.starts, start) - 1
        return index >= 0 and self.spans[index][1] >= end


NAMEISH = (STRONG, WEAK, RARE)


class Token(NamedTuple):
    start: int
    end: int
    word: str  # as typed, without a possessive 's
    lower: str
    possessive: bool
    placeholder: bool = False

    @property
    def capitalised(self) -> bool:
        return self.word[:1].isupper() and not (len(self.word) > 1 and self.word.isupper())


def name_kind(lower: str) -> str:
    """STRONG, WEAK, RARE or WORD (see the module docstring)."""
    if len(lower) < 2 or lower in FUNCTION_WORDS or words.is_not_a_person(lower):
        return WORD
    if re.match(r"^(?:o|d|mc|mac)['’][^\W\d_]{2,}$", lower):
        return STRONG  # "O'Brien", "D'Souza"
    if "-" in lower:  # "jean-luc" is a name, "multi-agency" is not
        kinds = {name_kind(part) for part in lower.split("-") if part}
        return STRONG if kinds <= {STRONG, WEAK} and STRONG in kinds else WORD
    ordinary = words.is_ordinary_word(lower)
    if words.is_name(lower):
        if ordinary or len(lower) < 3:
            return WEAK
        # A modern word the dictionary lacks ("bio", "men") is not a name unless it is a
        # curated given name or a rare word.
        if words.zipf(lower) >= 4.0 and not words.is_curated_given_name(lower):
            return WEAK
        return STRONG
    if not ordinary and len(lower) >= 3 and words.zipf(lower) < 3.0:
        return RARE
    return WORD


def tokens_between(text: str, placeholders: Spans, start: int, end: int) -> list[Token]:
    """The words (and "[NAME]" placeholders) of text[start:end], with positions in the text."""
    tokens = [
        Token(p_start, p_end, text[p_start:p_end], "[name]", False, True) for p_start, p_end in placeholders.within(start, end)
    ]
    for match in WORD_RE.finditer(text, start, end):
        word_start, word_end = match.span()
        if placeholders.holds(word_start, word_start + 1):
            continue
        word = match[0]
        possessive = word[-2:].lower() in ("'s", "’s") and len(word) > 3
        if possessive:
            word, word_end = word[:-2], word_end - 2
        tokens.append(Token(word_start, word_end, word, word.lower(), possessive))
    tokens.sort(key=lambda t: t.start)
    return tokens


CHUNK = 20_000


def chunks(text: str) -> Iterator[tuple[int, int]]:
    """Pieces of about CHUNK characters, each ending at a line break (or, failing that, after a
    sentence or a space). A name never runs across a line, so reading piece by piece finds the
    same names, and a 2 MB note costs ten times a 200 KB one, not more."""
    start = 0
    while len(text) - start > CHUNK:
        limit = start + CHUNK
        cut = text.rfind("\n", start + CHUNK // 2, limit)
        if cut == -1:
            cut = max(text.rfind(". ", start + CHUNK // 2, limit), text.rfind(" ", start + CHUNK // 2, limit))
        cut = limit if cut == -1 else cut + 1
        yield start, cut
        start = cut
    yield start, len(text)


class _Reader:
    """The tokens of one text with what is known about each: kind, sentence start, and whether
    only spaces separate it from the token before."""

    def __init__(self, text: str, tokens: list[Token]):
        self.text = text
        self.tokens = tokens
        self.kinds = [WORD if t.placeholder else name_kind(t.lower) for t in tokens]
        count = len(tokens)
        self.sentence_start = [True] * count
        self.joined = [False] * count
        for i in range(1, count):
            before = tokens[i - 1]
            gap = text[before.end + (2 if before.possessive else 0) : tokens[i].start]
            self.sentence_start[i] = not before.placeholder and any(c in SENTENCE_END for c in gap)
            self.joined[i] = not before.possessive and gap.strip() == ""
            if before.lower in FORMAL_TITLES and gap.strip() == ".":
                self.sentence_start[i], self.joined[i] = False, True  # "Mr. Okafor"

    def previous(self, i: int, back: int = 1) -> Token | None:
        j = i - back
        if j < 0 or self.sentence_start[i] or (back == 2 and self.sentence_start[i - 1]):
            return None
        return self.tokens[j]

    def next_joined(self, i: int) -> Token | None:
        return self.tokens[i + 1] if i + 1 < len(self.tokens) and self.joined[i + 1] else None

    def cue_before(self, i: int) -> tuple[str, ...] | None:
        """The naming phrase just before token i, if any: ("called",), ("name", "is")…"""
        one, two = self.previous(i), self.previous(i, 2)
        if one is None:
            return None
        if two is not None and (two.lower, one.lower) in NAMING_PHRASES:
            return (two.lower, one.lower)
        return (one.lower,) if (one.lower,) in NAMING_PHRASES else None

    def after_relation(self, i: int) -> bool:
        one = self.previous(i)
        if one is None or not self.joined[i]:
            return False
        if one.lower in RELATION_CUES or one.lower in TITLES:
            return True
        if one.lower in ACTION_CUES:
            if one.lower == "and":  # "maria and jade": only beside another name
                two = self.previous(i, 2)
                return two is not None and self.kinds[i - 2] == STRONG
            return self.kinds[i] != WEAK or words.zipf(self.tokens[i].lower) < 5.2
        return False

    def before_subject_verb(self, i: int) -> bool:
        token = self.tokens[i]
        one = self.previous(i)
        if one is not None and self.joined[i] and (one.lower in DETERMINERS or one.lower in PLACE_PREPOSITIONS):
            return False
        after = self.next_joined(i)
        if token.possessive:
            following = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
            return following is not None and following.lower in POSSESSIONS
        return after is not None and after.lower in SUBJECT_VERBS

    def is_place_here(self, i: int) -> bool:
        """A town, country or area: "from constanta", "in East Ham", "Victoria Park"."""
        token = self.tokens[i]
        after = self.next_joined(i)
        if after is not None and words.is_place_word(after.lower):
            return True
        one = self.previous(i)
        if one is not None and self.joined[i] and one.lower in COMPASS and one.capitalised:
            return True
        for span in ((i - 1, i + 1), (i, i + 2), (i - 2, i + 1), (i - 1, i + 2), (i, i + 3)):
            inside = span[0] >= 0 and span[1] <= len(self.tokens) and all(self.joined[k] for k in range(span[0] + 1, span[1]))
            if inside and words.is_place_phrase(tuple(t.lower for t in self.tokens[span[0] : span[1]])):
                return True
        place = words.place_kind(token.lower)
        if place is None:
            return False
        # "to Gary" is a person, "to Kaunas" a place; "Ngozi said" a person, "Stratford was busy" a place.
        curated = words.is_curated_given_name(token.lower)
        if one is not None and self.joined[i] and one.lower in PLACE_PREPOSITIONS:
            return place == "known" or not curated
        return place == "known" and not curated

    def is_name_at(self, i: int) -> bool:
        token, kind = self.tokens[i], self.kinds[i]
        if token.placeholder:
            return False
        cue = self.cue_before(i)
        if cue is not None and self.joined[i]:
            if kind in NAMEISH and not words.is_place_word(token.lower):
                return True
            if cue in DIRECT_NAMING and words.is_name(token.lower) and token.lower not in DETERMINERS:
                return True  # "his real name is will"
            if token.lower in FUNCTION_WORDS or token.lower in NICKNAME_PREFIXES:
                return False
            return token.capitalised or (cue in DIRECT_NAMING and words.zipf(token.lower) < 4.5)
        if kind == WORD:
            one = self.previous(i)
            if one is not None and self.joined[i] and one.lower in FORMAL_TITLES and token.capitalised:
                return True
            # "will said ...": a name that is also a small word, at the start, before "said".
            after = self.next_joined(i)
            return (
                self.sentence_start[i]
                and token.lower in ("will", "may")
                and after is not None
                and after.lower in ("said", "says", "told", "reckons")
            )
        if self.is_place_here(i):
            return self.after_relation(i)
        if kind == STRONG:
            return True
        capital_inside = token.capitalised and not self.sentence_start[i]
        curated = words.is_curated_given_name(token.lower)
        one = self.previous(i)
        if one is not None and self.joined[i] and one.lower in NICKNAME_PREFIXES | TITLES:
            if one.capitalised:
                return True  # "Big Tee", "Auntie Bim"
            if one.lower in NICKNAME_PREFIXES and (self.after_relation(i - 1) or self.cue_before(i - 1)):
                return True  # "met big tee"
        if kind == WEAK:
            if words.is_place_word(token.lower):
                return self.after_relation(i)
            if self.after_relation(i):
                return True
            # "Summer wants", "rose said"; but "next door called": a very common word needs its capital.
            common = words.zipf(token.lower) >= 5.0 and not token.capitalised
            return curated and (capital_inside or (self.before_subject_verb(i) and not common))
        # RARE
        if capital_inside and not (one is not None and one.lower in PLACE_PREPOSITIONS):
            return True
        return self.after_relation(i) or (token.capitalised and self.before_subject_verb(i))

    def joins_name(self, i: int) -> bool:
        """Token i continues the name before it: "maria lopez", "dave smith", "[NAME] Lopez"."""
        token, kind = self.tokens[i], self.kinds[i]
        if not self.joined[i] or self.sentence_start[i] or self.tokens[i - 1].possessive:
            return False
        if token.lower in NOT_SURNAMES_BY_POSITION or words.is_place_word(token.lower):
            return False
        if self.tokens[i - 1].capitalised and not token.capitalised:
            return False  # "Ioana Dumitrescu new address": a capitalised name ends at a lower-case word
        if kind == STRONG or (kind == RARE and token.capitalised):
            return True
        return kind == WEAK and (words.is_surname(token.lower) or token.capitalised)

    def joins_before(self, i: int) -> bool:
        """The token before i starts the name at i: a title, a nickname prefix, a first name."""
        before = self.tokens[i - 1]
        if before.placeholder or before.possessive:
            return False
        if before.lower in FORMAL_TITLES or (before.lower in TITLES and before.capitalised):
            return True
        if before.lower in TITLES:
            # "met auntie lopez": a title; "her nan doreen": a description, not part of the name.
            two = self.previous(i - 1)
            return two is None or not self.joined[i - 1] or two.lower not in DETERMINERS
        if before.lower in NICKNAME_PREFIXES:
            return before.capitalised or self.sentence_start[i - 1] or self.cue_before(i - 1) is not None
        if before.lower in RELATION_CUES or before.lower in ACTION_CUES or before.lower in SUBJECT_VERBS:
            return False
        kind = self.kinds[i - 1]
        if kind == STRONG or (kind in (WEAK, RARE) and before.capitalised and not self.is_place_here(i - 1)):
            return self.joins_name(i)
        return False


def names(text: str, placeholders: Spans, allow_spans: Spans) -> Iterator[tuple[int, int]]:
    """Possible names, each as one span (see the module docstring)."""
    for start, end in chunks(text):
        yield from _names_in(_Reader(text, tokens_between(text, placeholders, start, end)), allow_spans)


def _names_in(reader: "_Reader", allow_spans: Spans) -> Iterator[tuple[int, int]]:
    tokens, count = reader.tokens, len(reader.tokens)
    i = 0
    while i < count:
        if not reader.is_name_at(i) and not tokens[i].placeholder:
            i += 1
            continue
        first_index = i
        while first_index > 0 and i - first_index < 2 and reader.joined[first_index] and not reader.sentence_start[first_index]:
            if not reader.joins_before(first_index):
                break
            first_index -= 1
        last_index = i
        while last_index + 1 < count and last_index - first_index < 3 and not tokens[last_index].possessive:
            if not reader.joins_name(last_index + 1):
                break
            last_index += 1
        i = last_index + 1
        span_tokens = [t for t in tokens[first_index : last_index + 1] if not t.placeholder]
        if not span_tokens:
            continue
        # "Terrence Higgins Trust", "Riverside Outreach Team": an organisation, not a person.
        after = reader.next_joined(last_index)
        if after is not None and words.is_place_word(after.lower) and tokens[first_index].lower not in FORMAL_TITLES:
            continue
        span = (span_tokens[0].start, span_tokens[-1].end)
        if allow_spans.holds(*span):
            continue
        yield span


NICKNAME_CUE_RE = re.compile(
    r"\b(?:call(?:s|ed)? (?:him|her|them|himself|herself)|called|known as|goes by|aka)\s+"
    r"(?P<name>(?:big|little|lil|young|old|baby|mad)\s+[^\W\d_]{2,12})\b",
    re.IGNORECASE,
)


def nicknames(text: str) -> Iterator[tuple[int, int]]:
    """'they call him little mo': a nickname prefix plus a short word after a naming phrase."""
    for match in NICKNAME_CUE_RE.finditer(text):
        yield match.span("name")
