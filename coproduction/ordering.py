"""Lists a coordinator puts in order (priorities, protocol steps): move one up or down."""

from django.db import models


def move_one(queryset: models.QuerySet, item: models.Model, *, up: bool) -> None:
    """Swap `item` with the one before (up) or after it in `queryset` (rows with an `order`
    field, locked while renumbered), then renumber the list 0, 1, 2…"""
    ordered = list(queryset.select_for_update().order_by("order", "pk"))
    index = next(n for n, row in enumerate(ordered) if row.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for n, row in enumerate(ordered):
        if row.order != n:
            row.order = n
            row.save(update_fields=["order"])
