"""Time limits: a test is stopped at its limit, and what is charged to it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import Runner

SPIN = """
import asyncio
import time

import pytest


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
"""


def durations(pytester: pytest.Pytester) -> dict[str, float]:
    """Wall time per test (setup + call + teardown) from the JUnit XML report."""
    tree = ET.parse(pytester.path / "junit.xml")
    return {case.get("name", ""): float(case.get("time", "nan")) for case in tree.iter("testcase")}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("def test_stuck():\n    spin(5)", id="busy-loop"),
        pytest.param("async def test_stuck():\n    await asyncio.sleep(5)", id="asyncio-sleep"),
        pytest.param(
            "async def test_stuck():\n    await asyncio.get_running_loop().create_future()",
            id="future-never-done",
        ),
        pytest.param("def test_stuck():\n    time.sleep(5)", id="blocking-sleep-enforcement-off"),
    ],
)
def test_small_test_is_stopped_at_its_limit_and_the_next_one_runs(
    run: Runner, pytester: pytest.Pytester, body: str
) -> None:
    result = run(
        f"{SPIN}\n\n@pytest.mark.small\n{body}\n\n\n"
        "@pytest.mark.small\ndef test_next():\n    pass\n",
        "-rA",
        "--junitxml=junit.xml",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED test_subject.py::test_next",
            "FAILED test_subject.py::test_stuck - [[]TC001[]] exceeded its time limit of 1 s: "
            "stopped after 1.0* s",
        ]
    )
    assert 1.0 <= durations(pytester)["test_stuck"] <= 1.3


def test_failure_shows_where_the_test_was_stopped(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.mark.small
def test_stuck():
    x = 0
    while True:  # the line it is stopped on
        x += 1
""",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [">*while True:  # the line it is stopped on", "E *TimeLimitExceeded: [[]TC001[]]*"]
    )


def test_async_test_is_cancelled_where_it_awaits(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.mark.small
async def test_waits():
    await asyncio.sleep(5)  # it waits here
""",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            ">*await asyncio.sleep(5)  # it waits here",
            "*CancelledError: time limit of 1 s",
            "*The above exception was the direct cause of the following exception:*",
            "E *TimeLimitExceeded: [[]TC001[]]*",
        ]
    )


def test_teardown_still_runs_after_the_interruption(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.fixture
def resource():
    yield
    print("teardown ran")


@pytest.mark.small(timeout=0.2)
def test_stuck(resource):
    spin(5)
""",
        "-s",
        enforcement=None,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*teardown ran*"])


@pytest.mark.parametrize(
    ("fixture", "outcome"),
    [
        pytest.param(
            "@pytest.fixture\ndef slow():\n    spin(1.5)\n    yield", "ERROR at setup", id="setup"
        ),
        pytest.param(
            "@pytest.fixture\ndef slow():\n    yield\n    spin(1.5)",
            "ERROR at teardown",
            id="teardown",
        ),
        pytest.param(
            "@pytest.fixture\nasync def slow():\n    await asyncio.sleep(1.5)\n    yield",
            "ERROR at setup",
            id="async-setup",
        ),
    ],
)
def test_function_scoped_fixtures_are_charged_to_the_test(
    run: Runner, fixture: str, outcome: str
) -> None:
    result = run(
        f"{SPIN}\n\n{fixture}\n\n\n@pytest.mark.small\ndef test_uses_it(slow):\n    pass\n",
        enforcement=None,
    )
    result.stdout.fnmatch_lines([f"*{outcome} of test_uses_it*", "*[[]TC001[]]*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.parametrize("scope", ["session", "module", "class"])
def test_shared_fixtures_are_charged_to_no_test(run: Runner, scope: str) -> None:
    result = run(
        SPIN
        + f"""

@pytest.fixture(scope="{scope}")
def shared():
    spin(0.8)
    yield
    spin(0.8)


class TestGroup:
    @pytest.mark.small(timeout=0.5)
    def test_first(self, shared):
        pass

    @pytest.mark.small(timeout=0.5)
    def test_second(self, shared):
        spin(0.1)
""",
        enforcement=None,
    )
    result.assert_outcomes(passed=2)


def test_a_swallowed_interruption_still_fails_the_test(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.mark.small(timeout=0.2)
def test_swallows():
    try:
        spin(5)
    except BaseException:
        pass
""",
        "-rA",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(["FAILED *::test_swallows - [[]TC001[]]*stopped after 0.2* s*"])


def test_a_failed_assertion_keeps_its_traceback_beside_the_time_verdict(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.mark.small(timeout=0.2)
def test_both():
    try:
        spin(5)
    except BaseException:
        pass
    assert 1 + 1 == 3
""",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            ">*assert 1 + 1 == 3",
            "E*assert (1 + 1) == 3",
            "*- test-categories -*",
            "[[]TC001[]] test_subject.py::test_both (small test) exceeded its time limit of 0.2 s*",
        ]
    )
    result.assert_outcomes(failed=1)


def test_measured_verdict_where_the_signal_cannot_interrupt(run: Runner) -> None:
    # Like a C call that blocks signals: the alarm cannot interrupt the test, so the
    # verdict comes from the measured time.
    result = run(
        SPIN
        + """
import signal


@pytest.mark.small(timeout=0.2)
def test_fast():
    pass


@pytest.mark.small(timeout=0.2)
def test_deaf_to_signals():
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    spin(0.4)
""",
        "-rA",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED *::test_fast",
            "FAILED *::test_deaf_to_signals - [[]TC001[]]*time limit of 0.2 s: it took 0.4* s*",
        ]
    )


def test_breakpoint_suspends_the_limit(run: Runner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        fakedebugger="""
import time


class SlowDebugger:
    # Stands in for a person at the pdb prompt: takes 1.5 s, then continues.
    quitting = False

    def __init__(self, *args, **kwargs):
        pass

    def set_trace(self, frame=None):
        end = time.perf_counter() + 1.5
        while time.perf_counter() < end:
            pass

    def reset(self):
        pass
"""
    )
    result = run(
        SPIN
        + """

@pytest.mark.small
def test_debugged():
    breakpoint()
""",
        "--pdbcls=fakedebugger:SlowDebugger",
        "-s",
        enforcement=None,
    )
    result.assert_outcomes(passed=1)


def test_a_tracer_that_is_not_a_debugger_does_not_suspend_the_limit(run: Runner) -> None:
    # Coverage measurement traces too; it must not switch time limits off.
    result = run(
        SPIN
        + """
import sys


def tracer(frame, event, arg):
    return tracer


@pytest.mark.small(timeout=0.2)
def test_traced():
    sys.settrace(tracer)
    try:
        spin(5)
    finally:
        sys.settrace(None)
""",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(["*[[]TC001[]]*test_traced*"])
    result.assert_outcomes(failed=1)
