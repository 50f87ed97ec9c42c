"""Shared helpers for the plugin's black-box tests.

Every test writes a small test module, runs pytest on it in a subprocess (``--runpytest=subprocess``
is set in pyproject.toml: signals, audit hooks and patched modules must not touch this process),
and asserts on outcomes and output.
"""

from __future__ import annotations

import textwrap

import pytest

INI = """\
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
{extra}
"""


class Runner:
    """Write a test module and run pytest on it, with a chosen enforcement mode."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester

    def __call__(
        self,
        source: str,
        *args: str,
        enforcement: str | None = "strict",
        ini: str = "",
        name: str = "test_subject",
    ) -> pytest.RunResult:
        self.pytester.makeini(INI.format(extra=ini))
        self.pytester.makepyfile(**{name: textwrap.dedent(source)})
        flags = [f"--test-categories-enforcement={enforcement}"] if enforcement else []
        return self.pytester.runpytest("-p", "no:cacheprovider", *flags, *args)


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Runner:
    """``run(source, *args, enforcement="strict", ini="")`` -> ``pytest.RunResult``."""
    # A wide terminal, so that short test summary lines keep the violation text.
    monkeypatch.setenv("COLUMNS", "400")
    return Runner(pytester)


def outcome_of(result: pytest.RunResult, test_name: str) -> str:
    """The outcome word pytest printed for one test in ``-v`` or ``-rA`` output."""
    for line in result.outlines:
        for word in ("PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL", "XPASS"):
            if f"::{test_name} " in line + " " and word in line:
                return word
    raise AssertionError(f"no outcome for {test_name} in output:\n{result.stdout.str()}")


_SIZES = ("small", "medium", "large", "xlarge")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Dogfood: the plugin's own tests start pytest in subprocesses and write files, so by its
    own rules they are medium tests, unless a module says otherwise."""
    for item in items:
        if not any(item.get_closest_marker(size) for size in _SIZES):
            item.add_marker(pytest.mark.medium)
