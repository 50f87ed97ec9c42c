"""The test that is running now: its size, its clock, and the violations it has made.

Time limits and resource guards both read :data:`current`, which only :func:`running` sets:
the plugin enters it when a test's setup begins and leaves it after its teardown. The test is
*live* only while its own code runs: its call and the bodies of its function-scoped fixtures.
Shared (module-, class-, session-scoped) fixtures pause it, because their cost and their side
effects belong to no single test; each of them is bounded on its own (:data:`shared`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from . import _watchdog
from ._watchdog import Clock
from .config import SETTINGS_KEY, Mode
from .sizes import SPEC_KEY, Size
from .violations import Kind, ResourceViolationError, Violation, resource_violation

#: Set on an item that is expected to make one kind of violation (the guide's pages use it).
EXPECTED_KEY = pytest.StashKey[Kind]()
#: Does the session interrupt tests at their limit? (Not under ``--pdb``, nor off the main
#: thread: see :func:`.timing.timer`.)
ALARM_KEY = pytest.StashKey[bool]()

_MAIN_THREAD = threading.main_thread().ident


class Bound:
    """A stretch of code with a time bound, that the watchdog (:mod:`.timing`) interrupts.

    ``asked`` counts the interrupts the watchdog asked for since the bound began, ``answered``
    those the test's thread delivered; ``stopped`` is set when an interrupt was delivered.
    """

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
    """One running test, made from its item: its size and limit (collected by the plugin), the
    session's settings, and the violation it is expected to make. Enter it with :func:`running`.
    ``live`` is true while the test's own code (or fixtures) run."""

    def __init__(self, item: Any) -> None:
        self.reset()
        stash, config = item.stash, item.config
        settings = config.stash[SETTINGS_KEY]
        spec = stash.get(SPEC_KEY, None)  # None also for an item pytest_collection never saw
        self.item = item
        self.nodeid: str = item.nodeid
        self.size: Size | None = spec.size if spec else None
        self.limit: float | None = spec.limit if spec else None
        #: Observe mode (``--test-categories-suggest``): every test is watched as if it were
        #: small, and what it does is only recorded.
        self.observing = settings.suggest
        isolating = settings.enforcement is not Mode.OFF
        self.isolating = self.observing or (isolating and self.size is not None)
        #: The size whose rules the guards apply.
        self.guarding: Size | None = Size.SMALL if self.observing else self.size
        self.strict = settings.enforcement is Mode.STRICT and not self.observing
        #: Interrupt at the limit (see :mod:`.timing`): only a test on the main thread.
        self.thread = threading.get_ident()
        alarm = config.stash.get(ALARM_KEY, False)
        self.alarm = alarm and self.limit is not None and self.thread == _MAIN_THREAD
        #: The kind of violation the test is declared to make (the guide's pages), if any.
        self.expected: Kind | None = stash.get(EXPECTED_KEY, None)
        #: How to fix a violation, where the item's code is not a test's (a page's example).
        self.fix: str | None = getattr(item, "violation_fix", None)
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

    def fresh_bound(self) -> None:
        """The test failed its limit; what runs from now on (its teardown) gets a new one."""
        self.reset()
        self.base = self.charged

    def _run(self) -> None:
        now = Clock.now()
        self._since = now
        self.live = True
        if self.alarm:
            _watchdog.ring(now + self.limit - self.charged + self.base)  # type: ignore[operator]

    def _halt(self) -> None:
        with _watchdog.lock:  # no interrupt from the watchdog once the test's code is done
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
        return self.limit is not None and self.elapsed() > self.limit

    # -- violations --------------------------------------------------------------------------

    def violate(self, kind: Kind, operation: str, target: str) -> None:
        """A guarded operation was attempted: record it, and raise in strict mode."""
        __tracebackhide__ = True
        size = self.size.value if self.size is not None else "unsized"
        violation = resource_violation(kind, self.nodeid, size, operation, target, fix=self.fix)
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

    def __init__(self, name: str, scope: str, when: str, limit: float, config: Any) -> None:
        super().__init__()
        self.name = name
        self.scope = scope
        self.when = when
        self.limit = limit
        self.config = config
        self.since = Clock.now()
        _watchdog.ring(self.since + limit)

    def over(self) -> float:
        return Clock.now() - self.since - self.limit


#: The test running now, or ``None`` between tests.
current: ActiveTest | None = None

#: Shared fixtures setting up or tearing down now, innermost last.
shared: list[SharedFixture] = []

#: Called with each test that becomes the running test (:mod:`.isolation` registers itself).
on_enter: list[Callable[[ActiveTest], None]] = []


@contextlib.contextmanager
def running(test: ActiveTest | None) -> Iterator[ActiveTest | None]:
    """Make ``test`` the running test until the block ends; ``None`` for no test (a pytest run
    started inside a test). Then the test that ran before runs again: its isolation, its limit.
    """
    global current
    previous, current = current, test
    try:
        if test is not None:
            for entered in on_enter:
                entered(test)
        yield test
    finally:
        current = previous
        if previous is not None:
            for entered in on_enter:
                entered(previous)
            if previous.live and previous.alarm:  # the watchdog watched something else
                _watchdog.ring(Clock.now() - previous.over())
