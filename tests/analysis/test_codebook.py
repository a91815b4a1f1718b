"""The codebook: themes with stable GUIDs, hierarchy, rename/move/merge/retire, proposals."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coproduction.analysis import actions
from coproduction.models import AuditEvent, Coding, Memo, Theme
from tests.analysis.factories import ThemeFactory, code, make_document


def url(world, name, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"slug": world.project.slug, **kwargs})


def test_analyst_adds_a_theme_under_a_parent(world, client_for):
    parent = ThemeFactory(project=world.project, name="Street safety")
    response = client_for(world.analyst).post(
        url(world, "themes"), {"name": "Harassment", "description": "Being followed", "colour": "#942514", "parent": parent.pk}
    )
    assert response.status_code == 302
    theme = Theme.objects.get(name="Harassment")
    assert theme.parent == parent and theme.status == Theme.Status.ACTIVE and theme.guid
    assert AuditEvent.objects.filter(action="theme.created", object_id=str(theme.pk)).exists()


def test_bad_theme_form_keeps_what_was_typed(world, client_for):
    response = client_for(world.analyst).post(url(world, "themes"), {"name": "Lighting", "colour": "red"})
    assert response.status_code == 200
    assert "There is a problem" in response.text and 'value="Lighting"' in response.text
    assert not Theme.objects.exists()


def test_peer_researcher_proposes_and_analyst_accepts(world, client_for):
    client = client_for(world.peer)
    client.post(url(world, "themes"), {"name": "Outreach hubs", "colour": "#00703c"})
    theme = Theme.objects.get(name="Outreach hubs")
    assert theme.status == Theme.Status.PROPOSED and theme.proposed_by == world.peer
    # The peer cannot decide on it.
    assert client.post(url(world, "theme_status", pk=theme.pk), {"action": "accept"}).status_code == 403
    client_for(world.analyst).post(url(world, "theme_status", pk=theme.pk), {"action": "accept"})
    theme.refresh_from_db()
    assert theme.status == Theme.Status.ACTIVE


def test_declining_a_proposal_removes_its_codings(world):
    theme = actions.create_theme(project=world.project, name="Odd one", by=world.peer, proposed=True)
    document = make_document(world.project)
    code(document, 0, 12, [theme], world.peer)
    actions.decline_proposal(theme, by=world.analyst)
    assert theme.status == Theme.Status.DECLINED and not Coding.objects.filter(theme=theme).exists()


def test_peer_cannot_edit_a_theme(world, client_for):
    theme = ThemeFactory(project=world.project, name="Policing")
    response = client_for(world.peer).post(url(world, "theme", pk=theme.pk), {"theme-name": "Renamed", "theme-colour": "#000000"})
    assert response.status_code == 403
    theme.refresh_from_db()
    assert theme.name == "Policing"


def test_rename_and_move_keep_the_guid(world, client_for):
    parent = ThemeFactory(project=world.project, name="Infrastructure")
    theme = ThemeFactory(project=world.project, name="Lamps")
    guid = theme.guid
    response = client_for(world.analyst).post(
        url(world, "theme", pk=theme.pk),
        {
            "theme-name": "Street lighting",
            "theme-description": "Lamps, dark paths",
            "theme-colour": "#f47738",
            "theme-parent": parent.pk,
        },
    )
    assert response.status_code == 302
    theme.refresh_from_db()
    assert (theme.name, theme.parent, theme.guid) == ("Street lighting", parent, guid)


def test_a_theme_cycle_is_refused(world, client_for):
    top = ThemeFactory(project=world.project, name="Top")
    middle = ThemeFactory(project=world.project, name="Middle", parent=top)
    bottom = ThemeFactory(project=world.project, name="Bottom", parent=middle)
    with pytest.raises(ValidationError):
        actions.update_theme(top, by=world.analyst, parent=bottom)
    response = client_for(world.analyst).post(
        url(world, "theme", pk=top.pk), {"theme-name": "Top", "theme-colour": "#1d70b8", "theme-parent": bottom.pk}
    )
    assert response.status_code == 200 and "cannot sit inside itself" in response.text
    top.refresh_from_db()
    assert top.parent is None


def test_merge_moves_codings_memos_and_children(world, client_for):
    source = ThemeFactory(project=world.project, name="Lights")
    target = ThemeFactory(project=world.project, name="Lighting")
    child = ThemeFactory(project=world.project, name="Underpass", parent=source)
    document = make_document(world.project)
    code(document, 0, 12, [source, target], world.analyst)  # both on one excerpt: merged to one
    code(document, 19, 30, [source], world.analyst)
    Memo.objects.create(project=world.project, theme=source, author=world.analyst, text="Note")
    response = client_for(world.analyst).post(url(world, "theme_status", pk=source.pk), {"action": "merge", "target": target.pk})
    assert response.status_code == 302
    source.refresh_from_db()
    child.refresh_from_db()
    assert source.status == Theme.Status.MERGED and source.merged_into == target
    assert Coding.objects.filter(theme=target).count() == 2 and not Coding.objects.filter(theme=source).exists()
    assert child.parent == target and target.memos.count() == 1
    assert "Merged into" in client_for(world.analyst).get(url(world, "theme", pk=source.pk)).text


def test_merge_into_own_child_is_refused(world):
    parent = ThemeFactory(project=world.project)
    child = ThemeFactory(project=world.project, parent=parent)
    with pytest.raises(ValidationError):
        actions.merge_themes(parent, child, by=world.analyst)


def test_retire_keeps_codings_but_hides_from_coding(world, client_for):
    theme = ThemeFactory(project=world.project, name="Old")
    document = make_document(world.project)
    code(document, 0, 12, [theme], world.analyst)
    client_for(world.analyst).post(url(world, "theme_status", pk=theme.pk), {"action": "retire"})
    theme.refresh_from_db()
    assert theme.status == Theme.Status.RETIRED and Coding.objects.filter(theme=theme).exists()
    page = client_for(world.analyst).get(url(world, "document", pk=document.pk))
    assert f'value="{theme.pk}"' not in page.text
    assert "Retired themes" in client_for(world.analyst).get(url(world, "themes")).text
    client_for(world.analyst).post(url(world, "theme_status", pk=theme.pk), {"action": "restore"})
    theme.refresh_from_db()
    assert theme.status == Theme.Status.ACTIVE


def test_theme_drill_down_shows_quotes(corpus, client_for):
    world = corpus
    response = client_for(world.analyst).get(url(world, "theme", pk=world.extra["safety"].pk))
    assert response.status_code == 200
    assert "I do not feel safe." in response.text and "Streets feel unsafe at night." in response.text


def test_another_projects_theme_is_404(world, client_for):
    elsewhere = ThemeFactory(project=world.other_project)
    client = client_for(world.analyst)
    assert client.get(url(world, "theme", pk=elsewhere.pk)).status_code == 404
    assert client.post(url(world, "theme_status", pk=elsewhere.pk), {"action": "retire"}).status_code == 404
    assert client.post(url(world, "theme_memo", pk=elsewhere.pk), {"text": "x"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == Theme.Status.ACTIVE


def test_supervisor_sees_no_analysis(world, client_for):
    theme = ThemeFactory(project=world.project)
    client = client_for(world.supervisor)
    for name, kwargs in [("themes", {}), ("theme", {"pk": theme.pk}), ("matrix", {}), ("export", {}), ("documents", {})]:
        assert client.get(url(world, name, **kwargs)).status_code == 403


def test_memo_on_a_theme(world, client_for):
    theme = ThemeFactory(project=world.project)
    client_for(world.analyst).post(url(world, "theme_memo", pk=theme.pk), {"text": "Shared by both cohorts."})
    assert theme.memos.get().text == "Shared by both cohorts."
    client_for(world.analyst).post(url(world, "theme_memo", pk=theme.pk), {"text": "   "})
    assert theme.memos.count() == 1


def test_order_sets_the_position_among_siblings(world, client_for):
    client = client_for(world.analyst)
    client.post(url(world, "themes"), {"name": "Second", "colour": "#1d70b8", "order": "5"})
    client.post(url(world, "themes"), {"name": "First", "colour": "#1d70b8", "order": "1"})
    page = client.get(url(world, "themes")).text
    assert page.index(">First<") < page.index(">Second<")


def test_dashboard_tells_analysts_about_proposed_themes(world, client_for):
    actions.create_theme(project=world.project, name="Proposal", by=world.peer, proposed=True)
    dashboard = reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})
    assert "1 theme proposed by peer researchers" in client_for(world.analyst).get(dashboard).text
    assert "proposed by peer researchers" not in client_for(world.supervisor).get(dashboard).text


@pytest.mark.parametrize("name", ['\x01=HYPERLINK("http://evil.example/","Open")', "Bad \x00 name", "Lost \ufffd bytes"])
def test_theme_names_must_be_readable_text_when_created_or_renamed(world, client_for, name):
    client = client_for(world.analyst)
    response = client.post(url(world, "themes"), {"name": name, "colour": "#1d70b8"})
    assert response.status_code == 200 and "There is a problem" in response.text
    assert "control characters" in response.text or "could not be read" in response.text
    assert not Theme.objects.exists()
    theme = ThemeFactory(project=world.project, name="Lighting")
    response = client.post(url(world, "theme", pk=theme.pk), {"theme-name": name, "theme-colour": "#1d70b8"})
    assert response.status_code == 200 and "There is a problem" in response.text
    theme.refresh_from_db()
    assert theme.name == "Lighting"


def test_a_memo_with_control_characters_is_refused_with_the_reason(world, client_for):
    theme = ThemeFactory(project=world.project)
    response = client_for(world.analyst).post(url(world, "theme_memo", pk=theme.pk), {"text": "=cmd\x01"}, follow=True)
    assert "control characters" in response.text and not theme.memos.exists()
