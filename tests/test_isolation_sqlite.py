"""sqlite isolation: small tests may open in-memory databases only; medium and large any."""

from __future__ import annotations

import re

from conftest import assert_routes, outcome_of

ROUTES = """
import sqlite3

import pytest

SIZES = [pytest.param(s, marks=getattr(pytest.mark, s), id=s) for s in ("small", "medium", "large")]


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    return tmp_path_factory.mktemp("databases")


def use(connection):
    with connection:
        connection.execute("create table t (x)")
        connection.execute("insert into t values (1)")
        assert connection.execute("select x from t").fetchall() == [(1,)]
    connection.close()


def file_path(size, place):
    use(sqlite3.connect(place / f"{size}.db"))


def file_name_as_str(size, place):
    use(sqlite3.connect(str(place / f"{size}-str.db")))


def file_uri(size, place):
    use(sqlite3.connect(f"file:{place}/{size}-uri.db?mode=rwc", uri=True))


def temporary_on_disk(size, place):
    use(sqlite3.connect(""))


ROUTES = {f.__name__: f for f in list(globals().values())
          if getattr(f, "__code__", None) and f.__code__.co_varnames[:2] == ("size", "place")}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route(route, size, place):
    ROUTES[route](size, place)


@pytest.mark.small
@pytest.mark.parametrize(
    "database, uri",
    [(":memory:", False), ("file::memory:?cache=shared", True),
     ("file:named?mode=memory&cache=shared", True)],
    ids=["memory", "memory-uri", "named-memory-uri"],
)
def test_small_may_use_memory(database, uri):
    use(sqlite3.connect(database, uri=uri))
"""

SMALL_STOPS = {
    "file_path": "sqlite3.connect {place}/small.db",
    "file_name_as_str": "sqlite3.connect {place}/small-str.db",
    "file_uri": "sqlite3.connect file:{place}/small-uri.db?mode=rwc",
    "temporary_on_disk": "sqlite3.connect '' (a temporary database on disk)",
}


def test_files_are_stopped_in_small_and_work_in_medium_and_large(run) -> None:
    result = run(ROUTES, "-v")
    place = re.search(r"(/\S+/databases\d*)/small\.db", result.stdout.str())
    assert place, result.stdout.str()
    used = {
        route: f"an sqlite database file: {what.format(place=place.group(1))}"
        for route, what in SMALL_STOPS.items()
    }
    output = assert_routes(result, "TC106", used)
    for case in ("memory", "memory-uri", "named-memory-uri"):
        assert outcome_of(result, f"test_small_may_use_memory[{case}]") == "PASSED"
    for code in ("TC101", "TC102", "TC103", "TC104", "TC105"):
        assert f"[{code}]" not in output  # an sqlite file is one violation, of its own kind
