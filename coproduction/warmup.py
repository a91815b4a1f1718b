"""Work a web process does once, at boot, rather than in somebody's first request.

Measured on a fresh process (2 shared cores): the first theme × cohort page took 2.6-3.5 s and
the first PDF report 2-6 s, against 0.1-0.8 s and 1-2 s once warm. The time went on imports and
one-off set-up, not on the data: the URL conf and the views it imports (~2 s), matplotlib's
modules (~2.5 s; it builds its artist docstrings at import), WeasyPrint's modules (~2.8 s: cffi
bindings to Pango and fontconfig) and its first render (fontconfig's font list, ~0.2 s).

`coproduction/wsgi.py` calls `warm_up()` once the application is built, so gunicorn's workers and
`runserver` pay it while starting instead; then what boot loaded is frozen for the garbage
collector (it is never garbage). Tests, management commands and Celery workers do not
load wsgi.py and so never pay it. `make bench` measures the first request with and without it.
"""

import gc
import io
import logging
import time

log = logging.getLogger(__name__)


def warm_up() -> float:
    """Load what a first request would; returns the seconds it took. Never fails the boot."""
    started = time.perf_counter()
    try:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 (imports every view module)
        get_resolver()._populate()

        from weasyprint import HTML

        from coproduction.analysis import report
        from coproduction.pdf import LocalOnlyFetcher

        Figure, _ = report.figure_tools()  # matplotlib on the Agg backend
        figure = Figure(figsize=(2, 1))
        axes = figure.add_subplot()
        axes.bar_label(axes.barh([0], [1], label="ready"), labels=["1"])  # text: loads the font
        axes.legend()
        figure.savefig(io.BytesIO(), format="png")
        HTML(string="<p>Ready</p>", url_fetcher=LocalOnlyFetcher(), base_url=None).write_pdf(io.BytesIO())
    except Exception:  # a warm-up that fails must not stop the site: the first request pays instead
        log.exception("warm-up failed")
    # Everything loaded so far lives as long as the process: out of the garbage collector's
    # sight (gc.freeze), a full collection walks only what requests made since. Unfrozen, the
    # collections of one theme-list request walked every module and view (3.6 ms of about 28).
    gc.freeze()
    seconds = time.perf_counter() - started
    log.info("warm-up done in %.2f s", seconds)
    return seconds
