"""Guard: subprocesses. Small tests start no process, by any route.

Audit events: ``subprocess.Popen`` (``subprocess.run`` and friends, ``os.popen``, asyncio's
subprocesses), ``os.system``, ``os.exec`` (every ``os.exec*``), ``os.posix_spawn`` (and
``posix_spawnp``), ``os.fork`` (``os.spawn*`` on POSIX, ``multiprocessing``'s and
``ProcessPoolExecutor``'s fork start method) and ``os.forkpty`` (``pty.fork``, ``pty.spawn``).

``multiprocessing``'s spawn and forkserver start methods (and its resource tracker) start the
interpreter through ``_posixsubprocess.fork_exec``, which raises no audit event: it is wrapped.
``subprocess`` calls it (or ``os.posix_spawn``) too, after its own ``subprocess.Popen`` event,
so those calls from ``subprocess`` itself are not counted twice (the real ``subprocess``
module's file, not code that merely calls itself ``subprocess``).

Not closed: C code that forks or execs without Python (``ctypes`` calling ``system()``).
"""

from __future__ import annotations

import os
import shlex
from typing import Any

from pytest_test_categories._compat import FORK_EXEC
from pytest_test_categories.violations import Kind

from .shape import Check, Code, Denied, Guard, Patch, Rules, asked_by

_SUBPROCESS = Code("subprocess")


def _command(argv: Any) -> str:
    if isinstance(argv, str | bytes | os.PathLike):
        return os.fsdecode(argv)
    try:
        return shlex.join(os.fsdecode(part) for part in argv)
    except TypeError:
        return repr(argv)


def _run(operation: str, argv_at: int | None, *, counted_by_popen: bool = False) -> Check:
    """A check for an event that starts a process; its command line is argument ``argv_at``."""

    def check(args: tuple[Any, ...], rules: Rules) -> Denied:
        if counted_by_popen and asked_by(_SUBPROCESS):
            return None
        if argv_at is None:
            return operation, "(a copy of this process)"
        return operation, _command(args[argv_at])

    return check


def _fork_exec(args: tuple[Any, ...], kwargs: dict[str, Any], rules: Rules) -> Denied:
    if asked_by(_SUBPROCESS):
        return None
    return "_posixsubprocess.fork_exec", _command(args[0] if args else kwargs.get("args", ()))


GUARD = Guard(
    Kind.SUBPROCESS,
    events={
        "subprocess.Popen": _run("subprocess.Popen", 1),
        "os.system": _run("os.system", 0),
        "os.exec": _run("os.exec", 1),
        "os.spawn": _run("os.spawn", 2),
        "os.posix_spawn": _run("os.posix_spawn", 1, counted_by_popen=True),
        "os.fork": _run("os.fork", None),
        "os.forkpty": _run("os.forkpty", None),
    },
    patches=(Patch(*FORK_EXEC, _fork_exec),),
)
