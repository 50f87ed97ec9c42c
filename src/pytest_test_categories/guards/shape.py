"""The one shape every guard has, and what guards share: who asked, whose thread it is.

A guard (:class:`Guard`) says which sizes it restricts, which CPython audit events reveal its
resource, and which functions it wraps for routes no audit event reports (:class:`Patch`).
Its checks get the event's arguments and the running test's :class:`Rules` and return what
was denied, or ``None``. :mod:`..isolation` installs and switches them; this module imports
nothing of it.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import threading
import types
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from pytest_test_categories.allowances import NOTHING, Allowances
from pytest_test_categories.sizes import Size
from pytest_test_categories.violations import Kind


class Rules(NamedTuple):
    """What the running test may do: its size, the allowances it was given, and whether a
    violation is raised (strict mode: a guard must then release what the operation holds)."""

    size: Size
    allowed: Allowances = NOTHING
    strict: bool = False


#: What a check returns: ``(operation, target)`` when the test may not do it, else None.
Denied = tuple[str, str] | None

#: A check looks at an audit event's arguments and the running test's rules.
Check = Callable[[tuple[Any, ...], Rules], Denied]

#: A call check looks at a wrapped function's arguments and the running test's rules.
CallCheck = Callable[[tuple[Any, ...], dict[str, Any], Rules], Denied]

#: The sizes most guards restrict.
SMALL_ONLY: frozenset[Size] = frozenset({Size.SMALL})


class Patch(NamedTuple):
    """Wrap ``module.attribute`` once per process, for a route no audit event reports.

    ``attribute`` may be dotted (``"socket.listen"`` wraps the method ``listen`` of the class
    ``socket.socket``). A wrapped module function is also rebound wherever another module holds
    the original under any name (``from time import sleep`` before the plugin started), so the
    guard sees every name. ``python_below`` limits the patch to interpreters older than that
    version, where the audit event is missing.
    """

    module: str
    attribute: str
    check: CallCheck
    python_below: tuple[int, int] | None = None


class Guard(NamedTuple):
    """One resource: the sizes it restricts, the audit events that reveal it, the patches."""

    kind: Kind
    sizes: frozenset[Size] = SMALL_ONLY
    events: Mapping[str, Check] = {}
    patches: Sequence[Patch] = ()


# -- who asked: the real files of the code on the stack -------------------------------------


class Code:
    """Code of named modules, known by the real files they were loaded from.

    A name is a module (its file), a package (every file under its folder), ``module:function``
    (one function of it), or a frozen module's pseudo-file (``<frozen zipimport>``). Modules
    are looked up in :data:`sys.modules` when first needed: code that is not loaded is not
    running. Matching uses ``co_filename``, so a module name set in ``globals()`` claims nothing.
    """

    def __init__(self, *names: str) -> None:
        self._pending = list(names)
        self._files: set[str] = set()
        self._functions: set[tuple[str, str]] = set()
        self._folders: tuple[str, ...] = ()

    def _load(self) -> None:
        for name in list(self._pending):
            module_name, _, function = name.partition(":")
            if name.startswith("<frozen "):
                self._files.add(name)
            else:
                module = sys.modules.get(module_name)
                file = getattr(module, "__file__", None)
                if not file:
                    continue
                if function:
                    self._functions.add((file, function))
                elif hasattr(module, "__path__"):
                    self._folders += (os.path.dirname(file) + os.sep,)
                else:
                    self._files.add(file)
            self._pending.remove(name)

    def __contains__(self, code: types.CodeType) -> bool:
        if self._pending:
            self._load()
        file = code.co_filename
        return (
            file in self._files
            or file.startswith(self._folders)
            or (file, code.co_name) in self._functions
        )


_OWN = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_STDLIB = tuple(
    {os.path.join(f(sysconfig.get_path("stdlib")), "") for f in (os.path.abspath, os.path.realpath)}
)
_SITE = tuple(
    os.path.join(f(p), "")
    for p in {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    for f in (os.path.abspath, os.path.realpath)
)


def _plumbing(file: str) -> bool:
    """This package, or the standard library: code that only carries a request through."""
    return file.startswith((_OWN, "<frozen ")) or (
        file.startswith(_STDLIB) and not file.startswith(_SITE)
    )


def asked_by(trusted: Code, through: Code | None = None) -> bool:
    """Did ``trusted`` code ask for what is happening now?

    Walks out from the innermost frame, looking through this package, the standard library and
    ``through``; ``trusted`` code met on the way asked for it, any other code (the test, a
    library on its behalf, ``exec``'d code) did not. Call it only for an operation that would
    otherwise be a violation: it walks the stack.
    """
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code in trusted:
            return True
        if not (_plumbing(code.co_filename) or (through is not None and code in through)):
            return False
        frame = frame.f_back
    return False


# -- whose thread it is -----------------------------------------------------------------------

#: Threads the running test started while it was live. Any other thread (one that predates
#: the test, one a shared fixture or an event loop's machinery started, pytest-xdist's I/O
#: thread) is not the test's.
adopted: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


def adopt(function: Any) -> None:
    """A thread starts for the test: its events are the test's too.

    ``function`` is what ``_thread`` was asked to run; for a :class:`threading.Thread` it is the
    thread's bound ``_bootstrap``. (A bare ``_thread`` thread has no object to remember; its
    events are checked like the test's own.)
    """
    thread = getattr(function, "__self__", None)
    if isinstance(thread, threading.Thread):
        adopted.add(thread)
