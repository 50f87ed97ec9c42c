"""No test can switch the timer off: not for itself, not for the tests after it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import Runner, outcome_of
from pytest_test_categories import timing

#: Each route a test could take to escape its limit, run in a small test that then spins.
ROUTES = {
    "sigalrm-ignored": "signal.signal(signal.SIGALRM, signal.SIG_IGN)",
    "sigalrm-own-handler": "signal.signal(signal.SIGALRM, lambda *args: None)",
    "sigalrm-blocked": "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})",
    "itimer-cleared": "signal.setitimer(signal.ITIMER_REAL, 0)",
    "alarm-cleared": "signal.alarm(0)",
    "timer-signal-ignored": "signal.signal(timing.SIGNAL, signal.SIG_IGN)",
    "timer-signal-own-handler": "signal.signal(timing.SIGNAL, lambda *args: None)",
    "every-signal-blocked": "signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())",
}

#: What the failure of a test that touched the plugin's own signal says about it.
TOLD = {
    "timer-signal-ignored": f"replaced the handler of {timing.SIGNAL_NAME}",
    "timer-signal-own-handler": f"replaced the handler of {timing.SIGNAL_NAME}",
    "every-signal-blocked": f"blocked {timing.SIGNAL_NAME}",
}

#: Both tests have a 0.2 s limit, so the run ends soon; what the plugin does to stop a test does
#: not depend on the limit (the last test of this file runs on the default 1 s).
MODULE = """
import signal
import time

import pytest

from pytest_test_categories import timing


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@pytest.mark.small(timeout=0.2)
def test_tampers():
    {route}
    spin(5)


@pytest.mark.small(timeout=0.2)
def test_innocent_after_it():
    while True:
        pass
"""


@pytest.mark.parametrize("route", ROUTES)
def test_a_test_cannot_escape_its_limit_nor_break_the_next_one(
    run: Runner, pytester: pytest.Pytester, route: str
) -> None:
    result = run(
        MODULE.format(route=ROUTES[route]),
        "-rA",
        "--junitxml=junit.xml",
        "--test-categories-hard-stop=3",
        enforcement=None,
    )
    assert outcome_of(result, "test_tampers") == "FAILED"
    assert outcome_of(result, "test_innocent_after_it") == "FAILED"
    result.stdout.fnmatch_lines(
        ["FAILED *::test_innocent_after_it - *[[]TC001[]] *of 0.2 s: stopped after 0.* s*"]
    )
    assert "[TC001]" in next(
        line for line in result.outlines if line.startswith("FAILED test_subject.py::test_tampers")
    )
    verdict = next(
        line for line in result.outlines if "TC001] test_subject.py::test_tampers" in line
    )
    told = TOLD.get(route)
    if told:
        assert (
            f"The test tampered with the plugin's timer ({told}); it has been restored." in verdict
        )
    else:  # SIGALRM and the interval timer are not the plugin's: nothing to tell
        assert "tampered" not in verdict
    # The next test starts with the timer intact: stopped at its limit, not at a hard stop.
    tree = ET.parse(pytester.path / "junit.xml")
    times = {case.get("name"): float(case.get("time", "nan")) for case in tree.iter("testcase")}
    assert 0.2 <= times["test_innocent_after_it"] <= 1.2
    assert times["test_tampers"] <= 3.0  # stopped, at the latest by the fallback, never hard


def test_a_test_that_tampers_within_its_limit_passes_and_the_timer_is_restored(
    run: Runner,
) -> None:
    result = run(
        """
import signal

import pytest

from pytest_test_categories import timing


found = []


@pytest.mark.small
def test_uses_the_signal_for_itself():
    found.append(signal.getsignal(timing.SIGNAL))
    signal.signal(timing.SIGNAL, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {timing.SIGNAL})


@pytest.mark.small
def test_next_sees_the_plugins_handler():
    assert signal.getsignal(timing.SIGNAL) is found[0]
    assert timing.SIGNAL not in signal.pthread_sigmask(signal.SIG_BLOCK, ())
""",
        "-rA",
        enforcement=None,
    )
    result.assert_outcomes(passed=2)


def test_a_test_that_slows_thread_switching_is_still_stopped_at_its_limit(run: Runner) -> None:
    # Without the cap, the watchdog would not run until the 30 s switch came round, and the
    # test would end the hard way, 30 s late.
    result = run(
        """
import sys

import pytest


@pytest.mark.small
def test_slows_thread_switching_then_spins():
    sys.setswitchinterval(30)
    while True:
        pass


@pytest.mark.small
def test_after_it():
    assert sys.getswitchinterval() < 1
""",
        "-rA",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            "E * exceeded its time limit of 1 s: stopped after 1.* s. The test tampered with "
            "the plugin's timer (slowed thread switching); it has been restored.*",
            "FAILED *::test_slows_thread_switching_then_spins - *[[]TC001[]] *: "
            "stopped after 1.* s",
        ]
    )
    assert outcome_of(result, "test_after_it") == "PASSED"
    assert result.duration < 20


def test_a_slow_thread_switch_left_by_one_test_does_not_shield_the_next(run: Runner) -> None:
    # The watchdog is a thread: a switch interval of minutes would keep it from running while
    # the next test spins, and that test would go on for minutes past its limit.
    result = run(
        """
import sys

import pytest

found = []


@pytest.mark.small
def test_slows_thread_switching():
    found.append(sys.getswitchinterval())
    sys.setswitchinterval(30)


@pytest.mark.small
def test_spins_after_it():
    assert sys.getswitchinterval() == found[0]
    while True:
        pass
""",
        "-rA",
        enforcement=None,
    )
    assert outcome_of(result, "test_slows_thread_switching") == "PASSED"
    result.stdout.fnmatch_lines(
        ["FAILED *::test_spins_after_it - *[[]TC001[]] *: stopped after 1.* s*"]
    )
    assert result.duration < 20


def test_a_test_that_blocks_the_signal_is_stopped_in_a_forked_process(
    pytester: pytest.Pytester,
) -> None:
    # A process forked from one that had imported threading (a pre-forking runner) keeps its
    # parent's thread id in threading.main_thread().native_id: the plugin must not read the
    # signal mask of a thread that is not there, and wait for a signal that never arrives.
    pytester.makepyfile(
        test_subject="""
import signal

import pytest


@pytest.mark.small(timeout=0.2)
def test_blocks_then_spins():
    signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    while True:
        pass
"""
    )
    script = pytester.makepyfile(
        fork="""
import os
import sys
import threading

import pytest

pid = os.fork()
if pid == 0:
    code = pytest.main(["-p", "no:cacheprovider", "-rA", "--test-categories-hard-stop=30"])
    sys.stdout.flush()
    os._exit(int(code))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""
    )
    result = pytester.runpython(script)
    result.stdout.fnmatch_lines(
        [
            "E * [[]TC001[]] *::test_blocks_then_spins * of 0.2 s: stopped after 0.* s. The test "
            f"tampered with the plugin's timer (blocked {timing.SIGNAL_NAME})*",
            "FAILED *::test_blocks_then_spins - *",
        ]
    )
    assert result.ret == 1
    assert result.duration < 20  # not the hard stop
