"""Blocking sleep: small tests may not call ``time.sleep`` by any name; medium and large may.

The names include one bound in a conftest before the plugin started (Python before 3.13 has no
audit event for ``time.sleep``, so the guard must find that name itself) and one kept as a class
attribute (a wrapper must not turn into a method there, as the builtin does not).
"""

from __future__ import annotations

import pytest

from conftest import assert_routes, outcome_of

CONFTEST = """
from time import sleep as sleep_bound_in_conftest


def nap(seconds):
    sleep_bound_in_conftest(seconds)
"""

ROUTES = """
import functools
import time
import time as clock
from time import sleep

import pytest

from conftest import nap

SIZES = [pytest.param(s, marks=getattr(pytest.mark, s), id=s) for s in ("small", "medium", "large")]


class Retry:
    pause = time.sleep


def time_sleep(size):
    time.sleep(0.01)


def from_time_import_sleep(size):
    sleep(0.01)


def module_alias(size):
    clock.sleep(0.01)


def bound_in_conftest(size):
    nap(0.01)


def class_attribute(size):
    Retry().pause(0.01)


def partial(size):
    functools.partial(time.sleep, 0.01)()


def looked_up_by_name(size):
    getattr(time, "sleep")(0.01)


ROUTES = {f.__name__: f for f in list(globals().values())
          if getattr(f, "__code__", None) and f.__code__.co_varnames[:1] == ("size",)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route(route, size):
    ROUTES[route](size)


@pytest.mark.small
def test_sleep_zero_blocks_nothing_and_is_allowed():
    time.sleep(0)
    sleep(0.0)


@pytest.mark.small
async def test_asyncio_sleep_is_allowed():
    import asyncio

    await asyncio.sleep(0.01)
    assert await asyncio.sleep(0, result="x") == "x"
"""

ROUTE_NAMES = {
    "bound_in_conftest",
    "class_attribute",
    "from_time_import_sleep",
    "looked_up_by_name",
    "module_alias",
    "partial",
    "time_sleep",
}


@pytest.mark.plugins("asyncio")
def test_every_name_is_stopped_in_small_and_works_in_medium_and_large(run, pytester) -> None:
    pytester.makeconftest(CONFTEST)
    result = run(ROUTES, "-v")
    output = assert_routes(
        result, "TC104", dict.fromkeys(ROUTE_NAMES, "a blocking sleep: time.sleep 0.01 s")
    )
    assert outcome_of(result, "test_sleep_zero_blocks_nothing_and_is_allowed") == "PASSED"
    assert outcome_of(result, "test_asyncio_sleep_is_allowed") == "PASSED"
    for code in ("TC101", "TC102", "TC103", "TC105", "TC106"):
        assert f"[{code}]" not in output


def test_a_sleeping_small_fixture_errors_in_setup(run) -> None:
    result = run(
        """
        import time
        import pytest

        @pytest.fixture
        def slow():
            time.sleep(0.01)

        @pytest.fixture(scope="module")
        def shared():
            time.sleep(0.01)  # shared fixtures belong to no test: allowed

        @pytest.mark.small
        def test_uses_slow(slow):
            pass

        @pytest.mark.small
        def test_uses_shared(shared):
            pass
        """,
        "-v",
    )
    assert outcome_of(result, "test_uses_slow") == "ERROR"
    assert "[TC104] test_subject.py::test_uses_slow (small test)" in result.stdout.str()
    assert outcome_of(result, "test_uses_shared") == "PASSED"
