"""The product's addresses, and the bench's bare page (never in the product's URLconf)."""

from django.http import HttpResponse
from django.urls import include, path

from coproduction.access import signed_in_view


@signed_in_view
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("", include("coproduction.urls"))]
