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
    ("body", "limit"),
    [
        # the small size's own limit, 1 s
        pytest.param("def test_stuck():\n    spin(5)", "", id="busy-loop"),
        # a stricter limit of the test's own: the run ends sooner; stopping works the same
        pytest.param(
            "async def test_stuck():\n    await asyncio.sleep(5)", "0.2", id="asyncio-sleep"
        ),
        pytest.param(
            "async def test_stuck():\n    await asyncio.get_running_loop().create_future()",
            "0.2",
            id="future-never-done",
        ),
        pytest.param(
            "def test_stuck():\n    time.sleep(5)", "0.2", id="blocking-sleep-enforcement-off"
        ),
    ],
)
@pytest.mark.plugins("asyncio")
def test_small_test_is_stopped_at_its_limit_and_the_next_one_runs(
    run: Runner, pytester: pytest.Pytester, body: str, limit: str
) -> None:
    marker = f"small(timeout={limit})" if limit else "small"
    result = run(
        f"{SPIN}\n\n@pytest.mark.{marker}\n{body}\n\n\n"
        "@pytest.mark.small\ndef test_next():\n    pass\n",
        "-rA",
        "--junitxml=junit.xml",
        enforcement=None,
    )
    seconds = float(limit or 1)
    result.stdout.fnmatch_lines(
        [
            "PASSED test_subject.py::test_next",
            "FAILED test_subject.py::test_stuck - [[]TC001[]] exceeded its time limit of "
            f"{seconds:g} s: stopped after {seconds:.1f}* s",
        ]
    )
    assert seconds <= durations(pytester)["test_stuck"] <= seconds + 0.3


def test_failure_shows_where_the_test_was_stopped(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.mark.small(timeout=0.2)
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


@pytest.mark.plugins("asyncio")
def test_async_test_is_cancelled_where_it_awaits(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.mark.small(timeout=0.2)
async def test_waits():
    await asyncio.sleep(5)  # it waits here
""",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            ">*await asyncio.sleep(5)  # it waits here",
            "test_subject.py:*",
            "E *TimeLimitExceeded: [[]TC001[]]*",
        ]
    )
    # The failure ends with the test's own line, not a note that every entry is hidden.
    result.stdout.no_fnmatch_line("*All traceback entries are hidden*")


ANYIO_TRIO = """
import anyio
import pytest

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "trio"


@pytest.mark.small(timeout=0.2)
async def test_1_waits():
    await anyio.sleep(5)  # it waits here


@pytest.mark.medium
async def test_2_runs_in_the_same_trio_run():
    assert await anyio.to_thread.run_sync(sum, [1, 2]) == 3


@pytest.mark.small
async def test_3_and_so_does_this_one():
    await anyio.sleep(0.01)
"""


@pytest.mark.plugins("anyio")
def test_a_trio_test_is_stopped_where_it_awaits_and_its_run_goes_on(run: Runner) -> None:
    # anyio runs trio in guest mode, one run for many tests: the test's thread waits on a queue
    # between trio's steps. Raising there left the run behind, and the next tests failed.
    result = run(ANYIO_TRIO, "-rA", "-p", "no:asyncio", "-p", "no:randomly", enforcement=None)
    result.stdout.fnmatch_lines(
        [">*await anyio.sleep(5)  # it waits here", "E *TimeLimitExceeded: [[]TC001[]]*"]
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED test_subject.py::test_2_runs_in_the_same_trio_run",
            "PASSED test_subject.py::test_3_and_so_does_this_one",
            "FAILED test_subject.py::test_1_waits - [[]TC001[]] exceeded its time limit of 0.2 s: "
            "stopped after 0.2* s",
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


def test_a_call_inside_c_that_no_signal_interrupts_is_failed_when_it_returns(run: Runner) -> None:
    # sqlite waits for a lock in C, sleeping until its busy timeout, whatever signals arrive:
    # the test cannot be stopped, and the message must not claim it was.
    result = run(
        SPIN
        + """
import sqlite3


@pytest.mark.medium(timeout=0.2)
def test_fast():
    pass


@pytest.mark.medium(timeout=0.2)
def test_waits_in_c(tmp_path):
    holder = sqlite3.connect(tmp_path / "db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    waiter = sqlite3.connect(tmp_path / "db", timeout=1.5)
    try:
        waiter.execute("CREATE TABLE t (x)")
    except sqlite3.OperationalError:
        pass
    spin(0.1)  # back in Python: where the verdict arrives
""",
        "-rA",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED *::test_fast",
            "FAILED *::test_waits_in_c - *[[]TC001[]]*time limit of 0.2 s: it ran 1.* s and could "
            "not be interrupted (for instance inside C code), so it was failed when it returned",
        ]
    )
    result.stdout.no_fnmatch_line("*stopped after*")


def test_breakpoint_suspends_the_limit(run: Runner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        fakedebugger="""
import time


class SlowDebugger:
    # Stands in for a person at the pdb prompt: takes 0.5 s, then continues.
    quitting = False

    def __init__(self, *args, **kwargs):
        pass

    def set_trace(self, frame=None):
        end = time.perf_counter() + 0.5
        while time.perf_counter() < end:
            pass

    def reset(self):
        pass
"""
    )
    result = run(
        SPIN
        + """

@pytest.mark.small(timeout=0.2)
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


def test_the_clock_stops_in_pytests_own_code(run: Runner, pytester: pytest.Pytester) -> None:
    # Slow hooks around the test and slow failure formatting (here a local's repr, shown by
    # --showlocals) are pytest's time, not the test's: nothing is interrupted there.
    pytester.makeconftest(
        SPIN
        + """

def pytest_runtest_setup(item):
    spin(0.3)


def pytest_runtest_teardown(item, nextitem):
    spin(0.3)
"""
    )
    result = run(
        SPIN
        + """

class SlowRepr:
    def __repr__(self):
        spin(0.5)
        return "SlowRepr()"


@pytest.mark.small(timeout=0.2)
def test_passes():
    pass


@pytest.mark.small(timeout=0.2)
def test_fails_fast():
    local = SlowRepr()  # shown by --showlocals, in pytest's report
    raise ValueError("the only failure")
""",
        "-rA",
        "--showlocals",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        ["PASSED *::test_passes", "FAILED *::test_fails_fast - ValueError: the only failure"]
    )
    result.stdout.no_fnmatch_line("*TC001*")
    result.stdout.no_fnmatch_line("*INTERNALERROR*")


LATE_CONFTEST = """
import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if "trylast" in item.name:
            item.add_marker(pytest.mark.small)


class SizesAfterEveryone:
    @pytest.hookimpl(wrapper=True)
    def pytest_collection_modifyitems(self, items):
        yield
        for item in items:
            if "wrapper" in item.name:
                item.add_marker(pytest.mark.small)


def pytest_configure(config):
    config.pluginmanager.register(SizesAfterEveryone())
"""


def test_sizes_added_late_in_collection_are_honoured(
    run: Runner, pytester: pytest.Pytester
) -> None:
    # Sizing a folder from a conftest, after every other hook: the tests get their limit,
    # their isolation, and their place in the report.
    pytester.makeconftest(LATE_CONFTEST)
    result = run(
        """
import socket


def test_trylast_isolated():
    socket.socket().connect(("127.0.0.1", 9))


def test_wrapper_limited():
    while True:
        pass


def test_trylast_passes():
    pass


def test_unsized():
    pass
""",
        "-rA",
    )
    result.stdout.fnmatch_lines(
        [
            "sizes: 3 small · 1 unsized",
            "PASSED *::test_trylast_passes",
            "PASSED *::test_unsized",
            "FAILED *::test_trylast_isolated - [[]TC101[]] network: socket.connect 127.0.0.1:9",
            "FAILED *::test_wrapper_limited - [[]TC001[]] exceeded its time limit of 1 s: "
            "stopped after 1.* s",
        ]
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--test-categories-hard-stop", "0"),
        ("--test-categories-hard-stop", "soon"),
        ("--test-categories-fixture-timeout", "-1"),
        ("--test-categories-fixture-timeout", "inf"),
    ],
)
def test_bad_bounds_are_usage_errors(run: Runner, option: str, value: str) -> None:
    result = run("def test_x():\n    pass\n", f"{option}={value}", enforcement=None)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*command-line option {option}: {value!r} is not a number of seconds above 0*"]
    )


def test_bounds_from_the_ini_file_name_their_source(run: Runner) -> None:
    result = run(
        "def test_x():\n    pass\n", enforcement=None, ini="test_categories_hard_stop = never"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*ini option test_categories_hard_stop in *.ini: 'never' is not a number of seconds*"]
    )


def test_a_pytest_run_inside_a_test_leaves_its_limit_and_isolation_in_place(
    run: Runner, pytester: pytest.Pytester
) -> None:
    # pytester runs pytest in the same process by default, as a plugin's own tests do: when
    # that inner run ends, the outer test and the tests after it are still limited and isolated.
    pytester.makeconftest('pytest_plugins = ["pytester"]')
    result = run(
        '''
import time

import pytest

INNER = """
import pytest

@pytest.mark.small
def test_inner():
    pass
"""


@pytest.mark.medium(timeout=3)
def test_runs_pytest_then_spins(pytester):
    pytester.makeini("[pytest]\\n")
    pytester.makepyfile(test_inner=INNER)
    inner = pytester.runpytest_inprocess("-p", "test_categories", "-p", "no:cacheprovider")
    inner.assert_outcomes(passed=1)
    assert "sizes: 1 small" in inner.outlines  # the inner run has the plugin too
    while True:  # it spins here
        pass


@pytest.mark.small
def test_sleeps_after_it():
    time.sleep(0.01)
''',
        "-rA",
    )
    result.stdout.fnmatch_lines(
        # stopped by its own 3 s limit (a few seconds late on a loaded machine), not left to spin
        ["FAILED *::test_runs_pytest_then_spins - *[[]TC001[]] *limit of 3 s: stopped after * s*"]
    )
    result.stdout.fnmatch_lines(["FAILED *::test_sleeps_after_it - *[[]TC104[]]*"])
    assert result.duration < 60
