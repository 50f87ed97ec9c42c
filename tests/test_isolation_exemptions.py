"""Exemptions trust the code's real file, never a name the code gives itself.

Reading code (``linecache``), Hypothesis's storage and ``subprocess``'s own calls are exempt
because of the file their code was loaded from; ``exec`` with a borrowed ``__name__`` claims
nothing. The functions patched on Python 3.11 do not hand out the original as ``__wrapped__``,
and the session still puts the originals back at its end.
"""

from __future__ import annotations

from conftest import outcome_of

SUBJECT = """
import _thread
import inspect
import socket
import threading
import time

import pytest

pytestmark = pytest.mark.small

WRITE = "with open('claimed.txt', 'w') as f: f.write('x')"
SPAWN = "import os; os.posix_spawn('/bin/true', ['/bin/true'], dict(os.environ))"


def test_exec_as_linecache_writes_a_file():
    exec(WRITE, {"__name__": "linecache"})


def test_exec_as_hypothesis_writes_a_file():
    exec(WRITE, {"__name__": "hypothesis.database"})


def test_exec_as_subprocess_starts_a_process():
    exec(SPAWN, {"__name__": "subprocess"})


def test_a_function_calling_itself_linecache_writes_a_file():
    namespace = {"__name__": "linecache"}
    exec("def write():\\n    " + WRITE, namespace)
    namespace["write"]()


def test_no_original_behind_the_guards():
    bound = getattr(threading, "_start_new_thread", _thread.start_new_thread)  # before 3.13
    for guarded in (time.sleep, _thread.start_new_thread, bound, socket.socket.listen):
        assert not hasattr(guarded, "__wrapped__"), guarded
        assert inspect.unwrap(guarded) is guarded
"""

CONFTEST = """
import _thread
import time

import pytest

ORIGINALS = [time.sleep, _thread.start_new_thread]  # in a list: names would be rebound


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    restored = [time.sleep, _thread.start_new_thread] == ORIGINALS
    print(f"originals restored: {restored}")
"""


def test_a_borrowed_module_name_claims_no_exemption(run, pytester) -> None:
    pytester.makeconftest(CONFTEST)
    result = run(SUBJECT, "-v", "-s")
    output = result.stdout.str()
    for name in (
        "test_exec_as_linecache_writes_a_file",
        "test_exec_as_hypothesis_writes_a_file",
        "test_a_function_calling_itself_linecache_writes_a_file",
    ):
        assert outcome_of(result, name) == "FAILED", name
        assert f"[TC102] test_subject.py::{name} (small test) used the filesystem: open " in output
    assert outcome_of(result, "test_exec_as_subprocess_starts_a_process") == "FAILED"
    assert (
        "[TC103] test_subject.py::test_exec_as_subprocess_starts_a_process (small test) used a "
        "subprocess: os.posix_spawn /bin/true" in output
    )
    assert not (pytester.path / "claimed.txt").exists()
    assert outcome_of(result, "test_no_original_behind_the_guards") == "PASSED"
    assert "originals restored: True" in output
