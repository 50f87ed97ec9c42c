"""The compatibility suite: the plugin, strictly enforced, beside popular plugins and libraries.

Each test writes a small suite of its own, runs pytest on it in a subprocess together with one
plugin or library (sometimes several), and checks two things: honest tests pass, and true
violations are still caught, with their code. ``nox -s compat`` installs the ``compat``
dependency group and runs this folder; the plain ``tests`` session leaves it out.

pytest-randomly reorders every run it is installed in; the suites here run in file order unless
a test turns it on (``-p randomly``): which test reaches a library's cache first decides where
its I/O happens (syrupy reads a snapshot file once per run), and each test says which one.
"""

from __future__ import annotations

import textwrap

import pytest

from support import RUN_TIMEOUT

INI = """\
[pytest]
test_categories_enforcement = strict
asyncio_default_fixture_loop_scope = function
{extra}
"""


class Suite:
    """Write ``test_compat.py`` (and more files) and run pytest on it, strictly enforced."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester

    def __call__(self, source: str, *args: str, ini: str = "", **files: str) -> pytest.RunResult:
        self.pytester.makeini(INI.format(extra=ini))
        self.pytester.makepyfile(
            test_compat=textwrap.dedent(source),
            **{name: textwrap.dedent(text) for name, text in files.items()},
        )
        # A run that hangs is killed (and fails the test), not left running after it.
        return self.pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "-p", "no:randomly", "-rA", *args, timeout=RUN_TIMEOUT
        )

    @staticmethod
    def outcomes(result: pytest.RunResult) -> dict[str, str]:
        """Each test's last outcome word in the ``-rA`` summary, by its name (``test_x[1]``)."""
        words = ("PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL", "XPASS", "RERUN")
        found: dict[str, str] = {}
        for line in result.outlines:
            word, _, rest = line.partition(" ")
            if word in words and "::" in rest:
                name = rest.split(" - ")[0].split("::", 1)[1].strip()
                found[name] = word
        return found

    @staticmethod
    def failed_with(result: pytest.RunResult, test: str, code: str) -> bool:
        """Did ``test`` fail (or error) with a violation of ``code``?

        The plugin's end-of-run violation summary lists, under each code, the tests and their
        outcome; that holds even when a library caught the violation and failed otherwise.
        """
        under = ""
        for line in result.outlines:
            if line[:2] == "TC" and line[2:5].isdigit():
                under = line[:5]
            elif under == code and line.strip().startswith(
                (f"test_compat.py::{test} [failed]", f"test_compat.py::{test} [error]")
            ):
                return True
        return False


@pytest.fixture(autouse=True)
def _generated_runs_load_only_what_they_use() -> None:
    """Here every installed plugin loads, as in a user's environment: this replaces the fixture
    of the same name in ``tests/conftest.py``, which keeps the plain suite's runs to the plugin."""


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Suite:
    """``suite(source, *args, ini="", **other_modules)`` -> ``pytest.RunResult``."""
    monkeypatch.setenv("COLUMNS", "400")  # summary lines keep the violation's code
    return Suite(pytester)
