"""anyio on asyncio and on trio: async small tests, their limit, and a loop left whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Suite

SOURCE = """
import anyio
import pytest

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param


@pytest.mark.small
async def test_sleeps_a_little():
    await anyio.sleep(0.01)


@pytest.mark.small
async def test_task_group():
    results = []

    async def work(n):
        await anyio.sleep(0.01)
        results.append(n)

    async with anyio.create_task_group() as group:
        for n in range(3):
            group.start_soon(work, n)
    assert sorted(results) == [0, 1, 2]


@pytest.mark.small
async def test_connects():
    await anyio.connect_tcp("127.0.0.1", 9)


@pytest.mark.small(timeout=0.3)
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # trio: TRIO_LIMIT below
async def test_waits_past_its_limit():
    await anyio.sleep(5)


@pytest.mark.medium
async def test_medium_may_use_a_worker_thread():
    assert await anyio.to_thread.run_sync(sum, [1, 2, 3]) == 6


@pytest.mark.small
async def test_after_the_violations_the_loop_is_whole():
    await anyio.sleep(0)
"""

BACKENDS = ("asyncio", "trio")


def test_both_backends_run_small_async_tests_and_catch_violations(suite: Suite) -> None:
    result = suite(SOURCE)
    expected = {}
    for backend in BACKENDS:
        expected |= {
            f"test_sleeps_a_little[{backend}]": "PASSED",
            f"test_task_group[{backend}]": "PASSED",
            f"test_connects[{backend}]": "FAILED",
            f"test_medium_may_use_a_worker_thread[{backend}]": "PASSED",
            f"test_after_the_violations_the_loop_is_whole[{backend}]": "PASSED",
        }
    assert suite.outcomes(result) == expected | {"test_waits_past_its_limit[asyncio]": "FAILED"}
    for backend in BACKENDS:
        assert suite.failed_with(result, f"test_connects[{backend}]", "TC101")
    assert suite.failed_with(result, "test_waits_past_its_limit[asyncio]", "TC001")
    output = result.stdout.str()
    assert "Attempted to call run() from inside a run()" not in output
    assert "I/O operation on closed" not in output
    assert result.duration < 60


TRIO_LIMIT = """
import anyio
import pytest

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "trio"


@pytest.mark.small(timeout=0.3)
async def test_waits_past_its_limit():
    await anyio.sleep(5)


@pytest.mark.medium
async def test_the_next_test_uses_a_worker_thread():
    assert await anyio.to_thread.run_sync(sum, [1, 2, 3]) == 6


@pytest.mark.small
async def test_and_the_one_after_it_sleeps():
    await anyio.sleep(0.01)
"""


def test_a_trio_test_stopped_at_its_limit_leaves_the_loop_whole(suite: Suite) -> None:
    # anyio runs trio in guest mode: the test's thread waits on a queue between trio's steps,
    # and the tests after a stopped one run in the same trio run.
    result = suite(TRIO_LIMIT)
    assert suite.outcomes(result) == {
        "test_waits_past_its_limit": "FAILED",
        "test_the_next_test_uses_a_worker_thread": "PASSED",
        "test_and_the_one_after_it_sleeps": "PASSED",
    }
    assert suite.failed_with(result, "test_waits_past_its_limit", "TC001")
    output = result.stdout.str()
    assert "Attempted to call run() from inside a run()" not in output
    assert "ClosedResourceError" not in output
    assert result.duration < 60
