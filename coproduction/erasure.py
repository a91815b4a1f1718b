"""Erasure on withdrawal, across apps that `coproduction` must not import.

Two kinds: erasers run on withdrawal (everything about the participant), and notes erasers run
when a new consent no longer lets notes be kept (the participant still takes part).

An app registers an eraser: fn(participant) -> {"what was removed": count}. `withdraw_participant`
(coproduction.participation.actions) runs every eraser inside its transaction and shows the
coordinator the counts. Erasers delete content; they never copy it anywhere.
"""

from collections.abc import Callable

Eraser = Callable[[object], dict[str, int]]

_erasers: list[Eraser] = []


def register_eraser(eraser: Eraser) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


def _run(erasers: list[Eraser], participant) -> dict[str, int]:
    counts: dict[str, int] = {}
    for eraser in erasers:
        for label, count in eraser(participant).items():
            counts[label] = counts.get(label, 0) + count
    return counts


def run_erasers(participant) -> dict[str, int]:
    return _run(_erasers, participant)


_notes_erasers: list[Eraser] = []


def register_notes_eraser(eraser: Eraser) -> None:
    if eraser not in _notes_erasers:
        _notes_erasers.append(eraser)


def run_notes_erasers(participant) -> dict[str, int]:
    return _run(_notes_erasers, participant)
