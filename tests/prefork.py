"""Generated runs, forked from a process that has already imported pytest.

A fresh ``python -m pytest`` costs a generated run about 0.17 s, 0.09 s of it importing pytest;
the suite starts some 350 of them. A server started once per test process (run as this
script) imports pytest and its built-in plugins, then forks one child per run. The child
becomes what ``python -m pytest ARGS`` would be: the run's folder, environment, ``sys.path``
and standard streams, pytest run as ``__main__`` the way ``-m`` runs it, and the end of a real
process (exit code, ``atexit`` handlers, waiting for threads). Nothing of the plugin is imported
before the fork.

The client (:func:`fork_runs`, which the conftest files call for each test that uses pytester)
sends the run over a Unix socket, with its stdout and stderr as file descriptors; the server
answers with the child's pid, then with its wait status. ``TESTS_RUN_FRESH=1`` starts each run
as a process of its own instead.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import types
from collections.abc import Sequence
from typing import Any

#: Environment variable: when set to 1, every generated run is a fresh ``python -m pytest``.
FRESH = "TESTS_RUN_FRESH"
#: The largest request: a run's environment and arguments.
_REQUEST_BYTES = 1 << 20
_NUMBER = struct.Struct("q")


# -- the server (this file run as a script) -------------------------------------------------


def _serve(channel: socket.socket, base_path: list[str]) -> None:
    import pytest  # noqa: F401
    from _pytest.config import default_plugins

    for name in default_plugins:  # what pytest imports at start-up: only pytest's own
        importlib.import_module(f"_pytest.{name}")
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(channel, _REQUEST_BYTES, 2)
        except OSError:
            return
        if not message:  # the client is gone
            return
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            channel.close()
            _become(json.loads(message), fds, base_path)  # never returns
        for fd in fds:
            os.close(fd)
        channel.send(_NUMBER.pack(pid))
        _, status = os.waitpid(pid, 0)
        channel.send(_NUMBER.pack(status))


def _become(run: dict[str, Any], fds: list[int], base_path: list[str]) -> None:
    """In the child: become ``python -m pytest *run["args"]``, and end as that process would."""
    for target, fd in zip((1, 2), fds, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(run["cwd"])
    os.environ.clear()
    os.environ.update(run["env"])
    entries = [os.path.abspath(p) for p in run["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = [run["cwd"], *entries, *base_path]
    sys.argv[:] = ["-m", *run["args"]]
    sys.modules["__main__"] = types.ModuleType("__main__")
    import runpy

    # What ``python -m pytest`` does; SystemExit ends the process (through the server's frames,
    # which do nothing on the way out).
    runpy._run_module_as_main("pytest")  # type: ignore[attr-defined]
    sys.exit(0)


# -- the client -----------------------------------------------------------------------------


class Server:
    """One server, started on first use, for this process's runs."""

    def __init__(self, environment: dict[str, str]) -> None:
        self._environment = {k: v for k, v in environment.items() if k != "PYTHONPATH"}
        self._channel: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def _start(self) -> socket.socket:
        if self._channel is not None and self._process and self._process.poll() is None:
            return self._channel
        self.close()  # a server that died: its runs said so (Run.wait)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._process = subprocess.Popen(
            [sys.executable, __file__, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env=self._environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        theirs.close()
        self._channel = ours
        return ours

    def start(self, args: list[str], env: dict[str, str], stdout: Any, stderr: Any) -> Run:
        channel = self._start()
        request = json.dumps({"cwd": os.getcwd(), "env": env, "args": args}).encode()
        socket.send_fds(channel, [request], [stdout.fileno(), stderr.fileno()])
        channel.settimeout(30)
        pid = _NUMBER.unpack(channel.recv(_NUMBER.size))[0]
        return Run(channel, pid)

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None:
            self._process.wait(timeout=30)
            self._process = None


#: The server of this process (a test process: one per pytest-xdist worker).
_server = Server(dict(os.environ))


def fork_runs(pytester: Any, monkeypatch: Any) -> None:
    """Make ``pytester``'s ``python -mpytest`` runs forks of the server, unless
    ``TESTS_RUN_FRESH=1``. Other commands, and runs given an input, start as before."""
    if os.environ.get(FRESH) == "1":
        return
    real = pytester.popen

    def popen(cmdargs: Sequence[str], stdout: Any, stderr: Any, **kwargs: Any) -> Any:
        stdin = kwargs.get("stdin", pytester.CLOSE_STDIN)
        if tuple(cmdargs[:2]) != (sys.executable, "-mpytest") or stdin is not pytester.CLOSE_STDIN:
            return real(cmdargs, stdout=stdout, stderr=stderr, **kwargs)
        env = dict(os.environ)  # as pytester.popen makes it
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH", "")]))
        return _server.start(list(map(str, cmdargs[2:])), env, stdout, stderr)

    monkeypatch.setattr(pytester, "popen", popen)


def stop() -> None:
    """Stop the server, if it was started."""
    _server.close()


class Run:
    """A forked run, as much of :class:`subprocess.Popen` as pytester uses."""

    stdin = None

    def __init__(self, channel: socket.socket, pid: int) -> None:
        self._channel = channel
        self.pid = pid
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._channel.settimeout(timeout)
            try:
                data = self._channel.recv(_NUMBER.size)
            except TimeoutError:
                raise subprocess.TimeoutExpired(f"pytest (pid {self.pid})", timeout) from None
            if not data:
                raise RuntimeError("the run server died; its stderr is above")
            self.returncode = os.waitstatus_to_exitcode(_NUMBER.unpack(data)[0])
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)


if __name__ == "__main__":
    _base = sys.path[1:]  # without this file's folder: what every interpreter here starts with
    _serve(socket.socket(fileno=int(sys.argv[1])), _base)
    sys.exit(0)
