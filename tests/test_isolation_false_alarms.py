"""Honest code never trips a guard: what CPython, test tools and event loops do for themselves.

Each case here was a false alarm in a real suite: a SyntaxError's pseudo-file, zoneinfo through
the ``/etc/localtime`` link, Hypothesis's own storage, the thread trio's guest mode (anyio)
starts for itself. Beside each, the true violation next to it is still caught.
"""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import outcome_of
from support import outside_ci

SYNTAX = """
import ast

import pytest

pytestmark = pytest.mark.small


def test_ast_parse_of_broken_source():
    with pytest.raises(SyntaxError):
        ast.parse("x = (1,\\n")


def test_compile_of_broken_source():
    with pytest.raises(SyntaxError):
        compile("x = (1,\\n", "<string>", "exec")
    with pytest.raises(SyntaxError):
        exec("def f(:\\n    pass")


def test_a_real_file_is_still_refused():
    with open("<string>", "w") as f:
        f.write("x")


def test_reading_a_real_file_with_such_a_name_is_refused():
    with open("<data>") as f:
        f.read()
"""


def test_a_syntax_error_in_source_from_a_string_is_no_file_access(run, pytester) -> None:
    pytester.path.joinpath("<data>").write_text("a data file, oddly named")
    result = run(SYNTAX, "-v")
    assert outcome_of(result, "test_reading_a_real_file_with_such_a_name_is_refused") == "FAILED"
    result.stdout.fnmatch_lines(["*[[]TC102[]] *such_a_name_is_refused* open <data>*"])
    assert outcome_of(result, "test_ast_parse_of_broken_source") == "PASSED"
    assert outcome_of(result, "test_compile_of_broken_source") == "PASSED"
    assert outcome_of(result, "test_a_real_file_is_still_refused") == "FAILED"
    result.stdout.fnmatch_lines(["*[[]TC102[]] *test_a_real_file_is_still_refused* open <string>*"])


LINKS = """
import os
import shutil
import zoneinfo

import pytest

pytestmark = pytest.mark.small


@pytest.fixture(scope="session")
def links(tmp_path_factory):
    place = tmp_path_factory.mktemp("links")
    os.symlink(os.__file__, place / "to-the-standard-library")
    (place / "secret.txt").write_text("secret")
    os.symlink(place / "secret.txt", place / "to-a-plain-file")
    return place


def test_zoneinfo_and_localtime():
    zoneinfo.ZoneInfo.clear_cache()
    assert zoneinfo.ZoneInfo("UTC").key == "UTC"
    with open("/etc/localtime", "rb") as f:
        assert f.read(4) == b"TZif"


def test_a_link_into_an_installed_place(links):
    with open(links / "to-the-standard-library") as f:
        assert f.read()


def test_a_link_to_a_plain_file(links):
    with open(links / "to-a-plain-file") as f:
        f.read()
"""


def test_symbolic_links_into_allowed_places_are_followed(run, pytester) -> None:
    result = run(LINKS, "-v")
    if os.path.islink("/etc/localtime"):
        assert outcome_of(result, "test_zoneinfo_and_localtime") == "PASSED"
    assert outcome_of(result, "test_a_link_into_an_installed_place") == "PASSED"
    assert outcome_of(result, "test_a_link_to_a_plain_file") == "FAILED"
    result.stdout.fnmatch_lines(["*[[]TC102[]] *test_a_link_to_a_plain_file* open */to-a-plain*"])


HYPOTHESIS = """
import pytest
from hypothesis import given, settings, strategies as st

pytestmark = pytest.mark.small


class TestInAClass:
    @settings(max_examples=5, deadline=None)
    @given(st.text(min_size=1), st.characters(categories=["Lu"]))
    def test_text_and_characters(self, text, upper):
        assert upper.isupper() and text


@settings(max_examples=5, deadline=None)
@given(st.integers(min_value=10))  # every example fails: found at once, shrunk to 10, saved
def test_fails_and_is_saved_to_the_example_database(n):
    assert n < 10


def test_the_test_writing_into_hypothesis_folder_is_still_refused():
    with open(".hypothesis/mine.txt", "w") as f:
        f.write("x")
"""


@pytest.mark.plugins("hypothesispytest")
def test_hypothesis_keeps_its_caches_and_example_database(run, pytester, monkeypatch) -> None:
    outside_ci(monkeypatch)
    # Building the Unicode caches takes Hypothesis about a second: more than a small test
    # has. Build them without the plugin, then keep only them.
    run(HYPOTHESIS, "-p", "no:test_categories", enforcement=None)
    for place in (".hypothesis/examples", ".hypothesis/constants"):
        shutil.rmtree(pytester.path / place, ignore_errors=True)
    for attempt in ("first, a failure is saved", "second, it is replayed"):
        result = run(HYPOTHESIS, "-v")
        output = result.stdout.str()
        assert outcome_of(result, "TestInAClass::test_text_and_characters") == "PASSED", attempt
        # a true failure, shrunk and saved by Hypothesis: an assertion, not a violation
        assert outcome_of(result, "test_fails_and_is_saved_to_the_example_database") == "FAILED"
        assert "assert 10 < 10" in output
        refused = "test_the_test_writing_into_hypothesis_folder_is_still_refused"
        assert outcome_of(result, refused) == "FAILED", attempt
        assert output.count("[TC102]") == 2, attempt  # the message, and the run's summary
        assert "open .hypothesis/mine.txt" in output
    assert (pytester.path / ".hypothesis" / "examples").is_dir()
    assert list((pytester.path / ".hypothesis").glob("unicode_data/*/charmap*"))


EVENT_LOOPS = """
import time

import anyio
import pytest

pytestmark = [pytest.mark.small, pytest.mark.anyio]


@pytest.fixture(params=["trio", "asyncio"])
def anyio_backend(request):
    return request.param


async def test_1_sleeps(anyio_backend):
    await anyio.sleep(0.01)


async def test_2_blocks_the_loop_with_time_sleep(anyio_backend):
    time.sleep(0.01)


async def test_3_starts_a_worker_thread(anyio_backend):
    await anyio.to_thread.run_sync(sum, [1, 2])


async def test_4_sleeps_again(anyio_backend):
    with anyio.fail_after(1):
        await anyio.sleep(0.01)


@pytest.mark.medium
async def test_5_medium_may_start_a_worker_thread(anyio_backend):
    assert await anyio.to_thread.run_sync(sum, [1, 2]) == 3
"""


@pytest.mark.plugins("anyio")
def test_event_loop_machinery_is_not_the_test_and_a_violation_breaks_no_loop(run) -> None:
    result = run(EVENT_LOOPS, "-v", "-p", "no:asyncio")
    for backend in ("trio", "asyncio"):
        for name in ("test_1_sleeps", "test_4_sleeps_again"):
            assert outcome_of(result, f"{name}[{backend}]") == "PASSED", (name, backend)
        assert outcome_of(result, f"test_5_medium_may_start_a_worker_thread[{backend}]") == "PASSED"
        stopped = f"test_2_blocks_the_loop_with_time_sleep[{backend}]"
        assert outcome_of(result, stopped) == "FAILED"
        assert f"[TC104] test_subject.py::{stopped} (small test) used a blocking sleep: " in (
            result.stdout.str()
        )
    # asyncio starts a thread for the worker; trio may hand the job to an idle one it keeps
    assert outcome_of(result, "test_3_starts_a_worker_thread[asyncio]") == "FAILED"
    output = result.stdout.str()
    assert "[TC105] test_subject.py::test_3_starts_a_worker_thread[asyncio]" in output
    assert "run() from inside a run()" not in output
    assert "TC001" not in output
