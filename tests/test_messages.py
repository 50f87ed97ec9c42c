"""What a failing sized test looks like: the short summary, the traceback, warnings as errors."""

from __future__ import annotations

import pytest

from conftest import Runner, outcome_of
from pytest_test_categories.violations import WARNING_AS_ERROR_MESSAGE

WRITES = """
import pytest


@pytest.mark.small
def test_writes():
    open("x", "w").close()


@pytest.mark.small
def test_clean():
    pass
"""


def test_warn_mode_under_filterwarnings_error_fails_the_test_not_the_session(
    run: Runner,
) -> None:
    result = run(WRITES, "-v", enforcement="warn", ini="filterwarnings = error")
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert outcome_of(result, "test_writes") == "FAILED"
    assert outcome_of(result, "test_clean") == "PASSED"
    first_line = WARNING_AS_ERROR_MESSAGE.split("\n", 1)[0].format(
        summary="[TC102] filesystem: open x"
    )
    result.stdout.fnmatch_lines(
        [first_line, "[[]TC102] test_subject.py::test_writes (small test) used the filesystem*"]
    )
    result.stdout.fnmatch_lines(
        ["FAILED test_subject.py::test_writes - [[]TC102] filesystem: open x:*"]
    )


def test_a_violation_warning_points_at_the_test_not_at_the_plugin(run: Runner) -> None:
    result = run(WRITES, enforcement="warn")
    result.assert_outcomes(passed=2, warnings=1)
    output = result.stdout.str()
    # The test's own location, as pytest shows it for the test (the line of its first decorator).
    result.stdout.fnmatch_lines(["*test_subject.py:4: ViolationWarning: [[]TC102] *open x*"])
    assert "verdict.py" not in output


def test_the_short_summary_shows_the_code_and_what_was_done(run: Runner) -> None:
    result = run(
        """
        import socket
        import time

        import pytest


        @pytest.mark.small
        def test_connects():
            socket.create_connection(("127.0.0.1", 8765))


        @pytest.mark.small(timeout=0.1)
        def test_spins():
            end = time.perf_counter() + 2
            while time.perf_counter() < end:
                pass
        """
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "FAILED test_subject.py::test_connects - [[]TC101] network: socket.connect "
            "127.0.0.1:8765",
            "FAILED test_subject.py::test_spins - [[]TC001] exceeded its time limit of 0.1 s: "
            "stopped after 0.1* s",
        ]
    )
    assert "ResourceViolationError: [TC101]" in result.stdout.str()  # the full text stays above


def test_the_summary_is_short_enough_for_a_normal_terminal(
    run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    result = run(WRITES)
    result.stdout.fnmatch_lines(
        ["FAILED test_subject.py::test_writes - [[]TC102] filesystem: open x"]
    )


def test_the_plugins_frames_stay_out_of_tracebacks(run: Runner, pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.hookimpl
        def pytest_fixture_setup(fixturedef):
            if fixturedef.argname == "shared":
                raise RuntimeError("the conftest refuses the shared fixture")
        """
    )
    result = run(
        """
        import pytest

        @pytest.fixture(scope="module")
        def shared():
            return 1

        @pytest.mark.small
        def test_uses_shared(shared):
            pass
        """,
        "--tb=long",
    )
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    assert "the conftest refuses the shared fixture" in output
    assert "pytest_test_categories/plugin.py" not in output
    assert "conftest.py:6: RuntimeError" in output  # the frame that raised is shown


def test_a_swallowed_violation_shows_its_code_in_the_summary(run: Runner) -> None:
    result = run(
        """
        import pytest

        @pytest.mark.small
        def test_swallows():
            try:
                open("swallowed.txt", "w")
            except Exception:
                pass
        """
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "FAILED test_subject.py::test_swallows - [[]TC102] filesystem: open swallowed.txt: "
            "the test caught and swallowed a violation*"
        ]
    )


def test_violation_tracebacks_end_at_the_callers_line(run: Runner) -> None:
    result = run(
        """
        import socket
        import subprocess
        import threading
        import time

        import pytest


        @pytest.mark.small
        def test_sleeps():
            time.sleep(0.01)


        @pytest.mark.small
        def test_runs_a_process():
            subprocess.run(["true"])


        @pytest.mark.small
        def test_starts_a_thread():
            threading.Thread(target=print).start()


        @pytest.mark.small
        def test_connects():
            socket.socket().connect(("127.0.0.1", 9))
        """,
        "--tb=long",
    )
    result.assert_outcomes(failed=4)
    output = result.stdout.str()
    assert "site-packages/pytest_test_categories" not in output
    assert "src/pytest_test_categories" not in output
    for line in ("time.sleep(0.01)", 'subprocess.run(["true"])', '("127.0.0.1", 9))'):
        assert any(out.startswith(">") and line in out for out in result.outlines), line
