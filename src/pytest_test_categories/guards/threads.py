"""Guard: threads. Small tests start no thread, by any route.

Audit events: ``_thread.start_new_thread`` (Python 3.12+) and ``_thread.start_joinable_thread``
(3.13+) see ``threading.Thread`` and ``Timer``, ``_thread.start_new_thread``, thread pools,
``asyncio.to_thread`` and ``run_in_executor`` with the default executor. On 3.11 there is no
such event: ``_thread.start_new_thread`` is wrapped once per session, together with every name
already bound to it (``threading._start_new_thread``).

The guard also watches medium tests, without restricting them: a thread a test starts is the
test's, so the network guard checks what it does; threads that predate the test or that a
shared fixture starts are not (see :func:`.shape.adopt`).

Allowed, and not the test's: threads an event loop starts for its own machinery, known by the
real file and function that asked for them: asyncio's loop shutting down its default executor,
and trio's guest mode (anyio's pytest plugin runs trio that way) waiting for I/O. Refusing them
would break the loop for every later test. Creating a ``Thread`` object is allowed too;
starting it is the violation.

Not closed: trio keeps idle worker threads for a few seconds and reuses them, so
``trio.to_thread.run_sync`` starts no thread while one is idle, and what runs there is not
seen as the test's.
"""

from __future__ import annotations

from typing import Any

from pytest_test_categories._compat import LOOP_THREADS, TRIO_THREAD_CACHE
from pytest_test_categories.sizes import Size
from pytest_test_categories.violations import Kind

from .shape import Code, Denied, Guard, Patch, Rules, adopt, asked_by

#: Where an event loop asks for a thread for itself.
_MACHINERY = Code(*LOOP_THREADS)
#: Code that only hands a thread on: trio's cache of worker threads.
_HANDED_ON = Code(TRIO_THREAD_CACHE)


def _denied(function: Any, rules: Rules) -> Denied:
    if rules.size is not Size.SMALL:
        adopt(function)
        return None
    if asked_by(_MACHINERY, _HANDED_ON):
        return None
    adopt(function)  # warn mode: the thread starts, and what it does is the test's
    thread = getattr(function, "__self__", None)
    name = getattr(thread, "name", None) or getattr(function, "__qualname__", repr(function))
    return "thread.start", str(name)


def _event(args: tuple[Any, ...], rules: Rules) -> Denied:
    return _denied(args[0], rules)


def _call(args: tuple[Any, ...], kwargs: dict[str, Any], rules: Rules) -> Denied:
    return _denied(args[0] if args else kwargs.get("function"), rules)


GUARD = Guard(
    Kind.THREADS,
    sizes=frozenset({Size.SMALL, Size.MEDIUM}),
    events={
        "_thread.start_new_thread": _event,
        "_thread.start_joinable_thread": _event,
    },
    patches=(Patch("_thread", "start_new_thread", _call, python_below=(3, 12)),),
)
