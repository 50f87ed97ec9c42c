"""Living beside other tools that deal with time: pytest-timeout, freezegun, time-machine."""

from __future__ import annotations

import pytest

from conftest import Runner, outcome_of

pytestmark = pytest.mark.plugins("timeout", "xdist")

SPIN = """
import time

import pytest


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
"""

PAIR = (
    SPIN
    + """

@pytest.mark.timeout(5)
@pytest.mark.medium
def test_with_pytest_timeout():
    spin(0.1)


@pytest.mark.small(timeout=0.2)
def test_overruns_its_size():
    spin(5)


@pytest.mark.medium
def test_after_them():
    pass
"""
)

PYTEST_TIMEOUT_FAILURE = "Failed: Timeout (>{}s) from pytest-timeout."


@pytest.mark.parametrize("method", ["signal", "thread"])
@pytest.mark.parametrize("xdist", [(), ("-n", "1")], ids=["", "xdist"])
def test_a_pytest_timeout_test_then_an_overrun_end_with_a_summary(
    run: Runner, method: str, xdist: tuple[str, ...]
) -> None:
    result = run(PAIR, "-rA", f"--timeout-method={method}", *xdist, enforcement=None)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*1 failed, 2 passed*"])
    assert outcome_of(result, "test_with_pytest_timeout") == "PASSED"
    assert outcome_of(result, "test_after_them") == "PASSED"
    result.stdout.fnmatch_lines(
        ["FAILED *::test_overruns_its_size - *[[]TC001[]] *time limit of 0.2 s: stopped after*"]
    )
    result.stdout.no_fnmatch_line("*crashed*")


def test_each_limit_fails_its_test_with_its_own_tool_signal_method(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.mark.medium
def test_longer_than_pytest_timeout():
    spin(3)


@pytest.mark.small(timeout=0.2)
def test_longer_than_its_size():
    spin(5)


@pytest.mark.timeout(0.5)
@pytest.mark.small
def test_pytest_timeout_is_stricter():
    spin(5)
""",
        "-rA",
        "--timeout=1.2",
        "--timeout-method=signal",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            "FAILED *::test_longer_than_pytest_timeout - " + PYTEST_TIMEOUT_FAILURE.format(1.2),
            "FAILED *::test_longer_than_its_size - *[[]TC001[]]*of 0.2 s: stopped after 0.* s*",
            "FAILED *::test_pytest_timeout_is_stricter - " + PYTEST_TIMEOUT_FAILURE.format(0.5),
        ]
    )
    result.stdout.fnmatch_lines(["*3 failed*"])


def test_each_limit_fails_its_test_with_its_own_tool_thread_method(run: Runner) -> None:
    # pytest-timeout's thread method ends the process at its limit, by design: the size's
    # limit (0.2 s) runs out first in the first test, pytest-timeout's (1.2 s) in the second.
    result = run(
        SPIN
        + """

@pytest.mark.small(timeout=0.2)
def test_longer_than_its_size():
    spin(5)


@pytest.mark.medium
def test_longer_than_pytest_timeout():
    spin(5)
""",
        "-rA",
        "--timeout=1.2",
        "--timeout-method=thread",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            "test_subject.py F*+ Timeout +*",  # the first test failed, then pytest-timeout ended it
            "*test_longer_than_pytest_timeout*",  # in the stack pytest-timeout prints
        ]
    )
    result.stdout.no_fnmatch_line("*test-categories: hard stop*")
    assert result.ret == 1


FROZEN = """
import datetime
import time

import pytest
{imports}


@pytest.fixture
def frozen():
    with {freeze_2012} as clock:
        yield clock


@pytest.mark.small
def test_fast_while_frozen(frozen):
    assert datetime.date.today().year == 2012


@pytest.mark.small(timeout=0.2)
def test_slow_while_frozen():
    with {freeze_1970}:
        while True:
            pass


@pytest.mark.small(timeout=0.2)
def test_time_functions_patched(monkeypatch):
    monkeypatch.setattr(time, "perf_counter", lambda: 0.0)
    monkeypatch.setattr(time, "monotonic", lambda: 0.0)
    monkeypatch.setattr(time, "time", lambda: 0.0)
    while True:
        pass


@pytest.mark.small
def test_after_them():
    pass
"""

FREEZERS = {
    "freezegun": {
        "imports": "from freezegun import freeze_time",
        "freeze_2012": 'freeze_time("2012-01-14")',
        "freeze_1970": 'freeze_time("1970-01-01")',
    },
    "time-machine": {
        "imports": "import time_machine",
        "freeze_2012": 'time_machine.travel("2012-01-14", tick=False)',
        "freeze_1970": 'time_machine.travel("1970-01-01", tick=False)',
    },
}


@pytest.mark.parametrize("enforcement", [None, "strict"], ids=["off", "strict"])
@pytest.mark.parametrize("tool", FREEZERS)
def test_a_frozen_clock_does_not_reach_the_plugins(
    run: Runner, tool: str, enforcement: str | None
) -> None:
    result = run(FROZEN.format(**FREEZERS[tool]), "-rA", enforcement=enforcement)
    assert outcome_of(result, "test_fast_while_frozen") == "PASSED"
    assert outcome_of(result, "test_after_them") == "PASSED"
    result.stdout.fnmatch_lines(
        [
            "FAILED *::test_slow_while_frozen - *[[]TC001[]]*of 0.2 s: stopped after 0.* s*",
            "FAILED *::test_time_functions_patched - *[[]TC001[]]*of 0.2 s: stopped after 0.* s*",
        ]
    )


#: What pytest-forked does (``--forked``): each test runs in a child forked between tests, and
#: the parent only collects its reports. (pytest-forked 1.7.5 itself cannot send a report to its
#: parent under pytest 9, so the test does the same with a conftest.)
FORK_EACH_TEST = """
import os

import pytest
from _pytest.runner import runtestprotocol


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    pid = os.fork()
    if pid == 0:
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
        with open("outcomes.txt", "a") as file:
            for report in reports:
                text = " | ".join(report.longreprtext.splitlines())
                file.write(f"{item.name} {report.when} {report.outcome} {text}\\n")
        os._exit(0)
    os.waitpid(pid, 0)
    return True
"""


def test_a_test_forked_between_tests_is_still_stopped_at_its_limit(
    run: Runner, pytester: pytest.Pytester
) -> None:
    # The child of a fork has no watchdog thread: without a new one, the spinning test would
    # never end (and would hold its lock forever, had the watchdog held it at the fork).
    pytester.makeconftest(FORK_EACH_TEST)
    result = run(
        SPIN
        + """

@pytest.mark.small(timeout=0.3)
def test_spins():
    spin(60)


@pytest.mark.small
def test_after_it():
    pass
""",
        "--test-categories-hard-stop=30",
    )
    outcomes = (pytester.path / "outcomes.txt").read_text().splitlines()
    call = next(line for line in outcomes if line.startswith("test_spins call"))
    assert call.startswith("test_spins call failed"), outcomes
    assert "[TC001]" in call, call
    assert "of 0.3 s: stopped after 0.3" in call, call
    assert "test_after_it call passed " in outcomes
    assert result.duration < 20
