"""Turning what a test did into its report: time limits, swallowed and expected violations."""

from __future__ import annotations

import warnings

import pytest

from . import timing
from .runstate import EXPECTED_KEY, ActiveTest
from .violations import (
    SWALLOWED_MESSAGE,
    WARNING_AS_ERROR_MESSAGE,
    Kind,
    ResourceViolationError,
    TimeLimitExceeded,
    Violation,
    ViolationWarning,
)

__all__ = ["EXPECTED_KEY", "judge"]


def _fail(report: pytest.TestReport, text: str) -> None:
    """Make ``report`` a failure; keep an earlier failure's traceback and add ``text`` to it."""
    if report.failed:
        report.sections.append(("test-categories", text))
        return
    report.outcome = "failed"
    report.longrepr = text


def _warn(item: pytest.Item, report: pytest.TestReport, violations: list[Violation]) -> None:
    """Warn of each violation, pointing at the test's own file and line."""
    path, lineno, _ = item.reportinfo()
    line = lineno + 1 if lineno is not None else 0
    for violation in violations:
        try:
            warnings.warn_explicit(ViolationWarning(violation.message), None, str(path), line)
        except ViolationWarning:
            # filterwarnings = error: the test fails with it, and the run goes on.
            _fail(
                report,
                WARNING_AS_ERROR_MESSAGE.format(
                    summary=violation.summary, message=violation.message
                ),
            )


def judge(
    item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport, test: ActiveTest
) -> None:
    """Adjust one phase's ``report`` for what ``test`` did during that phase."""
    timing.measured_verdict(test)
    fresh = test.new_violations()
    excinfo = call.excinfo
    explained = (
        report.failed
        and excinfo is not None
        and isinstance(excinfo.value, ResourceViolationError | TimeLimitExceeded)
    )
    for violation in fresh:
        if violation.kind is Kind.TIME_LIMIT and not explained:
            _fail(report, violation.message)
    resource = [v for v in fresh if v.kind is not Kind.TIME_LIMIT and not test.observing]
    if resource and test.strict and not explained:
        listing = "\n".join(f"  {v.message}" for v in resource)
        _fail(report, SWALLOWED_MESSAGE.format(summary=resource[0].summary, violations=listing))
    elif resource and not test.strict:
        _warn(item, report, resource)
    if test.expected is not None:
        _expect(test.expected, item, report, test)


def _expect(expected: Kind, item: pytest.Item, report: pytest.TestReport, test: ActiveTest) -> None:
    kinds = {v.kind for v in test.violations}
    path, line, _ = item.location
    # The page and line of the test: a page's test has no traceback to point at them.
    wanted = f"{path}:{(line or 0) + 1}: expected a {expected} violation ({expected.code})"
    if report.failed and kinds == {expected}:
        first = next(v for v in test.violations if v.kind is expected)
        report.outcome = "skipped"
        report.wasxfail = f"expected {expected} violation: {first.message}"
        return
    if report.failed:
        got = ", ".join(sorted(str(k) for k in kinds)) or "no violation"
        _fail(report, f"{wanted}, but the test failed for another reason ({got}).")
    elif report.when == "call" and expected not in kinds:
        _fail(report, f"{wanted}, but the test passed without one.")
