"""Time limits that always hold: a watchdog thread that interrupts, insists, and ends the process.

One watchdog thread per process watches the running test (:data:`.runstate.current`, charged
only while its own code runs) and any shared fixture setting up or tearing down
(:data:`.runstate.shared`). When a bound runs out, it:

1. interrupts the test's thread with :data:`SIGNAL`, whose handler raises
   :class:`.TimeLimitExceeded` where the test stands (an async test waiting in its event loop
   has its task cancelled instead, or under trio its blocking call aborted);
2. interrupts again every :data:`GRACE` seconds while the test still runs (an async test now
   gets the exception); when the signal cannot reach the thread (the test ignored, replaced or
   blocked it), it raises the exception in the thread directly (``PyThreadState_SetAsyncExc``),
   which reaches any Python code;
3. ends the process ``hard_stop`` seconds past the bound: every thread's stack and the TC001
   message are written to stderr first (pytest-xdist then replaces the worker).

:data:`SIGNAL` is a real-time signal where there is one, not ``SIGALRM``: tests, libraries and
pytest-timeout's signal method keep ``SIGALRM`` and the interval timer to themselves. Whatever
a test does to the plugin's signal is undone when the interrupt is delivered and when the test
ends (:func:`check_timer`), and said in its failure. The clock is :class:`._watchdog.Clock` and
the watchdog waits on a lock, so freezegun and friends reach neither.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from . import _compat, _watchdog, runstate
from ._watchdog import Clock
from .config import SETTINGS_KEY
from .runstate import ActiveTest, SharedFixture
from .violations import (
    CLEANUP_MESSAGE,
    EXIT_BOUND_MESSAGE,
    HARD_STOP,
    NOT_INTERRUPTED,
    SHARED_FIXTURE_MESSAGE,
    STOPPED,
    TIME_LIMIT_MESSAGE,
    Kind,
    TimeLimitExceeded,
    Violation,
    docs_url,
    time_violation,
)

#: Seconds between an interrupt and the next one, while the test still runs.
GRACE = 0.5

if hasattr(signal, "SIGRTMIN"):  # Linux: a real-time signal nobody else uses
    SIGNAL: int | None = signal.SIGRTMIN + 6
    SIGNAL_NAME = "SIGRTMIN+6"
elif hasattr(signal, "pthread_kill"):
    SIGNAL, SIGNAL_NAME = signal.SIGUSR2, "SIGUSR2"
else:  # no signal to send: the watchdog raises the exception in the thread
    SIGNAL, SIGNAL_NAME = None, ""

#: What the watchdog bounds: a test, or a shared fixture setting up or tearing down.
Watched = ActiveTest | SharedFixture

_DEBUGGER_MODULES = ("pdb", "bdb", "pydevd", "_pydevd", "debugpy", "IPython.core.debugger")
_MAIN = threading.main_thread().ident or 0
_hard_stop = 10.0  # set from the session's settings
_switch = 0.005  # the thread switch interval when the session began


class _Interrupt(TimeLimitExceeded):
    """What the watchdog raises in the test's thread: an asynchronous exception is raised from
    its class alone, so it finds its violation itself. Shown and pickled as the base class."""

    def __init__(self) -> None:
        super().__init__(_deliver(_watched()))


_Interrupt.__name__ = _Interrupt.__qualname__ = TimeLimitExceeded.__name__
_Interrupt.__module__ = TimeLimitExceeded.__module__


@contextlib.contextmanager
def timer(config: Any) -> Iterator[bool]:
    """The plugin's signal handler and the watchdog, for one pytest session; yields whether
    limits are interrupted (not under ``--pdb``, nor off the main thread)."""
    global _hard_stop, _switch
    if config.getoption("usepdb", False) or threading.get_ident() != _MAIN:
        yield False
        return
    outermost = runstate.current is None  # else a pytest run inside a test
    _hard_stop = config.stash[SETTINGS_KEY].hard_stop
    _switch = sys.getswitchinterval()
    previous = signal.signal(SIGNAL, _on_signal) if SIGNAL is not None else None
    sys.setswitchinterval = _setswitchinterval
    _watchdog.start(_tick, _idle)
    try:
        yield True
    finally:
        if SIGNAL is not None:
            signal.signal(SIGNAL, previous)
        if outermost:
            if sys.setswitchinterval is _setswitchinterval:
                sys.setswitchinterval = _real_setswitchinterval
            _bound_the_exit(_hard_stop)


_real_setswitchinterval = sys.setswitchinterval


def _setswitchinterval(interval: float) -> None:
    """``sys.setswitchinterval`` while the timer is installed.

    The watchdog is a thread: a switch interval of seconds keeps it from running, and a test
    that spins would run that long past its limit. So a test whose limit is running gets at
    most the session's interval, and its failure, if it fails its limit, says that it tried.
    """
    test = runstate.current
    if (
        test is not None
        and test.live
        and test.alarm
        and interval > _switch
        and threading.get_ident() == test.thread
    ):
        test.tampered = test.tampered or "slowed thread switching"
        interval = _switch
    _real_setswitchinterval(interval)


def debugger_active() -> bool:
    """True inside an interactive debugger (not under coverage, which also traces)."""
    tracer = sys.gettrace()
    if tracer is None:
        return False
    module = (
        getattr(tracer, "__module__", None) or type(getattr(tracer, "__self__", tracer)).__module__
    )
    return module.startswith(_DEBUGGER_MODULES)


# -- in the watchdog's thread -----------------------------------------------------------------


def _watched() -> Watched | None:
    """What the watchdog bounds now: the innermost shared fixture, else the running test."""
    if runstate.shared:
        return runstate.shared[-1]
    test = runstate.current
    if test is None or not test.alarm or test.debugging:
        return None
    return test


def _idle() -> bool:
    return runstate.current is None and not runstate.shared


def _tick() -> float:
    """The watchdog woke (holding its lock): interrupt what ran out; return when to look again."""
    bound = _watched()
    if bound is None:
        return float("inf")  # nothing to watch: sleep until a test or a shared fixture rings
    now = Clock.now()
    over = bound.over()
    if over < 0:
        return now - over
    if not (isinstance(bound, SharedFixture) or bound.live):
        return float("inf")  # a test between stretches of its code rings when it goes on
    if over >= _hard_stop:
        _end_process(bound)
    if bound.asked == 0 or now - bound.asked_at >= GRACE:
        _ask(bound, now)
    return min(bound.asked_at + GRACE, now + _hard_stop - over)


def _ask(bound: Watched, now: float) -> None:
    """Interrupt the test's thread (the watchdog holds the run state's lock).

    By signal when it can reach the thread, as a signal also ends a blocking system call;
    otherwise by an exception raised in the thread, which reaches any Python code. Never both:
    the one that arrives second would land after the test, in pytest's own code.
    """
    bound.asked += 1
    bound.asked_at = now
    if SIGNAL is not None and signal.getsignal(SIGNAL) is _on_signal and not _blocked():
        signal.pthread_kill(_MAIN, SIGNAL)
    else:
        import ctypes  # here, not at start-up: a run that needs no fallback never loads it

        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(_MAIN), ctypes.py_object(_Interrupt)
        )


def _blocked() -> bool:
    """Does the test's thread block the plugin's signal? (Read from Linux's /proc.)

    The main thread's id is the process id: ``threading.main_thread().native_id`` would do
    only until a fork, which leaves it holding the parent's (Python 3.11 to 3.13)."""
    try:
        with open(f"/proc/self/task/{os.getpid()}/status", encoding="ascii") as status:
            mask = next(line for line in status if line.startswith("SigBlk:"))
    except (OSError, StopIteration):
        return False
    return bool(int(mask.split()[1], 16) >> (SIGNAL - 1) & 1)  # type: ignore[operator]


def _end_process(bound: Watched) -> None:
    """The hard stop: write every thread's stack and the verdict, then end the process."""
    violation = _violation(bound, HARD_STOP, "")
    config = bound.item.config if isinstance(bound, ActiveTest) else bound.config
    capture = config.pluginmanager.getplugin("capturemanager")
    what = f"FAILED {bound.nodeid}" if isinstance(bound, ActiveTest) else "ERROR"
    try:
        if capture is not None:
            capture.suspend_global_capture(in_=True)
    finally:
        _dump_and_exit(f"{what} - {violation.message}")


def _dump_and_exit(verdict: str) -> None:
    try:
        stream = sys.__stderr__ or sys.stderr
        stream.write(f"\n{'+' * 30} test-categories: hard stop {'+' * 30}\n")
        stream.flush()
        faulthandler.dump_traceback(stream, all_threads=True)
        stream.write(f"\n{verdict}\n")
        stream.flush()
    finally:
        os._exit(1)


def _bound_the_exit(seconds: float) -> None:
    """Python waits for every thread that is not a daemon before the process ends: give the
    threads the tests left running ``seconds`` to finish, then end the process the hard way."""
    left = [t for t in threading.enumerate() if not t.daemon and t is not threading.main_thread()]
    if not left:
        return

    def end() -> None:
        deadline = Clock.now() + seconds
        for thread in left:
            thread.join(max(0.0, deadline - Clock.now()))
        names = ", ".join(repr(thread.name) for thread in left if thread.is_alive())
        if names:
            message = EXIT_BOUND_MESSAGE.format(
                code=Kind.TIME_LIMIT.code, bound=seconds, names=names, url=docs_url(Kind.TIME_LIMIT)
            )
            _dump_and_exit(f"ERROR - {message}")

    threading.Thread(target=end, name="test-categories exit bound", daemon=True).start()


# -- in the test's thread ----------------------------------------------------------------------


def _on_signal(signum: int, frame: FrameType | None) -> None:
    __tracebackhide__ = True
    bound = _watched()
    if bound is None or bound.asked <= bound.answered:
        return  # late, or meant for a test that is over
    if isinstance(bound, ActiveTest):
        if not bound.live:
            return  # the test's code is done: not in pytest's own code
        if debugger_active():
            bound.debugging = True
            return
    first = not bound.stopped
    violation = _deliver(bound)
    if first and isinstance(bound, ActiveTest):
        # An async test waiting in its event loop: cancel its task (the loop may be blocked in
        # select(); the next interrupt raises), or under trio abort its blocking call.
        task = _compat.asyncio_test_task()
        if task is not None:
            task.get_loop().call_soon_threadsafe(task.cancel, f"time limit of {bound.limit:g} s")
            return
        code = getattr(getattr(bound.item, "obj", None), "__code__", None)
        if _compat.abort_trio_task(code, lambda: TimeLimitExceeded(violation)):
            return
    raise TimeLimitExceeded(violation)


def _deliver(bound: Watched | None) -> Violation:
    """An interrupt reaches the test: record the verdict the first time, and return it."""
    if bound is None:  # cannot happen: the watchdog only interrupts what it watches
        return time_violation("", "", 0.0, 0.0)
    bound.answered = bound.asked
    tampered = check_timer()
    bound.tampered = bound.tampered or tampered
    if bound.stopped and isinstance(bound, ActiveTest):
        return time_violation_of(bound)
    # Answered at the first interrupt, or stopped by the fallback: the plugin stopped it.
    prompt = bound.asked == 1 or bound.tampered
    violation = _violation(bound, STOPPED if prompt else NOT_INTERRUPTED, bound.tampered)
    bound.stopped = True
    if isinstance(bound, ActiveTest):
        bound.violations.append(violation)
    return violation


def _violation(bound: Watched, outcome: str, tampered: str) -> Violation:
    if isinstance(bound, SharedFixture):
        return time_violation(
            bound.name,
            "",
            bound.limit,
            Clock.now() - bound.since,
            outcome=outcome,
            template=SHARED_FIXTURE_MESSAGE,
            tampered=tampered,
            scope=bound.scope,
            name=bound.name,
            when=bound.when,
        )
    test = bound
    return time_violation(
        test.nodeid,
        str(test.size),
        test.limit,  # type: ignore[arg-type]
        test.elapsed() - test.base,
        outcome=outcome,
        # A fresh bound: the teardown after the test failed its limit.
        template=CLEANUP_MESSAGE if test.base else TIME_LIMIT_MESSAGE,
        tampered=tampered,
        **({"fix": test.fix} if test.fix else {}),
    )


def check_timer() -> str:
    """Put the plugin's signal and the thread switch interval back as they were, if the test
    changed them; say what it did.

    Runs in the test's thread when an interrupt is delivered and when a test ends.
    """
    if threading.get_ident() != _MAIN or not _watchdog.running():
        return ""
    slowed = sys.getswitchinterval() > _switch  # a slow switch keeps the watchdog from running
    replaced = SIGNAL is not None and signal.getsignal(SIGNAL) is not _on_signal
    blocked = SIGNAL is not None and SIGNAL in signal.pthread_sigmask(signal.SIG_BLOCK, ())
    if not (slowed or replaced or blocked):  # after nearly every test
        return ""
    how = []
    if slowed:
        sys.setswitchinterval(_switch)
        how.append("slowed thread switching")
    if replaced:
        signal.signal(SIGNAL, _on_signal)  # type: ignore[arg-type]
        how.append(f"replaced the handler of {SIGNAL_NAME}")
    if blocked:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, (SIGNAL,))  # type: ignore[arg-type]
        how.append(f"blocked {SIGNAL_NAME}")
    return " and ".join(how)


def time_violation_of(test: ActiveTest) -> Violation:
    """The latest time-limit violation recorded for ``test``."""
    return next(v for v in reversed(test.violations) if v.kind is Kind.TIME_LIMIT)


def measured_verdict(test: ActiveTest) -> bool:
    """Record a time violation from the clock if the test ran over without being stopped.

    Returns True when a new violation was recorded.
    """
    if test.limit is None or test.debugging or test.stopped or test.over() <= 0:
        return False
    test.tampered = test.tampered or check_timer()
    test.violations.append(_violation(test, NOT_INTERRUPTED, test.tampered))
    test.stopped = True
    return True


def cancelled(error: BaseException) -> bool:
    """Is ``error`` asyncio's cancellation? Without asyncio imported, nothing was cancelled."""
    asyncio = sys.modules.get("asyncio")  # looked up, not imported: start-up stays without it
    return asyncio is not None and isinstance(error, asyncio.CancelledError)


# -- fixtures: a function-scoped one is the test's own code; a shared one has a bound of its own


def fixture_setup_begins(fixturedef: Any, config: Any, test: ActiveTest | None) -> None:
    if fixturedef.scope != "function":
        _shared_begins(fixturedef, config, "setup")
    elif test is not None:
        test.start()


def fixture_setup_ends(fixturedef: Any, config: Any, test: ActiveTest | None) -> None:
    if fixturedef.scope != "function":
        _shared_ends(fixturedef, test)
        # Its teardown, whenever it comes, is not the running test's either.
        fixturedef.addfinalizer(functools.partial(_shared_begins, fixturedef, config, "teardown"))
    elif test is not None:
        test.stop()
        fixturedef.addfinalizer(test.start)  # its teardown too (see fixture_torn_down)


def fixture_torn_down(fixturedef: Any) -> None:
    if fixturedef.scope != "function":
        _shared_ends(fixturedef, runstate.current)
    elif runstate.current is not None:
        runstate.current.stop()


def _shared_begins(fixturedef: Any, config: Any, when: str) -> None:
    """A shared fixture starts setting up or tearing down: it pauses the test."""
    if runstate.current is not None:
        runstate.current.pause()
    limit = config.stash[SETTINGS_KEY].fixture_timeout
    runstate.shared.append(SharedFixture(fixturedef.argname, fixturedef.scope, when, limit, config))


def _shared_ends(fixturedef: Any, test: ActiveTest | None) -> None:
    if runstate.shared and runstate.shared[-1].name == fixturedef.argname:
        runstate.shared.pop()
    if test is not None:
        test.resume()
