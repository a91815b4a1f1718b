"""Every form, fuzzed: no server error and nothing half-saved, whatever is typed.

For each role, the test signs in, opens every page of the URL conf it may open (the access
matrix's cases give the ids), and collects every form on them (POST forms, and the GET filter
forms). Each form is then posted:

1. a sweep: the form as a person would fill it in, with every field of one kind at a time
   (dates, numbers, choices, text) set to each boundary value: empty, NUL and other control
   characters, a live formula, U+FFFD, a huge string, 0001-01-01 and 9999-12-31 (with and
   without a time), negative and huge numbers, a list where one value is expected;
2. random values from hypothesis (any unicode text, integers, the boundary values, the
   form's own choices), a few examples per form, derandomised so CI sees the same ones.

URLs that take POST but have no form on any page (the notes autosave, keep-alive, status
buttons) are posted random field sets as well.

Each post runs inside a savepoint that is rolled back, so every example starts from the same
data. A response counts as refused when it is a 4xx, or a page showing the error summary; for
those, the number of rows of every model must be what it was before (nothing half-saved).
"""

import itertools
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import html

from coproduction.models import AuditEvent
from tests.access import Case, group_of, load_rules, routes
from tests.conftest import build_world

pytestmark = pytest.mark.django_db

RULES = load_rules()
ROUTES = routes()
ROLES = ["coordinator", "peer_researcher", "analyst", "supervisor"]
RANDOM_EXAMPLES = 3
# Never posted: signing out ends the fuzzing session, and the admin is for operations staff.
SKIPPED = {"account_logout"}
# Rows these tables gain on a refused request are not half-saved work: sessions, the public
# request form's rate-limit counter (a refused post must count, or a flood of bad posts would go
# unlimited), and audit rows that record a read (a review page shown again after a refusal
# shows the draft again).
UNCOUNTED = {"sessions.session", "coproduction.requestattempt"}
READS = ("notes.read", "notes.opened")

HUGE = "x" * 200_000
FORMULA = '\x01=HYPERLINK("http://evil.example/","Open")'
TEXT_VALUES = ["", "a\x00b", FORMULA, "\ufffd", "\u202e\u0645\u0631\u062d\u0628\u0627", HUGE]
DATE_VALUES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30", "24:60"]
NUMBER_VALUES = ["-1", "-2147483649", "99999999999999999999", "1e309", "\u0661\u0662", ""]
CHOICE_VALUES = ["", "-1", "99999999999999999999", "\x00"]
BOUNDARY = TEXT_VALUES + DATE_VALUES + NUMBER_VALUES + CHOICE_VALUES
# Names posted to URLs that have no form on a page.
KNOWN_NAMES = ["action", "status", "text", "attended", "present", "target", "version", "finding", "reason", "decision"]


@dataclass
class Field:
    name: str
    kind: str  # "text", "date", "number", "choice", "file", "hidden"
    baseline: object
    options: list = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field]
    page: str

    @property
    def signature(self) -> tuple:
        try:
            target = resolve(urlsplit(self.action).path).url_name
        except Resolver404:
            target = self.action
        return (self.method, target, tuple(sorted(f.name for f in self.fields)))


def _sane_day(offset: int = 7) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def parse_forms(page_url: str, body: str) -> Iterator[Form]:
    """Every form of a page, with a baseline that fills it in as a person would."""
    document = html.fromstring(body)
    for element in document.forms:
        method = (element.get("method") or "get").lower()
        action = element.get("action") or page_url
        fields: dict[str, Field] = {}
        times = itertools.count()
        for control in element.xpath(".//input|.//select|.//textarea|.//button"):
            name = control.get("name")
            if not name or control.get("disabled") is not None:
                continue
            tag, kind = control.tag, (control.get("type") or "text").lower()
            if tag == "button" or kind in {"submit", "image"}:
                existing = fields.setdefault(name, Field(name, "choice", control.get("value", "")))
                existing.options.append(control.get("value", ""))
                continue
            if name == "csrfmiddlewaretoken":
                continue
            if tag == "select":
                options = [o.get("value", o.text_content()) for o in control.xpath(".//option")]
                chosen = [o.get("value", o.text_content()) for o in control.xpath(".//option[@selected]")]
                real = [o for o in options if o]
                baseline = (chosen or real or [""])[0]
                fields[name] = Field(name, "choice", baseline, options, control.get("multiple") is not None)
            elif tag == "textarea":
                fields[name] = Field(name, "text", control.text_content() or "Some words.")
            elif kind in {"checkbox", "radio"}:
                # A box or button group: the baseline is the one checked, else the first (ticking
                # every box would make a 1-1 session for everyone, refused before going deep).
                value = control.get("value", "on")
                existing = fields.get(name)
                if existing is None:
                    existing = fields[name] = Field(name, "choice", value, multiple=kind == "checkbox")
                elif control.get("checked") is not None:
                    existing.baseline = value
                existing.options.append(value)
            elif kind == "file":
                fields[name] = Field(name, "file", b"")
            elif kind == "hidden":
                fields[name] = Field(name, "hidden", control.get("value", ""))
            elif kind == "date":
                fields[name] = Field(name, "date", control.get("value") or _sane_day())
            elif kind == "time":
                fields[name] = Field(name, "date", control.get("value") or f"{10 + next(times):02d}:00")
            elif kind == "datetime-local":
                fields[name] = Field(name, "date", control.get("value") or f"{_sane_day()}T10:00")
            elif kind == "number":
                fields[name] = Field(name, "number", control.get("value") or control.get("min") or "1")
            elif kind == "email":
                fields[name] = Field(name, "text", control.get("value") or "someone@example.org")
            elif kind == "password":
                fields[name] = Field(name, "text", "a-long-fuzz-password-42")
            else:
                fields[name] = Field(name, "text", control.get("value") or "Some words")
        yield Form(action, method, list(fields.values()), page_url)


def encode(form: Form, values: dict) -> dict:
    data = {}
    for name, value in values.items():
        spec = next((f for f in form.fields if f.name == name), None)
        if spec is not None and spec.kind == "file":
            content = value if isinstance(value, bytes) else str(value).encode("utf-8", "replace")
            data[name] = SimpleUploadedFile("codebook.qdc", content, content_type="application/xml")
        elif value is not None:
            data[name] = value
    return data


def baseline(form: Form) -> dict:
    values = {}
    for spec in form.fields:
        values[spec.name] = [spec.baseline] if spec.multiple and spec.baseline != "" else spec.baseline
    return values


def sweep(form: Form) -> Iterator[dict]:
    """The baseline with every field of one kind set to each boundary value, one kind at a time."""
    yield baseline(form)
    by_kind = {
        "date": DATE_VALUES + TEXT_VALUES[:2],
        "number": NUMBER_VALUES,
        "choice": CHOICE_VALUES,
        "text": TEXT_VALUES,
        "hidden": ["", "-1", "99999999999999999999", "\x00"],
        "file": [b"", b"\x00" * 10, b"<CodeBook><Codes><Code", FORMULA.encode()],
    }
    for kind, candidates in by_kind.items():
        names = [f.name for f in form.fields if f.kind == kind]
        if not names:
            continue
        for value in candidates:
            values = baseline(form)
            values.update(dict.fromkeys(names, value))
            yield values
    values = baseline(form)
    for spec in form.fields:  # one value where a list is expected, two where one is
        if spec.kind != "file":
            values[spec.name] = [spec.baseline, "99999999999999999999"]
    yield values
    yield {}


def field_strategy(spec: Field):
    hostile = st.one_of(st.sampled_from(BOUNDARY), st.text(max_size=40), st.integers().map(str))
    if spec.kind == "file":
        return st.one_of(st.binary(max_size=200), st.sampled_from([b"", FORMULA.encode()]))
    choices = [st.just(spec.baseline), hostile, st.none()]
    if spec.options:
        choices.append(st.sampled_from(spec.options))
        choices.append(st.lists(st.sampled_from(spec.options + BOUNDARY[:4]), max_size=3))
    return st.one_of(*choices)


def row_counts() -> dict[str, int]:
    """Rows of every model, in one query."""
    models = [m for m in apps.get_models() if m._meta.label_lower not in UNCOUNTED and m._meta.managed]
    quote = connection.ops.quote_name
    reads = ", ".join(f"'{action}'" for action in READS)

    def count(model) -> str:
        where = f" WHERE {quote('action')} NOT IN ({reads})" if model is AuditEvent else ""
        return f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)}{where})"

    parts = ", ".join(count(m) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")  # noqa: S608 — table names from the models
        counts = cursor.fetchone()
    return {m._meta.label: n for m, n in zip(models, counts, strict=True)}


def refused(response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    content_type = response.get("Content-Type", "")
    if response.status_code == 200 and "text/html" in content_type and not response.streaming:
        return b"govuk-error-summary" in response.content
    return False


def _short(values: dict) -> str:
    shown = {k: (v[:40] + f"…({len(v)})" if isinstance(v, str | bytes) and len(v) > 40 else v) for k, v in values.items()}
    return repr(shown)[:400]


@dataclass
class Fuzzer:
    client: object
    user: object
    problems: list[str] = field(default_factory=list)
    posts: int = 0
    # Every post is rolled back, so the counts before each post of one form are the same.
    before: dict | None = None

    def submit(self, form: Form, values: dict) -> None:
        self.posts += 1
        method = self.client.post if form.method == "post" else self.client.get
        data = encode(form, values)
        if form.method != "post":
            data = {k: v for k, v in data.items() if not isinstance(v, SimpleUploadedFile)}
        try:
            with transaction.atomic():
                before = self.before = self.before or row_counts()
                response = method(form.action, data)
                after = row_counts() if refused(response) else before
                transaction.set_rollback(True)
        except Exception as error:  # the test client re-raises a view's exception: a 500
            where = traceback.extract_tb(error.__traceback__)[-1]
            self.problems.append(
                f"500 {type(error).__name__}: {error} at {where.filename}:{where.lineno}\n"
                f"    {form.method.upper()} {form.action} (form on {form.page}) {_short(values)}"
            )
            return
        if response.status_code >= 500:
            self.problems.append(f"{response.status_code} {form.method.upper()} {form.action} {_short(values)}")
        elif before != after:
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            self.problems.append(
                f"half-saved ({response.status_code}): {changed}\n    {form.method.upper()} {form.action} {_short(values)}"
            )

    def fuzz(self, form: Form) -> None:
        self.before = None
        for values in sweep(form):
            self.submit(form, values)
        strategy = st.fixed_dictionaries({spec.name: field_strategy(spec) for spec in form.fields})

        @settings(
            max_examples=RANDOM_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(values=strategy)
        def random_values(values):
            self.submit(form, values)

        random_values()
        self.client.force_login(self.user)  # a form may have signed the person out


def pages(world, role: str) -> Iterator[tuple[str, object]]:
    """(url, access rule) of every page of the URL conf, with the matrix's ids."""
    for route in ROUTES:
        if route.name in SKIPPED or group_of(route.name) == "admin":
            continue
        if group_of(route.name) == "allauth":
            try:
                url = reverse(route.name)
            except NoReverseMatch:  # a page that needs a key from an email
                continue
            yield url, None
            continue
        case = RULES[route.name](world) if route.name in RULES else Case()
        kwargs = dict(case.kwargs)
        if "slug" in route.keys:
            kwargs.setdefault("slug", world.project.slug)
        yield reverse(route.name, kwargs=kwargs), route.callback.access_rule


def discover(client, world, role: str) -> tuple[list[Form], list[str]]:
    forms: dict[tuple, Form] = {}
    post_only = []
    for url, _rule in pages(world, role):
        response = client.get(url)
        if response.status_code == 405:
            post_only.append(url)
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or "text/html" not in content_type or response.streaming:
            continue
        for form in parse_forms(url, response.content.decode()):
            if form.signature[1] in SKIPPED:
                continue
            forms.setdefault(form.signature, form)
    return list(forms.values()), post_only


def blind_form(url: str) -> Form:
    """A URL that takes POST but shows no form: post it the names forms commonly use."""
    return Form(url, "post", [Field(name, "text", "") for name in KNOWN_NAMES], page="(no page)")


@pytest.mark.parametrize("role", ROLES)
def test_no_form_is_a_server_error_or_half_saved(role, client, settings, tmp_path, capsys):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.ANALYSIS_BACKGROUND_EXPORT_ROWS = 10_000  # exports stay in the request
    world = build_world()
    user = world.members[role]
    client.force_login(user)
    forms, post_only = discover(client, world, role)
    assert forms, f"no form found for {role}"
    fuzzer = Fuzzer(client, user)
    for form in forms:
        fuzzer.fuzz(form)
    for url in post_only:
        fuzzer.fuzz(blind_form(url))
    with capsys.disabled():
        print(f"\nfuzz as {role}: {len(forms)} forms, {len(post_only)} POST-only URLs, {fuzzer.posts} requests")
    assert not fuzzer.problems, f"{len(fuzzer.problems)} problems as {role}:\n" + "\n".join(fuzzer.problems[:40])
