"""Every template's `{% url %}` makes the same addresses as Django's and reverses each one once
per process (coproduction/templatetags/urls.py)."""

from unittest import mock

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, path, reverse

from coproduction.templatetags import urls as url_tag


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_addresses_are_those_of_django_and_reversed_once():
    source = "{% url 'home' %} {% url 'analysis:theme' slug=slug pk=pk %} {% url 'coproduction:dashboard' slug %}"
    expected = " ".join(
        [
            reverse("home"),
            reverse("analysis:theme", kwargs={"slug": "riverside", "pk": 7}),
            reverse("coproduction:dashboard", args=["riverside"]),
        ]
    )
    assert render(source, slug="riverside", pk=7) == expected
    with mock.patch.object(url_tag, "reverse", wraps=reverse) as reversing:
        assert render(source, slug="riverside", pk=7) == expected
        assert render(source, slug="elsewhere", pk=7).split()[1] == reverse(
            "analysis:theme", kwargs={"slug": "elsewhere", "pk": 7}
        )
    assert reversing.call_count == 2  # the new slug's two addresses; the rest were remembered


def test_as_a_variable_and_a_missing_name_behave_as_django():
    assert render("{% url 'home' as address %}[{{ address }}]") == f"[{reverse('home')}]"
    assert render("{% url 'no-such-page' as address %}[{{ address }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")


def test_an_argument_that_is_not_plain_text_is_reversed_every_time():
    class Slug:
        def __init__(self, text):
            self.text = text

        def __str__(self):
            return self.text

    slug = Slug("riverside")
    source = "{% url 'coproduction:dashboard' slug=slug %}"
    assert render(source, slug=slug) == reverse("coproduction:dashboard", kwargs={"slug": "riverside"})
    slug.text = "elsewhere"
    assert render(source, slug=slug) == reverse("coproduction:dashboard", kwargs={"slug": "elsewhere"})


def test_another_urlconf_gets_its_own_addresses():
    assert render("{% url 'home' %}") == "/"
    with override_settings(ROOT_URLCONF=__name__):
        assert render("{% url 'home' %}") == "/somewhere-else/"
    assert render("{% url 'home' %}") == "/"


def _page(request):
    raise AssertionError("never requested")


urlpatterns = [path("somewhere-else/", _page, name="home")]
