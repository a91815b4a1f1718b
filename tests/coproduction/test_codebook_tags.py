"""The codebook's rows and the coding page's cards are drawn in Python: their shortened quotes
and times must read exactly as the template filters they replace."""

import datetime
import zoneinfo

from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.text import Truncator
from hypothesis import given
from hypothesis import strategies as st

from coproduction.templatetags.codebook import _shortened, _when


@given(st.text(max_size=300) | st.text(alphabet=st.characters(max_codepoint=127), max_size=300))
def test_a_quote_is_shortened_as_truncatechars_would(text):
    assert _shortened(text, 120) == Truncator(text).chars(120)


MOMENTS = st.datetimes(datetime.datetime(2000, 1, 1), datetime.datetime(2099, 12, 31), timezones=st.just(datetime.UTC))


@given(MOMENTS)
def test_a_time_is_written_as_the_date_filter_would_in_the_projects_time_zone(moment):
    with timezone.override(zoneinfo.ZoneInfo("Europe/London")):
        assert _when(moment) == date_filter(timezone.localtime(moment), "j M Y H:i")
