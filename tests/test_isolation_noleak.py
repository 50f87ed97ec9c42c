"""No leaks: a small test that mocks a guarded function leaves later tests as they would be.

The guards are installed once per session and switched per test, never patched and restored
around a test; so when ``mocker.patch`` or ``monkeypatch`` undoes a mock, what it restores is
exactly what a later test gets without the plugin, and the real function works there.
"""

from __future__ import annotations

import pytest

from conftest import outcome_of

pytestmark = pytest.mark.plugins("pytest_mock")

SUBJECT = """
import asyncio
import builtins
import pathlib
import socket
import subprocess
import time

import pytest

AT_IMPORT = {
    "time.sleep": time.sleep,
    "asyncio.sleep": asyncio.sleep,
    "subprocess.run": subprocess.run,
    "subprocess.Popen": subprocess.Popen,
    "builtins.open": builtins.open,
    "pathlib.Path.read_text": pathlib.Path.read_text,
    "socket.socket": socket.socket,
}


def unchanged():
    current = {
        "time.sleep": time.sleep,
        "asyncio.sleep": asyncio.sleep,
        "subprocess.run": subprocess.run,
        "subprocess.Popen": subprocess.Popen,
        "builtins.open": builtins.open,
        "pathlib.Path.read_text": pathlib.Path.read_text,
        "socket.socket": socket.socket,
    }
    assert current == AT_IMPORT


@pytest.mark.small
def test_1_mocks_time_sleep(mocker):
    nap = mocker.patch("time.sleep")
    time.sleep(30)
    nap.assert_called_once_with(30)


@pytest.mark.medium
def test_2_real_time_sleep():
    unchanged()
    start = time.monotonic()
    time.sleep(0.05)
    assert time.monotonic() - start >= 0.04


@pytest.mark.small
async def test_3_mocks_asyncio_sleep(mocker):
    nap = mocker.patch("asyncio.sleep", new_callable=mocker.AsyncMock)
    await asyncio.sleep(30)
    nap.assert_awaited_once_with(30)


@pytest.mark.medium
async def test_4_real_asyncio_sleep():
    unchanged()
    start = time.monotonic()
    assert await asyncio.sleep(0.05, result="done") == "done"
    assert time.monotonic() - start >= 0.04


@pytest.mark.small
def test_5_mocks_subprocess_run(mocker):
    run = mocker.patch("subprocess.run")
    run.return_value.returncode = 0
    assert subprocess.run(["rm", "-rf", "/"]).returncode == 0


@pytest.mark.small
def test_6_monkeypatches_popen(monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("not mocked"))
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: "fake")
    assert subprocess.Popen(["ls"]) == "fake"


@pytest.mark.medium
def test_7_real_subprocess_run():
    unchanged()
    assert subprocess.run(["echo", "real"], capture_output=True).stdout == b"real\\n"


@pytest.mark.small
def test_8_mocks_builtins_open(mocker):
    mocker.patch("builtins.open", mocker.mock_open(read_data="mocked"))
    with open("/nonexistent/file.txt") as f:
        assert f.read() == "mocked"


@pytest.mark.medium
def test_9_real_open():
    unchanged()
    with open("real.txt", "w") as f:
        f.write("real")
    with open("real.txt") as f:
        assert f.read() == "real"


@pytest.mark.small
def test_10_mocks_path_read_text(mocker):
    mocker.patch("pathlib.Path.read_text", return_value="mocked")
    assert pathlib.Path("/nonexistent/file.txt").read_text() == "mocked"


@pytest.mark.medium
def test_11_real_path_read_text():
    unchanged()
    path = pathlib.Path("real-path.txt")
    path.write_text("real")
    assert path.read_text() == "real"


@pytest.mark.small
def test_12_mocks_socket_socket(mocker):
    fake = mocker.patch("socket.socket")
    fake.return_value.recv.return_value = b"mocked"
    sock = socket.socket()
    sock.connect(("192.0.2.1", 80))
    assert sock.recv(10) == b"mocked"


@pytest.mark.medium
def test_13_real_socket_socket():
    unchanged()
    with socket.create_server(("127.0.0.1", 0)) as server:
        with socket.socket() as client:
            client.connect(server.getsockname())
            conn, _ = server.accept()
            with conn:
                client.sendall(b"real")
                assert conn.recv(4) == b"real"


@pytest.mark.small
def test_14_small_tests_still_guarded_after_all_that():
    with pytest.raises(Exception, match="TC104"):
        time.sleep(0.01)
"""

NAMES = [
    "test_1_mocks_time_sleep",
    "test_2_real_time_sleep",
    "test_3_mocks_asyncio_sleep",
    "test_4_real_asyncio_sleep",
    "test_5_mocks_subprocess_run",
    "test_6_monkeypatches_popen",
    "test_7_real_subprocess_run",
    "test_8_mocks_builtins_open",
    "test_9_real_open",
    "test_10_mocks_path_read_text",
    "test_11_real_path_read_text",
    "test_12_mocks_socket_socket",
    "test_13_real_socket_socket",
]


@pytest.mark.plugins("asyncio")
def test_mocking_in_a_small_test_leaves_later_tests_untouched(run) -> None:
    result = run(SUBJECT, "-v")
    for name in NAMES:
        assert outcome_of(result, name) == "PASSED", name
    # the last test swallowed its violation on purpose: strict mode fails it all the same
    assert outcome_of(result, "test_14_small_tests_still_guarded_after_all_that") == "FAILED"
    assert "caught and swallowed a violation" in result.stdout.str()


@pytest.mark.plugins("asyncio")
def test_the_same_module_passes_the_same_without_the_plugin(run) -> None:
    source = SUBJECT.replace("test_14_small_tests_still_guarded", "_not_collected")
    with_plugin = run(source, "-v", enforcement="strict")
    without = run(source, "-v", "-p", "no:test_categories", "-W", "ignore", enforcement=None)
    with_plugin.assert_outcomes(passed=len(NAMES))
    without.assert_outcomes(passed=len(NAMES))
