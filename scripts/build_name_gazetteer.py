"""Builds the scanner's name gazetteer (coproduction/pii_data/*.txt.gz) from maintained data.

Run after upgrading names-dataset or gender-guesser (both in requirements-dev.txt):

    .venv/bin/python scripts/build_name_gazetteer.py

names-dataset (from 491M Facebook profiles, ranked per country) is too large to load in a web
process (about 1 GB and 8 s), so the names that rank among the most common in any of its
countries are written out once, lower case, Latin script only, with gender-guesser's given names
(which cover Romania, Latvia and other countries names-dataset ranks less well) added.
"""

import gzip
import pickle
import re
from pathlib import Path

import gender_guesser.detector
import names_dataset

OUT = Path(__file__).resolve().parent.parent / "coproduction" / "pii_data"
LATIN = re.compile(r"^[a-zà-öø-ɏ][a-zà-öø-ɏ'’-]*[a-zà-öø-ɏ]$")
GIVEN_RANK = 1000  # per country
SURNAME_RANK = 1500


def ranked(kind: str, limit: int) -> set[str]:
    path = Path(names_dataset.__file__).parent / "v3" / f"{kind}.pkl.gz"
    with gzip.open(path) as handle:
        data = pickle.load(handle)  # noqa: S301 - the installed package's own data file
    found = set()
    for name, info in data.items():
        if any(rank <= limit for rank in (info.get("rank") or {}).values()):
            for part in name.lower().split():
                if LATIN.match(part):
                    found.add(part)
    return found


def write(name: str, words: set[str]) -> None:
    OUT.mkdir(exist_ok=True)
    body = ("\n".join(sorted(words)) + "\n").encode()
    # mtime=0 keeps the file byte-for-byte the same when the data has not changed.
    (OUT / f"{name}.txt.gz").write_bytes(gzip.compress(body, mtime=0))
    print(f"{name}: {len(words)}")


def main() -> None:
    guesser = gender_guesser.detector.Detector()
    # gender-guesser's list is curated (names, not whatever people typed into a profile), so a
    # name on it may be taken as a name with weaker evidence ("Rose wants...").
    curated = {name.lower() for name in guesser.names if LATIN.match(name.lower())}
    write("curated_given_names", curated)
    write("given_names", ranked("first_names", GIVEN_RANK) | curated)
    write("surnames", ranked("last_names", SURNAME_RANK))


if __name__ == "__main__":
    main()
