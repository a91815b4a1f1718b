"""An uploaded REFI-QDA file kept between its dry run and the coordinator's confirmation.

As the action import does (`coproduction.strategy.pending_imports`): the file is kept
server-side in the shared cache for 30 minutes under a random key; the page carries only a
signed token naming that key, the project, the person and a hash of the file, never the
content, and nothing goes in a cookie. The token works once, for the person who uploaded, in
the project it was uploaded to.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache

from coproduction.models import Project, User

SALT = "coproduction.analysis.refiqda-import"
KEEP_SECONDS = 30 * 60


@dataclass(frozen=True)
class KeptUpload:
    name: str
    data: bytes
    cohort: str
    month: datetime.date


def _key(token: str) -> str:
    return f"refiqda-import:{token}"


def _digest(upload: KeptUpload) -> str:
    meta = f"{upload.name}\x00{upload.cohort}\x00{upload.month.isoformat()}\x00".encode()
    return hashlib.sha256(meta + upload.data).hexdigest()


def keep_upload(project: Project, user: User, upload: KeptUpload) -> str:
    token = secrets.token_urlsafe(24)
    cache.set(
        _key(token), {"name": upload.name, "data": upload.data, "cohort": upload.cohort, "month": upload.month}, KEEP_SECONDS
    )
    return signing.dumps({"t": token, "p": project.pk, "u": user.pk, "h": _digest(upload)}, salt=SALT)


def take_upload(project: Project, user: User, signed: str) -> KeptUpload | None:
    """The kept file, removed so it is imported once; None if the token is not valid for this
    person and project, has expired, or was used already."""
    try:
        claim = signing.loads(signed, salt=SALT, max_age=KEEP_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(claim, dict) or claim.get("p") != project.pk or claim.get("u") != user.pk:
        return None
    key = _key(str(claim.get("t", "")))
    payload = cache.get(key)
    if not isinstance(payload, dict):
        return None
    upload = KeptUpload(payload["name"], payload["data"], payload["cohort"], payload["month"])
    if _digest(upload) != claim.get("h"):
        return None
    if not cache.delete(key):
        return None  # confirmed already, in another tab or by a double click
    return upload
