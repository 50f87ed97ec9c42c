"""Legitimate small tests pass under strict enforcement.

Isolation must not get in the way of what a unit test does: asyncio (its event loop needs a
socketpair), mocked HTTP clients, mocks, imports inside the test (the import system and pytest's
assertion rewriting read and write files), pytest's own fixtures and output capture, tracebacks
and ``logging.exception`` (they read source), and installed package resources.
"""

from __future__ import annotations

import pytest

from conftest import outcome_of

pytestmark = pytest.mark.plugins("respx", "pytest_mock")

CONFTEST = """
import pytest

pytest.register_assert_rewrite("rewritten_helper")
"""

HELPER = """
VALUE = 42
"""

REWRITTEN_HELPER = """
def check(x):
    assert x == 1
"""

SUBJECT = """
import asyncio
import importlib
import importlib.metadata
import importlib.resources
import inspect
import linecache
import logging
import mimetypes
import os
import socket
import sys
import time
import traceback
import warnings
import zoneinfo

import httpx
import pytest
import respx

pytestmark = pytest.mark.small


async def test_asyncio_sleep_timeout_and_tasks():
    await asyncio.sleep(0.01)
    assert await asyncio.sleep(0, result="x") == "x"
    assert await asyncio.sleep(0.001, "positional") == "positional"
    async with asyncio.timeout(1):
        await asyncio.sleep(0)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await asyncio.sleep(0.5)
    assert await asyncio.wait_for(asyncio.sleep(0, result=1), timeout=1) == 1
    results = await asyncio.gather(*(asyncio.sleep(0, result=i) for i in range(3)))
    assert results == [0, 1, 2]
    queue = asyncio.Queue()
    task = asyncio.create_task(queue.put("item"))
    assert await queue.get() == "item"
    await task


def test_asyncio_run_in_a_sync_test():
    assert asyncio.run(asyncio.sleep(0, result="ran")) == "ran"


@respx.mock
def test_respx_mocked_httpx():
    respx.get("https://example.org/users/1").respond(json={"id": 1})
    assert httpx.get("https://example.org/users/1").json() == {"id": 1}
    with httpx.Client(base_url="https://api.example.org") as client:
        respx.post("https://api.example.org/items").respond(201)
        assert client.post("/items", json={}).status_code == 201


async def test_respx_mocked_async_httpx(respx_mock):
    respx_mock.get("https://example.org/").respond(text="hello")
    async with httpx.AsyncClient() as client:
        assert (await client.get("https://example.org/")).text == "hello"


async def test_async_mock(mocker):
    fetch = mocker.AsyncMock(return_value={"ok": True})
    assert await fetch("x") == {"ok": True}
    fetch.assert_awaited_once_with("x")
    patched = mocker.patch("asyncio.sleep", new_callable=mocker.AsyncMock)
    await asyncio.sleep(100)
    patched.assert_awaited_once_with(100)


def test_lazy_imports_of_modules_not_yet_imported():
    assert "graphlib" not in sys.modules  # (httpx 0.29 imports rich, which imports colorsys)
    assert "helper" not in sys.modules
    assert "rewritten_helper" not in sys.modules
    import graphlib
    import helper
    import rewritten_helper

    assert list(graphlib.TopologicalSorter({"b": {"a"}}).static_order()) == ["a", "b"]
    assert helper.VALUE == 42
    with pytest.raises(AssertionError, match="assert 2 == 1"):  # rewritten on import
        rewritten_helper.check(2)
    assert importlib.import_module("json.tool")


def test_caplog_capsys_and_monkeypatch(caplog, capsys, monkeypatch):
    logging.getLogger("app").warning("logged")
    assert "logged" in caplog.text
    print("printed")
    assert capsys.readouterr().out == "printed\\n"
    monkeypatch.setenv("APP_MODE", "test")
    monkeypatch.setattr(time, "sleep", lambda s: None)
    assert os.environ["APP_MODE"] == "test"
    time.sleep(10)


def test_capfd(capfd):
    os.write(1, b"fd\\n")
    assert capfd.readouterr().out == "fd\\n"


def test_socketpair():
    a, b = socket.socketpair()
    with a, b:
        a.sendall(b"ping")
        assert b.recv(4) == b"ping"


def fails():
    return 1 / 0


def test_logging_exception_and_tracebacks_read_source(caplog):
    linecache.clearcache()
    try:
        fails()
    except ZeroDivisionError:
        logging.getLogger("app").exception("it broke")
        formatted = traceback.format_exc()
    assert "return 1 / 0" in caplog.text
    assert "return 1 / 0" in formatted
    assert "return 1 / 0" in inspect.getsource(fails)
    with pytest.warns(UserWarning):
        warnings.warn("careful", UserWarning)


def test_installed_package_resources_and_metadata():
    pem = importlib.resources.files("certifi").joinpath("cacert.pem").read_text()
    assert "BEGIN CERTIFICATE" in pem
    assert [p.name for p in importlib.resources.files("certifi").iterdir()]
    assert importlib.metadata.version("pytest")
    with open(pytest.__file__) as source:
        assert "pytest" in source.read()


def test_standard_library_data():
    assert zoneinfo.ZoneInfo("Europe/Paris").key == "Europe/Paris"
    assert mimetypes.guess_type("data.json")[0] == "application/json"


def test_sleep_zero_and_in_memory_things():
    import io
    import sqlite3

    time.sleep(0)
    assert sqlite3.connect(":memory:").execute("select 1").fetchone() == (1,)
    assert io.StringIO("text").read() == "text"
"""

NAMES = [
    "test_asyncio_sleep_timeout_and_tasks",
    "test_asyncio_run_in_a_sync_test",
    "test_respx_mocked_httpx",
    "test_respx_mocked_async_httpx",
    "test_async_mock",
    "test_lazy_imports_of_modules_not_yet_imported",
    "test_caplog_capsys_and_monkeypatch",
    "test_capfd",
    "test_socketpair",
    "test_logging_exception_and_tracebacks_read_source",
    "test_installed_package_resources_and_metadata",
    "test_standard_library_data",
    "test_sleep_zero_and_in_memory_things",
]


@pytest.mark.plugins("asyncio")
def test_legitimate_small_tests_pass_under_strict(run, pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(helper=HELPER, rewritten_helper=REWRITTEN_HELPER)
    result = run(SUBJECT, "-v")
    for name in NAMES:
        assert outcome_of(result, name) == "PASSED", name
    result.assert_outcomes(passed=len(NAMES))
    assert "TC1" not in result.stdout.str()
