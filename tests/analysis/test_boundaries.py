"""Analysis reads only released Documents: its code cannot reach wellbeing or interviews, and
analysts cannot open drafts or wellbeing pages."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

import coproduction.analysis

ANALYSIS_DIR = Path(coproduction.analysis.__file__).parent
FORBIDDEN = ("wellbeing", "interviews")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def project_modules_reached(start: set[str]) -> set[str]:
    """Every first-party module reachable from `start` by imports (the import graph)."""
    root = ANALYSIS_DIR.parent.parent
    seen: set[str] = set()
    queue = list(start)
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        base = root / Path(*name.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.exists():
                queue.extend(m for m in imported_modules(candidate) if m.split(".")[0] in {"coproduction", *FORBIDDEN})
    return seen


def test_analysis_code_never_imports_wellbeing_or_interviews():
    start = {f"coproduction.analysis.{p.stem}" for p in ANALYSIS_DIR.glob("*.py")}
    start |= {"coproduction.models.codebook", "coproduction.management.commands.export_project"}
    reached = project_modules_reached(start)
    bad = sorted(m for m in reached if m.split(".")[0] in FORBIDDEN)
    assert not bad, f"analysis reaches {bad}"
    assert "coproduction.analysis.exports" in reached  # the walk really ran


@pytest.mark.parametrize("name", ["interviews:list", "wellbeing:home"])
def test_analysts_cannot_reach_drafts_or_wellbeing(world, client_for, name):
    response = client_for(world.analyst).get(reverse(name, kwargs={"slug": world.project.slug}))
    assert response.status_code == 403
