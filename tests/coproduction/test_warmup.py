"""A web process loads at boot what the first request would otherwise pay for (2.6 s on the first
theme × cohort page, 2 s on the first PDF report: imports and font set-up, measured by
`make bench`), and the chart on the matrix page no longer imports WeasyPrint at all. Setting up
Django loads none of the heavy libraries (numpy, openpyxl, textstat, matplotlib, WeasyPrint):
an export process or a worker imports each when it first needs it (the PDF report's peak memory
at 200,000 codings fell from 204 MB to 155 MB)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduction.settings")
import django
django.setup()
heavy = sorted(m for m in ("numpy", "openpyxl", "textstat", "matplotlib", "weasyprint") if m in sys.modules)
assert not heavy, f"setting up imported {heavy}: every export process and worker pays for them"
from coproduction.analysis import report
assert "matplotlib" not in sys.modules, "the report module imported matplotlib before any chart was drawn"
report.figure_tools()
assert "weasyprint" not in sys.modules, "drawing the matrix chart imported WeasyPrint"
assert "matplotlib.figure" in sys.modules
import gc
assert gc.get_freeze_count() == 0
import coproduction.wsgi
from django.urls import get_resolver
assert "weasyprint" in sys.modules and get_resolver()._populated, "wsgi.py did not warm up"
assert gc.get_freeze_count() > 100_000, "what boot loaded is still walked by every full collection"
print("ok")
"""


def test_the_matrix_chart_needs_no_weasyprint_and_wsgi_warms_up_what_first_requests_need():
    env = {"DEBUG": "true", "LOG_LEVEL": "WARNING", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
