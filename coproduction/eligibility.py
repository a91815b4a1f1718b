"""Checks that decide whether a peer researcher may be assigned interviews.

`interviews` asks; other apps (wellbeing's training records) register checks here, so that
`interviews` never imports them. A check returns a list of plain-English problems.
"""

from collections.abc import Callable

InterviewerCheck = Callable[["object", "object"], list[str]]  # (user, project) -> problems

_checks: list[InterviewerCheck] = []


def register_interviewer_check(check: InterviewerCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def interviewer_problems(user, project) -> list[str]:
    problems: list[str] = []
    for check in _checks:
        problems.extend(check(user, project))
    return problems
