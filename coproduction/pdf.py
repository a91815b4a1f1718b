"""WeasyPrint's one way in: a URL fetcher that reaches nothing but inline data: URIs.

Kept apart from the chart code so that a page drawing a chart (the theme × cohort matrix) does
not import WeasyPrint (about a second and a half on a cold process): only a PDF does.
"""

from weasyprint.urls import URLFetcher


class RemoteFetchRefused(ValueError):
    pass


class LocalOnlyFetcher(URLFetcher):
    """Only inline data: URIs; a report never reaches a server, ours or anyone's, nor a file."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=True)

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            raise RemoteFetchRefused(f"The report does not fetch {url[:40]}")
        return super().fetch(url, headers)
