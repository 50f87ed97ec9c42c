"""Resource isolation: one audit hook and a few one-time patches, switched per test.

Every guard has the same shape (:class:`Guard`) and sits in the registry :func:`_registry`
builds. A guard says which sizes it restricts, which CPython audit events reveal its resource
and, for routes that raise no audit event (on some or all Python versions), which functions it
wraps. Both are installed once per process and only look at
:data:`pytest_test_categories.runstate.current`; nothing is patched or restored around a test,
so a test that mocks a guarded function leaves later tests exactly as they would be without
the plugin.

The hot path is :func:`_audit`, which CPython calls for every audit event of the process. It
costs one dict lookup for an event no guard of the running test's size watches; the checks
themselves run only for the few events that matter, and the expensive exemptions (frame walks)
only when an event would otherwise be a violation.
"""

from __future__ import annotations

import functools
import gc
import sys
import threading
import types
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import runstate
from .sizes import Size
from .violations import Kind

#: What a check returns: ``(operation, target)`` when the test's size may not do it, else None.
Denied = tuple[str, str] | None

#: A check looks at an audit event's arguments and the size of the running test.
Check = Callable[[tuple[Any, ...], Size], Denied]

#: A call check looks at a wrapped function's arguments and the size of the running test.
CallCheck = Callable[[tuple[Any, ...], dict[str, Any], Size], Denied]

#: The sizes most guards restrict.
SMALL_ONLY: frozenset[Size] = frozenset({Size.SMALL})


@dataclass(frozen=True)
class Patch:
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


@dataclass(frozen=True)
class Guard:
    """One resource: the sizes it restricts, the audit events that reveal it, the patches."""

    kind: Kind
    sizes: frozenset[Size] = SMALL_ONLY
    events: Mapping[str, Check] = field(default_factory=dict)
    patches: Sequence[Patch] = ()


def _registry() -> tuple[Guard, ...]:
    from .guards import filesystem, network, sleep, sqlite, subprocesses, threads

    return (
        network.GUARD,
        filesystem.GUARD,
        subprocesses.GUARD,
        sleep.GUARD,
        threads.GUARD,
        sqlite.GUARD,
    )


_Entry = tuple[Kind, Check]
_EMPTY: dict[str, _Entry] = {}

#: Per size, the audit events its guards watch.
_tables: dict[Size, dict[str, _Entry]] = {}
#: The table of the test that started last (a stale one is harmless: see :func:`_audit`).
_active: dict[str, _Entry] = _EMPTY
_hook_installed = False
#: What :func:`install` replaced: (owner, attribute, original, owner had it in its own dict).
_patched: list[tuple[Any, str, Any, bool]] = []
_get_ident = threading.get_ident
_threads: dict[int, threading.Thread] = threading._active  # type: ignore[attr-defined]
#: Threads the running test started while it was live. Any other thread (one that predates
#: the test, one a shared fixture started, pytest-xdist's I/O thread) is not the test's.
_adopted: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


def _foreign(test: runstate.ActiveTest) -> bool:
    """Is the current thread one whose events are not the test's? (Only for a table hit.)"""
    ident = _get_ident()
    if ident == test.thread:
        return False
    thread = _threads.get(ident)
    return thread is not None and thread not in _adopted


def _audit(event: str, args: tuple[Any, ...]) -> None:
    __tracebackhide__ = True
    entry = _active.get(event)
    if entry is None:
        return
    test = runstate.current
    if test is None or not test.live or not test.isolating or test.size is None:
        return
    if _foreign(test):
        return
    denied = entry[1](args, test.size)
    if denied is not None:
        _violate(test, entry[0], *denied)


def _violate(test: runstate.ActiveTest, kind: Kind, operation: str, target: str) -> None:
    """Hand a violation to the test; in warn mode, report each distinct one only once."""
    __tracebackhide__ = True
    if not test.strict:
        for seen in test.violations:
            if seen.kind is kind and seen.operation == operation and seen.target == target:
                return
    test.violate(kind, operation, target)


def _applies(sizes: frozenset[Size]) -> runstate.ActiveTest | None:
    """The running test, if a guard restricting ``sizes`` must look at what it does now."""
    test = runstate.current
    if test is None or not test.live or not test.isolating or test.size not in sizes:
        return None
    return None if _foreign(test) else test


_OWN_PACKAGE = __name__.rpartition(".")[0]


def refusing() -> bool:
    """Will the violation being reported now be raised (strict mode)? For guards that must
    release what the refused operation already holds."""
    test = runstate.current
    return test is not None and test.strict


def caller(skip: frozenset[str]) -> str:
    """The module name of the innermost frame outside this package and outside ``skip``.

    For exemptions that depend on who asked (the import system, pytest's capture): call it
    only when an event would otherwise be a violation, as it walks the stack.
    """
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__") or ""
        if name not in skip and name != _OWN_PACKAGE and not name.startswith(_OWN_PACKAGE + "."):
            return str(name)
        frame = frame.f_back
    return ""


def adopt(function: Any) -> None:
    """A thread starts while the test is live: its events are the test's too.

    ``function`` is what ``_thread`` was asked to run; for a :class:`threading.Thread` it is the
    thread's bound ``_bootstrap``. (A bare ``_thread`` thread has no object to remember; its
    events are checked like the test's own.)
    """
    thread = getattr(function, "__self__", None)
    if isinstance(thread, threading.Thread):
        _adopted.add(thread)


def test_started() -> None:
    """A test with isolation starts: pick its size's table, forget the last test's threads."""
    global _active
    test = runstate.current
    _active = _tables.get(test.size, _EMPTY) if test is not None and test.size else _EMPTY
    _adopted.clear()


class _Guarded:
    """A wrapped module function: checks the running test, then calls the original.

    An instance, not a function, so that it does not turn into a method when someone stores
    it as a class attribute (``class Retry: sleep = time.sleep``), as the original would not.
    It pickles by name, as the original does.
    """

    def __init__(self, original: Any, kind: Kind, sizes: frozenset[Size], check: CallCheck):
        self.__wrapped__ = original
        self.__module__ = str(getattr(original, "__module__", None) or "builtins")
        self.__name__ = getattr(original, "__name__", "")
        self.__qualname__ = getattr(original, "__qualname__", self.__name__)
        self.__doc__ = getattr(original, "__doc__", None)
        self._guard = (kind, sizes, check)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        kind, sizes, check = self._guard
        test = _applies(sizes)
        if test is not None and test.size is not None:
            denied = check(args, kwargs, test.size)
            if denied is not None:
                _violate(test, kind, *denied)
        return self.__wrapped__(*args, **kwargs)

    def __reduce__(self) -> str:
        return self.__qualname__

    def __repr__(self) -> str:
        return repr(self.__wrapped__)


def _method(original: Any, kind: Kind, sizes: frozenset[Size], check: CallCheck) -> Any:
    """A wrapped method: a function, so that it binds like the original."""

    @functools.wraps(original)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        test = _applies(sizes)
        if test is not None and test.size is not None:
            denied = check(args, kwargs, test.size)
            if denied is not None:
                _violate(test, kind, *denied)
        return original(*args, **kwargs)

    return guarded


def _replace(owner: Any, attribute: str, original: Any, wrapper: Any) -> None:
    had_own = attribute in vars(owner)
    setattr(owner, attribute, wrapper)
    _patched.append((owner, attribute, original, had_own))


def _patch(guard: Guard, patch: Patch, rebind: dict[int, tuple[Any, Any]]) -> None:
    try:
        module = sys.modules.get(patch.module) or __import__(patch.module)
    except ImportError:  # not on this platform (``_posixsubprocess`` on Windows)
        return
    *path, attribute = patch.attribute.split(".")
    owner: Any = module
    for name in path:
        owner = getattr(owner, name)
    original = getattr(owner, attribute, None)
    if original is None:
        return
    if isinstance(owner, types.ModuleType):
        wrapper: Any = _Guarded(original, guard.kind, guard.sizes, patch.check)
        rebind[id(original)] = (original, wrapper)
    else:
        wrapper = _method(original, guard.kind, guard.sizes, patch.check)
    _replace(owner, attribute, original, wrapper)


def _rebind(originals: dict[int, tuple[Any, Any]]) -> None:
    """Point every other module-level name bound to a wrapped original at its wrapper."""
    namespaces = {
        id(vars(module)): module
        for module in list(sys.modules.values())
        if isinstance(module, types.ModuleType) and module is not sys.modules[__name__]
    }
    # The garbage collector knows who refers to the originals: far cheaper than reading
    # every module's namespace.
    for referrer in gc.get_referrers(*(original for original, _ in originals.values())):
        module = namespaces.get(id(referrer))
        if module is None:
            continue
        for name, value in list(referrer.items()):
            original, wrapper = originals.get(id(value), (None, None))
            if original is not None and value is original:
                try:
                    _replace(module, name, original, wrapper)
                except Exception:  # a read-only module attribute
                    continue


def install() -> None:
    """Install the audit hook (once per process) and the patches (once per session)."""
    global _hook_installed
    guards = _registry()
    if not _tables:
        for size in Size:
            _tables[size] = {
                event: (guard.kind, check)
                for guard in guards
                if size in guard.sizes
                for event, check in guard.events.items()
            }
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
    if _patched:
        return
    rebind: dict[int, tuple[Any, Any]] = {}
    for guard in guards:
        for patch in guard.patches:
            if patch.python_below is not None and sys.version_info[:2] >= patch.python_below:
                continue
            _patch(guard, patch, rebind)
    if rebind:
        _rebind(rebind)


def uninstall() -> None:
    """Put back what :func:`install` wrapped. The audit hook stays: CPython cannot remove it,
    and with no test running it returns at once."""
    global _active
    _active = _EMPTY
    while _patched:
        owner, attribute, original, had_own = _patched.pop()
        current = getattr(owner, attribute, None)
        if getattr(current, "__wrapped__", None) is not original:
            continue  # someone replaced our wrapper for good; leave theirs
        if had_own:
            setattr(owner, attribute, original)
        else:
            delattr(owner, attribute)
