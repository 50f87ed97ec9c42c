"""The test that is running now: its size, its clock, and the violations it has made.

Time limits and resource guards both read :data:`current`. The plugin sets it when a test's
setup begins and clears it after teardown. The test is *live* only while its own code runs:
its call and the bodies of its function-scoped fixtures. Shared (module-, class-,
session-scoped) fixtures pause it, because their cost and their side effects belong to no
single test; each of them is bounded on its own (:data:`shared`).

The clock is read through a class attribute, never a module global: freezegun rebinds module
globals that hold the real time functions, and monkeypatching the ``time`` module cannot reach
a reference taken at import.
"""

from __future__ import annotations

import _thread
import contextlib
import threading
import time
from typing import Any, NamedTuple

import pytest

from .sizes import Size
from .violations import Kind, ResourceViolationError, Violation, resource_violation


class Clock:
    """The plugin's clock: ``Clock.now()``, immune to freezegun, time-machine and monkeypatch."""

    now = time.perf_counter


class Bound:
    """A stretch of code with a time bound, that the watchdog (:mod:`.timing`) interrupts.

    ``asked`` counts the interrupts the watchdog asked for since the bound began, ``answered``
    those the test's thread delivered; ``stopped`` is set when an interrupt was delivered.
    """

    __slots__ = ("answered", "asked", "asked_at", "base", "stopped", "tampered")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.base = 0.0
        self.asked = 0
        self.answered = 0
        self.asked_at = 0.0
        self.stopped = False
        self.tampered = ""


class ActiveTest(Bound):
    """One running test. ``live`` is true while the test's own code (or fixtures) run.

    To bound a block that is not a pytest item (a guide page's top-level code): build one,
    set :data:`current` to it, call :meth:`start` before the block and :meth:`stop` after it
    (in a ``finally``), then set :data:`current` back. A block that overruns gets
    :class:`~.violations.TimeLimitExceeded` raised where it stands.
    """

    __slots__ = (
        "_depth",
        "_pauses",
        "_reported",
        "_since",
        "alarm",
        "charged",
        "debugging",
        "expected",
        "guarding",
        "isolating",
        "item",
        "limit",
        "live",
        "nodeid",
        "observing",
        "outcome",
        "size",
        "strict",
        "thread",
        "violations",
    )

    def __init__(
        self,
        item: Any,
        size: Size | None,
        limit: float | None,
        *,
        isolating: bool,
        strict: bool,
        alarm: bool,
        expected: Kind | None = None,
        observing: bool = False,
    ) -> None:
        self.reset()
        self.item = item
        self.nodeid: str = item.nodeid
        self.size = size
        self.limit = limit
        #: Observe mode (``--test-categories-suggest``): every test is watched as if it were
        #: small, and what it does is only recorded.
        self.observing = observing
        self.isolating = observing or (isolating and size is not None)
        #: The size whose rules the guards apply.
        self.guarding: Size | None = Size.SMALL if observing else size
        self.strict = strict and not observing
        #: Interrupt at the limit (see :mod:`.timing`): only a test on the main thread.
        self.thread = threading.get_ident()
        self.alarm = alarm and limit is not None and self.thread == _MAIN_THREAD
        #: The kind of violation the test is declared to make (the guide's pages), if any.
        self.expected = expected
        self.charged = 0.0
        self.live = False
        self.debugging = False
        self.violations: list[Violation] = []
        self._since = 0.0
        self._depth = 0
        self._pauses = 0
        self._reported = 0
        #: The test's outcome so far, from its phases' reports (see :mod:`.reports`).
        self.outcome = "passed"

    # -- the clock ---------------------------------------------------------------------------

    def start(self) -> None:
        """The test's own code begins to run (its call, or a function-scoped fixture)."""
        self._depth += 1
        if self._depth == 1 and self._pauses == 0:
            self._run()

    def stop(self) -> None:
        """The test's own code is done for now."""
        if self._depth == 0:
            return
        self._depth -= 1
        if self._depth == 0 and self.live:
            self._halt()

    def pause(self) -> None:
        """A shared fixture starts setting up or tearing down: stop charging, stop isolating."""
        self._pauses += 1
        if self._pauses == 1 and self.live:
            self._halt()

    def resume(self) -> None:
        if self._pauses == 0:
            return
        self._pauses -= 1
        if self._pauses == 0 and self._depth > 0:
            self._run()

    def watch_again(self) -> None:
        """The watchdog watched something else for a while (a pytest run inside this test)."""
        if self.live and self.alarm:
            ring(Clock.now() - self.over())

    def fresh_bound(self) -> None:
        """The test failed its limit; what runs from now on (its teardown) gets a new one."""
        self.reset()
        self.base = self.charged

    def _run(self) -> None:
        now = Clock.now()
        self._since = now
        self.live = True
        if self.alarm:
            ring(now + self.limit - self.charged + self.base)  # type: ignore[operator]

    def _halt(self) -> None:
        with lock:  # no interrupt from the watchdog once the test's code is done
            self.live = False
            self.charged += Clock.now() - self._since

    def elapsed(self) -> float:
        """Seconds charged to the test so far."""
        if self.live:
            return self.charged + Clock.now() - self._since
        return self.charged

    def over(self) -> float:
        """Seconds past the current bound (negative while within it)."""
        return self.elapsed() - self.base - self.limit  # type: ignore[operator]

    def over_limit(self) -> bool:
        limit = self.limit
        if limit is None:
            return False
        return (self.charged + Clock.now() - self._since if self.live else self.charged) > limit

    # -- violations --------------------------------------------------------------------------

    def record(self, violation: Violation) -> None:
        self.violations.append(violation)

    def violate(self, kind: Kind, operation: str, target: str) -> None:
        """A guarded operation was attempted: record it, and raise in strict mode."""
        __tracebackhide__ = True
        size = self.size.value if self.size is not None else "unsized"
        violation = resource_violation(kind, self.nodeid, size, operation, target)
        self.violations.append(violation)
        if self.strict:
            raise ResourceViolationError(violation)

    def new_violations(self) -> list[Violation]:
        """Violations not handed out by an earlier call: for warnings at the end of a phase."""
        fresh = self.violations[self._reported :]
        self._reported = len(self.violations)
        return fresh


class SharedFixture(Bound):
    """A module-, class- or session-scoped fixture setting up or tearing down, with its bound."""

    __slots__ = ("config", "limit", "name", "scope", "since", "when")

    def __init__(self, name: str, scope: str, when: str, limit: float, config: Any) -> None:
        super().__init__()
        self.name = name
        self.scope = scope
        self.when = when
        self.limit = limit
        self.config = config
        self.since = Clock.now()
        ring(self.since + limit)

    def over(self) -> float:
        return Clock.now() - self.since - self.limit


class SessionFlags(NamedTuple):
    """How a session runs its tests, set by the plugin when it is configured (:func:`flags`)."""

    config: object
    isolating: bool
    strict: bool
    alarm: bool
    observing: bool


FLAGS_KEY = pytest.StashKey[SessionFlags]()

_MAIN_THREAD = threading.main_thread().ident

#: The flags of the session that asked last: one look-up per session, not one per test.
_flags = SessionFlags(None, False, False, False, False)


def flags(config: Any) -> SessionFlags:
    """The :class:`SessionFlags` of ``config``'s session."""
    global _flags
    if _flags.config is not config:
        _flags = config.stash[FLAGS_KEY]
    return _flags


#: The test running now, or ``None`` between tests.
current: ActiveTest | None = None

#: Shared fixtures setting up or tearing down now, innermost last.
shared: list[SharedFixture] = []


#: Held while the test's thread ends a live stretch, and by the watchdog while it interrupts:
#: so no interrupt is sent once the test's code is done.
lock = threading.Lock()

# The watchdog holds ``_bell`` and sleeps by acquiring it again, until ``watch_until``; a
# bound that ends earlier rings it (releases it). While the watchdog is awake, ``watch_until``
# is infinite, so that a ring is never lost.
_bell = _thread.allocate_lock()
watch_until = float("inf")


def ring(deadline: float) -> None:
    """Wake the watchdog if ``deadline`` comes before it would look again."""
    if deadline < watch_until and _bell.locked():
        with contextlib.suppress(RuntimeError):  # rung by someone else in between
            _bell.release()


def sleep_until(deadline: float) -> None:
    """For the watchdog (which holds the bell): sleep until ``deadline`` or a ring."""
    global watch_until
    watch_until = deadline
    timeout = min(deadline - Clock.now(), threading.TIMEOUT_MAX)
    if timeout > 0:
        _bell.acquire(timeout=timeout)
    watch_until = float("inf")
