"""The watchdog: one daemon thread per process, asleep until the earliest deadline it was told
of (:func:`ring`), that then asks :mod:`.timing` what to do (:func:`start`'s ``tick``).

The thread waits on a lock, never on the ``time`` module, and the clock is read through a class
attribute (:class:`Clock`), not a module global: freezegun and friends rebind module globals
that hold the real time functions, and monkeypatching ``time`` cannot reach a reference taken
at import.
"""

from __future__ import annotations

import _thread
import contextlib
import os
import threading
import time
from collections.abc import Callable


class Clock:
    """The plugin's clock: ``Clock.now()``, immune to freezegun, time-machine and monkeypatch."""

    now = time.perf_counter


#: Held while the test's thread ends a live stretch, and by the watchdog while it interrupts:
#: so no interrupt is sent once the test's code is done.
lock = threading.Lock()

# The watchdog holds ``_bell`` and sleeps by acquiring it again, until ``_until``; a deadline
# that comes earlier rings it (releases it). While the watchdog is awake, ``_until`` is
# infinite, so that a ring is never lost.
_bell = _thread.allocate_lock()
_until = float("inf")
_thread_: threading.Thread | None = None
_tick: Callable[[], float] = lambda: float("inf")  # noqa: E731
_idle: Callable[[], bool] = lambda: True  # noqa: E731


def ring(deadline: float) -> None:
    """Wake the watchdog if ``deadline`` comes before it would look again."""
    if deadline < _until and _bell.locked():
        with contextlib.suppress(RuntimeError):  # rung by someone else in between
            _bell.release()


def start(tick: Callable[[], float], idle: Callable[[], bool]) -> None:
    """Run the watchdog, if it does not run yet. Each time it wakes it calls ``tick()`` with
    :data:`lock` held, and sleeps until the time it returns (or a ring). ``idle()`` says that
    nothing is being watched: a process forked then gets a watchdog of its own."""
    global _thread_, _tick, _idle
    _tick, _idle = tick, idle
    if _thread_ is None or not _thread_.is_alive():
        _bell.acquire(blocking=False)
        _thread_ = threading.Thread(target=_watch, name="test-categories watchdog", daemon=True)
        _thread_.start()


def running() -> bool:
    return _thread_ is not None


def _watch() -> None:
    global _until
    while True:
        with lock:
            wake = _tick()
        _until = wake
        timeout = min(wake - Clock.now(), threading.TIMEOUT_MAX)
        if timeout > 0:
            _bell.acquire(timeout=timeout)
        _until = float("inf")


def _restart_in_child() -> None:
    """After a fork between tests (pytest-forked runs each test in a forked child), the child
    has no watchdog thread, and a lock the parent's watchdog held at the fork stays held: give
    it a fresh one of each. A process forked while a test or a shared fixture runs (a test's own
    ``os.fork``, multiprocessing's workers) is that code's business and gets none."""
    global _thread_, lock
    if _thread_ is None or not _idle():
        return
    lock = threading.Lock()
    _thread_ = None
    start(_tick, _idle)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_restart_in_child)
