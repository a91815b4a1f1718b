"""The access-control matrix: every URL × anonymous and every role, in the project and in
another project, each with its expected outcome.

Expected outcomes come from the rule each view declares (coproduction.access: project_view,
signed_in_view, public_view). Each app says how to build a URL's arguments and any per-role
exception in tests/<app>/access_rules.py:

    RULES = {"interviews:detail": lambda world: Case(kwargs={"pk": ...}, expect={...})}

A URL whose view declares no rule, or that takes arguments with no Case, fails the suite.
"""

import fnmatch
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

ACTORS = [
    "anonymous",
    "coordinator",
    "peer_researcher",
    "analyst",
    "supervisor",
    "outsider_coordinator",
    "outsider_peer_researcher",
    "outsider_analyst",
    "outsider_supervisor",
]
LOGIN = "login"  # a redirect to the sign-in page


@dataclass
class Case:
    kwargs: dict = field(default_factory=dict)
    method: str = "get"
    data: dict = field(default_factory=dict)
    # Per-actor expectation overriding the declared rule: a status code, or LOGIN.
    expect: dict = field(default_factory=dict)
    # Status codes that count as "allowed" for actors the rule lets in.
    allowed: tuple = (200,)


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    callback: Callable
    keys: tuple[str, ...]


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            yield from walk(entry, prefix + str(entry.pattern), f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            pattern = prefix + str(entry.pattern)
            keys = tuple(entry.pattern.converters) if hasattr(entry.pattern, "converters") else ()
            keys = tuple(sorted(set(keys) | set(_prefix_keys(prefix))))
            yield Route(f"{namespace}{entry.name}", pattern, entry.callback, keys)


def _prefix_keys(prefix: str) -> list[str]:
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", prefix)


def routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for route in walk():
        seen.setdefault(route.name, route)
    return sorted(seen.values(), key=lambda r: r.name)


def load_rules() -> dict[str, Callable]:
    rules: dict[str, Callable] = {}
    for path in sorted(Path(__file__).parent.glob("*/access_rules.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.access_rules")
        for name, rule in module.RULES.items():
            if name in rules:
                raise AssertionError(f"Two access rules for {name}")
            rules[name] = rule
    return rules


# Third-party areas, declared as groups: allauth's own pages (sign-in, MFA, password) and the
# operations admin. They are checked for "no server error and no project data" with every actor.
GROUPS = {
    "account_*": "allauth",
    "mfa_*": "allauth",
    "admin:*": "admin",
}


def group_of(name: str) -> str | None:
    for pattern, group in GROUPS.items():
        if fnmatch.fnmatch(name, pattern):
            return group
    return None
