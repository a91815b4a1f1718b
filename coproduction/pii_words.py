"""Word knowledge behind the scanner's name detection, loaded once per process.

- Given names and surnames: the gazetteer in `coproduction/pii_data/`, derived from
  names-dataset and gender-guesser by `scripts/build_name_gazetteer.py` (names ranked among the
  most common in any country, Latin script, lower case; diacritics kept and also folded).
- Ordinary English words: Webster's word list as packaged by english-words. It writes proper
  nouns with a capital, so "jade", "rose" and "will" are ordinary words there and "dave",
  "okafor" and "ionuț" are not. Inflected forms ("states", "held") are found through their stem.
- How common a word is in writing: wordfreq's English list (a rare word the gazetteer does not
  know is a possible name only with a cue such as "called").
- Places that are not people: countries and UK subdivisions (boroughs, counties) from pycountry.

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

# Named as a cue before a name: "called", "her friend", "her pimp" (see pii.NAME_CUES).
PLACE_WORDS = """
market markets station stations park parks road rd street st lane ln avenue ave close drive way place square
broadway centre center hub library church mosque temple hospital clinic surgery school college estate common
green gardens garden parade high shopping mall cafe café pub bar club arches bridge canal river court house
hall tower towers works yard wharf circus underground overground dlr line
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
def _not_people() -> frozenset[str]:
    import pycountry

    places: set[str] = set()
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                places.update(fold(part) for part in value.replace(",", " ").split())
    for subdivision in pycountry.subdivisions.get(country_code="GB"):
        places.update(fold(part) for part in subdivision.name.replace(",", " ").split())
    calendar_words = {fold(n) for n in [*calendar.day_name, *calendar.month_name, *calendar.day_abbr] if n}
    calendar_words |= {fold(n) for n in calendar.month_abbr if n}
    # Small connecting words in country names ("and", "of") would hide nothing that matters.
    return frozenset(places | calendar_words | set(DEMONYMS) | set(TEXT_SPEAK) | {"london", "england", "britain"})


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
    """A day, month, country, UK area, nationality or text-speak: never a name on its own."""
    return fold(word) in _not_people()


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


def warm() -> None:
    """Load every list now (a worker or the benchmark calls this so the first scan is not slow)."""
    given_names(), surnames(), _webster_lower(), _common_words(), _not_people()
