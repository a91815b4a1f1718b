"""README.md exactly as written: every command in its fenced code blocks runs, or says why not.

Each line of a ```sh block is one command. The known kinds:

- `make <target> [VAR=value…]`: `make -n` (a dry run: the recipe is valid and expands as the
  README says). `make run` starts a web server, a worker and beat until Ctrl-C and `make test`
  runs the whole suite, so neither runs for real here.
- `[VAR=value…] .venv/bin/python manage.py …`: run for real with this test's interpreter against
  a temporary SQLite database.
- The restore drill (createdb, pg_restore, tar, migrate on a backup): needs PostgreSQL and a
  backup; `tests/coproduction/test_backup.py::test_restore_drill` runs exactly it.

A command of no known kind fails the test: say here how to check it.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
RESTORE_DRILL = {"createdb", "pg_restore", "mkdir", "tar"}


def readme_commands() -> list[str]:
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE):
        for line in block.splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()  # "make run    # venv, install…"
            if command:
                commands.append(command)
    return commands


def split(command: str) -> tuple[dict[str, str], list[str]]:
    """Leading VAR=value assignments, then the words."""
    words = shlex.split(command)
    assignments = {}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        assignments[name] = value
    return assignments, words


def clean_environment(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SITE_URL"}}
    return {**env, "VAR_DIR": str(tmp_path), "LOG_LEVEL": "WARNING"}


def test_the_readme_has_the_commands_a_newcomer_copies():
    commands = readme_commands()
    assert {"make run", "make test", "make run PORT=8101", "DEBUG=true .venv/bin/python manage.py demo_code"} <= set(commands)


@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_runs_as_written(command, tmp_path):
    assignments, words = split(command)
    env = {**clean_environment(tmp_path), **assignments}
    if words[0] == "make":
        done = subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        if words[1] == "run":
            check_make_run(words[2:], done.stdout)
    elif words[:3] == [".venv/bin/python", "manage.py", "demo_code"]:
        done = subprocess.run([sys.executable, *words[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert re.fullmatch(r"\d{6}", done.stdout.strip()), done.stdout
    elif words[0] in RESTORE_DRILL or words[-2:] == ["manage.py", "migrate"]:
        pytest.skip("the restore drill needs PostgreSQL and a backup: test_backup.py::test_restore_drill runs it")
    else:
        pytest.fail(f"the README shows a command this test does not know how to check: {command}")


def check_make_run(variables: list[str], recipe: str) -> None:
    """The server listens where the README says, and links in emails point there too."""
    given = dict(v.split("=", 1) for v in variables)
    host, port = given.get("HOST", "127.0.0.1"), given.get("PORT", "8000")
    assert f"runserver {host}:{port}" in recipe
    for line in recipe.splitlines():
        if "manage.py" in line or "celery" in line:
            assert f"SITE_URL=${{SITE_URL:-http://{host}:{port}}}" in line, line
    assert f"http://{host}:{port}/" in recipe


def test_make_run_derives_site_url_from_host_and_port_unless_set(tmp_path):
    """Invitation links pointed at :8000 while `make run PORT=8101` served :8101."""
    done = subprocess.run(
        ["make", "-n", "run", "PORT=8101"], cwd=ROOT, env=clean_environment(tmp_path), capture_output=True, text=True
    )
    seed = next(line for line in done.stdout.splitlines() if "manage.py seed_demo" in line)
    prefix = seed.split(" .venv/bin/python", 1)[0].split(" /", 1)[0]
    shown = "bash -c " + shlex.quote(f"{prefix} env")
    unset = subprocess.run(shown, shell=True, env=clean_environment(tmp_path), capture_output=True, text=True)
    assert "SITE_URL=http://127.0.0.1:8101" in unset.stdout.splitlines()
    chosen = subprocess.run(
        shown,
        shell=True,
        env={**clean_environment(tmp_path), "SITE_URL": "https://cg.example.org"},
        capture_output=True,
        text=True,
    )
    assert "SITE_URL=https://cg.example.org" in chosen.stdout.splitlines()


def test_seed_demo_prints_the_demo_code_command_the_readme_shows():
    from coproduction.demo import DEMO_CODE_COMMAND

    assert f"\n{DEMO_CODE_COMMAND}\n" in README
    source = (ROOT / "coproduction/management/commands/seed_demo.py").read_text(encoding="utf-8")
    assert "DEMO_CODE_COMMAND" in source and ".venv/bin/python manage.py demo_code" not in source


def github_anchor(heading: str) -> str:
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def test_the_readmes_links_to_its_own_sections_lead_somewhere():
    """The opening promise points to where it happens (strategy, publishing, follow-up notices)."""
    anchors = {github_anchor(h) for h in re.findall(r"^#+ (.+)$", README, flags=re.MULTILINE)}
    links = re.findall(r"\]\(#([^)]+)\)", README)
    assert {
        "the-strategy-and-its-action-plan-coproductionstrategy",
        "publishing-what-was-heard-and-done-coproductionpublication",
    } <= set(links)
    assert not [link for link in links if link not in anchors]
