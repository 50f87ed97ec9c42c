"""Guard: filesystem. Small tests do no file I/O of their own.

Audit events see every route whatever the caller's name for it: ``open``, ``io.open``,
``os.open``, ``_io.FileIO``, pathlib's reads, writes, ``touch`` and ``unlink``, the ``os`` calls
that create, remove, rename, truncate, link, symlink, list or change directories, and
``shutil``; ``tempfile``, the ``tmp_path`` fixture and logging's file handlers go through them.
``os.mkfifo`` and ``os.mknod`` raise no audit event, so they are wrapped. sqlite files belong to
the sqlite guard.

Allowed, because they are not the test's I/O:

- metadata: ``os.stat``, ``Path.exists``, ``is_file`` and the like (no audit event, no data);
- anything on a file descriptor the test already has (``os.fdopen``, ``os.truncate(fd)``);
- reading code: the import system and pytest's assertion rewriting (imports inside a test),
  ``linecache``, ``tokenize``, ``traceback`` and ``inspect`` (tracebacks and
  ``logging.exception`` read source), ``importlib.resources``, ``importlib.metadata`` and
  ``pkgutil``, ``mimetypes`` tables, debuggers, and CPython looking for the source line of a
  ``SyntaxError`` in code compiled from a string (a pseudo-file such as ``<unknown>``);
- test tools' own storage: pytest's output capture, Hypothesis (its example database and its
  caches under ``.hypothesis/``);
- read-only opens and listings under the interpreter's installed locations (the standard
  library, site-packages, ``sys.prefix`` and ``sys.base_prefix``), the time zone database, and
  the paths the test was allowed to read (``test_categories_allow_read``, ``allow_read=``);
  a symbolic link counts as the place it points to, too (``/etc/localtime``).

Who asked is decided by the real file of the code on the stack (see :func:`.shape.asked_by`),
and only for an operation that would otherwise be a violation: the usual path costs nothing.

Not closed: file access from C without Python's ``open`` (C extensions, OpenSSL loading
certificates), and reading or writing through a file opened before the test began (reads and
writes raise no audit event; the open did, outside the test).
"""

from __future__ import annotations

import os
import sys
import sysconfig
from typing import Any

from pytest_test_categories._compat import PYTEST_READERS
from pytest_test_categories.violations import Kind

from .shape import CallCheck, Check, Code, Denied, Guard, Patch, Rules, asked_by

#: Code whose file access is reading code or installed data, or a test tool's own storage.
_CODE_READERS = Code(
    "<frozen importlib._bootstrap>",
    "<frozen importlib._bootstrap_external>",
    "<frozen zipimport>",
    "importlib",
    "linecache",
    "tokenize",
    "traceback",
    "inspect",
    "pkgutil",
    "mimetypes",
    "pdb",
    "bdb",
    *PYTEST_READERS,
    "hypothesis",
)


def _installed_roots() -> tuple[str, ...]:
    paths = set(sysconfig.get_paths().values())
    paths.update((sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix))
    paths.update(filter(None, str(sysconfig.get_config_var("TZPATH") or "").split(os.pathsep)))
    roots = set()
    for path in paths:
        for variant in (os.path.abspath(path), os.path.realpath(path)):
            if variant.strip(os.sep):  # never the whole filesystem
                roots.add(variant.rstrip(os.sep) + os.sep)
    return tuple(sorted(roots))


_ROOTS = _installed_roots()
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | getattr(os, "O_APPEND", 0)


def _name(path: Any) -> str:
    try:
        return os.fsdecode(path)
    except TypeError:
        return repr(path)


def _readable(name: str, rules: Rules) -> bool:
    """Is ``name`` in a place the test may read: installed, or allowed (the link or its target)?"""
    path = os.path.abspath(name)
    if (path + os.sep).startswith(_ROOTS) or rules.allowed.may_read(path):
        return True
    real = os.path.realpath(path)
    return real != path and ((real + os.sep).startswith(_ROOTS) or rules.allowed.may_read(real))


def _pseudo(name: str) -> bool:
    """``<unknown>``, ``<string>``: the file name of code compiled from a string (unless a
    file of that name exists: then reading it is reading a file)."""
    return name.startswith("<") and name.endswith(">") and not os.path.exists(name)


def _open(args: tuple[Any, ...], rules: Rules) -> Denied:
    path, flags = args[0], args[2]
    if isinstance(path, int):
        return None
    name = _name(path)
    read_only = isinstance(flags, int) and not flags & _WRITE_FLAGS
    if read_only and (_pseudo(name) or _readable(name, rules)):
        return None
    if asked_by(_CODE_READERS):
        return None
    return "open", name


def _paths(operation: str, count: int = 1, *, listing: bool = False, fd: bool = True) -> Check:
    """A check for an event whose first ``count`` arguments are paths."""

    def check(args: tuple[Any, ...], rules: Rules) -> Denied:
        first = args[0] if args else None
        if first is None and listing:
            first = "."  # os.listdir(), os.scandir()
        if isinstance(first, int) and fd:
            return None
        names = [_name(first), *(_name(a) for a in args[1:count])]
        if listing and _readable(names[0], rules):
            return None
        if asked_by(_CODE_READERS):
            return None
        return operation, " -> ".join(names)

    return check


def _make_node(operation: str) -> CallCheck:
    def check(args: tuple[Any, ...], kwargs: dict[str, Any], rules: Rules) -> Denied:
        path = args[0] if args else kwargs.get("path")
        return operation, _name(path)

    return check


#: Events whose first argument is the path changed, then those with a source and a destination.
_ONE = [f"os.{n}" for n in ("remove", "truncate", "mkdir", "rmdir", "chmod", "chown", "utime")]
_ONE += ["os.setxattr", "os.removexattr", "shutil.rmtree", "shutil.chown"]
_ONE += ["shutil.make_archive", "shutil.unpack_archive"]
_TWO = ["os.rename", "os.link", "os.symlink"]
_TWO += [f"shutil.{n}" for n in ("copyfile", "copymode", "copystat", "copytree", "move")]
_EVENTS: dict[str, Check] = {
    "open": _open,
    "os.listdir": _paths("os.listdir", listing=True),
    "os.scandir": _paths("os.scandir", listing=True),
    "os.chdir": _paths("os.chdir", fd=False),
    **{event: _paths(event) for event in _ONE},
    **{event: _paths(event, 2) for event in _TWO},
}

GUARD = Guard(
    Kind.FILESYSTEM,
    events=_EVENTS,
    patches=tuple(
        Patch("os", name, _make_node(f"os.{name}"))
        for name in ("mkfifo", "mknod")
        if hasattr(os, name)
    ),
)
