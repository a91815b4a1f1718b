"""The labelled PII corpus itself (tests/pii_corpus): it parses, its offsets are right, it is as
large and as varied as the benchmark claims, its clean notes hold nothing planted, and the
scoring rule behaves as documented. The scanner's recall is measured by `make bench`, not here."""

import re
from collections import Counter

import pytest

from coproduction.pii import Finding
from tests.pii_corpus import (
    HERE,
    MARKUP,
    SEPARATOR,
    SPLITS,
    STRUCTURED_TYPES,
    TYPES,
    Item,
    Note,
    evaluate,
    item_text,
    load_allow_list,
    load_notes,
    parse_note,
)

PLANTED = {split: load_notes("planted", split) for split in SPLITS}
CLEAN = {split: load_notes("clean", split) for split in SPLITS}
ALL_PLANTED = PLANTED["dev"] + PLANTED["test"]
ALL_CLEAN = CLEAN["dev"] + CLEAN["test"]


def marked_up(note: Note) -> str:
    text, out, position = note.text, [], 0
    for item in note.items:
        out.append(text[position : item.start] + f"[[{item.type}|{item_text(note, item)}]]")
        position = item.end
    return "".join(out) + text[position:]


def counts(notes: list[Note]) -> Counter:
    return Counter(item.type for note in notes for item in note.items)


def nhs_check_digit_ok(digits: str) -> bool:
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return check != 10 and (check % 11) == int(digits[9])


@pytest.mark.parametrize("name", [f"{kind}_{split}.txt" for kind in ("planted", "clean") for split in SPLITS])
def test_every_block_round_trips_to_its_markup(name):
    blocks = [block.strip() for block in SEPARATOR.split((HERE / name).read_text(encoding="utf-8")) if block.strip()]
    assert blocks
    for block in blocks:
        assert marked_up(parse_note(block)) == block


def test_offsets_point_at_the_marked_text():
    note = parse_note("met [[NAME|jade]] at the hub, [[NAME|Rose]]'s fella said call him on [[PHONE|07700 900 456]]")
    assert note.text == "met jade at the hub, Rose's fella said call him on 07700 900 456"
    assert [(i.type, item_text(note, i)) for i in note.items] == [("NAME", "jade"), ("NAME", "Rose"), ("PHONE", "07700 900 456")]


def test_brackets_inside_an_item_stay_in_the_item():
    note = parse_note("mail [[EMAIL|name[at]hotmail[dot]co[dot]uk]] or [[EMAIL|t.o [@] yahoo.com]]")
    assert [item_text(note, i) for i in note.items] == ["name[at]hotmail[dot]co[dot]uk", "t.o [@] yahoo.com"]


def test_an_unknown_type_is_refused():
    with pytest.raises(ValueError, match="unknown type"):
        parse_note("[[PERSON|jade]]")


def test_no_markup_is_left_in_any_text():
    for note in ALL_PLANTED + ALL_CLEAN:
        assert "[[" not in note.text and not MARKUP.search(note.text), note.text
        assert not re.search(r"\|\w", note.text), note.text
        assert note.text == note.text.strip()


def test_items_are_trimmed_non_empty_ordered_and_apart():
    for note in ALL_PLANTED:
        assert note.items, note.text
        for item in note.items:
            text = item_text(note, item)
            assert text and text == text.strip(), (item, note.text)
        for first, second in zip(note.items, note.items[1:], strict=False):
            assert first.end <= second.start, note.text


def test_sizes_the_benchmark_claims():
    total = counts(ALL_PLANTED)
    assert sum(total.values()) >= 450
    assert total["NAME"] >= 180
    assert {kind: total[kind] for kind in TYPES if total[kind] < 20} == {}
    assert len(ALL_CLEAN) >= 130


def test_the_test_split_is_the_larger_held_out_part():
    dev, test = sum(counts(PLANTED["dev"]).values()), sum(counts(PLANTED["test"]).values())
    assert 0.3 <= dev / (dev + test) <= 0.45
    assert 0.3 <= len(CLEAN["dev"]) / len(ALL_CLEAN) <= 0.45
    for kind in TYPES:
        assert counts(PLANTED["dev"])[kind] >= 8 and counts(PLANTED["test"])[kind] >= 12, kind


def test_clean_notes_plant_nothing():
    assert all(not note.items for note in ALL_CLEAN)
    clean_text = "\n".join(note.text.lower() for note in ALL_CLEAN)
    planted = {
        item_text(note, item).lower()
        for note in ALL_PLANTED
        for item in note.items
        if item.type in STRUCTURED_TYPES or " " in item_text(note, item)
    }
    assert sorted(text for text in planted if text in clean_text) == []


def test_planted_numbers_are_fictional():
    for note in ALL_PLANTED:
        for item in note.items:
            text = item_text(note, item)
            if item.type == "NHS_NUMBER":
                digits = re.sub(r"\D", "", text)
                assert len(digits) == 10 and digits.startswith("999") and nhs_check_digit_ok(digits), text
            if item.type == "PHONE":
                digits = re.sub(r"\D", "", text.replace("o", "0").replace("O", "0"))
                uk = re.sub(r"^(00)?44", "", digits).lstrip("0")
                if uk.startswith("7700"):
                    assert uk.startswith("7700900"), text
                if uk.startswith("20"):
                    assert uk.startswith("2079460"), text


def test_the_allow_list_is_a_coordinators_list():
    entries = load_allow_list()
    assert 40 <= len(entries) <= 60
    assert {kind for kind, _ in entries} == {"place", "organisation", "helpline"}
    assert len({term.lower() for _, term in entries}) == len(entries)
    clean_text = "\n".join(note.text.lower() for note in ALL_CLEAN)
    mentioned = [term for _, term in entries if term.lower() in clean_text]
    assert len(mentioned) >= 0.8 * len(entries)


def test_clean_notes_set_traps_beyond_the_allow_list():
    clean_text = "\n".join(note.text.lower() for note in ALL_CLEAN)
    off_list = ["stratford", "ilford", "whitechapel", "samaritans", "shelter", "st mungo's", "greggs", "western union", "tesco"]
    assert [place for place in off_list if place not in clean_text] == []
    assert re.search(r"\be1[35]\b", clean_text) and re.search(r"\bhalf [0-9]+\b", clean_text)
    assert re.search(r"£[0-9]+", clean_text) and "quid" in clean_text


def finding(start: int, end: int, kind: str = "NAME") -> Finding:
    return Finding(kind, start, end, "", f"[{kind}]")


def test_scoring_needs_one_finding_over_the_whole_item_and_little_more():
    note = Note("her friend Maria Lopez said", [Item("NAME", 11, 22)])

    def scorer(*findings):
        return evaluate(lambda text: list(findings), [note])

    assert scorer(finding(11, 22)).found["NAME"] == 1
    assert scorer(finding(8, 25, "POSSIBLE_NAME")).found["NAME"] == 1  # three characters of slack each side
    assert scorer(finding(11, 16), finding(17, 22)).found["NAME"] == 0  # two halves are not one name
    assert scorer(finding(11, 16)).found["NAME"] == 0  # "[NAME] Lopez"
    assert scorer(finding(7, 22)).found["NAME"] == 0  # four characters too early
    assert scorer(finding(11, 26)).found["NAME"] == 0  # four characters too late


def test_findings_that_touch_no_item_are_false_alarms():
    planted = Note("met jade at the hub", [Item("NAME", 4, 8)])
    clean = Note("met at the hub on monday", [])
    result = evaluate(
        lambda text: [finding(0, 3), finding(4, 8)] if text.startswith("met jade") else [finding(18, 24)], [planted, clean]
    )
    assert (result.spurious, result.false_alarms, result.clean_notes, result.planted_notes) == (1, 1, 1, 1)
    assert result.false_alarms_per_50 == 50
    assert result.missed == []


def test_an_oracle_scores_perfectly_on_the_whole_corpus():
    by_text = {note.text: note for note in ALL_PLANTED + ALL_CLEAN}

    def oracle(text, allow_terms=()):
        return [finding(item.start, item.end, item.type) for item in by_text[text].items]

    result = evaluate(oracle, ALL_PLANTED + ALL_CLEAN, load_allow_list())
    assert result.structured_recall == 1 and result.name_recall == 1
    assert (result.false_alarms, result.spurious, result.missed) == (0, 0, [])
