"""Guard: threads. Small tests start no thread, by any route.

Audit events: ``_thread.start_new_thread`` (Python 3.12+) and ``_thread.start_joinable_thread``
(3.13+) see ``threading.Thread`` and ``Timer``, ``_thread.start_new_thread``, thread pools,
``asyncio.to_thread`` and ``run_in_executor`` with the default executor. On 3.11 there is no
such event: ``_thread.start_new_thread`` is wrapped once per session, together with every name
already bound to it (``threading._start_new_thread``).

The guard also watches medium tests, without restricting them: a thread a test starts is the
test's, so the network guard checks what it does; threads that predate the test or that a
shared fixture starts are not (see :func:`..isolation.adopt`).

Allowed: the thread asyncio starts when its loop closes, to shut down a default executor that
could not start a worker (it joins nothing; refusing it would only add a teardown error).
Creating a ``Thread`` object is allowed too; starting it is the violation.
"""

from __future__ import annotations

from typing import Any

from pytest_test_categories import isolation
from pytest_test_categories.isolation import Denied, Guard, Patch
from pytest_test_categories.sizes import Size
from pytest_test_categories.violations import Kind


def _denied(function: Any, size: Size) -> Denied:
    isolation.adopt(function)
    if size is not Size.SMALL:
        return None
    thread = getattr(function, "__self__", None)
    target = getattr(thread, "_target", None)
    if getattr(target, "__name__", None) == "_do_shutdown" and hasattr(
        getattr(target, "__self__", None), "shutdown_default_executor"
    ):
        return None
    name = getattr(thread, "name", None) or getattr(function, "__qualname__", repr(function))
    return "thread.start", str(name)


def _event(args: tuple[Any, ...], size: Size) -> Denied:
    return _denied(args[0], size)


def _call(args: tuple[Any, ...], kwargs: dict[str, Any], size: Size) -> Denied:
    return _denied(args[0] if args else kwargs.get("function"), size)


GUARD = Guard(
    Kind.THREADS,
    sizes=frozenset({Size.SMALL, Size.MEDIUM}),
    events={
        "_thread.start_new_thread": _event,
        "_thread.start_joinable_thread": _event,
    },
    patches=(Patch("_thread", "start_new_thread", _call, python_below=(3, 12)),),
)
