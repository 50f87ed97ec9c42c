"""Developer sessions. ``nox`` runs lint, tests, docs and compat; ``nox -l`` lists them all."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"  # warm runs reuse their environment; installs bring it up to date
# compat too: CI runs exactly `nox`, and a compatibility promise CI does not check is no promise.
nox.options.sessions = ["lint", "tests", "docs", "compat"]
# A Python that is missing here is skipped, and the summary says so (on CI too); none is fetched.
nox.options.error_on_missing_interpreters = False
nox.options.download_python = "never"

PYPROJECT = nox.project.load_toml("pyproject.toml")
#: The Pythons of pyproject.toml's classifiers: 3.11, 3.12 and 3.13.
PYTHONS = nox.project.python_versions(PYPROJECT)
#: pytest-xdist workers for the test sessions: two where there are two cores or more, else none.
WORKERS = "2" if (os.cpu_count() or 1) > 1 else "0"

#: Where `docs` keeps the verification results that the site is built from: the plugin's JSON
#: report and, beside it, environment.json (what the run ran with). conf.py's extension reads both.
RESULTS = "docs/_build/results"
#: The pytest options of both runs of the guide: every page (``testpaths``; a path among the
#: arguments selects pages instead), strictly enforced.
DOCS_TEST_OPTIONS = (
    "--test-categories-enforcement=strict", "-p", "no:cacheprovider", "-o", "testpaths=docs",
)  # fmt: skip


def install(session: nox.Session, *groups: str) -> None:
    """Install the project with its Markdown extra, and the dependency groups named."""
    # Bytecode is written whatever the shell says: else each generated run compiles pytest again.
    session.env["PYTHONDONTWRITEBYTECODE"] = ""
    options = [option for group in groups for option in ("--group", group)]
    if session.venv_backend == "uv":  # uv keeps an installed local project: nox's docs
        options += ["--reinstall-package", "pytest-test-categories"]
    else:  # pip takes --group from 25.1 on; virtualenv may seed an older one
        session.install("pip>=25.1")
    session.install(".[markdown]", *options)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the plugin's own tests (pytester, in parallel with pytest-xdist)."""
    install(session, "tests")
    session.run("pytest", "-n", WORKERS, *session.posargs)


@nox.session(python=PYTHONS)
def compat(session: nox.Session) -> None:
    """Run the plugin, strictly enforced, beside popular pytest plugins and test libraries."""
    install(session, "compat")
    session.run("pytest", "-n", WORKERS, "tests/compat", *session.posargs)


@nox.session(name="docs-test")
def docs_test(session: nox.Session) -> None:
    """Run every page of the guide as a test module, under strict enforcement.

    Arguments go to pytest: paths select pages (``nox -s docs-test -- docs/how-to/page.md``),
    options pass through (``nox -s docs-test -- -k sleep``). It writes no results: the site is
    built from the full run of ``nox -s docs`` only.
    """
    install(session, "docs-test")
    session.run("pytest", *DOCS_TEST_OPTIONS, "-v", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Verify every page, then build the guide into docs/_build/html; any warning fails it.

    The build starts fresh each time, so a warning (a page in no toctree, say) fails every
    build, not only the first. A page whose example did not end as declared still gets built,
    so that the build names its page, line and test; the build then fails.
    """
    install(session, "docs", "docs-test")
    shutil.rmtree("docs/_build/html", ignore_errors=True)
    # Each page on one worker (its module fixtures run once): the report is a serial run's.
    workers = ("-n", WORKERS, "--dist", "loadfile") if WORKERS != "0" else ()
    report = (f"--test-size-report-file={RESULTS}/report.json", "--test-size-report=json")
    session.run(
        "pytest", *DOCS_TEST_OPTIONS, "-q", "-rfE", *workers, *report,
        success_codes=[0, 1],  # 1: some example failed; the build below says which, and fails
    )  # fmt: skip
    _write_environment(session)
    session.run(
        "sphinx-build", "-q", "-n", "-W", "--keep-going", "-E", "-b", "html",
        "-d", "docs/_build/doctrees", "-c", ".", "docs", "docs/_build/html", *session.posargs,
    )  # fmt: skip


#: The packages whose versions environment.json records, and how it asks the session for them.
PACKAGES = ("pytest", "pytest-asyncio", "pytest-test-categories", "sybil")
_VERSIONS = (
    "import importlib.metadata as m, json, platform, sys; print(json.dumps("
    "[platform.python_version(), {name: m.version(name) for name in sys.argv[1:]}]))"
)


def _write_environment(session: nox.Session) -> None:
    """Write environment.json beside the report: Python, packages, date, commit, folder."""
    output = session.run("python", "-c", _VERSIONS, *PACKAGES, silent=True)
    if not output:  # nox --install-only runs nothing
        return
    python, packages = json.loads(output)
    git = shutil.which("git") and subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )  # no git, or no repository (a source archive): no commit
    environment = {
        "python": ".".join(python.split(".")[:2]),
        "python_full": python,
        "packages": packages,
        "date": datetime.now(UTC).date().isoformat(),
        "commit": git.stdout.strip() if git and git.returncode == 0 else None,
        "rootdir": os.getcwd(),
    }
    os.makedirs(RESULTS, exist_ok=True)
    with open(f"{RESULTS}/environment.json", "w", encoding="utf-8") as file:
        json.dump(environment, file, indent=2)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style, types, imports, the CI workflow and .readthedocs.yaml; all offline.

    ruff, mypy --strict, lint-imports (pyproject.toml's contracts), actionlint, zizmor, and
    check-jsonschema (.readthedocs.yaml against the schema it ships)."""
    install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "--strict", "src")
    session.run("lint-imports")
    session.run("actionlint")
    session.run("zizmor", "--offline", "--no-progress", ".github/workflows")
    session.run("check-jsonschema", "--builtin-schema", "vendor.readthedocs", ".readthedocs.yaml")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Measure the plugin's overhead over plain pytest (opt-in: ``nox -s bench``).

    Running 2,000 tests, collecting 30,000, importing it: ``nox -s bench -- --help``."""
    install(session, "tests")
    session.run("python", "tests/bench.py", *session.posargs)
