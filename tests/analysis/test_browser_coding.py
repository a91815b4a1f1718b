"""Coding in a real browser: a mouse selection across an emoji becomes code-point offsets; the
same passage can be coded with the keyboard from the list of sentences; every page passes axe."""

import pytest

from coproduction.models import Excerpt, Role
from tests.analysis.factories import ThemeFactory, make_document
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "Café 🙂 is safe. The lamp is dark.\n\nOutreach helps."

# Drag the mouse from the first to the last character of `phrase` inside the coding text.
DRAG_POINTS = """(phrase) => {
  const box = document.querySelector('[data-coding-text]');
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(phrase);
    if (at >= 0) {
      const first = document.createRange(); first.setStart(node, at); first.setEnd(node, at + 1);
      const last = document.createRange(); last.setStart(node, at + phrase.length - 1); last.setEnd(node, at + phrase.length);
      const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
      return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
    }
  }
  return null;
}"""


def test_code_with_the_mouse_then_with_the_keyboard(page, sign_in, axe_check, project):
    analyst = member(project, Role.ANALYST, display_name="Priya")
    theme = ThemeFactory(project=project, name="Lighting and infrastructure")
    ThemeFactory(project=project, name="Support services")
    document = make_document(project, text=TEXT)
    sign_in(page, analyst)

    page.goto(f"/p/{project.slug}/analysis/documents/{document.pk}/")
    axe_check(page)
    x1, y1, x2, y2 = page.evaluate(DRAG_POINTS, "The lamp is dark.")
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=5)
    page.mouse.up()
    status = page.locator("[data-selection-status]")
    assert "The lamp is dark." in status.inner_text()
    # "Café 🙂 is safe. " is 16 code points but 17 UTF-16 units: the form must say 16.
    assert page.locator("input[name=start]").input_value() == "16"
    assert page.locator("input[name=end]").input_value() == "33"
    page.get_by_label("Lighting and infrastructure").check()
    page.get_by_role("button", name="Code passage").click()
    page.wait_for_url(f"**/analysis/documents/{document.pk}/")
    assert "The passage was coded." in page.locator(".govuk-notification-banner, .govuk-panel, main").first.inner_text()
    excerpt = Excerpt.objects.get()
    assert (excerpt.start, excerpt.end, excerpt.quote) == (16, 33, "The lamp is dark.")
    assert list(excerpt.codings.values_list("theme", flat=True)) == [theme.pk]
    axe_check(page)

    # Keyboard only: choose the sentence from the list, tick the theme with Space, press Enter.
    page.get_by_label("Passage to code").focus()
    page.get_by_label("Passage to code").select_option(label="Sentence: Outreach helps.")
    page.get_by_label("Support services").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Code passage").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Excerpt.objects.count() == 2
    assert Excerpt.objects.order_by("pk").last().quote == "Outreach helps."

    for path in ["", "matrix/", f"themes/{theme.pk}/", "exports/"]:
        page.goto(f"/p/{project.slug}/analysis/{path}")
        axe_check(page)


def test_export_progress_page_shows_the_download_when_ready(page, sign_in, axe_check, project, settings, tmp_path):
    from coproduction.analysis.tasks import run_export_job
    from coproduction.models import ExportJob

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    analyst = member(project, Role.ANALYST)
    ThemeFactory(project=project, name="Policing")
    job = ExportJob.objects.create(project=project, requested_by=analyst, format=ExportJob.Format.QDC)
    sign_in(page, analyst)
    page.goto(f"/p/{project.slug}/analysis/exports/{job.pk}/")
    axe_check(page)
    download = page.get_by_role("link", name="Download the file")
    assert not download.is_visible()
    run_export_job(job.pk)  # the worker finishes; the page learns it by polling, without a reload
    download.wait_for(state="visible")
    assert page.locator("[data-export-status]").inner_text() == "Ready"
    assert page.locator("progress").evaluate("bar => bar.value") == 100
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename == f"{project.slug}-codebook.qdc"
