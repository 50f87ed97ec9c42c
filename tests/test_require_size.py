"""test_categories_require_size: a test without a size is a collection error that says the fix."""

from __future__ import annotations

import pytest

from conftest import Runner
from pytest_test_categories.distribution import REQUIRE_SIZE_MESSAGE

SOURCE = """
import pytest

from pytest_test_categories import SmallTest


@pytest.mark.small
def test_marked():
    pass


def test_unmarked():
    pass


class TestSized(SmallTest):
    def test_inherits(self):
        pass


class TestPlain:
    @pytest.mark.parametrize("n", [1, 2])
    def test_param(self, n):
        pass
"""

UNMARKED = [
    "test_subject.py::test_unmarked",
    "test_subject.py::TestPlain::test_param[1]",
    "test_subject.py::TestPlain::test_param[2]",
]

REQUIRE = "test_categories_require_size = true"


def assert_error_line(result: pytest.RunResult, nodeid: str) -> None:
    """The short test summary names the test and says why (no fnmatch: ids have brackets)."""
    wanted = f"ERROR {nodeid} - {nodeid} has no size, and test_categories_require_size is on."
    assert any(line.startswith(wanted) for line in result.outlines), result.stdout.str()


def test_each_unsized_test_is_a_collection_error_naming_the_fix(run: Runner) -> None:
    result = run(SOURCE, ini=REQUIRE)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*Interrupted: 3 errors during collection*"])
    for nodeid in UNMARKED:
        assert REQUIRE_SIZE_MESSAGE.format(nodeid=nodeid) in result.outlines
        assert_error_line(result, nodeid)
    text = REQUIRE_SIZE_MESSAGE.format(nodeid="test_subject.py::test_unmarked")
    assert "@pytest.mark.small" in text
    assert "SmallTest" in text
    assert "pytestmark = pytest.mark.small" in text
    # Sized tests, by marker or base class, are not errors.
    assert "test_marked has no size" not in result.stdout.str()
    assert "test_inherits has no size" not in result.stdout.str()


def test_off_by_default(run: Runner) -> None:
    result = run(SOURCE)
    result.assert_outcomes(passed=5)


def test_false_turns_it_off(run: Runner) -> None:
    result = run(SOURCE, ini="test_categories_require_size = false")
    result.assert_outcomes(passed=5)


def test_deselected_tests_need_no_size(run: Runner) -> None:
    result = run(SOURCE, "-k", "marked and not unmarked or inherits", ini=REQUIRE)
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=2)


def test_a_fully_sized_suite_runs(run: Runner) -> None:
    result = run(
        "import pytest\n\npytestmark = pytest.mark.medium\n\ndef test_a(): pass\n", ini=REQUIRE
    )
    result.assert_outcomes(passed=1)


@pytest.mark.plugins("xdist")
def test_under_xdist_the_same_errors_are_reported(run: Runner) -> None:
    result = run(SOURCE, "-n", "2", ini=REQUIRE)
    assert result.ret != pytest.ExitCode.OK
    for nodeid in UNMARKED:
        assert_error_line(result, nodeid)
    result.stdout.fnmatch_lines(["*3 error*"])
