"""Developer sessions. ``nox`` runs lint, tests and docs-test; ``nox -l`` lists them all."""

from __future__ import annotations

import os

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "tests", "docs-test"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def _install(session: nox.Session, *groups: str, extras: str = "") -> None:
    requirements = [
        dep for group in groups for dep in nox.project.dependency_groups(PYPROJECT, group)
    ]
    session.install(f".{extras}", *requirements)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the plugin's own tests (pytester, in parallel with pytest-xdist)."""
    _install(session, "tests")
    workers = "2" if os.cpu_count() and os.cpu_count() > 1 else "0"  # type: ignore[operator]
    session.run("pytest", "-n", workers, *session.posargs)


@nox.session(name="docs-test")
def docs_test(session: nox.Session) -> None:
    """Run every page of the guide as a test module, under strict enforcement."""
    _install(session, "docs-test", extras="[markdown]")
    paths = session.posargs or ["docs"]
    session.run(
        "pytest",
        "--test-categories-enforcement=strict",
        "-p",
        "no:cacheprovider",
        "-v",
        *paths,
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the guide with Sphinx into docs/_build/html; any warning fails the build."""
    _install(session, "docs")
    session.run(
        "sphinx-build",
        "-n",
        "-W",
        "--keep-going",
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
    """Check style with ruff and types with mypy --strict."""
    _install(session, "lint", extras="[markdown]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "--strict", "src")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Measure the plugin's overhead against plain pytest on a generated 2,000-test suite."""
    _install(session, "tests")
    session.run("python", "tests/bench.py", *session.posargs)
