"""Hypothesis: property-based tests are small tests; its database and caches are not their I/O."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from support import outside_ci

if TYPE_CHECKING:
    import pytest

    from conftest import Suite

SOURCE = """
import json

import pytest
from hypothesis import given, settings, strategies as st

# Fewer examples and no per-example deadline: a loaded machine must not make this flaky.
settings.register_profile("compat", max_examples=25, deadline=None)
settings.load_profile("compat")

@pytest.mark.small
@given(st.integers(), st.integers())
def test_addition_commutes(a, b):
    assert a + b == b + a


@pytest.mark.small
@given(st.text())
def test_json_round_trips_text(text):
    assert json.loads(json.dumps(text)) == text


@pytest.mark.small
class TestInAClass:
    @given(st.lists(st.integers()))
    def test_sorting_is_idempotent(self, values):
        assert sorted(sorted(values)) == sorted(values)


@pytest.mark.small
@given(st.integers())
def test_writes_a_file(n):
    with open(f"out-{n}.txt", "w") as file:
        file.write("no")
"""


def test_property_tests_run_small_and_violations_are_caught(
    suite: Suite, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside_ci(monkeypatch)
    # Hypothesis builds its Unicode caches (about a second) the first time text is drawn in a
    # folder: more than a small test has. Build them without the plugin, as a suite's earlier
    # run would have, and keep only them: the strict run writes its own examples and constants.
    suite(SOURCE, "-p", "no:test_categories").assert_outcomes(passed=4)
    assert list((pytester.path / ".hypothesis").glob("unicode_data/*/charmap*"))
    for place in (pytester.path / ".hypothesis").iterdir():
        if place.name != "unicode_data":
            shutil.rmtree(place) if place.is_dir() else place.unlink()
    result = suite(SOURCE)
    assert suite.outcomes(result) == {
        "test_addition_commutes": "PASSED",
        "test_json_round_trips_text": "PASSED",
        "TestInAClass::test_sorting_is_idempotent": "PASSED",
        "test_writes_a_file": "FAILED",
    }
    assert suite.failed_with(result, "test_writes_a_file", "TC102")
    assert "n=0," in result.stdout.str()  # Hypothesis shrank the failing example as usual
    assert (pytester.path / ".hypothesis" / "examples").is_dir()  # and saved it
