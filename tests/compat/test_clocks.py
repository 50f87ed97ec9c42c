"""freezegun and time-machine: a frozen clock in a small test, and the time limit still holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Suite

FREEZEGUN = """
import datetime
import time

import pytest
from freezegun import freeze_time


@pytest.mark.small
@freeze_time("2020-02-29 12:00:00")
def test_today_is_frozen():
    assert datetime.date.today() == datetime.date(2020, 2, 29)


@pytest.mark.small
def test_the_clock_moves_only_when_told():
    with freeze_time("2020-01-01") as frozen:
        before = time.time()
        frozen.tick(datetime.timedelta(hours=1))
        assert time.time() - before == 3600


@pytest.mark.small(timeout=0.3)
def test_a_frozen_clock_does_not_stop_the_limit():
    with freeze_time("2020-01-01"):
        total = 0
        for n in range(10**10):
            total += n


@pytest.mark.small
@freeze_time("2020-01-01")
def test_still_no_files():
    open("frozen.txt", "w").close()
"""

TIME_MACHINE = """
import datetime
import time

import pytest
import time_machine


@pytest.mark.small
@time_machine.travel(datetime.datetime(2020, 2, 29, 12, tzinfo=datetime.timezone.utc), tick=False)
def test_today_is_fixed():
    assert datetime.date.today() == datetime.date(2020, 2, 29)


@pytest.mark.small
def test_the_fixture_moves_the_clock(time_machine):
    time_machine.move_to(datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc), tick=False)
    before = time.time()
    time_machine.shift(datetime.timedelta(minutes=5))
    assert time.time() - before == 300


@pytest.mark.small(timeout=0.3)
def test_a_travelled_clock_does_not_stop_the_limit():
    with time_machine.travel(0, tick=False):
        total = 0
        for n in range(10**10):
            total += n


@pytest.mark.small
@time_machine.travel(0, tick=False)
def test_still_no_files():
    open("travelled.txt", "w").close()
"""


@pytest.mark.parametrize(
    ("source", "prefix"),
    [(FREEZEGUN, "frozen"), (TIME_MACHINE, "travelled")],
    ids=["freezegun", "time-machine"],
)
def test_a_fixed_clock_works_in_small_tests_and_the_limit_holds(
    suite: Suite, source: str, prefix: str
) -> None:
    result = suite(source)
    found = suite.outcomes(result)
    assert sorted(word for word in found.values()) == ["FAILED", "FAILED", "PASSED", "PASSED"]
    slow = next(name for name in found if name.endswith("does_not_stop_the_limit"))
    assert suite.failed_with(result, slow, "TC001")
    assert suite.failed_with(result, "test_still_no_files", "TC102")
    assert f"open {prefix}.txt" in result.stdout.str()
    # Stopped at its limit, not when the loop ended (it never would).
    assert result.duration < 60
