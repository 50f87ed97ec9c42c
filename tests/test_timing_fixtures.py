"""Fixtures and time limits: what is charged to a test, cleanup after a stop, shared fixtures."""

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


@pytest.mark.parametrize(
    ("fixture", "outcome"),
    [
        pytest.param(
            "@pytest.fixture\ndef slow():\n    spin(0.5)\n    yield", "ERROR at setup", id="setup"
        ),
        pytest.param(
            "@pytest.fixture\ndef slow():\n    yield\n    spin(0.5)",
            "ERROR at teardown",
            id="teardown",
        ),
        pytest.param(
            "@pytest.fixture\nasync def slow():\n    await asyncio.sleep(0.5)\n    yield",
            "ERROR at setup",
            id="async-setup",
        ),
    ],
)
@pytest.mark.plugins("asyncio")
def test_function_scoped_fixtures_are_charged_to_the_test(
    run: Runner, fixture: str, outcome: str
) -> None:
    result = run(
        f"{SPIN}\n\n{fixture}\n\n\n@pytest.mark.small(timeout=0.2)\ndef test_uses_it(slow):\n"
        "    pass\n",
        enforcement=None,
    )
    result.stdout.fnmatch_lines([f"*{outcome} of test_uses_it*", "*[[]TC001[]]*of 0.2 s*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.parametrize("scope", ["session", "module", "class"])
def test_shared_fixtures_are_charged_to_no_test(run: Runner, scope: str) -> None:
    result = run(
        SPIN
        + f"""

@pytest.fixture(scope="{scope}")
def shared():
    spin(0.4)
    yield
    spin(0.4)


class TestGroup:
    @pytest.mark.small(timeout=0.3)
    def test_first(self, shared):
        pass

    @pytest.mark.small(timeout=0.3)
    def test_second(self, shared):
        spin(0.05)
""",
        enforcement=None,
    )
    result.assert_outcomes(passed=2)


@pytest.mark.plugins("asyncio")
def test_cleanup_after_a_stop_runs_to_the_end(run: Runner) -> None:
    # The test is cancelled at its limit; its fixture's 0.15 s teardown still completes (within
    # the bound a teardown gets after a stop: the test's limit), and no leftover interrupt turns
    # the cleanup into a second failure.
    result = run(
        SPIN
        + """

@pytest.fixture
async def resource():
    yield
    await asyncio.sleep(0.15)
    print("cleanup finished")


@pytest.fixture
def sync_resource():
    yield
    spin(0.15)
    print("sync cleanup finished")


@pytest.mark.small(timeout=0.5)
async def test_waits(resource):
    await asyncio.sleep(5)


@pytest.mark.small(timeout=0.5)
def test_spins(sync_resource):
    spin(5)
""",
        "-s",
        "-rA",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(["*cleanup finished*"])
    result.stdout.fnmatch_lines(["*sync cleanup finished*"])
    result.assert_outcomes(failed=2, errors=0)


def test_a_fixture_stopped_in_its_setup_does_not_break_the_next_test(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.fixture
def slow():
    spin(0.5)
    yield


@pytest.mark.small(timeout=0.2)
def test_first(slow):
    pass


@pytest.mark.medium
def test_second(slow):
    pass
""",
        "-rA",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(["ERROR *::test_first - *[[]TC001[]]*"])
    assert outcome_of(result, "test_second") == "PASSED"


ENDLESS_TEARDOWN = """

@pytest.fixture(scope="{scope}")
def shared():
    yield
    while True:  # it hangs here
        pass


class TestGroup:
    @pytest.mark.small
    def test_uses_it(self, shared):
        pass
"""


@pytest.mark.parametrize("scope", ["module", "class", "session"])
def test_an_endless_shared_teardown_ends_within_its_bound(run: Runner, scope: str) -> None:
    began = time.monotonic()
    result = run(
        SPIN + ENDLESS_TEARDOWN.format(scope=scope),
        "-rA",
        "--test-categories-fixture-timeout=0.3",
        enforcement=None,
    )
    assert time.monotonic() - began < 30
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of TestGroup.test_uses_it*",
            ">*while True:  # it hangs here",
            f"E *[[]TC001[]] {scope}-scoped fixture 'shared' did not finish its teardown within "
            "0.3 s, the bound of shared fixtures: stopped after 0.* s.*",
        ]
    )
    assert outcome_of(result, "test_uses_it") == "PASSED"  # the test itself passed


def test_an_endless_shared_setup_is_stopped_and_named(run: Runner) -> None:
    result = run(
        SPIN
        + """

@pytest.fixture(scope="session")
def database():
    while True:
        pass


@pytest.mark.small
def test_needs_it(database):
    pass


@pytest.mark.small
def test_without_it():
    pass
""",
        "-rA",
        enforcement=None,
        ini="test_categories_fixture_timeout = 0.5",
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED *::test_without_it",
            "ERROR *::test_needs_it - *[[]TC001[]] session-scoped fixture 'database' did not "
            "finish its setup within 0.5 s*",
        ]
    )


def test_a_shared_teardown_after_an_early_stop_is_bounded_too(run: Runner) -> None:
    # With -x, pytest tears the session's fixtures down after the last test has ended.
    result = run(
        SPIN
        + """

@pytest.fixture(scope="session")
def shared():
    yield
    while True:
        pass


@pytest.mark.small
def test_fails(shared):
    assert False


@pytest.mark.small
def test_never_runs(shared):
    pass
""",
        "-x",
        "--test-categories-fixture-timeout=0.3",
        enforcement=None,
    )
    result.stdout.fnmatch_lines(
        ["*[[]TC001[]] session-scoped fixture 'shared' did not finish its teardown within 0.3 s*"]
    )


def test_threads_left_running_after_the_run_end_the_process_within_the_bound(
    pytester: pytest.Pytester,
) -> None:
    # Python waits for every thread that is not a daemon before it exits: without a bound, one
    # thread a test forgot would hang the run after its summary, for ever.
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(
        test_subject="""
import threading
import time

import pytest


@pytest.mark.medium
def test_forgets_its_thread():
    threading.Thread(target=time.sleep, args=(3600,), name="forgotten").start()
"""
    )
    began = time.monotonic()
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-o", "test_categories_hard_stop=0.5", timeout=60
    )
    assert time.monotonic() - began < 30
    result.stdout.fnmatch_lines(["*1 passed*"])
    result.stderr.fnmatch_lines(
        [
            "*test-categories: hard stop*",
            "*[[]TC001[]] the run is over, but threads the tests started were still running 0.5 s "
            "later, so the process was ended*'forgotten'*",
        ]
    )
    assert result.ret == 1
