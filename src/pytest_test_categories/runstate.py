"""The test that is running now: its size, its clock, and the violations it has made.

Time limits and resource guards both read :data:`current`. The plugin sets it when a test's
setup begins and clears it after teardown; shared (module-, class-, session-scoped) fixtures
pause it, because their cost and their side effects belong to no single test.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import TYPE_CHECKING, Any

from .violations import Kind, ResourceViolationError, Violation, resource_violation

if TYPE_CHECKING:
    from .sizes import Size

_perf = time.perf_counter
_setitimer = getattr(signal, "setitimer", None)
_REAL = getattr(signal, "ITIMER_REAL", 0)


class ActiveTest:
    """One running test. ``live`` is true while the test's own code (or fixtures) run."""

    __slots__ = (
        "_armed",
        "_pauses",
        "_reported",
        "_since",
        "alarm",
        "charged",
        "debugging",
        "expected",
        "fired",
        "isolating",
        "item",
        "limit",
        "live",
        "nodeid",
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
    ) -> None:
        self.item = item
        self.nodeid: str = item.nodeid
        self.size = size
        self.limit = limit
        self.isolating = isolating and size is not None
        self.strict = strict
        #: Interrupt with the ``SIGALRM`` timer (see :mod:`.timing`): only on the main thread.
        self.thread = threading.get_ident()
        self.alarm = alarm and limit is not None and self.thread == _MAIN_THREAD
        #: The kind of violation the test is declared to make (the guide's pages), if any.
        self.expected = expected
        self.charged = 0.0
        self.live = False
        self.fired = False
        self.debugging = False
        self.violations: list[Violation] = []
        self._since = 0.0
        self._armed = False
        self._pauses = 0
        self._reported = 0

    # -- the clock ---------------------------------------------------------------------------

    def start(self) -> None:
        """A phase (setup, call, teardown) begins."""
        self._pauses = 0
        self._run()

    def stop(self) -> None:
        """A phase ends."""
        if self.live:
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
        if self._pauses == 0:
            self._run()

    def _run(self) -> None:
        self._since = _perf()
        self.live = True
        if self.alarm and not self._armed and not (self.fired or self.debugging):
            # Armed once for the whole test, not per phase: the gaps between phases and the
            # pauses for shared fixtures are short, and an alarm that comes early finds the test
            # not live or not yet over its limit, and is set again (see timing._on_alarm).
            self.arm(self.limit - self.charged)  # type: ignore[operator]

    def _halt(self) -> None:
        self.live = False
        self.charged += _perf() - self._since

    def arm(self, seconds: float) -> None:
        _setitimer(_REAL, max(seconds, 1e-4))  # type: ignore[misc]
        self._armed = True

    def unarmed(self) -> None:
        """The timer went off without stopping the test; the next phase sets it again."""
        self._armed = False

    def disarm(self) -> None:
        """Stop the timer: the test is over, or a debugger took over."""
        if self._armed:
            _setitimer(_REAL, 0)  # type: ignore[misc]
            self._armed = False

    def elapsed(self) -> float:
        """Seconds charged to the test so far."""
        if self.live:
            return self.charged + _perf() - self._since
        return self.charged

    def over_limit(self) -> bool:
        return self.limit is not None and self.elapsed() > self.limit

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

    def has(self, kind: Kind) -> bool:
        return any(v.kind is kind for v in self.violations)


_MAIN_THREAD = threading.main_thread().ident

#: The test running now, or ``None`` between tests.
current: ActiveTest | None = None
