"""The public, sign-in-free pages: a project's upcoming sessions and the request form for an
individual session, at an opaque address (PublicListing.token, never the project's slug).

They set no cookie: no session, no messages, no CSRF cookie. The request form is protected
from cross-site posting without one: the browser's Origin (or Sec-Fetch-Site) must be this
site, and the form carries a signed, time-limited token naming this listing. Django's cookie
check is switched off for this one view because those two checks replace it. A honeypot field
and a per-address limit in the database (it must hold while Redis is down) keep robots out.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from coproduction.access import get_scoped, public_view
from coproduction.engagement import actions
from coproduction.engagement.forms import SessionRequestForm
from coproduction.models import Event, PublicListing

FORM_SALT = "coproduction.engagement.session-request"
FORM_MAX_AGE = 4 * 60 * 60  # a form left open longer is shown again with a fresh token


def _listing(token: str) -> PublicListing:
    """The active listing with this token, or 404; times on the page are in its project's zone."""
    listing = get_scoped(PublicListing.objects.filter(active=True).select_related("project"), token=token)
    timezone.activate(listing.project.tzinfo)
    return listing


def form_token(listing: PublicListing) -> str:
    return signing.dumps(listing.token, salt=FORM_SALT)


def form_token_valid(listing: PublicListing, value: str) -> bool:
    try:
        return signing.loads(value, salt=FORM_SALT, max_age=FORM_MAX_AGE) == listing.token
    except signing.BadSignature:  # includes SignatureExpired
        return False


def from_this_site(request) -> bool:
    """The post came from a page of this site. Browsers send Origin on every POST (and
    Sec-Fetch-Site); a request with neither is not a browser on another site posting."""
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return origin == f"{request.scheme}://{request.get_host()}" or origin in settings.CSRF_TRUSTED_ORIGINS
    return request.headers.get("Sec-Fetch-Site", "same-origin") in {"same-origin", "none"}


def client_address(request) -> str:
    """The address the rate limit counts. Behind the proxy (BEHIND_PROXY) that is the last hop
    the proxy added to X-Forwarded-For; anything before it was written by the client."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _private(response):
    add_never_cache_headers(response)
    return response


@public_view
@require_GET
def sessions(request, token):
    listing = _listing(token)
    project = listing.project
    # Individual sessions are private appointments: never listed.
    upcoming = (
        Event.objects.upcoming()
        .filter(project=project)
        .exclude(kind=Event.Kind.INDIVIDUAL)
        .select_related("venue")
        .order_by("starts_at")
    )
    return _private(
        render(request, "engagement/public_sessions.html", {"listing": listing, "project": project, "events": upcoming})
    )


@public_view
@csrf_exempt  # replaced by from_this_site() and the signed form token: see the module docstring
@require_http_methods(["GET", "POST"])
def session_request(request, token):
    listing = _listing(token)
    # Bound on every POST, an empty one included, so a refusal can always be shown on the form.
    form = SessionRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not from_this_site(request):
            raise PermissionDenied
        if not actions.note_attempt(client_address(request)):
            form.is_valid()  # keeps what was typed on the page
            form.add_error(None, "Too many requests have come from this connection. Please try again in an hour.")
            status = 429
        elif not form_token_valid(listing, request.POST.get("form_token", "")):
            form.is_valid()
            form.add_error(None, "This form was open for a long time. Check your details and send it again.")
        elif form.is_robot:
            return redirect("engagement_public:request_sent", token=listing.token)
        elif form.is_valid():
            actions.request_individual_session(
                project=listing.project,
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
                contact_is_phone=form.contact_is_phone,
                preferred_time=form.cleaned_data["preferred_time"],
                wants_updates=form.cleaned_data["wants_updates"],
            )
            return redirect("engagement_public:request_sent", token=listing.token)
    context = {"listing": listing, "project": listing.project, "form": form, "form_token": form_token(listing)}
    return _private(render(request, "engagement/public_request.html", context, status=status))


@public_view
@require_GET
def request_sent(request, token):
    listing = _listing(token)
    return _private(render(request, "engagement/public_request_sent.html", {"listing": listing, "project": listing.project}))
