"""pytest-cov: coverage is measured, and the limits and guards work under its tracer."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

    from conftest import Suite

CODE = """
def grade(score):
    if score >= 90:
        return "A"
    return "B"
"""

SOURCE = """
import pytest

from grading import grade


@pytest.mark.small
def test_top_grade():
    assert grade(95) == "A"


@pytest.mark.small
def test_other_grade():
    assert grade(50) == "B"


@pytest.mark.small
def test_spins_past_the_limit():
    total = 0
    for n in range(10**10):
        total += n


@pytest.mark.small
def test_writes():
    open("out.txt", "w").close()
"""


def _check(suite: Suite, result: pytest.RunResult) -> None:
    assert suite.outcomes(result) == {
        "test_top_grade": "PASSED",
        "test_other_grade": "PASSED",
        "test_spins_past_the_limit": "FAILED",
        "test_writes": "FAILED",
    }
    assert suite.failed_with(result, "test_spins_past_the_limit", "TC001")
    assert suite.failed_with(result, "test_writes", "TC102")
    result.stdout.fnmatch_lines(["grading.py * 100%"])
    assert result.duration < 60


def test_coverage_of_small_tests(suite: Suite) -> None:
    result = suite(SOURCE, "--cov=grading", "--cov-report=term", grading=CODE)
    _check(suite, result)


def test_coverage_with_xdist(suite: Suite) -> None:
    result = suite(SOURCE, "--cov=grading", "--cov-report=term", "-n", "2", grading=CODE)
    _check(suite, result)
