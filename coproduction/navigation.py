"""Navigation items that each app registers in its AppConfig.ready(), filtered by role."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every role
    order: int = 50


_items: list[NavItem] = []


def register(label: str, url_name: str, *, roles: set[str] | None = None, order: int = 50) -> None:
    item = NavItem(label, url_name, frozenset(roles or ()), order)
    if item not in _items:
        _items.append(item)


def items_for(role: str | None) -> list[NavItem]:
    return sorted((i for i in _items if not i.roles or role in i.roles), key=lambda i: i.order)
