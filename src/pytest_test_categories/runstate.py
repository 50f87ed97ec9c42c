"""The test that is running now: its size, its clock, and the violations it has made.

Time limits and resource guards both read :data:`current`. The plugin sets it when a test's
setup begins and clears it after teardown; shared (module-, class-, session-scoped) fixtures
pause it, because their cost and their side effects belong to no single test.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .violations import Kind, ResourceViolationError, Violation, resource_violation

if TYPE_CHECKING:
    from .config import Mode
    from .sizes import Size

_perf = time.perf_counter


class ActiveTest:
    """One running test. ``live`` is true while the test's own code (or fixtures) run."""

    __slots__ = (
        "_on_resume",
        "_on_suspend",
        "_pauses",
        "_reported",
        "_since",
        "cancelled",
        "charged",
        "debugging",
        "fired",
        "isolating",
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
        nodeid: str,
        size: Size | None,
        limit: float | None,
        enforcement: Mode,
        *,
        on_resume: Callable[[ActiveTest], None],
        on_suspend: Callable[[ActiveTest], None],
    ) -> None:
        self.nodeid = nodeid
        self.size = size
        self.limit = limit
        self.isolating = size is not None and enforcement.value != "off"
        self.strict = enforcement.value == "strict"
        self.charged = 0.0
        self.live = False
        self.fired = False
        self.cancelled = False
        self.debugging = False
        self.violations: list[Violation] = []
        self.thread = threading.get_ident()
        self._since = 0.0
        self._pauses = 0
        self._reported = 0
        self._on_resume = on_resume
        self._on_suspend = on_suspend

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
        self._on_resume(self)

    def _halt(self) -> None:
        self._on_suspend(self)
        self.live = False
        self.charged += _perf() - self._since

    def elapsed(self) -> float:
        """Seconds charged to the test so far."""
        if self.live:
            return self.charged + _perf() - self._since
        return self.charged

    def remaining(self) -> float | None:
        if self.limit is None:
            return None
        return self.limit - self.elapsed()

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


#: The test running now, or ``None`` between tests.
current: ActiveTest | None = None
