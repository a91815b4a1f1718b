"""`{% url %}` as Django's, each address reversed once per process (a template builtin, so
every template's `{% url %}` is this one: settings.TEMPLATES).

Django's reverse() walks the URL patterns for every address it makes, about 40 µs each, and a
page makes dozens (the header, the project's menu, a link on every row of a list): several
milliseconds of a page that otherwise takes twenty. While a process runs its URLconf does not
change, so an address made from a name and plain arguments (text, numbers) is kept, keyed by
the URLconf and the script prefix too. Any other argument (an object whose text could change)
is reversed every time, as Django does.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

PLAIN = (str, int)


@lru_cache(maxsize=50_000)
def _remembered(urlconf: str, prefix: str, view_name: str, args: tuple, kwargs: tuple, current_app: str | None) -> str:
    return reverse(view_name, urlconf=urlconf, args=list(args), kwargs=dict(kwargs), current_app=current_app)


def remembered_reverse(view_name, args: list, kwargs: dict, current_app: str | None) -> str:
    """reverse(), kept per process when the name and every argument are plain text or numbers."""
    if isinstance(view_name, str) and all(type(value) in PLAIN for value in (*args, *kwargs.values())):
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        if isinstance(urlconf, str):
            return _remembered(urlconf, get_script_prefix(), view_name, tuple(args), tuple(sorted(kwargs.items())), current_app)
    return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)


class RememberedURLNode(URLNode):
    """Django's URLNode, reversing through `remembered_reverse`."""

    def render(self, context) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {key: value.resolve(context) for key, value in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        address = ""
        try:
            address = remembered_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = address
            return ""
        return conditional_escape(address) if context.autoescape else address


@register.tag
def url(parser, token) -> RememberedURLNode:
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
