"""Subprocess isolation: small tests start no process, by any route; medium and large may.

One generated module runs every route three times (small, medium, large); the outer test
asserts each one's outcome and the operation its violation names. Routes that replace the
process (``os.exec*``) run in a forked child where the test may fork; in a small test they are
tried directly, so a guard that failed to stop them would end the whole run (and this test).
"""

from __future__ import annotations

import pytest

from conftest import assert_routes, outcome_of

ROUTES = """
import asyncio
import concurrent.futures
import multiprocessing
import os
import pty
import subprocess
import sys

import pytest

SIZES = [pytest.param(s, marks=getattr(pytest.mark, s), id=s) for s in ("small", "medium", "large")]
TRUE = "/bin/true"


def noop():
    return 7


def in_child(test_size, action):
    if test_size == "small":
        action()  # must be stopped before it replaces this process
        raise AssertionError("not stopped")
    pid = os.fork()
    if pid == 0:
        try:
            action()
        finally:
            os._exit(1)
    assert os.waitpid(pid, 0)[1] == 0


def subprocess_run(size):
    assert subprocess.run([TRUE]).returncode == 0


def subprocess_check_output(size):
    assert subprocess.check_output(["echo", "hi"]) == b"hi\\n"


def subprocess_shell(size):
    assert subprocess.call("exit 0", shell=True) == 0


def subprocess_popen(size):
    with subprocess.Popen([TRUE]) as process:
        assert process.wait() == 0


def os_system(size):
    assert os.system(TRUE) == 0


def os_popen(size):
    with os.popen("echo hi") as pipe:
        assert pipe.read() == "hi\\n"


def os_execv(size):
    in_child(size, lambda: os.execv(TRUE, [TRUE]))


def os_execvp(size):
    in_child(size, lambda: os.execvp("true", ["true"]))


def os_spawnv(size):
    assert os.spawnv(os.P_WAIT, TRUE, [TRUE]) == 0


def os_posix_spawn(size):
    pid = os.posix_spawn(TRUE, [TRUE], dict(os.environ))
    assert os.waitpid(pid, 0)[1] == 0


def os_posix_spawnp(size):
    pid = os.posix_spawnp("true", ["true"], dict(os.environ))
    assert os.waitpid(pid, 0)[1] == 0


def os_fork(size):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    assert os.waitpid(pid, 0)[1] == 0


def pty_fork(size):
    pid, fd = pty.fork()
    if pid == 0:
        os._exit(0)
    assert os.waitpid(pid, 0)[1] == 0
    os.close(fd)


def multiprocessing_fork(size):
    process = multiprocessing.get_context("fork").Process(target=noop)
    process.start()
    process.join()
    assert process.exitcode == 0


def multiprocessing_spawn(size):
    process = multiprocessing.get_context("spawn").Process(target=noop)
    process.start()
    process.join()
    assert process.exitcode == 0


def multiprocessing_forkserver(size):
    process = multiprocessing.get_context("forkserver").Process(target=noop)
    process.start()
    process.join()
    assert process.exitcode == 0


def process_pool_executor(size):
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        assert pool.submit(noop).result() == 7


async def asyncio_subprocess_exec(size):
    process = await asyncio.create_subprocess_exec(TRUE)
    assert await process.wait() == 0


async def asyncio_subprocess_shell(size):
    process = await asyncio.create_subprocess_shell("exit 0")
    assert await process.wait() == 0


ROUTES = {f.__name__: f for f in list(globals().values())
          if getattr(f, "__code__", None) and f.__code__.co_varnames[:1] == ("size",)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("route", sorted(ROUTES))
async def test_route(route, size):
    result = ROUTES[route](size)
    if asyncio.iscoroutine(result):
        await result


@pytest.mark.small
def test_swallowing_a_refused_subprocess_still_fails():
    try:
        subprocess.run([TRUE])
    except Exception:
        pass
"""

#: For each route, the operation (and start of the command) a small test is stopped at.
SMALL_STOPS = {
    "asyncio_subprocess_exec": "subprocess.Popen /bin/true",
    "asyncio_subprocess_shell": "subprocess.Popen /bin/sh -c 'exit 0'",
    "multiprocessing_fork": "os.fork (a copy of this process)",
    "multiprocessing_forkserver": "_posixsubprocess.fork_exec ",
    "multiprocessing_spawn": "_posixsubprocess.fork_exec ",
    "os_execv": "os.exec /bin/true",
    "os_execvp": "os.exec true",
    "os_fork": "os.fork (a copy of this process)",
    "os_popen": "subprocess.Popen /bin/sh -c 'echo hi'",
    "os_posix_spawn": "os.posix_spawn /bin/true",
    "os_posix_spawnp": "os.posix_spawn true",
    "os_spawnv": "os.fork (a copy of this process)",
    "os_system": "os.system /bin/true",
    "process_pool_executor": "os.fork (a copy of this process)",
    "pty_fork": "os.forkpty (a copy of this process)",
    "subprocess_check_output": "subprocess.Popen echo hi",
    "subprocess_popen": "subprocess.Popen /bin/true",
    "subprocess_run": "subprocess.Popen /bin/true",
    "subprocess_shell": "subprocess.Popen /bin/sh -c 'exit 0'",
}


@pytest.mark.plugins("asyncio")
def test_every_route_is_stopped_in_small_and_works_in_medium_and_large(run) -> None:
    result = run(ROUTES, "-v")
    output = assert_routes(
        result, "TC103", {route: f"a subprocess: {what}" for route, what in SMALL_STOPS.items()}
    )
    assert "not stopped" not in output

    assert outcome_of(result, "test_swallowing_a_refused_subprocess_still_fails") == "FAILED"
    assert "caught and swallowed a violation" in output
    for code in ("TC101", "TC102", "TC104", "TC105", "TC106"):
        assert f"[{code}]" not in output


def test_one_popen_is_one_violation_in_warn_mode(run) -> None:
    """``subprocess`` also calls ``os.posix_spawn`` or ``fork_exec``: not counted twice."""
    result = run(
        """
        import subprocess
        import pytest

        @pytest.mark.small
        def test_runs_true():
            assert subprocess.run(["/bin/true"]).returncode == 0
        """,
        "-W",
        "always",
        enforcement="warn",
    )
    result.assert_outcomes(passed=1, warnings=1)
    assert "used a subprocess: subprocess.Popen /bin/true" in result.stdout.str()
