from tests.access import Case

RULES = {
    # Coordinators only (the declared rule); the page needs no object id.
    "coproduction:notifications_failed": lambda world: Case(),
}
