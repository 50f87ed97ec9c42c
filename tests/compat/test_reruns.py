"""pytest-randomly, pytest-rerunfailures and pytest-repeat: reordered, rerun and repeated tests
keep their sizes, their verdicts and their count in the reports."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Suite

SOURCE = """
import random

import pytest

calls = []


@pytest.mark.small
def test_flaky_once():
    calls.append(1)
    assert len(calls) > 1


@pytest.mark.small
def test_random_is_seeded():
    assert 0 <= random.random() < 1


@pytest.mark.medium
def test_medium(tmp_path):
    (tmp_path / "ok").write_text("fine")


@pytest.mark.small
def test_writes():
    open("out.txt", "w").close()
"""


@pytest.mark.parametrize("seed", ["1", "2"])
def test_randomly_reorders_and_nothing_changes(suite: Suite, seed: str) -> None:
    source = SOURCE.replace("assert len(calls) > 1", "assert calls")
    result = suite(source, "-p", "randomly", f"--randomly-seed={seed}")
    assert suite.outcomes(result) == {
        "test_flaky_once": "PASSED",
        "test_random_is_seeded": "PASSED",
        "test_medium": "PASSED",
        "test_writes": "FAILED",
    }
    assert suite.failed_with(result, "test_writes", "TC102")
    result.stdout.fnmatch_lines([f"Using --randomly-seed={seed}", "sizes: 3 small · 1 medium"])


def test_rerunfailures_counts_each_test_once(suite: Suite, pytester: pytest.Pytester) -> None:
    result = suite(SOURCE, "--reruns=2", "--test-size-report-file=sizes.json")
    # The flaky test passes on its second run; the violating one fails all three.
    assert result.parseoutcomes() == {"passed": 3, "failed": 1, "rerun": 3}
    assert suite.failed_with(result, "test_writes", "TC102")
    document = json.loads((pytester.path / "sizes.json").read_text(encoding="utf-8"))
    outcomes = {test["nodeid"]: test["outcome"] for test in document["tests"]}
    assert outcomes == {
        "test_compat.py::test_flaky_once": "passed",
        "test_compat.py::test_random_is_seeded": "passed",
        "test_compat.py::test_medium": "passed",
        "test_compat.py::test_writes": "failed",
    }
    # The report keeps the last run of each test: one violation, in one test.
    assert document["violations"]["filesystem"] == {"code": "TC102", "count": 1, "tests": 1}
    result.stdout.fnmatch_lines(["sizes: 3 small · 1 medium"])


def test_repeat_counts_every_repetition(suite: Suite) -> None:
    source = SOURCE.replace("assert len(calls) > 1", "assert calls")
    result = suite(source, "--count=3")
    result.assert_outcomes(passed=9, failed=3)
    for n in (1, 2, 3):
        assert suite.failed_with(result, f"test_writes[{n}-3]", "TC102")
    result.stdout.fnmatch_lines(["sizes: 9 small · 3 medium"])
