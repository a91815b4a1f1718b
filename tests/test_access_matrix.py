import pytest
from django.urls import reverse

from tests.access import ACTORS, LOGIN, Case, group_of, load_rules, routes
from tests.conftest import build_world

RULES = load_rules()
ROUTES = routes()


def expected(rule, actor: str, case: Case):
    if actor in case.expect:
        return case.expect[actor]
    if rule.kind == "public":
        return "allowed"
    if actor == "anonymous":
        return LOGIN
    if rule.kind == "signed_in":
        return "allowed"
    if actor.startswith("outsider_"):
        return 404
    return "allowed" if actor in rule.roles else 403


def user_for(world, actor: str):
    if actor == "anonymous":
        return None
    if actor.startswith("outsider_"):
        return world.outsiders[actor.removeprefix("outsider_")]
    return world.members[actor]


def test_every_url_has_a_rule():
    missing = []
    for route in ROUTES:
        if group_of(route.name):
            continue
        rule = getattr(route.callback, "access_rule", None)
        if rule is None:
            missing.append(f"{route.name}: the view declares no access rule")
        elif set(route.keys) - {"slug"} and route.name not in RULES:
            missing.append(f"{route.name}: takes {route.keys} but tests/<app>/access_rules.py has no Case")
    stale = set(RULES) - {r.name for r in ROUTES}
    assert not missing, "\n".join(missing)
    assert not stale, f"access rules for URLs that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("route", [r for r in ROUTES if not group_of(r.name)], ids=lambda r: r.name)
def test_access(route, db, client, settings):
    rule = route.callback.access_rule
    world = build_world()
    case = RULES[route.name](world) if route.name in RULES else Case()
    kwargs = dict(case.kwargs)
    if "slug" in route.keys:
        kwargs.setdefault("slug", world.project.slug)
    url = reverse(route.name, kwargs=kwargs)
    problems = []
    for actor in ACTORS:
        client.logout()
        user = user_for(world, actor)
        if user is not None:
            client.force_login(user)
        response = getattr(client, case.method)(url, case.data)
        want = expected(rule, actor, case)
        got = response.status_code
        if want == LOGIN:
            ok = got == 302 and reverse("account_login") in response["Location"]
        elif want == "allowed":
            ok = got in case.allowed
        else:
            ok = got == want
        if not ok:
            problems.append(f"{actor}: expected {want}, got {got}")
    assert not problems, f"{route.name} ({url}):\n" + "\n".join(problems)


@pytest.mark.parametrize("route", [r for r in ROUTES if group_of(r.name)], ids=lambda r: r.name)
def test_third_party_pages(route, db, client):
    """allauth and the admin: never a server error; the admin refuses everyone who is not staff."""
    world = build_world()
    kwargs = {key: "1" if key.endswith("id") else "x" for key in route.keys}
    try:
        url = reverse(route.name, kwargs=kwargs)
    except Exception:
        pytest.skip("pattern needs arguments of another shape")
    for actor in ACTORS:
        client.logout()
        user = user_for(world, actor)
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code < 500, f"{actor}: {response.status_code}"
        if group_of(route.name) == "admin" and route.name != "admin:login":
            assert response.status_code in (302, 404), f"{actor} reached the admin: {response.status_code}"
