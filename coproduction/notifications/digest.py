"""The coordinators' daily digest is built from sections that each app registers.

A section is a function (project) -> list of DigestLine, empty when there is nothing to say.
coproduction never imports the other apps: `interviews` registers "notes waiting for review",
`wellbeing` registers open alerts and who is due supervision. The digest is sent only when at
least one section has a line. Labels must stay neutral: they may be read in an email client on
a shared screen (no word of interviews, therapy, supervision or the project's subject).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DigestLine:
    label: str  # neutral, e.g. "Items waiting for your review"
    count: int


DigestSection = Callable[[object], list[DigestLine]]

_sections: list[DigestSection] = []


def register_digest_section(section: DigestSection) -> None:
    if section not in _sections:
        _sections.append(section)


def digest_lines(project) -> list[DigestLine]:
    lines: list[DigestLine] = []
    for section in _sections:
        lines.extend(line for line in section(project) if line.count)
    return lines
