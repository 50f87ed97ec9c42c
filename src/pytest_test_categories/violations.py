"""Violations: their stable codes, their messages, and the exceptions that carry them.

The message texts are constants so that tests (ours and yours) can import them instead of
copying prose. Every message links to the guide's page for its code; the link scheme lives in
:func:`docs_url` and nowhere else.
"""

from __future__ import annotations

import enum
from typing import Any, NamedTuple

import pytest

DOCS_ROOT = "https://pytest-test-categories.readthedocs.io/en/latest"


class Kind(enum.Enum):
    """What a violation is about. The value is the name used in reports and in the guide."""

    TIME_LIMIT = "time-limit"
    NETWORK = "network"
    FILESYSTEM = "filesystem"
    SUBPROCESS = "subprocess"
    SLEEP = "sleep"
    THREADS = "threads"
    SQLITE = "sqlite"

    @property
    def code(self) -> str:
        """The stable code of this kind of violation, such as ``TC101``."""
        return CODES[self]

    def __str__(self) -> str:
        return self.value


CODES: dict[Kind, str] = {
    Kind.TIME_LIMIT: "TC001",
    Kind.NETWORK: "TC101",
    Kind.FILESYSTEM: "TC102",
    Kind.SUBPROCESS: "TC103",
    Kind.SLEEP: "TC104",
    Kind.THREADS: "TC105",
    Kind.SQLITE: "TC106",
}


def kind_from_name(name: str) -> Kind:
    """Find a kind by its name (``network``) or code (``TC101``); raise ``ValueError``."""
    for kind in Kind:
        if name.lower() in (kind.value, kind.code.lower()):
            return kind
    choices = ", ".join(f"{k.value} ({k.code})" for k in Kind)
    raise ValueError(f"{name!r} is not a kind of violation; use one of {choices}")


def docs_url(kind: Kind) -> str:
    """The guide's page that explains a violation code."""
    return f"{DOCS_ROOT}/reference/violations.html#{kind.code.lower()}"


#: What each size allows, per kind, in words; used in messages.
ALLOWED: dict[Kind, dict[str, str]] = {
    Kind.NETWORK: {
        "small": "no network at all, not even loopback",
        "medium": "loopback only (127.0.0.0/8, ::1, localhost, AF_UNIX)",
    },
    Kind.FILESYSTEM: {"small": "no filesystem access (imports still work)"},
    Kind.SUBPROCESS: {"small": "no subprocesses"},
    Kind.SLEEP: {"small": "no blocking sleep (await asyncio.sleep is fine)"},
    Kind.THREADS: {"small": "no threads"},
    Kind.SQLITE: {"small": "only in-memory sqlite databases (':memory:')"},
}

#: How to fix each kind, in words; used in messages.
FIXES: dict[Kind, str] = {
    Kind.TIME_LIMIT: "make the test faster (mock or inject the slow part), or mark it with "
    "a bigger size",
    Kind.NETWORK: "mock the client (respx for httpx, a fake transport), inject the "
    "dependency, or mark the test medium (loopback) or large (any host)",
    Kind.FILESYSTEM: "keep the data in memory (io.StringIO, io.BytesIO), mock the file "
    "access, or mark the test medium",
    Kind.SUBPROCESS: "mock subprocess at the boundary, call the code in-process, or mark the "
    "test medium",
    Kind.SLEEP: "mock time.sleep, inject a clock, use await asyncio.sleep, or mark the test medium",
    Kind.THREADS: "call the work directly (inject a synchronous executor), or mark the test medium",
    Kind.SQLITE: "connect to ':memory:', or mark the test medium",
}

#: The fixes of the code of a Markdown page's example, which has no marker of its own.
PAGE_CODE_FIX = (
    "move the work into a test function or fixture with the size it needs, or give the page a "
    "larger size (<!-- test-categories: size SIZE --> on the page, or the ini option "
    "test_categories_markdown_size)"
)

#: A medium test that reached past loopback can only grow to large.
MEDIUM_NETWORK_FIX = (
    "mock the client (respx for httpx, a fake transport), point it at a server on loopback, "
    "or mark the test large"
)

TIME_LIMIT_MESSAGE = (
    "[{code}] {nodeid} ({size} test) exceeded its time limit of {limit:g} s: {outcome}.{tampered} "
    "The limit covers the test call and its own function-scoped fixtures. "
    "To fix it: {fix}. See {url}"
)

#: The teardown of a test that was failed for its time, when it overruns its own fresh bound.
CLEANUP_MESSAGE = (
    "[{code}] {nodeid} ({size} test) failed its time limit, and then its teardown ran past its "
    "own bound of {limit:g} s: {outcome}.{tampered} "
    "To fix it: make the fixtures' teardown finish (a cleanup that waits for something that "
    "never comes, or catches the interrupt and carries on). See {url}"
)

#: A module-, class- or session-scoped fixture that runs past its bound.
SHARED_FIXTURE_MESSAGE = (
    "[{code}] {scope}-scoped fixture {name!r} did not finish its {when} within {limit:g} s, the "
    "bound of shared fixtures: {outcome}.{tampered} "
    "To fix it: make it finish, or give it more time with test_categories_fixture_timeout. "
    "See {url}"
)

#: How a time limit ended, one of these fills ``{outcome}`` in the messages above.
STOPPED = "stopped after {elapsed:.2f} s"
NOT_INTERRUPTED = (
    "it ran {elapsed:.2f} s and could not be interrupted (for instance inside C code), "
    "so it was failed when it returned"
)
HARD_STOP = (
    "it did not stop when interrupted and was still running after {elapsed:.2f} s, so the "
    "process was ended (every thread's stack is printed above)"
)

#: Written to stderr when threads the tests left running keep the process from ending.
EXIT_BOUND_MESSAGE = (
    "[{code}] the run is over, but threads the tests started were still running {bound:g} s "
    "later, so the process was ended (every thread's stack is printed above): {names}. "
    "To fix it: stop and join them in the test or in a fixture's teardown, or start them as "
    "daemon threads. See {url}"
)

#: Added when the test tampered with the plugin's timer (the plugin restores it).
TAMPERED = " The test tampered with the plugin's timer ({how}); it has been restored."

RESOURCE_MESSAGE = (
    "[{code}] {nodeid} ({size} test) used {kind_name}: {operation} {target}. "
    "A {size} test allows {allowed}. To fix it: {fix}. See {url}"
)

SWALLOWED_MESSAGE = (
    "{summary}: the test caught and swallowed a violation; it fails all the same:\n{violations}"
)

#: In warn mode, when ``filterwarnings = error`` turns a ViolationWarning into an error.
WARNING_AS_ERROR_MESSAGE = (
    "{summary}: filterwarnings turns this ViolationWarning into an error, so the test fails.\n"
    "{message}"
)


class Violation(NamedTuple):
    """One violation by one test: plain data, so it travels to pytest-xdist's controller."""

    kind: Kind
    nodeid: str
    size: str
    operation: str
    target: str
    message: str

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def summary(self) -> str:
        """The code and what happened, in a line: ``[TC101] network: socket.connect 10.0.0.1:80``.

        A time limit's says which limit and how long: its message's first sentence, less the
        test's name (``[TC001] exceeded its time limit of 1 s: stopped after 1.00 s``).
        """
        if self.kind is Kind.TIME_LIMIT:
            first = self.message.split(". ", 1)[0]
            return first.replace(f" {self.nodeid} ({self.size} test)", "", 1)
        return f"[{self.code}] {self.kind}: {self.operation} {self.target}"


def resource_violation(
    kind: Kind, nodeid: str, size: str, operation: str, target: str, *, fix: str | None = None
) -> Violation:
    """A guarded operation a test attempted; ``fix`` replaces the fixes a test has."""
    if fix is None:
        fix = MEDIUM_NETWORK_FIX if (kind, size) == (Kind.NETWORK, "medium") else FIXES[kind]
    message = RESOURCE_MESSAGE.format(
        code=kind.code,
        nodeid=nodeid,
        size=size,
        kind_name=_KIND_NAMES[kind],
        operation=operation,
        target=target,
        allowed=ALLOWED[kind].get(size, "it"),
        fix=fix,
        url=docs_url(kind),
    )
    return Violation(kind, nodeid, size, operation, target, message)


def time_violation(
    nodeid: str,
    size: str,
    limit: float,
    elapsed: float,
    *,
    outcome: str = STOPPED,
    template: str = TIME_LIMIT_MESSAGE,
    tampered: str = "",
    fix: str = FIXES[Kind.TIME_LIMIT],
    **fields: str,
) -> Violation:
    """A time-limit violation; ``outcome`` is :data:`STOPPED`, :data:`NOT_INTERRUPTED` or
    :data:`HARD_STOP`, ``template`` one of the time-limit messages."""
    message = template.format(
        code=Kind.TIME_LIMIT.code,
        nodeid=nodeid,
        size=size,
        limit=limit,
        outcome=outcome.format(elapsed=elapsed),
        tampered=TAMPERED.format(how=tampered) if tampered else "",
        fix=fix,
        url=docs_url(Kind.TIME_LIMIT),
        **fields,
    )
    return Violation(Kind.TIME_LIMIT, nodeid, size, "ran", f"{elapsed:.3f} s", message)


_KIND_NAMES: dict[Kind, str] = {
    Kind.NETWORK: "the network",
    Kind.FILESYSTEM: "the filesystem",
    Kind.SUBPROCESS: "a subprocess",
    Kind.SLEEP: "a blocking sleep",
    Kind.THREADS: "a thread",
    Kind.SQLITE: "an sqlite database file",
}


class _Carrier(BaseException):
    def __init__(self, violation: Violation) -> None:
        super().__init__(violation.message)
        self.violation = violation

    def __reduce__(self) -> tuple[Any, ...]:  # picklable for pytest-xdist
        return (type(self), (self.violation,))


class ResourceViolationError(_Carrier, Exception):
    """Raised inside a test, in strict mode, when it uses a resource its size forbids.

    Not an ``OSError``: a library's ``except OSError`` must not turn it into a retry or a
    fallback. Catching it changes nothing: the plugin records every violation and fails the
    test at the end.
    """


class TimeLimitExceeded(_Carrier):
    """Raised where a test was when its time limit ran out.

    A ``BaseException``, like ``KeyboardInterrupt``: ``except Exception`` does not stop it.
    """


class ViolationWarning(pytest.PytestWarning):
    """A violation seen in ``warn`` mode: the operation went ahead."""


def shorten_crash_message(report: pytest.TestReport, error: BaseException) -> None:
    """Make the short test summary show a violation's code and what was done.

    pytest's summary line (``FAILED t.py::test_x - ...``) shows the first line of the crash
    message, which would start with the exception's full class path and be cut off there.
    """
    if isinstance(error, ResourceViolationError | TimeLimitExceeded):
        crash = getattr(report.longrepr, "reprcrash", None)
        if crash is not None:
            crash.message = error.violation.summary


__all__ = [
    "CODES",
    "Kind",
    "ResourceViolationError",
    "TimeLimitExceeded",
    "Violation",
    "ViolationWarning",
    "docs_url",
]
