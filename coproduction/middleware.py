from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control

from coproduction.encryption import CannotOpen


class PrivacyHeadersMiddleware:
    """Authenticated pages are never stored by the browser or any cache (`no-store`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class CannotOpenPage:
    """A record whose encrypted text no configured key opens: a plain page saying so.

    The one place pages meet `CannotOpen`: whatever view or template read the field, the person
    sees "cannot be opened" (status 503: the record is intact, the service lacks its key), never
    a traceback and never ciphertext. The field has already logged the model, field and row.
    `coproduction.views.server_error` does the same for a failure outside a view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, CannotOpen):
            return cannot_open_response(request)
        return None


def cannot_open_response(request) -> HttpResponse:
    return render(request, "cannot_open.html", status=503)
