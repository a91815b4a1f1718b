"""An uploaded action import kept between its dry run and the coordinator's confirmation.

The rows are kept server-side in the shared cache (Redis, falling back to the database cache;
per process only in single-process development), for 30 minutes, under a random key. The page
carries only a signed token naming that key, the project, the person and a hash of the rows:
never the content, and nothing in a cookie. The token works once, for the person who
uploaded, in the project it was uploaded to.
"""

import hashlib
import json
import secrets

from django.core import signing
from django.core.cache import cache

from coproduction.models import Project, User
from coproduction.strategy.tables import Table

SALT = "coproduction.strategy.import"
KEEP_SECONDS = 30 * 60


def _key(token: str) -> str:
    return f"strategy-import:{token}"


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def keep_upload(project: Project, user: User, table: Table) -> str:
    """Keep the table; return the signed token the confirm form posts back."""
    token = secrets.token_urlsafe(24)
    payload = {"header": table.header, "rows": [[number, cells] for number, cells in table.rows]}
    cache.set(_key(token), payload, KEEP_SECONDS)
    return signing.dumps({"t": token, "p": project.pk, "u": user.pk, "h": _digest(payload)}, salt=SALT)


def take_upload(project: Project, user: User, signed: str) -> Table | None:
    """The kept table, removed so it is imported once; None if the token is not valid for this
    person and project, has expired, or was used already."""
    try:
        claim = signing.loads(signed, salt=SALT, max_age=KEEP_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(claim, dict) or claim.get("p") != project.pk or claim.get("u") != user.pk:
        return None
    key = _key(str(claim.get("t", "")))
    payload = cache.get(key)
    if not isinstance(payload, dict) or _digest(payload) != claim.get("h"):
        return None
    if not cache.delete(key):
        return None  # confirmed already, in another tab or by a double click
    return Table(payload["header"], [(number, cells) for number, cells in payload["rows"]])
