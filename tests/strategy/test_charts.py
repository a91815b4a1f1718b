"""An indicator's chart: server-rendered SVG with a title and a description, the baseline as a
reference line, nothing the CSP forbids, and for publication no small count of people drawn."""

from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from lxml import html as lxml_html

from coproduction import charts
from coproduction.models.strategy import Indicator
from coproduction.strategy.charts import chart_description, indicator_chart
from coproduction.strategy.indicators import summarise
from tests.strategy.test_indicators import ASB_2023, ASB_2024, asb, indicator, months


def render(summary, **kwargs):
    """The chart as the page has it, parsed as the browser would."""
    chart = indicator_chart(summary, **kwargs)
    page = render_to_string(
        "strategy/includes/_indicator_chart.html",
        {"chart": chart, "summary": summary, "description": chart_description(summary), "chart_id": "c1", "not_drawn": ""},
    )
    return lxml_html.fragment_fromstring(page, create_parent="div").find("svg")


def test_the_chart_has_a_title_and_a_description_named_by_its_labels():
    summary = summarise(asb(), months((2023, 4), ASB_2023 + ASB_2024), threshold=10)
    svg = render(summary)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find("title").get("id") == "c1-title"
    assert svg.find("title").text == "Reports over time, against the baseline"
    desc = svg.find("desc")
    assert desc.get("id") == "c1-desc"
    assert "19 measurements from April 2023 to October 2024" in desc.text
    assert "Latest, October 2024: 38; down 31% on October 2023." in desc.text
    assert "April–October 2024: 311; down 26% on April–October 2023." in desc.text


def test_the_chart_draws_every_measurement_and_the_baseline():
    summary = summarise(asb(), months((2023, 4), ASB_2023 + ASB_2024), threshold=10)
    chart = indicator_chart(summary)
    assert len(chart.markers) == 19 and len(chart.lines) == 1
    svg = render(summary)
    baseline = svg.find(".//line[@data-baseline]")
    assert baseline is not None and baseline.get("stroke-dasharray") == charts.REFERENCE_DASH
    # 420 is the top of the data: the axis goes to a round 500 and the baseline sits below it.
    assert chart.y_ticks[-1][1] == 500 and chart.baseline_y == pytest.approx(
        chart.y_ticks[-1][0] + (chart.plot_bottom - 12) * 80 / 500, abs=0.2
    )
    xs = [x for x, _, _ in chart.markers]
    assert xs == sorted(xs) and xs[0] == chart.plot_left and xs[-1] == chart.plot_right


def test_the_chart_is_csp_safe_and_self_contained():
    summary = summarise(asb(), months((2023, 4), ASB_2023 + ASB_2024), threshold=10)
    svg = render(summary)
    for element in svg.iter():
        assert "style" not in element.attrib, element.tag
        assert not any(name.startswith("on") for name in element.attrib), element.tag
        assert element.tag not in {"script", "style", "image", "foreignobject", "use"}
        assert not any("http" in value or "url(" in value for value in element.attrib.values())
    assert "font" not in lxml_html.tostring(svg, encoding="unicode")


def test_for_publication_small_counts_of_people_are_not_drawn_and_the_description_says_why():
    people = indicator(
        name="People in support",
        counts_people=True,
        better=Indicator.Better.HIGHER,
        baseline_start=date(2024, 3, 1),
        baseline_end=date(2024, 3, 31),
        baseline_value=Decimal(6),
    )
    measured = months((2024, 4), [4, 9, 13, 8, 27])
    working = indicator_chart(summarise(people, measured, threshold=10))
    assert len(working.markers) == 5 and working.baseline_y is not None
    published_summary = summarise(people, measured, threshold=10, publication=True)
    published = indicator_chart(published_summary)
    assert [shown for _, _, shown in published.markers] == ["13", "27"]
    assert published.baseline_y is None and published.not_drawn == 3
    # The line breaks where a figure is hidden: two runs of one point each, never joined across.
    assert len(published.lines) == 2 and all(" " not in line for line in published.lines)
    description = chart_description(published_summary)
    assert "4 figures count fewer than 10 people and are not drawn" in description
    assert "<10" in description and " 4 " not in description.replace("4 figures", "")
    # The axis is scaled on what is drawn, so its top cannot give a hidden figure away.
    small = indicator_chart(summarise(people, months((2024, 4), [9, 13]), threshold=10, publication=True))
    assert small.y_ticks[-1][1] == charts.nice_top(13)


def test_nothing_to_draw():
    summary = summarise(asb(), [], threshold=10)
    assert indicator_chart(summary) is None
    assert chart_description(summary) == "Reports: no measurements yet."
    one = summarise(indicator(), months((2024, 4), [5]), threshold=10)
    chart = indicator_chart(one)
    assert chart.markers[0][0] == round((chart.plot_left + chart.plot_right) / 2, 1)
    assert "1 measurement for April 2024." in chart_description(one)


def test_small_multiples_use_the_narrow_frame_with_fewer_labels():
    summary = summarise(asb(), months((2023, 4), ASB_2023 + ASB_2024), threshold=10)
    small = indicator_chart(summary, small=True)
    assert (small.width, small.height) == (300, 200) and len(small.x_labels) <= 3
    assert len(indicator_chart(summary).x_labels) <= charts.MAX_X_LABELS


def test_negative_values_get_an_axis_below_zero():
    chart = indicator_chart(summarise(indicator(), months((2024, 4), [-12, 30]), threshold=10))
    assert [value for _, value in chart.y_ticks] == [-10, 0, 10, 20, 30]
    zero = next(y for y, value in chart.y_ticks if value == 0)
    assert chart.markers[0][1] > zero > chart.markers[1][1]  # -12 below the zero line, 30 above


def test_the_shared_frame():
    assert [charts.nice_top(v) for v in (0, 1, 13, 26, 49, 420, 1200, 99999)] == [5, 5, 15, 30, 50, 500, 1250, 99999]
    assert charts.nice_top(12.5) == 15  # percentages and rates need not be whole
    frame = charts.Frame(span=10, top=50)
    assert frame.x(0) == frame.plot_left and frame.x(10) == frame.plot_right
    assert frame.y(0) == frame.plot_bottom and frame.y(50) == 12
    assert [v for _, v in frame.y_ticks()] == [0, 10, 20, 30, 40, 50]
    labels = frame.x_labels([(i, str(i)) for i in range(11)])
    assert [label for _, label in labels] == ["0", "3", "6", "9"]
