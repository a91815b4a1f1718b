"""coproduction.markup builds the same HTML as Django's format_html and format_html_join."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from hypothesis import given
from hypothesis import strategies as st

from coproduction.markup import escaped, markup, markup_join

values = st.one_of(
    st.text(),
    st.integers(),
    st.text().map(mark_safe),
    st.none(),
)


@given(a=values, b=values)
def test_markup_is_format_html(a, b):
    made = markup('<p title="{}">{}</p>', a, b)
    assert made == format_html('<p title="{}">{}</p>', a, b)
    assert isinstance(made, SafeString)


@given(a=values, b=values)
def test_markup_with_names_is_format_html(a, b):
    assert markup("<b>{x}</b>{y}", x=a, y=b) == format_html("<b>{x}</b>{y}", x=a, y=b)


@given(rows=st.lists(st.tuples(values, values), max_size=5), separator=st.sampled_from(["", ", ", "<br>"]))
def test_markup_join_is_format_html_join(rows, separator):
    assert markup_join(separator, "<i>{}</i>{}", rows) == format_html_join(separator, "<i>{}</i>{}", rows)


def test_a_script_is_escaped_and_safe_text_is_kept():
    assert escaped("<script>'&\"") == "&lt;script&gt;&#x27;&amp;&quot;"
    assert markup("{}{}", "<b>", mark_safe("<b>")) == "&lt;b&gt;<b>"
