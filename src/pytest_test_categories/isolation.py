"""Resource isolation: one audit hook and a few one-time patches, switched per test.

The guards (:mod:`.guards`, each of the one shape :class:`.guards.shape.Guard`) say which
sizes they restrict, which CPython audit events reveal their resource and, for routes that
raise no audit event (on some or all Python versions), which functions they wrap. Both are
installed once per process and only look at :data:`pytest_test_categories.runstate.current`;
nothing is patched or restored around a test, so a test that mocks a guarded function leaves
later tests exactly as they would be without the plugin.

The hot path is :func:`_audit`, which CPython calls for every audit event of the process. It
costs one dict lookup for an event no guard of the running test's size watches; the checks
themselves run only for the few events that matter, and the expensive exemptions (frame walks)
only when an event would otherwise be a violation.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

from . import _compat, runstate
from .config import SETTINGS_KEY
from .guards import GUARDS
from .guards.shape import CallCheck, Check, Guard, Patch, Rules, adopted
from .sizes import SPEC_KEY, Size
from .violations import Kind

_Entry = tuple[Kind, Check]
_EMPTY: dict[str, _Entry] = {}

#: Per size, the audit events its guards watch.
_tables: dict[Size, dict[str, _Entry]] = {
    size: {
        event: (guard.kind, check)
        for guard in GUARDS
        if size in guard.sizes
        for event, check in guard.events.items()
    }
    for size in Size
}
#: The table of the test that started last (a stale one is harmless: see :func:`_audit`).
_active: dict[str, _Entry] = _EMPTY
#: The running test's rules: its size, its session's and its own allowances.
_rules = Rules(Size.SMALL)
#: The audit hook is added when the first isolated test starts, not at configure: collection
#: raises half of a run's audit events (pytest reads every test function's ``__code__``), and
#: each costs a call of the hook. Until then ``sys.addaudithook`` adds the plugin's hook first,
#: so that it still sees what a suite's own hook (added at import) refuses.
_hook_installed = False
_add_audit_hook = sys.addaudithook
#: What :func:`installed` replaced: (owner, attribute, original, wrapper, owner had its own).
_patched: list[tuple[Any, str, Any, Any, bool]] = []
#: Patches of modules nobody had imported at :func:`installed` (asyncio, in a suite without
#: async tests): applied when a test starts after the module is loaded. Importing it for them
#: would cost every isolated run 11 ms.
_pending: list[tuple[Guard, Patch]] = []


def _foreign(test: runstate.ActiveTest) -> bool:
    """Is the current thread one whose events are not the test's? (Only for a table hit.)"""
    ident = threading.get_ident()
    if ident == test.thread:
        return False
    thread = _compat.threads_by_ident().get(ident)
    return thread is not None and thread not in adopted


def _audit(event: str, args: tuple[Any, ...]) -> None:
    __tracebackhide__ = True
    entry = _active.get(event)
    if entry is None:
        return
    test = runstate.current
    if test is None or not test.live or not test.isolating or test.guarding is None:
        return
    if _foreign(test):
        return
    denied = entry[1](args, _rules)
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
    if test is None or not test.live or not test.isolating or test.guarding not in sizes:
        return None
    return None if _foreign(test) else test


def _entered(test: runstate.ActiveTest) -> None:
    """A test becomes the running test: pick its size's table and rules, forget the last
    test's threads."""
    global _active, _rules
    adopted.clear()
    if any(patch.module in sys.modules for _, patch in _pending):
        waiting = _pending[:]
        _pending.clear()
        _apply(waiting)
    size = test.guarding
    if not test.isolating or size is None:
        _active = _EMPTY
        return
    if not _hook_installed:
        _hook()
    allowed = test.item.config.stash[SETTINGS_KEY].allowances
    spec = test.item.stash.get(SPEC_KEY, None)
    if spec is not None and spec.size is size:
        allowed += spec.allowances
    _active = _tables[size]
    _rules = Rules(size, allowed, test.strict)


class _Guarded:
    """A wrapped module function: checks the running test, then calls the original.

    An instance, not a function, so that it does not turn into a method when someone stores
    it as a class attribute (``class Retry: sleep = time.sleep``), as the original would not.
    It pickles by name, as the original does. The original is not offered as ``__wrapped__``:
    code that unwraps what it calls (``inspect.unwrap``) must not step around the guard.
    """

    def __init__(self, original: Any, kind: Kind, sizes: frozenset[Size], check: CallCheck):
        self.__module__ = str(getattr(original, "__module__", None) or "builtins")
        self.__name__ = getattr(original, "__name__", "")
        self.__qualname__ = getattr(original, "__qualname__", self.__name__)
        self.__doc__ = getattr(original, "__doc__", None)
        self._guard = (original, kind, sizes, check)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        original, kind, sizes, check = self._guard
        test = _applies(sizes)
        if test is not None:
            denied = check(args, kwargs, _rules)
            if denied is not None:
                _violate(test, kind, *denied)
        return original(*args, **kwargs)

    def __reduce__(self) -> str:
        return self.__qualname__

    def __repr__(self) -> str:
        return repr(self._guard[0])


class _GuardedMethod(_Guarded):
    """A wrapped method: binds to its instance like the original."""

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        return self if instance is None else types.MethodType(self, instance)


def _replace(owner: Any, attribute: str, original: Any, wrapper: Any) -> None:
    had_own = attribute in vars(owner)
    setattr(owner, attribute, wrapper)
    _patched.append((owner, attribute, original, wrapper, had_own))


def _patch(guard: Guard, patch: Patch, rebind: dict[int, tuple[Any, Any]]) -> None:
    module = sys.modules.get(patch.module)
    if module is None:
        _pending.append((guard, patch))
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
        wrapper = _GuardedMethod(original, guard.kind, guard.sizes, patch.check)
    _replace(owner, attribute, original, wrapper)


def _apply(patches: list[tuple[Guard, Patch]]) -> None:
    """Apply the patches whose modules are loaded (the others wait in :data:`_pending`)."""
    rebind: dict[int, tuple[Any, Any]] = {}
    for guard, patch in patches:
        _patch(guard, patch, rebind)
    if rebind:  # before the hook, if it is not there yet: every id() it takes is an audit event
        _rebind(rebind)


def _rebind(originals: dict[int, tuple[Any, Any]]) -> None:
    """Point every other module-level name bound to a wrapped original at its wrapper."""
    for module in list(sys.modules.values()):
        if not isinstance(module, types.ModuleType) or module is sys.modules[__name__]:
            continue
        namespace = vars(module)
        # By identity, in C: a module that holds none of the originals costs no Python loop.
        if originals.keys().isdisjoint(map(id, list(namespace.values()))):
            continue
        for name, value in list(namespace.items()):
            original, wrapper = originals.get(id(value), (None, None))
            if original is not None and value is original:
                try:
                    _replace(module, name, original, wrapper)
                except Exception:  # a read-only module attribute
                    continue


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """Install the patches for the block (a session), unless an outer session did (a pytest run
    inside a test); the audit hook (once per process) follows with the first isolated test."""
    if _patched or _pending:
        yield
        return
    _apply(
        [
            (guard, patch)
            for guard in GUARDS
            for patch in guard.patches
            if patch.python_below is None or sys.version_info[:2] < patch.python_below
        ]
    )
    if not _hook_installed:
        _replace(sys, "addaudithook", _add_audit_hook, addaudithook)
    runstate.on_enter.append(_entered)
    try:
        yield
    finally:
        runstate.on_enter.remove(_entered)
        _uninstall()


def _hook() -> None:
    global _hook_installed
    if not _hook_installed:
        _hook_installed = True
        _add_audit_hook(_audit)


def addaudithook(hook: Any) -> None:
    """``sys.addaudithook`` until the first isolated test: the plugin's own hook goes first."""
    _hook()
    _add_audit_hook(hook)


def _uninstall() -> None:
    """Put back what was wrapped. The audit hook stays: CPython cannot remove it, and with no
    test running it returns at once."""
    global _active
    _active = _EMPTY
    _pending.clear()
    while _patched:
        owner, attribute, original, wrapper, had_own = _patched.pop()
        if vars(owner).get(attribute) is not wrapper:
            continue  # someone replaced our wrapper for good; leave theirs
        if had_own:
            setattr(owner, attribute, original)
        else:
            delattr(owner, attribute)
