"""Records: what the reports know about one test, as plain data that travels to xdist's controller.

A test's :class:`Record` is made once, when its teardown report is made (:mod:`._tally`), or for
a test that crashed its xdist worker; :func:`record` is the one place that writes its fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NotRequired, TypedDict

from .sizes import Size

#: The name of the JUnit XML property that holds each test's size.
JUNIT_PROPERTY = "test_size"

#: The size name of a test without a size marker.
UNSIZED = "unsized"

#: Every size name a record can carry, in report order.
SIZE_NAMES: tuple[str, ...] = (*(size.value for size in Size), UNSIZED)

#: The name of the attribute that carries a test's record on its teardown report.
ATTRIBUTE = "test_categories"


class ViolationEntry(TypedDict):
    """One kind of operation a test did that its size forbids, and how often."""

    kind: str
    code: str
    operation: str
    target: str
    count: int


class Suggestion(TypedDict):
    """One test's suggested size, why, and what that says about the size it has."""

    nodeid: str
    path: str
    line: int | None
    function: str
    current: str
    suggested: str
    verdict: str
    reasons: list[str]
    duration: float


class Record(TypedDict):
    """What the report knows about one test."""

    nodeid: str
    #: The test's place in the suite as collected, before any deselection.
    order: int
    size: str
    outcome: str
    duration: float
    limit: float | None
    limit_percent: float | None
    violations: list[ViolationEntry]
    #: Only in a ``--test-categories-suggest`` run: the size the test fits (:mod:`.suggest`).
    suggestion: NotRequired[Suggestion]


def record(  # noqa: PLR0917 - a record's fields, in the record's order
    nodeid: str,
    order: int,
    size: str,
    outcome: str,
    duration: float,
    limit: float | None,
    violations: Iterable[ViolationEntry] = (),
) -> Record:
    """One test's record, with its charged ``duration`` rounded and its share of ``limit``."""
    return {
        "nodeid": nodeid,
        "order": order,
        "size": size,
        "outcome": outcome,
        "duration": round(duration, 6),
        "limit": limit,
        "limit_percent": round(100.0 * duration / limit, 2) if limit else None,
        "violations": list(violations),
    }
