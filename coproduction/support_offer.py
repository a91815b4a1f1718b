"""What support and training a project offers its peer researchers, in words, for published
outputs (the case study's Approach, the public pages).

Wellbeing registers what it offers here, so that nothing that publishes ever reads wellbeing
models: published outputs say what was offered, never whether or how often anyone used it
(with three peer researchers, any count of use would say who saw a therapist).
"""

from collections.abc import Callable

from coproduction.models import Project

Offer = Callable[[Project], list[str]]

_support: list[Offer] = []
_training: list[Offer] = []


def register_support(offer: Offer) -> None:
    if offer not in _support:
        _support.append(offer)


def register_training(offer: Offer) -> None:
    if offer not in _training:
        _training.append(offer)


def offered(project: Project) -> list[str]:
    """e.g. ["Reflective supervision with a qualified supervisor, at least every 14 days", ...]."""
    return [line for offer in _support for line in offer(project)]


def training(project: Project) -> list[str]:
    return [line for offer in _training for line in offer(project)]
