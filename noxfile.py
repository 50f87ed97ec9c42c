"""Developer sessions. ``nox`` runs lint, tests and docs; ``nox -l`` lists them all."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
# Bytecode is written when a module is first imported, not compiled for every installed module at
# install time: sphinx, hypothesis and mypy bring thousands of modules that no session imports,
# and compiling them all made pip's installs 3 s slower each. Where PYTHONDONTWRITEBYTECODE is
# set, nothing would be written at all, and every one of the hundreds of pytest runs the sessions
# start would compile pytest, pluggy and the rest (0.3 s each) and rewrite the asserts of every
# plugin (half of nox -s compat's time): the sessions write their caches.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ.setdefault("PIP_COMPILE", "0")  # pip install --no-compile
os.environ.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
# compat (the plugin beside hypothesis, freezegun, pytest-timeout, trio and others) is among them
# although it costs one to two minutes on two cores: CI runs exactly `nox`, and a compatibility
# promise that CI does not check is no promise.
nox.options.sessions = ["lint", "tests", "docs", "compat"]

PYPROJECT = nox.project.load_toml("pyproject.toml")

#: pytest-xdist workers for the test sessions: two where there are two cores or more, else none.
WORKERS = "2" if (os.cpu_count() or 1) > 1 else "0"


#: Under pip, the project is built into a wheel once per nox run rather than once per session:
#: each build sets up an isolated environment with hatchling, 1.3 s. uv caches its builds.
_WHEELS = tempfile.TemporaryDirectory(prefix="nox-wheels-")


def _install(session: nox.Session, *groups: str, extras: str = "", project: bool = True) -> None:
    """Install the groups' requirements and the project (with ``extras``), or with
    ``project=False`` only the project's own requirements (lint checks the source tree)."""
    requirements = [
        dep for group in groups for dep in nox.project.dependency_groups(PYPROJECT, group)
    ]
    if not project:
        session.install(*PYPROJECT["project"]["dependencies"], *requirements)
        return
    if session.venv_backend == "uv":
        session.install(f".{extras}", *requirements)
        return
    if not any(Path(_WHEELS.name).glob("*.whl")):
        session.run_install(
            "python", "-m", "pip", "wheel", "-q", "--no-deps", "-w", _WHEELS.name, "."
        )
    wheels = sorted(Path(_WHEELS.name).glob("*.whl"))
    if not wheels:  # nox --no-install (-R) skips installing into an existing environment
        return
    installed = "lib/*/site-packages/pytest_test_categories-*.dist-info"
    reused = any(Path(session.virtualenv.location).glob(installed))
    session.install(f"{wheels[0]}{extras}", *requirements)
    if reused:  # pip keeps an installed project of the wheel's version: its code may be older
        session.install("--force-reinstall", "--no-deps", str(wheels[0]))


def _install_editable(session: nox.Session, *groups: str, extras: str = "") -> None:
    """Install the project in editable mode, and the groups' requirements, unless the
    environment already has exactly them: source edits need no reinstall, and a change to
    pyproject.toml (dependencies, entry points) or to the arguments installs again."""
    requirements = [
        dep for group in groups for dep in nox.project.dependency_groups(PYPROJECT, group)
    ]
    arguments = ["-e", f".{extras}", *requirements]
    key = hashlib.sha256("\0".join([*arguments, Path("pyproject.toml").read_text()]).encode())
    marker = Path(session.virtualenv.location) / ".installed-for-nox"
    if marker.exists() and marker.read_text() == key.hexdigest():
        return
    session.install(*arguments)
    marker.write_text(key.hexdigest())


#: Where the guide's verification run keeps its results: the plugin's JSON report and, beside
#: it, environment.json (what the run ran with). The Sphinx extension in conf.py reads both.
RESULTS = "docs/_build/results"
RESULTS_ARGS = ("--test-size-report=json", f"--test-size-report-file={RESULTS}/report.json")

_VERSIONS = (
    "import importlib.metadata as m, json, platform; print(json.dumps([platform.python_version(),"
    " {str(d.name).lower().replace('_', '-'): d.version for d in m.distributions()}]))"
)


def _write_environment(session: nox.Session) -> None:
    """Write environment.json beside the report: Python, packages, date, commit."""
    output = session.run("python", "-c", _VERSIONS, silent=True)
    if not output:  # nox --install-only runs nothing
        return
    python, installed = json.loads(output)
    try:
        git = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        )
        commit = git.stdout.strip() if git.returncode == 0 else None
    except OSError:  # no git: a source archive
        commit = None
    names = ("pytest", "pytest-asyncio", "pytest-test-categories", "sybil")
    environment = {
        "python": ".".join(python.split(".")[:2]),
        "python_full": python,
        "packages": {name: installed[name] for name in names if name in installed},
        "date": datetime.now(UTC).date().isoformat(),
        "commit": commit,
        "rootdir": os.getcwd(),
    }
    os.makedirs(RESULTS, exist_ok=True)
    with open(f"{RESULTS}/environment.json", "w", encoding="utf-8") as file:
        json.dump(environment, file, indent=2)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the plugin's own tests (pytester, in parallel with pytest-xdist)."""
    _install(session, "tests")
    session.run("pytest", "-n", WORKERS, *session.posargs)


@nox.session
def compat(session: nox.Session) -> None:
    """Run the plugin, strictly enforced, beside popular pytest plugins and test libraries."""
    _install(session, "compat")
    session.run("pytest", "-n", WORKERS, "tests/compat", *session.posargs)


#: docs-test's pytest options. ``testpaths=docs``: with no path among the arguments, pytest runs
#: the guide (pytest itself tells a path from an option's value, as in ``-k sleep``).
DOCS_TEST_OPTIONS = (
    "--test-categories-enforcement=strict",
    "-p",
    "no:cacheprovider",
    "-v",
    "-o",
    "testpaths=docs",
)


@nox.session(name="docs-test")
def docs_test(session: nox.Session) -> None:
    """Run every page of the guide as a test module, under strict enforcement.

    Arguments go to pytest: paths select pages (``nox -s docs-test -- docs/how-to/page.md``),
    options pass through (``nox -s docs-test -- -k sleep``); with no path, every page runs.
    """
    _install_editable(session, "docs-test", extras="[markdown]")
    session.run("pytest", *DOCS_TEST_OPTIONS, *RESULTS_ARGS, *session.posargs)
    _write_environment(session)


@nox.session
def docs(session: nox.Session) -> None:
    """Verify every page, then build the guide into docs/_build/html; any warning fails it.

    The build starts fresh each time, so a warning (a page in no toctree, say) fails every
    build, not only the first. A page whose example did not end as declared still gets built,
    so that the build names its page, line and test; the build then fails.
    """
    _install(session, "docs", "docs-test", extras="[markdown]")
    shutil.rmtree("docs/_build/html", ignore_errors=True)
    # Pages in parallel, each page on one worker (its module fixtures run once): the report is
    # the same as a serial run's.
    workers = ["-n", WORKERS, "--dist", "loadfile"] if WORKERS != "0" else []
    session.run(
        "pytest",
        "--test-categories-enforcement=strict",
        "-p",
        "no:cacheprovider",
        "-q",
        *workers,
        *RESULTS_ARGS,
        "docs",
        success_codes=[0, 1],  # 1: some test failed; the build below says which, and fails
    )
    _write_environment(session)
    session.run(
        "sphinx-build",
        "-n",
        "-W",
        "--keep-going",
        "-E",
        "-b",
        "html",
        "-c",
        ".",
        "docs",
        "docs/_build/html",
        *session.posargs,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Check style (ruff), types (mypy --strict), the CI workflow and .readthedocs.yaml.

    actionlint and zizmor check .github/workflows; check-jsonschema checks .readthedocs.yaml
    against the schema it ships. All three work offline.
    """
    _install(session, "lint", project=False)  # the group names sybil, for mypy
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "--strict", "src")
    session.run("actionlint")
    session.run("zizmor", "--offline", "--no-progress", ".github/workflows")
    session.run("check-jsonschema", "--builtin-schema", "vendor.readthedocs", ".readthedocs.yaml")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Measure the plugin's overhead over plain pytest: running 2,000 tests, collecting 30,000,
    and importing it.

    ``nox -s bench -- --section collect --rounds 15`` times only the collection; see
    ``tests/bench.py --help``.
    """
    _install(session, "tests")
    session.run("python", "tests/bench.py", *session.posargs)
