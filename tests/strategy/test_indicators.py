"""The change computations: latest against the baseline and against the same period a year
earlier, in numbers and in words, with division by zero, missing figures and suppression."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coproduction.models.strategy import Indicator, Measurement
from coproduction.strategy.indicators import (
    compare,
    format_value,
    like_for_like,
    months_earlier,
    period_label,
    summarise,
    year_earlier,
)
from tests.strategy.factories import month

COUNT, PERCENT, RATE = Indicator.Unit.COUNT, Indicator.Unit.PERCENT, Indicator.Unit.RATE_PER_1000
LOWER, HIGHER = Indicator.Better.LOWER, Indicator.Better.HIGHER
D = Decimal


def indicator(**fields) -> Indicator:
    """An unsaved indicator: the computations never touch the database."""
    return Indicator(**{"name": "Reports", "unit": COUNT, "better": LOWER, **fields})


def months(first: tuple[int, int], values) -> list[Measurement]:
    out = []
    for offset, value in enumerate(values):
        year, index = divmod(first[0] * 12 + first[1] - 1 + offset, 12)
        start, end = month(year, index + 1)
        out.append(Measurement(period_start=start, period_end=end, value=D(value), note="", pk=offset + 1))
    return out


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2024, 4, 1), date(2024, 4, 30), "April 2024"),
        (date(2023, 4, 1), date(2023, 10, 31), "April–October 2023"),
        (date(2023, 11, 1), date(2024, 1, 31), "November 2023–January 2024"),
        (date(2024, 4, 3), date(2024, 4, 17), "3–17 April 2024"),
        (date(2024, 4, 3), date(2024, 5, 17), "3 April–17 May 2024"),
        (date(2023, 12, 28), date(2024, 1, 3), "28 December 2023–3 January 2024"),
        (date(2024, 4, 3), date(2024, 4, 3), "3 April 2024"),
        (date(2024, 2, 1), date(2024, 2, 29), "February 2024"),
    ],
)
def test_periods_in_words(start, end, label):
    assert period_label(start, end) == label


def test_a_year_earlier_keeps_month_ends_and_leap_days():
    assert year_earlier(date(2024, 4, 1), date(2024, 10, 31)) == (date(2023, 4, 1), date(2023, 10, 31))
    assert year_earlier(date(2024, 2, 1), date(2024, 2, 29)) == (date(2023, 2, 1), date(2023, 2, 28))
    assert year_earlier(date(2025, 2, 1), date(2025, 2, 28)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert months_earlier(date(2024, 3, 30), 1) == date(2024, 2, 29)  # no 30 February
    assert months_earlier(date(2024, 1, 15), 12) == date(2023, 1, 15)
    assert months_earlier(date(2023, 10, 31), -12) == date(2024, 10, 31)


# ---------------------------------------------------------------- compare


def test_down_26_percent_on_the_briefs_period():
    change = compare(D(311), D(420), unit=COUNT, better=LOWER, against="April–October 2023")
    assert change.words == "down 26% on April–October 2023"
    assert change.comparable and change.difference == D(-109)
    assert round(change.percent, 2) == D("-25.95")
    assert change.improvement is True and change.verdict == "better"


def test_up_is_worse_when_lower_is_better_and_better_when_higher_is():
    assert compare(D(110), D(100), unit=COUNT, better=LOWER, against="X").verdict == "worse"
    up = compare(D(110), D(100), unit=RATE, better=HIGHER, against="X")
    assert up.words == "up 10% on X" and up.improvement is True


def test_percentages_change_in_percentage_points():
    change = compare(D(44), D(41), unit=PERCENT, better=HIGHER, against="April 2023")
    assert change.words == "up 3 percentage points on April 2023"
    assert change.difference == D(3) and change.percent is None and change.improvement is True
    assert compare(D(40), D(41), unit=PERCENT, better=HIGHER, against="X").words == "down 1 percentage point on X"
    assert compare(D("12.5"), D("10"), unit=PERCENT, better=LOWER, against="X").words == "up 2.5 percentage points on X"
    assert (
        compare(D("10.04"), D("10"), unit=PERCENT, better=LOWER, against="X").words == "up less than 0.1 percentage points on X"
    )


def test_no_change():
    for unit in (COUNT, PERCENT, RATE):
        change = compare(D(50), D(50), unit=unit, better=LOWER, against="X")
        assert change.words == "no change on X" and change.comparable
        assert change.improvement is None and change.verdict == "no change"


def test_an_earlier_zero_cannot_be_divided_by():
    change = compare(D(5), D(0), unit=COUNT, better=LOWER, against="X")
    assert change.words == "cannot compare: the baseline was 0"
    assert not change.comparable and change.percent is None and change.verdict == ""
    year = compare(D(5), D(0), unit=RATE, better=LOWER, against="X", earlier="the same period a year earlier")
    assert year.words == "cannot compare: the same period a year earlier was 0"
    assert compare(D(0), D(0), unit=COUNT, better=LOWER, against="X").words == "no change on X"
    # A percentage point difference needs no division: 0% to 5% is 5 points.
    assert compare(D(5), D(0), unit=PERCENT, better=LOWER, against="X").words == "up 5 percentage points on X"


def test_a_missing_figure_cannot_be_compared():
    change = compare(D(5), None, unit=COUNT, better=LOWER, against="")
    assert change.words == "cannot compare: no baseline has been set" and not change.comparable


def test_small_and_large_relative_changes_are_rounded_for_reading():
    assert compare(D(1001), D(1000), unit=COUNT, better=LOWER, against="X").words == "up 0.1% on X"
    assert compare(D(100001), D(100000), unit=COUNT, better=LOWER, against="X").words == "up less than 0.1% on X"
    assert compare(D(104), D(100), unit=COUNT, better=LOWER, against="X").words == "up 4% on X"
    assert compare(D("104.4"), D(100), unit=COUNT, better=LOWER, against="X").words == "up 4.4% on X"
    assert compare(D(300), D(100), unit=COUNT, better=HIGHER, against="X").words == "up 200% on X"
    # A negative earlier figure (a net change, say): the direction follows the difference.
    assert compare(D(-5), D(-10), unit=COUNT, better=HIGHER, against="X").words == "up 50% on X"


@given(
    now=st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
    then=st.one_of(
        st.none(), st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False)
    ),
    unit=st.sampled_from([COUNT, PERCENT, RATE]),
    better=st.sampled_from([LOWER, HIGHER]),
)
def test_any_two_figures_give_words_and_never_an_error(now, then, unit, better):
    change = compare(now, then, unit=unit, better=better, against="X")
    assert change.words and ("cannot compare" in change.words) != change.comparable
    if change.improvement is not None:
        assert change.difference != 0


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (D("310.00"), COUNT, "310"),
        (D("1234"), COUNT, "1,234"),
        (D("12.50"), PERCENT, "12.5%"),
        (D("3.25"), RATE, "3.25 per 1,000"),
        (D("-4.00"), COUNT, "-4"),
        (D("0.00"), PERCENT, "0%"),
    ],
)
def test_values_in_words(value, unit, shown):
    assert format_value(value, unit) == shown


# ---------------------------------------------------------------- summaries

ASB_2023 = [55, 58, 62, 66, 64, 60, 55, 54, 50, 49, 51, 53]  # April 2023 to March 2024
ASB_2024 = [52, 50, 47, 44, 41, 39, 38]  # April to October 2024


def asb(**fields) -> Indicator:
    return indicator(baseline_start=date(2023, 4, 1), baseline_end=date(2023, 10, 31), baseline_value=D(420), **fields)


def test_a_longer_baseline_is_compared_like_for_like():
    summary = summarise(asb(), months((2023, 4), ASB_2023 + ASB_2024), threshold=10)
    assert summary.latest.label == "October 2024" and summary.latest.shown == "38"
    assert summary.compared.label == "April–October 2024" and summary.compared.value == 311
    assert summary.against_baseline.words == "down 26% on April–October 2023"
    assert summary.year_earlier.label == "October 2023"
    assert summary.against_year_earlier.words == "down 31% on October 2023"
    assert [p.label for p in summary.points][:2] == ["April 2023", "May 2023"]


def test_like_for_like_needs_every_month_of_the_period():
    gappy = [m for m in months((2023, 4), ASB_2023 + ASB_2024) if m.period_start != date(2024, 7, 1)]
    summary = summarise(asb(), gappy, threshold=10)
    assert summary.compared is None and not summary.against_baseline.comparable
    assert summary.against_baseline.words.startswith("cannot compare: the measurements do not yet cover")
    points = summarise(asb(), months((2023, 4), ASB_2023 + ASB_2024), threshold=10).points
    baseline = summarise(asb(), [], threshold=10).baseline
    start, end, chain = like_for_like(points, baseline)
    assert (start, end, len(chain)) == (date(2024, 4, 1), date(2024, 10, 31), 7)


def test_counts_of_people_and_rates_are_not_added_up():
    """Someone supported in April and in May is one person: the latest month is compared."""
    people = summarise(asb(counts_people=True), months((2023, 4), ASB_2023 + ASB_2024), threshold=10)
    assert people.compared == people.latest
    assert people.against_baseline.words == "down 91% on April–October 2023"
    rate = summarise(asb(unit=RATE), months((2023, 4), ASB_2023 + ASB_2024), threshold=10)
    assert rate.compared == rate.latest


def test_the_same_period_a_year_earlier_may_be_missing():
    summary = summarise(indicator(), months((2024, 4), [10, 12]), threshold=10)
    assert summary.against_year_earlier.words == "cannot compare: no figure for the same period a year earlier"
    assert summary.against_baseline.words == "cannot compare: no baseline has been set"
    assert summary.year_earlier is None


def test_no_measurements_no_comparisons():
    summary = summarise(asb(), [], threshold=10)
    assert summary.latest is None and summary.against_baseline is None and summary.against_year_earlier is None
    assert summary.baseline.shown == "420" and summary.points == []


def test_a_baseline_of_zero_cannot_be_compared():
    new = indicator(baseline_start=date(2024, 4, 1), baseline_end=date(2024, 4, 30), baseline_value=D(0))
    summary = summarise(new, months((2024, 5), [4]), threshold=10)
    assert summary.against_baseline.words == "cannot compare: the baseline was 0"


def test_for_publication_small_counts_of_people_read_under_the_threshold():
    people = indicator(
        counts_people=True, better=HIGHER, baseline_start=date(2024, 3, 1), baseline_end=date(2024, 3, 31), baseline_value=D(6)
    )
    measured = months((2023, 5), [3] + [0] * 11 + [12])  # May 2023 ... May 2024
    working = summarise(people, measured, threshold=10)
    assert working.latest.shown == "12" and working.baseline.shown == "6"
    assert working.against_baseline.words == "up 100% on March 2024"
    published = summarise(people, measured, threshold=10, publication=True)
    assert published.baseline.shown == "<10" and published.baseline.suppressed
    assert published.points[0].shown == "<10" and published.points[1].shown == "0"  # zero describes nobody
    assert published.latest.shown == "12" and not published.latest.suppressed
    # 12 against a hidden 6 would give the 6 back: neither change is given.
    assert published.against_baseline.words == "not shown: the baseline or the latest figure counts fewer than 10 people"
    assert published.against_year_earlier.words.startswith("not shown: the same period a year earlier")
    assert published.suppressed_count == 1


def test_for_publication_counts_that_are_not_of_people_are_shown():
    measured = months((2024, 4), [3, 4])
    assert summarise(indicator(), measured, threshold=10, publication=True).latest.shown == "4"


def test_the_threshold_is_the_projects():
    people = indicator(counts_people=True)
    assert summarise(people, months((2024, 4), [12]), threshold=20, publication=True).latest.shown == "<20"
    assert summarise(people, months((2024, 4), [12]), threshold=5, publication=True).latest.shown == "12"
