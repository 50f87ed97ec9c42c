"""The suite's own harness (``tests/conftest.py``): a generated run never passes for the wrong
reason and never outlives its test."""

from __future__ import annotations

import time

import pytest

import conftest
from conftest import Runner

ENDLESS = "def test_endless():\n    while True:\n        pass\n"


def test_a_generated_run_that_hangs_is_killed_at_the_bound(
    run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conftest, "RUN_TIMEOUT", 0.5)
    started = time.monotonic()
    with pytest.raises(pytest.Pytester.TimeoutExpired):
        run(ENDLESS, enforcement=None)  # unsized: no time limit of the plugin's stops it
    assert time.monotonic() - started < 30


def test_a_generated_run_without_the_plugin_fails_its_test(
    run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_ADDOPTS", "")  # the plugin would not load: the run proves nothing
    with pytest.raises(AssertionError, match="no plugin"):
        run("def test_x():\n    pass\n")


def test_a_generated_run_that_needs_pytest_asyncio_and_lacks_it_fails_its_test(
    run: Runner,
) -> None:
    with pytest.raises(AssertionError, match=r"mark the test @pytest.mark.plugins\('asyncio'\)"):
        run("async def test_x():\n    pass\n", enforcement=None)


@pytest.mark.plugins("asyncio")
def test_the_plugins_marker_loads_pytest_asyncio_with_its_settings(run: Runner) -> None:
    run("async def test_x():\n    pass\n", enforcement=None).assert_outcomes(passed=1)


def test_a_generated_run_in_this_process_has_the_plugin_too(run: Runner) -> None:
    result = run("def test_x():\n    pass\n", "--test-size-report=basic", inprocess=True)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["unsized * 1 * 100.0 %"])
