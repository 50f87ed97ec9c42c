"""Interrupt, then insist, then stop hard: a test that will not stop never hangs the run."""

from __future__ import annotations

import time

import pytest

from conftest import Runner, outcome_of

SPIN = """
import asyncio
import time

import pytest


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
"""

#: Keeps the hard stop short, so that these runs end soon.
HARD_STOP = "--test-categories-hard-stop=2"

#: Shorter still, for the runs that reach it: their test's limit is 0.2 s, so the process is
#: ended 1.2 s into the test.
HARD_STOP_REACHED = "--test-categories-hard-stop=1"


@pytest.mark.plugins("asyncio")
def test_an_async_test_that_swallows_every_cancellation_is_stopped(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.mark.small(timeout=0.2)
async def test_swallows():
    while True:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            pass


@pytest.mark.small
def test_next():
    pass
""",
        "-rA",
        HARD_STOP,
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        ["FAILED *::test_swallows - *[[]TC001[]] *exceeded its time limit of 0.2 s: stopped after*"]
    )
    assert outcome_of(result, "test_next") == "PASSED"
    # The swallowing task outlives the test; its loop's teardown is bounded too.
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_teardown_that_never_ends_after_the_stop_gets_its_own_bound(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.fixture
def endless_cleanup():
    yield
    while True:
        pass


@pytest.mark.small(timeout=0.2)
def test_stuck(endless_cleanup):
    spin(5)


@pytest.mark.small
def test_next():
    pass
""",
        "-rA",
        HARD_STOP,
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_stuck*",
            "E *[[]TC001[]] test_subject.py::test_stuck (small test) failed its time limit, and "
            "then its teardown ran past its own bound of 0.2 s: stopped after 0.* s.*",
        ]
    )
    result.stdout.fnmatch_lines(["PASSED *::test_next", "FAILED *::test_stuck - *[[]TC001[]]*"])


SWALLOWS_FOR_EVER = """

@pytest.mark.small{limit}
def test_swallows():
    while True:
        try:
            spin(5)
        except BaseException:
            pass


@pytest.mark.small
def test_second():
    pass


@pytest.mark.small
def test_third():
    pass
"""


def test_a_test_that_swallows_every_interrupt_is_ended_the_hard_way(run: Runner) -> None:
    began = time.monotonic()
    result = run(
        SPIN + SWALLOWS_FOR_EVER.format(limit="(timeout=0.2)"), HARD_STOP_REACHED, enforcement=None
    )
    assert time.monotonic() - began < 30  # limit 0.2 s + hard stop 1 s, on a loaded machine
    assert result.ret == 1
    result.stderr.fnmatch_lines(
        [
            "*test-categories: hard stop*",
            "Current thread *",  # the watchdog's stack, then the test's
            "Thread *",
            '  File "*test_subject.py", line * in test_swallows',
            "*",
            "FAILED test_subject.py::test_swallows - [[]TC001[]] test_subject.py::test_swallows "
            "(small test) exceeded its time limit of 0.2 s: it did not stop when interrupted and "
            "was still running after 1.* s, so the process was ended*",
        ]
    )


@pytest.mark.plugins("xdist")
def test_under_xdist_the_worker_is_replaced_and_the_run_goes_on(run: Runner) -> None:
    result = run(
        SPIN + SWALLOWS_FOR_EVER.format(limit="(timeout=0.2)"),
        "-rA",
        "-n",
        "1",
        HARD_STOP_REACHED,
        enforcement=None,
    )
    result.stdout.fnmatch_lines(["*replacing crashed worker gw0*"])
    assert outcome_of(result, "test_swallows") == "FAILED"
    assert outcome_of(result, "test_second") == "PASSED"
    assert outcome_of(result, "test_third") == "PASSED"
    result.stderr.fnmatch_lines(["FAILED *::test_swallows - [[]TC001[]]*did not stop*"])


def test_the_hard_stop_can_be_set_in_the_ini_file(run: Runner) -> None:
    # Without the option, the process would go on for 10 s past the limit (here the small
    # size's own, 1 s).
    began = time.monotonic()
    result = run(
        SPIN + SWALLOWS_FOR_EVER.format(limit=""),
        enforcement=None,
        ini="test_categories_hard_stop = 0.5",
    )
    assert time.monotonic() - began < 30
    result.stderr.fnmatch_lines(["*still running after 1.* s, so the process was ended*"])
