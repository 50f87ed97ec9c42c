"""Size markers, base classes, which size wins, and bad markers."""

from __future__ import annotations

import pytest

from conftest import Runner

# A loop that runs past a small test's 1 s limit but well inside a medium test's. Where a test
# only needs to show which size (and so which limit) it got, the detailed report says it.
OVER_ONE_SECOND = """
import time


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
"""


def test_markers_are_registered_and_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--markers")
    for size, limit, keywords in (
        ("small", "1 s", "timeout=None, allow_read=None"),
        ("medium", "300 s", "timeout=None, allow_hosts=None"),
        ("large", "900 s", "timeout=None"),
    ):
        result.stdout.fnmatch_lines([f"@pytest.mark.{size}({keywords}): a {size} test *{limit}*"])
    result.stdout.fnmatch_lines(["@pytest.mark.xlarge(timeout=None): an xlarge test *3600 s*"])


def test_strict_markers_accepts_every_size(run: Runner) -> None:
    result = run(
        """
        import pytest

        @pytest.mark.small
        def test_s(): pass

        @pytest.mark.medium
        def test_m(): pass

        @pytest.mark.large
        def test_l(): pass

        @pytest.mark.xlarge
        def test_x(): pass
        """,
        "--strict-markers",
        enforcement=None,
    )
    result.assert_outcomes(passed=4)


def test_base_classes_size_every_method(run: Runner) -> None:
    result = run(
        OVER_ONE_SECOND
        + """
from pytest_test_categories import LargeTest, MediumTest, SmallTest, XLargeTest


class TestSmall(SmallTest):
    def test_too_slow(self):
        spin(1.2)


class TestMedium(MediumTest):
    def test_fine(self):
        pass


class TestLarge(LargeTest):
    def test_fine(self):
        pass


class TestXLarge(XLargeTest):
    def test_fine(self):
        pass
""",
        "-rA",
        "--test-size-report=detailed",
        enforcement=None,
    )
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["FAILED *TestSmall::test_too_slow - *TC001*"])
    for limit, size, test in (
        ("1 s", "small", "TestSmall::test_too_slow"),
        ("300 s", "medium", "TestMedium::test_fine"),
        ("900 s", "large", "TestLarge::test_fine"),
        ("3600 s", "xlarge", "TestXLarge::test_fine"),
    ):
        result.stdout.fnmatch_lines([f"* {limit}  {size} * test_subject.py::{test}"])


def test_function_marker_beats_its_base_class(run: Runner) -> None:
    result = run(
        OVER_ONE_SECOND
        + """
import pytest
from pytest_test_categories import SmallTest


class TestMostlySmall(SmallTest):
    @pytest.mark.medium
    def test_runs_as_medium(self):
        pass

    def test_runs_as_small(self):
        spin(1.2)
""",
        "-rA",
        "--test-size-report=detailed",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(["* 300 s  medium * test_subject.py::*::test_runs_as_medium"])
    result.stdout.fnmatch_lines(
        ["PASSED *::test_runs_as_medium", "FAILED *::test_runs_as_small - *TC001*"]
    )
    result.stdout.fnmatch_lines(
        ["*[[]TC001[]] test_subject.py::TestMostlySmall::test_runs_as_small (small test)*"]
    )


def test_class_marker_beats_module_marker(run: Runner) -> None:
    result = run(
        OVER_ONE_SECOND
        + """
import pytest

pytestmark = pytest.mark.small


@pytest.mark.medium
class TestMedium:
    def test_runs_as_medium(self):
        pass


def test_runs_as_small():
    spin(1.2)
""",
        "-rA",
        "--test-size-report=detailed",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(["* 300 s  medium * test_subject.py::*::test_runs_as_medium"])
    result.stdout.fnmatch_lines(
        ["PASSED *::test_runs_as_medium", "FAILED *::test_runs_as_small - *TC001*"]
    )


def test_unsized_tests_have_no_limit(run: Runner) -> None:
    result = run(OVER_ONE_SECOND + "\ndef test_unsized():\n    spin(1.2)\n", enforcement=None)
    result.assert_outcomes(passed=1)


def test_two_decorators_on_one_function_conflict(run: Runner) -> None:
    result = run(
        """
        import pytest

        @pytest.mark.small
        @pytest.mark.medium
        def test_confused(): pass

        def test_other(): pass
        """,
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            "ERROR test_subject.py::test_confused - *conflicting sizes at the same level"
            " (small from @pytest.mark.small on test_confused;"
            " medium from @pytest.mark.medium on test_confused)*",
        ]
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED


def test_two_sized_base_classes_conflict_and_name_both(run: Runner) -> None:
    result = run(
        """
        from pytest_test_categories import MediumTest, SmallTest

        class TestBoth(SmallTest, MediumTest):
            def test_confused(self): pass
        """,
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            "ERROR test_subject.py::TestBoth::test_confused - *conflicting sizes*"
            "small from base class SmallTest; medium from base class MediumTest*",
        ]
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED


def test_same_size_twice_is_not_a_conflict(run: Runner) -> None:
    result = run(
        """
        import pytest
        from pytest_test_categories import SmallTest

        @pytest.mark.small
        class TestTwiceSmall(SmallTest):
            def test_fine(self): pass
        """,
        enforcement=None,
    )
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("small(timeout=2)", "must be more than 0 and at most 1 s, the limit of a small test"),
        ("medium(timeout=301)", "at most 300 s, the limit of a medium test"),
        ("small(timeout=0)", "must be more than 0"),
        ("small(timeout=-1)", "must be more than 0"),
        ("small(timeout='fast')", "must be a number of seconds"),
        ("small(0.5)", "takes no positional arguments"),
        ("small(limit=0.5)", "unknown argument(s) limit"),
    ],
)
def test_bad_marker_arguments_are_usage_errors_naming_the_test(
    run: Runner, marker: str, message: str
) -> None:
    result = run(
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_bad(): pass
        """,
        enforcement=None,
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: test_subject.py::test_bad: *{message}*"])


def test_stricter_timeout_applies(run: Runner) -> None:
    result = run(
        OVER_ONE_SECOND
        + """
import pytest


@pytest.mark.small(timeout=0.1)
def test_too_slow_for_its_own_limit():
    spin(0.3)


@pytest.mark.small(timeout=0.5)
def test_within_its_own_limit():
    spin(0.01)
""",
        "-rA",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED *::test_within_its_own_limit",
            "FAILED *::test_too_slow_for_its_own_limit - *exceeded its time limit of 0.1 s*",
        ]
    )


def test_plugin_can_be_switched_off(run: Runner) -> None:
    result = run(
        OVER_ONE_SECOND
        + "\nimport pytest\n\n@pytest.mark.small\ndef test_slow():\n    spin(1.2)\n",
        "-p",
        "no:test_categories",
        enforcement=None,
    )
    result.assert_outcomes(passed=1)
