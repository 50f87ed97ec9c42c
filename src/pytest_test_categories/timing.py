"""Time limits that interrupt: a ``SIGALRM`` timer on the main thread, armed per test.

When the timer fires, a synchronous test gets :class:`TimeLimitExceeded` raised where it stands;
an async test that is waiting in its event loop has its task cancelled (and gets the exception
raised if it swallows the cancellation). Where no signal can be used (another thread, a
platform without ``SIGALRM``, a C call that ignores signals), the verdict is given afterwards
from the measured time.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from types import FrameType
from typing import Any

from . import runstate
from .runstate import ActiveTest
from .violations import Kind, TimeLimitExceeded, time_violation

#: After cancelling an async test, how long it gets to unwind before the exception is raised.
CANCEL_GRACE = 0.25

_DEBUGGER_MODULES = ("pdb", "bdb", "pydevd", "_pydevd", "debugpy", "IPython.core.debugger")

HAVE_ALARM = hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer")


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class Alarm:
    """Arms and disarms ``ITIMER_REAL`` around the live parts of a test."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and HAVE_ALARM
        self._previous: Any = None
        self._installed = False

    def install(self) -> None:
        if self.enabled and _main_thread():
            self._previous = signal.signal(signal.SIGALRM, _on_alarm)
            self._installed = True

    def uninstall(self) -> None:
        if self._installed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            self._installed = False

    @property
    def installed(self) -> bool:
        """Is the handler in place? Tests then use the timer (see ``ActiveTest.alarm``)."""
        return self._installed


def debugger_active() -> bool:
    """True inside an interactive debugger (not under coverage, which also traces)."""
    tracer = sys.gettrace()
    if tracer is None:
        return False
    module = (
        getattr(tracer, "__module__", None) or type(getattr(tracer, "__self__", tracer)).__module__
    )
    return module.startswith(_DEBUGGER_MODULES)


def _test_task(loop: asyncio.AbstractEventLoop) -> asyncio.Task[Any] | None:
    """The task ``run_until_complete`` is waiting for: the test (or its async fixture)."""
    for task in asyncio.all_tasks(loop):
        for callback, _ in getattr(task, "_callbacks", None) or ():
            if getattr(callback, "__name__", "") == "_run_until_complete_cb":
                return task
    return None


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    __tracebackhide__ = True
    test = runstate.current
    if test is None or test.limit is None:
        return
    if not test.live:  # between phases, or in a shared fixture: not the test's time
        test.unarmed()
        return
    if not test.fired:
        left = test.limit - test.elapsed()
        if left > 0:  # early: the timer also ran through time the test is not charged for
            test.arm(left)
            return
        if debugger_active():
            test.debugging = True
            test.unarmed()
            return
        test.fired = True
        test.record(
            time_violation(
                test.nodeid, str(test.size), test.limit, test.elapsed(), interrupted=True
            )
        )
        loop = asyncio.events._get_running_loop()
        if loop is not None and asyncio.current_task(loop) is None:
            task = _test_task(loop)
            if task is not None:
                # From a signal handler: wake the loop, which may be blocked in select().
                loop.call_soon_threadsafe(task.cancel, f"time limit of {test.limit:g} s")
                test.arm(CANCEL_GRACE)
                return
    test.unarmed()
    raise TimeLimitExceeded(time_violation_of(test))


def time_violation_of(test: ActiveTest) -> Any:
    """The time-limit violation recorded for ``test``."""
    return next(v for v in test.violations if v.kind is Kind.TIME_LIMIT)


def measured_verdict(test: ActiveTest) -> bool:
    """Record a time violation from the clock if the test ran over without being stopped.

    Returns True when a new violation was recorded.
    """
    if test.limit is None or test.debugging or test.has(Kind.TIME_LIMIT):
        return False
    elapsed = test.elapsed()
    if elapsed <= test.limit:
        return False
    test.record(time_violation(test.nodeid, str(test.size), test.limit, elapsed, interrupted=False))
    return True
