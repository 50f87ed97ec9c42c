"""Thread isolation: small tests start no thread, by any route; medium and large may.

Python 3.11 has no audit event for starting a thread, 3.12 and 3.13 have different ones: the
same generated module must give the same outcomes on all of them.
"""

from __future__ import annotations

import pytest

from conftest import assert_routes, outcome_of

ROUTES = """
import _thread
import asyncio
import concurrent.futures
import threading
from _thread import start_new_thread

import pytest

SIZES = [pytest.param(s, marks=getattr(pytest.mark, s), id=s) for s in ("small", "medium", "large")]


def work():
    return 7


def threading_thread(size):
    thread = threading.Thread(target=work, name="worker")
    thread.start()
    thread.join()


def thread_subclass(size):
    class Worker(threading.Thread):
        def run(self):
            work()

    thread = Worker(name="worker")
    thread.start()
    thread.join()


def threading_timer(size):
    timer = threading.Timer(0.001, work)
    timer.name = "worker"
    timer.start()
    timer.join()


def low_level_thread(size):
    done = threading.Event()
    _thread.start_new_thread(done.set, ())
    assert done.wait(5)


def low_level_bound_at_import(size):
    done = threading.Event()
    start_new_thread(done.set, ())
    assert done.wait(5)


def thread_pool_executor(size):
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="worker") as pool:
        assert pool.submit(work).result() == 7


async def asyncio_to_thread(size):
    assert await asyncio.to_thread(work) == 7


async def run_in_default_executor(size):
    assert await asyncio.get_running_loop().run_in_executor(None, work) == 7


ROUTES = {f.__name__: f for f in list(globals().values())
          if getattr(f, "__code__", None) and f.__code__.co_varnames[:1] == ("size",)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("route", sorted(ROUTES))
async def test_route(route, size):
    result = ROUTES[route](size)
    if asyncio.iscoroutine(result):
        await result


@pytest.mark.small
def test_creating_a_thread_object_is_not_starting_it():
    assert not threading.Thread(target=work).is_alive()
"""

#: For each route, the target (start of the thread's name) a small test is stopped at.
SMALL_STOPS = {
    "asyncio_to_thread": "asyncio_",
    "low_level_bound_at_import": "",
    "low_level_thread": "",
    "run_in_default_executor": "asyncio_",
    "thread_pool_executor": "worker_",
    "thread_subclass": "worker",
    "threading_thread": "worker",
    "threading_timer": "worker",
}


@pytest.mark.plugins("asyncio")
def test_every_route_is_stopped_in_small_and_works_in_medium_and_large(run) -> None:
    result = run(ROUTES, "-v")
    output = assert_routes(
        result,
        "TC105",
        {route: f"a thread: thread.start {name}" for route, name in SMALL_STOPS.items()},
    )
    # each stopped test failed in its call only: asyncio's loop shut down without an error
    assert "ERROR" not in output
    assert outcome_of(result, "test_creating_a_thread_object_is_not_starting_it") == "PASSED"
    for code in ("TC101", "TC102", "TC103", "TC104", "TC106"):
        assert f"[{code}]" not in output


def test_threads_of_shared_fixtures_are_not_the_tests(run) -> None:
    """A session fixture's worker thread runs on while small tests run: not their doing."""
    result = run(
        """
        import queue
        import threading
        import pytest

        @pytest.fixture(scope="session")
        def worker():
            requests = queue.Queue()

            def serve():
                while True:
                    path = requests.get()
                    with open(path, "w") as f:
                        f.write("written by the shared worker")
                    requests.task_done()

            threading.Thread(target=serve, daemon=True).start()
            return requests

        @pytest.mark.medium
        def test_first(worker, tmp_path):
            worker.put(tmp_path / "a.txt")
            worker.join()

        @pytest.mark.small
        def test_second(worker, tmp_path_factory):
            worker.put(tmp_path_factory.getbasetemp() / "b.txt")
            worker.join()
        """,
        "-v",
    )
    assert outcome_of(result, "test_first") == "PASSED"
    assert outcome_of(result, "test_second") == "PASSED"


def test_a_thread_a_shared_fixture_starts_during_a_small_test_is_not_the_tests(run) -> None:
    """The fixture is set up while the small test is paused; its thread then works on."""
    result = run(
        """
        import queue
        import threading
        import pytest

        @pytest.fixture(scope="session")
        def writer(tmp_path_factory):
            base = tmp_path_factory.mktemp("shared")
            names = queue.Queue()

            def serve():
                while True:
                    name = names.get()
                    (base / name).write_text("written by the shared worker")
                    names.task_done()

            threading.Thread(target=serve, daemon=True).start()
            return names

        @pytest.mark.small
        def test_first_user_is_small(writer):
            writer.put("a.txt")
            writer.join()
        """,
        "-v",
    )
    assert outcome_of(result, "test_first_user_is_small") == "PASSED"


def test_a_thread_a_medium_test_starts_is_checked_like_the_test(run) -> None:
    result = run(
        """
        import socket
        import threading
        import pytest

        @pytest.mark.medium
        def test_remote_from_a_thread():
            errors = []

            def reach_out():
                try:
                    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 9))
                except Exception as error:
                    errors.append(error)

            thread = threading.Thread(target=reach_out)
            thread.start()
            thread.join()
            assert errors
        """,
        "-v",
    )
    assert outcome_of(result, "test_remote_from_a_thread") == "FAILED"
    assert "used the network: socket.sendto 192.0.2.1:9" in result.stdout.str()
