"""pytest-timeout: its timeout and the size limits both hold, with either of its methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Suite

SOURCE = """
import time

import pytest


@pytest.mark.small
def test_quick():
    assert sum(range(100)) == 4950


@pytest.mark.small
def test_spins_past_the_small_limit():
    total = 0
    for n in range(10**10):
        total += n


@pytest.mark.medium
@pytest.mark.timeout(0.5)
def test_stopped_by_pytest_timeout():
    time.sleep(5)


@pytest.mark.medium
def test_sleeps_within_both():
    time.sleep(0.05)


@pytest.mark.small
def test_still_no_sleep():
    time.sleep(0.01)
"""


def test_with_the_signal_method_both_timers_fire(suite: Suite) -> None:
    result = suite(SOURCE, "--timeout=30", "--timeout-method=signal")
    assert suite.outcomes(result) == {
        "test_quick": "PASSED",
        "test_spins_past_the_small_limit": "FAILED",
        "test_stopped_by_pytest_timeout": "FAILED",
        "test_sleeps_within_both": "PASSED",
        "test_still_no_sleep": "FAILED",
    }
    assert suite.failed_with(result, "test_spins_past_the_small_limit", "TC001")
    assert suite.failed_with(result, "test_still_no_sleep", "TC104")
    result.stdout.fnmatch_lines(["*Failed: Timeout (>0.5s) from pytest-timeout*"])
    assert result.duration < 30


@pytest.mark.parametrize("method", ["signal", "thread"])
def test_a_generous_pytest_timeout_leaves_the_size_limits_in_charge(
    suite: Suite, method: str
) -> None:
    # The thread method ends the whole process when it fires, so only a generous one is shown.
    source = SOURCE.replace("@pytest.mark.timeout(0.5)", "@pytest.mark.timeout(30)").replace(
        "time.sleep(5)", "time.sleep(0.1)"
    )
    result = suite(source, "--timeout=60", f"--timeout-method={method}")
    assert suite.outcomes(result) == {
        "test_quick": "PASSED",
        "test_spins_past_the_small_limit": "FAILED",
        "test_stopped_by_pytest_timeout": "PASSED",
        "test_sleeps_within_both": "PASSED",
        "test_still_no_sleep": "FAILED",
    }
    assert suite.failed_with(result, "test_spins_past_the_small_limit", "TC001")
    assert suite.failed_with(result, "test_still_no_sleep", "TC104")
    assert result.duration < 30
