"""Resource isolation: one audit hook and a few one-time patches, switched per test.

Every guard has the same shape (:class:`Guard`) and sits in :data:`GUARDS`. A guard says which
CPython audit events it watches and, for routes that raise no audit event on some Python
versions, which module attributes it wraps. Both are installed once per process and only look
at :data:`pytest_test_categories.runstate.current`; nothing is patched or restored around a
test, so a test that mocks a guarded function leaves later tests exactly as they would be
without the plugin.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import runstate
from .sizes import Size
from .violations import Kind

#: A check looks at an audit event's arguments and the size of the running test, and returns
#: ``(operation, target)`` when that size may not do it, else ``None``.
Check = Callable[[tuple[Any, ...], Size], "tuple[str, str] | None"]


@dataclass(frozen=True)
class Patch:
    """Wrap ``module.attribute`` once per process, for a route no audit event reports.

    ``check`` receives the call's arguments and the test's size, like an audit check.
    ``python_below`` limits the patch to interpreters older than that version, where the
    audit event is missing.
    """

    module: str
    attribute: str
    operation: str
    check: Callable[[tuple[Any, ...], dict[str, Any], Size], "tuple[str, str] | None"]
    python_below: tuple[int, int] | None = None


@dataclass(frozen=True)
class Guard:
    """One resource: the audit events that reveal it and the patches for the rest."""

    kind: Kind
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


_table: dict[str, tuple[Kind, Check]] = {}
_hook_installed = False
_patched: list[tuple[Any, str, Any]] = []
_get_ident = threading.get_ident


def _audit(event: str, args: tuple[Any, ...]) -> None:
    entry = _table.get(event)
    if entry is None:
        return
    test = runstate.current
    if test is None or not test.live or not test.isolating or test.size is None:
        return
    if _get_ident() != test.thread and _get_ident() in _foreign:
        return
    denied = entry[1](args, test.size)
    if denied is not None:
        test.violate(entry[0], *denied)


#: Threads that were running before the current test started: their events are not its own.
_foreign: frozenset[int] = frozenset()


def test_started() -> None:
    """Remember which threads predate the test (a session fixture's worker, xdist's I/O)."""
    global _foreign
    _foreign = frozenset(threading._active) - {_get_ident()}  # type: ignore[attr-defined]


def _wrap(original: Callable[..., Any], kind: Kind, patch: Patch) -> Callable[..., Any]:
    check = patch.check

    def guarded(*args: Any, **kwargs: Any) -> Any:
        test = runstate.current
        if (
            test is not None
            and test.live
            and test.isolating
            and test.size is not None
            and (_get_ident() == test.thread or _get_ident() not in _foreign)
        ):
            denied = check(args, kwargs, test.size)
            if denied is not None:
                test.violate(kind, *denied)
        return original(*args, **kwargs)

    guarded.__wrapped__ = original  # type: ignore[attr-defined]
    guarded.__name__ = getattr(original, "__name__", patch.attribute)
    guarded.__qualname__ = getattr(original, "__qualname__", patch.attribute)
    guarded.__doc__ = getattr(original, "__doc__", None)
    return guarded


def install() -> None:
    """Install the audit hook (once per process) and the patches (once per session)."""
    global _hook_installed
    guards = _registry()
    if not _table:
        for guard in guards:
            for event, check in guard.events.items():
                _table[event] = (guard.kind, check)
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
    if _patched:
        return
    for guard in guards:
        for patch in guard.patches:
            if patch.python_below is not None and sys.version_info[:2] >= patch.python_below:
                continue
            module = sys.modules.get(patch.module) or __import__(patch.module)
            original = getattr(module, patch.attribute, None)
            if original is None:
                continue
            setattr(module, patch.attribute, _wrap(original, guard.kind, patch))
            _patched.append((module, patch.attribute, original))


def uninstall() -> None:
    """Put back what :func:`install` wrapped. The audit hook stays: CPython cannot remove it,
    and with no test running it returns at once."""
    while _patched:
        module, attribute, original = _patched.pop()
        current = getattr(module, attribute, None)
        if getattr(current, "__wrapped__", None) is original:
            setattr(module, attribute, original)
