"""syrupy: small tests compare with snapshots they may read, and never write one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Suite

SOURCE = """
import pytest


@pytest.mark.small
def test_matches_the_snapshot(snapshot):
    assert {"name": "pyramid", "sizes": [80, 15, 5]} == snapshot


@pytest.mark.small{marker}
def test_a_second_snapshot(snapshot):
    assert ["small", "medium", "large"] == snapshot
"""

ALLOW = "test_categories_allow_read = __snapshots__/**"


def _with_snapshots(suite: Suite, pytester: pytest.Pytester, marker: str = "") -> str:
    """Write the snapshots (reading the old ones needs the allowance too); return the source."""
    source = SOURCE.replace("{marker}", marker)
    suite(source, "--snapshot-update", ini=ALLOW).assert_outcomes(passed=2)
    assert (pytester.path / "__snapshots__" / "test_compat.ambr").is_file()
    return source


def test_small_tests_read_snapshots_they_are_allowed_to(
    suite: Suite, pytester: pytest.Pytester
) -> None:
    source = _with_snapshots(suite, pytester)
    suite(source, ini=ALLOW).assert_outcomes(passed=2)
    # A changed value is a snapshot failure, not a violation.
    changed = suite(source.replace("[80, 15, 5]", "[70, 20, 10]"), ini=ALLOW)
    assert suite.outcomes(changed) == {
        "test_matches_the_snapshot": "FAILED",
        "test_a_second_snapshot": "PASSED",
    }
    assert "test-categories:" not in changed.stdout.str()


def test_the_allowance_can_be_given_to_one_test(suite: Suite, pytester: pytest.Pytester) -> None:
    source = _with_snapshots(suite, pytester, marker='(allow_read=["__snapshots__/**"])')
    result = suite(source)
    assert suite.outcomes(result) == {
        # no allowance: the snapshot fixture lists its folder in setup, which is file I/O
        "test_matches_the_snapshot": "ERROR",
        "test_a_second_snapshot": "PASSED",
    }
    assert suite.failed_with(result, "test_matches_the_snapshot", "TC102")


def test_without_the_allowance_reading_a_snapshot_is_a_violation(
    suite: Suite, pytester: pytest.Pytester
) -> None:
    result = suite(_with_snapshots(suite, pytester))
    # the first snapshot fixture lists the folder in its setup; the second test reads its file
    result.assert_outcomes(errors=1, failed=1)
    assert suite.failed_with(result, "test_matches_the_snapshot", "TC102")
    assert suite.failed_with(result, "test_a_second_snapshot", "TC102")
