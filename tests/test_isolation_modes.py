"""Enforcement modes and what a violation says.

``strict`` stops the operation and fails the test (even when the test swallows the
violation), ``warn`` lets it happen and reports it, ``off`` patches nothing. A violation names
its code, the test, its size, the operation and its target, what the size allows, the fix and
the guide's page; it pickles, and no ``except OSError`` catches it.
"""

from __future__ import annotations

import pickle

import pytest

from conftest import outcome_of
from pytest_test_categories.violations import (
    ALLOWED,
    FIXES,
    Kind,
    ResourceViolationError,
    docs_url,
    resource_violation,
)

SUBJECT = """
import os
import socket
import sys
import time

import pytest

WROTE = "wrote.txt"


@pytest.mark.small
def test_writes_a_file():
    with open(WROTE, "w") as f:
        f.write("x")


@pytest.mark.small
def test_sleeps():
    time.sleep(0.01)


@pytest.mark.medium
def test_medium_reaches_a_remote_host():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(b"x", ("192.0.2.1", 9))
        except OSError:
            pass  # no route: the datagram went nowhere


def test_unsized_may_do_anything():
    time.sleep(0.01)
    with open("unsized.txt", "w") as f:
        f.write("x")
"""


def test_strict_stops_the_operation_and_fails_the_test(run, pytester) -> None:
    result = run(SUBJECT, "-v", enforcement="strict")
    assert outcome_of(result, "test_writes_a_file") == "FAILED"
    assert outcome_of(result, "test_sleeps") == "FAILED"
    assert outcome_of(result, "test_medium_reaches_a_remote_host") == "FAILED"
    assert outcome_of(result, "test_unsized_may_do_anything") == "PASSED"
    assert not (pytester.path / "wrote.txt").exists()  # stopped before the file was made
    assert (pytester.path / "unsized.txt").exists()
    assert "ResourceViolationError: [TC102]" in result.stdout.str()


def test_warn_lets_the_operation_happen_and_reports_it(run, pytester) -> None:
    result = run(SUBJECT, "-v", "-W", "always", enforcement="warn")
    result.assert_outcomes(passed=4, warnings=3)
    assert (pytester.path / "wrote.txt").exists()
    output = result.stdout.str()
    assert "ViolationWarning: [TC102] test_subject.py::test_writes_a_file (small test)" in output
    assert "ViolationWarning: [TC104] test_subject.py::test_sleeps (small test)" in output
    assert (
        "ViolationWarning: [TC101] test_subject.py::test_medium_reaches_a_remote_host "
        "(medium test) used the network: socket.sendto 192.0.2.1:9" in output
    )


def test_off_checks_nothing_and_patches_nothing(run, pytester) -> None:
    source = (
        SUBJECT
        + """

def test_nothing_is_patched():
    import _thread
    import builtins
    import threading

    for function in (time.sleep, builtins.open, _thread.start_new_thread, os.mkfifo,
                     getattr(threading, "_start_new_thread", time.time)):
        assert type(function).__name__ == "builtin_function_or_method", function
    assert "listen" not in vars(socket.socket)
"""
    )
    result = run(source, "-v", "-W", "always", enforcement="off")
    result.assert_outcomes(passed=5)
    assert (pytester.path / "wrote.txt").exists()
    assert "ViolationWarning" not in result.stdout.str()


def test_the_ini_option_switches_isolation_on(run) -> None:
    result = run(SUBJECT, "-v", enforcement=None, ini="test_categories_enforcement = strict")
    assert outcome_of(result, "test_writes_a_file") == "FAILED"
    assert outcome_of(result, "test_sleeps") == "FAILED"


def test_no_option_means_off(run) -> None:
    result = run(SUBJECT, "-v", enforcement=None)
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize("catch", ["Exception", "BaseException", "ResourceViolationError"])
def test_a_swallowed_violation_still_fails(run, catch) -> None:
    result = run(
        f"""
        import pytest
        from pytest_test_categories import ResourceViolationError

        @pytest.mark.small
        def test_swallows():
            try:
                open("swallowed.txt", "w")
            except {catch}:
                pass
        """,
        "-v",
    )
    assert outcome_of(result, "test_swallows") == "FAILED"
    output = result.stdout.str()
    assert "caught and swallowed a violation" in output
    assert "[TC102] test_subject.py::test_swallows (small test)" in output


def test_except_oserror_does_not_catch_a_violation(run) -> None:
    result = run(
        """
        import socket
        import pytest

        def fetch():
            try:
                socket.create_connection(("192.0.2.1", 80), timeout=0.5)
            except OSError:
                return "fallback"

        @pytest.mark.small
        def test_library_with_a_fallback():
            assert fetch() == "fallback"
        """,
        "-v",
    )
    assert outcome_of(result, "test_library_with_a_fallback") == "FAILED"
    assert "ResourceViolationError: [TC101]" in result.stdout.str()


def test_the_message_says_everything_a_reader_needs(run) -> None:
    result = run(
        """
        import subprocess
        import pytest

        @pytest.mark.small
        def test_runs_a_tool():
            subprocess.run(["/bin/echo", "hello world"])
        """,
        "-v",
    )
    output = result.stdout.str()
    kind = Kind.SUBPROCESS
    expected = (
        f"[{kind.code}] test_subject.py::test_runs_a_tool (small test) used a subprocess: "
        f"subprocess.Popen /bin/echo 'hello world'. A small test allows {ALLOWED[kind]['small']}. "
        f"To fix it: {FIXES[kind]}. See {docs_url(kind)}"
    )
    assert expected in output
    assert docs_url(kind).endswith("#tc103")


def test_exceptions_pickle_and_are_not_oserrors() -> None:
    violation = resource_violation(
        Kind.NETWORK, "test_x.py::test_y", "small", "socket.connect", "192.0.2.1:80"
    )
    error = ResourceViolationError(violation)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ResourceViolationError
    assert copy.violation == violation
    assert str(copy) == str(error) == violation.message
    assert not isinstance(error, OSError)
    assert isinstance(error, Exception)


def test_violations_cross_pytest_xdist(run) -> None:
    result = run(SUBJECT, "-p", "xdist", "-n", "2", "-rA", enforcement="strict")
    output = result.stdout.str()
    result.assert_outcomes(passed=1, failed=3)
    assert "[TC102] test_subject.py::test_writes_a_file (small test)" in output
    assert "[TC104] test_subject.py::test_sleeps (small test)" in output


def test_function_fixtures_are_the_tests_shared_fixtures_are_not(run) -> None:
    result = run(
        """
        import pytest

        @pytest.fixture
        def own_file():
            with open("own.txt", "w") as f:
                f.write("x")

        @pytest.fixture(scope="module")
        def shared_file():
            with open("shared.txt", "w") as f:
                f.write("x")
            yield
            with open("shared.txt", "a") as f:  # teardown is shared too
                f.write("y")

        @pytest.mark.small
        def test_own(own_file):
            pass

        @pytest.mark.small
        def test_shared(shared_file):
            pass
        """,
        "-v",
    )
    assert outcome_of(result, "test_own") == "ERROR"
    assert "[TC102] test_subject.py::test_own (small test) used the filesystem: open" in (
        result.stdout.str()
    )
    assert outcome_of(result, "test_shared") == "PASSED"
    assert "ERROR at teardown" not in result.stdout.str()
