"""The national-consultation data set that `make bench-scale` measures, built in minutes.

One project, fictional and seeded (the same seed gives the same rows, text and spans):

- 20,000 released Documents (about 97 M characters), one per participant, each with five
  sections in the topic guide's headings; 3 cohorts (50 % / 35 % / 15 %); 12 months;
- 20,000 participants, each with a current consent (quotes may be published for 85 %) and a
  completed interview linked to its Document (the interview list has every one);
- 60 themes (12 themes with 4 sub-themes each), 2 coders (the analyst and a peer researcher);
- 200,000 excerpts with one coding each, spread over every Document; among them one long
  Document ("Scale: long interview", about 150,000 characters) with 400 excerpts by both coders,
  some with memos: the coding page's worst case;
- the phrase "police van" in a fifth of the Documents, for the search page.

Rows are inserted in bulk (no per-row signals), inside one transaction, so a build is either
whole or absent (PostgreSQL writes each Document's search vector as it is inserted, a trigger);
then the maintained counts are rebuilt, as release and coding would have done one by one.

Use it from code:

    from tests.bench_scale.dataset import build
    scale = build("default", seed=1)           # a database alias Django already knows
    scale = build("postgres://postgres@127.0.0.1:5432/cg_scale", seed=1)   # or a URL
    scale.project_id, scale.analyst_id, scale.long_document_id, ...

or from a shell (migrates the database first; DEBUG is not needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cg_scale python -m tests.bench_scale.dataset --seed 1
    python -m tests.bench_scale.dataset --database postgres://… --seed 1 --rebuild

A project already built with that seed is reused (`--rebuild` deletes and builds it again).
Sizes are keyword arguments (`documents=`, `excerpts=`, `long_excerpts=`) so a test can build a
small one; every signed-in account uses the password in `PASSWORD`.
"""

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PASSWORD = "scale-bench-password-2026"
DOCUMENTS = 20_000
EXCERPTS = 200_000
LONG_EXCERPTS = 400
LONG_CHARACTERS = 150_000
MEAN_CHARACTERS = 4_850
COHORTS = [("Sex worker", 0.50), ("Resident", 0.35), ("Faith leader", 0.15)]
HEADINGS = ["Safety at night", "Services and support", "Police and enforcement", "The neighbourhood", "What should change"]
TOP_THEMES = [
    "Street safety",
    "Lighting",
    "Support services",
    "Policing",
    "Housing",
    "Health",
    "Stigma",
    "Money",
    "Drugs and alcohol",
    "Community relations",
    "Engagement",
    "Outreach",
]
SUB_THEMES = ["at night", "for newcomers", "what works", "what is missing"]
BATCH = 2_000

WORDS = (
    "the a an and but so because when after before while then often never always sometimes "
    "people women men workers residents neighbours outreach staff officers council nurse hub van "
    "street corner canal park lamp lights bus stop estate flat hostel shelter clinic office station "
    "safe unsafe dark quiet busy late early cold scared calm angry tired hopeful worried "
    "walk wait talk call help ask report move leave stay sleep work pay eat drink carry "
    "night morning week month winter summer weekend shift money rent phone card bag coat "
    "support service advice trust respect fear risk harm care health housing benefit "
    "nobody somebody everyone they we she he it this that there here again together alone"
).split()


@dataclass(frozen=True)
class Scale:
    """What a benchmark needs to address the data set (ids only)."""

    database: str
    seed: int
    project_id: int
    slug: str
    coordinator_id: int
    analyst_id: int
    peer_id: int
    supervisor_id: int
    long_document_id: int
    documents: int
    excerpts: int


def _alias(database: str) -> str:
    """A Django database alias for an alias or a URL (registered once as 'scale-<hash>')."""
    from django.db import connections

    if "://" not in database:
        return database
    import dj_database_url

    alias = f"scale-{abs(hash(database)) % 10**8}"
    if alias not in connections.databases:
        parsed = {"default": connections.databases["default"], alias: dj_database_url.parse(database)}
        connections.databases[alias] = connections.configure_settings(parsed)[alias]
    return alias


def _sentences(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(9, 22))]
        if rng.random() < 0.012:
            at = rng.randrange(len(words))
            words[at:at] = ["police", "van"]
        sentence = " ".join(words)
        out.append(sentence[0].upper() + sentence[1:] + ".")
    return out


def _text(rng: random.Random, pool: list[str], characters: int) -> tuple[str, list[dict]]:
    from coproduction.models import Document

    per_section = max(60, characters // len(HEADINGS))
    sections = []
    for heading in HEADINGS:
        body, size = [], 0
        while size < per_section:
            sentence = rng.choice(pool)
            body.append(sentence)
            size += len(sentence) + 1
        sections.append((heading, " ".join(body)))
    return Document.compose(sections)


def _spans(rng: random.Random, length: int, n: int) -> list[tuple[int, int]]:
    """n passages of 40–400 code points inside [0, length), sorted by start."""
    spans = []
    for _ in range(n):
        size = rng.randint(40, min(400, max(41, length - 1)))
        start = rng.randrange(0, max(1, length - size))
        spans.append((start, start + size))
    return sorted(spans)


def _existing(alias: str, seed: int, documents: int, excerpts: int) -> Scale | None:
    from coproduction.models import Document, Excerpt, Membership, Project

    project = Project.objects.using(alias).filter(slug=f"scale-{seed}").first()
    if project is None:
        return None
    found = Document.objects.using(alias).filter(project=project).count()
    coded = Excerpt.objects.using(alias).filter(document__project=project).count()
    if (found, coded) != (documents, excerpts):
        return None
    roles = dict(Membership.objects.using(alias).filter(project=project).values_list("role", "user_id"))
    long_document = Document.objects.using(alias).get(project=project, title="Scale: long interview")
    return Scale(
        alias,
        seed,
        project.pk,
        project.slug,
        roles["coordinator"],
        roles["analyst"],
        roles["peer_researcher"],
        roles["supervisor"],
        long_document.pk,
        documents,
        excerpts,
    )


def _delete(alias: str, seed: int) -> None:
    from coproduction.models import Consent, Project, User
    from interviews.models import Interview

    # Interviews and consents protect what they point at: they go first.
    Interview.objects.using(alias).filter(project__slug=f"scale-{seed}").delete()
    Consent.objects.using(alias).filter(participant__project__slug=f"scale-{seed}").delete()
    Project.objects.using(alias).filter(slug=f"scale-{seed}").delete()
    User.objects.using(alias).filter(email__startswith=f"scale-{seed}-").delete()


def build(
    database: str = "default",
    seed: int = 1,
    *,
    documents: int = DOCUMENTS,
    excerpts: int = EXCERPTS,
    long_excerpts: int = LONG_EXCERPTS,
    rebuild: bool = False,
    migrate: bool = True,
    log=print,
) -> Scale:
    """Build (or reuse) the data set in `database` (an alias or a URL); return its ids.

    Steps: migrate; reuse a complete build of this seed unless `rebuild`; otherwise, in one
    transaction, insert members, themes, participants and consents, documents and their
    interviews, excerpts and codings, memos; then rebuild the maintained counts.
    """
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connections, transaction

    from coproduction.models import (
        Coding,
        Consent,
        Document,
        Excerpt,
        InformationSheet,
        Membership,
        Memo,
        Participant,
        Project,
        Theme,
        User,
        Venue,
    )
    from coproduction.models.participants import cohort_prefix
    from interviews.models import Interview, TopicGuide, TopicQuestion

    alias = _alias(database)
    if migrate:
        call_command("migrate", database=alias, verbosity=0, interactive=False)
    long_excerpts = min(long_excerpts, excerpts)
    if rebuild:
        _delete(alias, seed)
    elif found := _existing(alias, seed, documents, excerpts):
        log(f"data set seed {seed}: already built (project {found.project_id})")
        return found
    else:
        _delete(alias, seed)  # an earlier build of another size
    rng = random.Random(seed)
    began = time.monotonic()
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    password = make_password(PASSWORD)

    def step(what: str) -> None:
        log(f"  {time.monotonic() - began:6.1f} s  {what}")

    with transaction.atomic(using=alias):
        project = Project.objects.using(alias).create(
            name=f"Scale bench (seed {seed})", slug=f"scale-{seed}", cohorts=[c for c, _ in COHORTS]
        )
        people = {}
        for role in ("coordinator", "analyst", "peer_researcher", "supervisor"):
            user = User.objects.using(alias).create(
                email=f"scale-{seed}-{role.replace('_', '-')}@example.org",
                display_name=f"Scale {role.replace('_', ' ')}",
                password=password,
            )
            Membership.objects.using(alias).create(user=user, project=project, role=role)
            people[role] = user
        coders = [people["analyst"], people["peer_researcher"]]
        themes = []
        for i, name in enumerate(TOP_THEMES):
            parent = Theme.objects.using(alias).create(project=project, name=name, order=i)
            themes.append(parent)
            themes.extend(
                Theme.objects.using(alias).bulk_create(
                    Theme(project=project, name=f"{name}: {sub}", parent=parent, order=j) for j, sub in enumerate(SUB_THEMES)
                )
            )
        # Some themes are raised far more often than others, as in real consultations.
        theme_weights = [1.0 / (1 + rank) ** 0.8 for rank in range(len(themes))]
        sheet = InformationSheet.objects.using(alias).create(project=project, version=1, text="Information sheet v1")
        venue = Venue.objects.using(alias).create(project=project, name="Outreach hub")
        guide = TopicGuide.objects.using(alias).create(project=project, version=1)
        TopicQuestion.objects.using(alias).bulk_create(
            TopicQuestion(guide=guide, order=i, text=heading) for i, heading in enumerate(HEADINGS)
        )
        step("members, 60 themes")

        cohort_names = [c for c, _ in COHORTS]
        cohort_weights = [w for _, w in COHORTS]
        pool = _sentences(rng, 6000)
        numbers: dict[str, int] = {}
        document_rows: list[tuple[int, int]] = []  # (id, length)
        long_document_id = None
        for offset in range(0, documents, BATCH):
            size = min(BATCH, documents - offset)
            cohorts = rng.choices(cohort_names, cohort_weights, k=size)
            participants = []
            for cohort in cohorts:
                prefix = cohort_prefix(cohort)
                numbers[prefix] = numbers.get(prefix, 0) + 1
                participants.append(
                    Participant(
                        project=project,
                        code=f"{prefix}-{numbers[prefix]:05d}",
                        cohort=cohort,
                        attributes={"age band": rng.choice(["18-24", "25-34", "35-49", "50+"])},
                        created_at=now - timedelta(days=400),
                    )
                )
            participants = Participant.objects.using(alias).bulk_create(participants, batch_size=BATCH)
            Consent.objects.using(alias).bulk_create(
                (
                    Consent(
                        participant=p,
                        information_sheet=sheet,
                        take_part=True,
                        notes_kept=True,
                        quotes_published=rng.random() < 0.85,
                        follow_up=False,
                        recorded_by=people["coordinator"],
                        given_at=now - timedelta(days=400),
                    )
                    for p in participants
                ),
                batch_size=BATCH,
            )
            docs = []
            for k, participant in enumerate(participants):
                is_long = offset + k == 0
                characters = LONG_CHARACTERS if is_long else max(800, int(rng.lognormvariate(0, 0.35) * MEAN_CHARACTERS * 0.88))
                text, sections = _text(rng, pool, characters)
                month = date(2025, 1 + (offset + k) % 12, 1)
                docs.append(
                    Document(
                        project=project,
                        participant=participant,
                        title="Scale: long interview" if is_long else f"Interview {participant.code}",
                        cohort=participant.cohort,
                        month=month,
                        sections=sections,
                        text=text,
                        released_by=people["coordinator"],
                        released_at=now - timedelta(days=300 - (offset + k) % 300),
                    )
                )
            docs = Document.objects.using(alias).bulk_create(docs, batch_size=500)
            if offset == 0:
                long_document_id = docs[0].pk
            document_rows.extend((d.pk, len(d.text)) for d in docs)
            Interview.objects.using(alias).bulk_create(
                (
                    Interview(
                        project=project,
                        participant=p,
                        interviewer=people["peer_researcher"],
                        starts_at=datetime(d.month.year, d.month.month, 1 + rng.randrange(27), 10 + rng.randrange(8), tzinfo=UTC),
                        venue=venue,
                        topic_guide=guide,
                        status=Interview.Status.COMPLETED,
                        booked_by=people["coordinator"],
                        completed_at=d.released_at - timedelta(days=7),
                        document=d,
                        notes_released_at=d.released_at,
                    )
                    for p, d in zip(participants, docs, strict=True)
                ),
                batch_size=BATCH,
            )
            step(f"{offset + size:,} documents, participants, consents, interviews")

        # Excerpts: the long document gets `long_excerpts`, the rest are spread over the others.
        plan: list[tuple[int, int, int]] = []  # (document id, start, end)
        plan.extend((long_document_id, s, e) for s, e in _spans(rng, LONG_CHARACTERS, long_excerpts))
        rest = [row for row in document_rows if row[0] != long_document_id]
        remaining = excerpts - long_excerpts
        for i, (pk, length) in enumerate(rest):
            share = remaining // len(rest) + (1 if i < remaining % len(rest) else 0)
            plan.extend((pk, s, e) for s, e in _spans(rng, length, share))
        memo_excerpts = []
        for offset in range(0, len(plan), BATCH * 5):
            chunk = plan[offset : offset + BATCH * 5]
            rows = Excerpt.objects.using(alias).bulk_create(
                (
                    Excerpt(
                        document_id=pk,
                        start=s,
                        end=e,
                        coder=coders[(offset + i) % 2],
                        created_at=now - timedelta(minutes=offset + i),
                        chosen_for_report=rng.random() < 0.01,
                    )
                    for i, (pk, s, e) in enumerate(chunk)
                ),
                batch_size=BATCH,
            )
            Coding.objects.using(alias).bulk_create(
                (
                    Coding(
                        excerpt=excerpt,
                        theme=rng.choices(themes, theme_weights)[0],
                        coder=excerpt.coder,
                        created_at=excerpt.created_at,
                    )
                    for excerpt in rows
                ),
                batch_size=BATCH,
            )
            memo_excerpts.extend(x for x in rows if x.document_id == long_document_id and rng.random() < 0.1)
            step(f"{offset + len(chunk):,} excerpts and codings")
        Memo.objects.using(alias).bulk_create(
            Memo(project=project, excerpt=x, author=x.coder, text="Compare with the canal interviews.") for x in memo_excerpts
        )

    if connections[alias].vendor == "postgresql":
        # VACUUM as autovacuum would have after so many inserts: with the visibility map set,
        # a count reads an index only, as it does on a database that has been running a while.
        # (Inside a test's transaction VACUUM cannot run: ANALYZE alone.)
        with connections[alias].cursor() as cursor:
            cursor.execute("ANALYZE" if connections[alias].in_atomic_block else "VACUUM ANALYZE")
        step("tables vacuumed and analysed (the search vectors were written with the documents)")
    _rebuild_counts(alias, project)
    step("maintained counts rebuilt")
    return Scale(
        alias,
        seed,
        project.pk,
        project.slug,
        people["coordinator"].pk,
        people["analyst"].pk,
        people["peer_researcher"].pk,
        people["supervisor"].pk,
        long_document_id,
        documents,
        excerpts,
    )


def _rebuild_counts(alias: str, project) -> None:
    """Bulk inserts bypass the actions that keep the counts: recount once (when counts are kept)."""
    from coproduction.analysis import counts

    rebuild = getattr(counts, "rebuild_counts", None)
    if rebuild is not None:
        rebuild(project, using=alias)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the seeded national-consultation data set.")
    parser.add_argument("--database", default="", help="a database URL (default: DATABASE_URL, else the SQLite default)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--excerpts", type=int, default=EXCERPTS)
    parser.add_argument("--rebuild", action="store_true", help="delete this seed's project and build it again")
    args = parser.parse_args(argv)
    if args.database:
        os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DEBUG", "true")  # the embedded development keys; nothing is served
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduction.settings")
    import django

    django.setup()
    scale = build("default", seed=args.seed, documents=args.documents, excerpts=args.excerpts, rebuild=args.rebuild)
    print(f"project {scale.project_id} (/p/{scale.slug}/), long document {scale.long_document_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
