from tests.access import Case

RULES = {
    # Coordinators only (the declared rule); the page needs no object id.
    "notifications:failed": lambda world: Case(),
}
