"""The public "we asked, you said, we did" pages at /s/<public id>/: no sign-in, no cookie,
nothing third-party, cacheable. Each shows a stored version as it was published: nothing here
reads the project's live data."""

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from coproduction.access import get_scoped, public_view
from coproduction.models import Publication, PublishedVersion

CACHE_SECONDS = 300


def _public(response):
    # The same for everyone and never personal: shared caches may keep it a few minutes.
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _publication(public_id: str) -> Publication:
    return get_scoped(Publication.objects.select_related("project"), public_id=public_id)


@public_view
@require_GET
def latest(request, public_id):
    publication = _publication(public_id)
    version = publication.live_version()
    if version is None:
        raise Http404
    return _page(request, publication, version)


@public_view
@require_GET
def version(request, public_id, number):
    publication = _publication(public_id)
    shown = get_scoped(PublishedVersion.objects.filter(publication=publication), number=number)
    if not shown.is_live:
        return _public(render(request, "publication/public_withdrawn.html", {"version": shown}, status=410))
    return _page(request, publication, shown)


def _page(request, publication, shown):
    others = publication.versions.filter(unpublished_at__isnull=True).exclude(pk=shown.pk).order_by("-number")
    latest_number = publication.live_version().number
    return _public(
        render(
            request,
            "publication/public.html",
            {"publication": publication, "version": shown, "others": others, "is_latest": shown.number == latest_number},
        )
    )
