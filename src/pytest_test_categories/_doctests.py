"""Doctests of a page: ``>>>`` sessions and sphinx.ext.doctest's ``testcode`` output.

Each ``>>>`` example is compiled at its page line, so a traceback points at the page; pytest's
``doctest_optionflags`` and its output checker (``NUMBER``, ``ALLOW_UNICODE``) apply, with
the flags a directive's ``:options:`` or an inline ``# doctest:`` comment adds.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import re
import traceback
from pathlib import Path
from typing import Any, Protocol

import pytest

from . import pages
from ._compat import doctest_checker, doctest_optionflags


class Page(Protocol):
    """What a doctest needs of its page (:class:`.markdown.Page`)."""

    config: pytest.Config
    path: Path

    def at(self, line: int) -> str: ...


class ExampleFailed(Exception):
    """An example that did not end as the page shows: its message is the whole report."""


def optionflags(page: Page, options: str = "") -> int:
    flags = doctest_optionflags(page.config)
    for option in re.split(r"[\s,]+", options.strip()):
        if option[1:] in doctest.OPTIONFLAGS_BY_NAME:
            flag = doctest.OPTIONFLAGS_BY_NAME[option[1:]]
            flags = flags | flag if option[0] == "+" else flags & ~flag
    return flags


def run_session(page: Page, example: pages.Example, namespace: dict[str, Any]) -> None:
    """Run every ``>>>`` example of a session, each compiled at its page line.

    Like Sybil (and pytest's ``--doctest-continue-on-failure``), an example whose output differs
    does not stop the rest; the item fails with all of them. An unexpected exception does.
    """
    __tracebackhide__ = True
    checker = doctest_checker()
    base = optionflags(page, example.options.get("options", ""))
    first = len(example.source) - len(example.source.lstrip("\n"))
    path = str(page.path)
    parts = doctest.DocTestParser().get_examples(example.source[first:], path)
    failures: list[str] = []
    raised: Exception | None = None
    for part in parts:
        flags = base
        for flag, on in part.options.items():
            flags = flags | flag if on else flags & ~flag
        if flags & doctest.SKIP:
            continue
        line = first + part.lineno + 1
        try:
            failure = _run_part(page, part, line, namespace, checker=checker, flags=flags)
        except Exception as error:  # reported with its traceback, after the rest has run
            raised = raised or error
            failure = f"{page.at(line)}: this example raised {type(error).__name__}: {error}"
        if failure:
            failures.append(failure)
    if failures:
        count = (
            f"{len(failures)} of the {len(parts)} examples of the session at line {example.line}"
        )
        summary = "\n".join(failures) + f"\n{count} did not end as shown."
        if raised is not None:
            raised.add_note(summary)
            raise raised
        raise ExampleFailed(summary)


def _run_part(
    page: Page,
    part: doctest.Example,
    line: int,
    namespace: dict[str, Any],
    *,
    checker: doctest.OutputChecker,
    flags: int,
) -> str | None:
    """Run one ``>>>`` example; what is wrong with its outcome, if anything."""
    __tracebackhide__ = True
    path = str(page.path)
    code = compile("\n" * (line - 1) + part.source, path, "single", dont_inherit=True)
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            exec(code, namespace)
    except Exception as error:
        if part.exc_msg is None:
            raise
        got = traceback.format_exception_only(type(error), error)[-1]
        if checker.check_output(part.exc_msg, got, flags) or (
            flags & doctest.IGNORE_EXCEPTION_DETAIL
            and _exception_name(got) == _exception_name(part.exc_msg)
        ):
            return None
        return (
            f"{page.at(line)}: this example raised another exception than the one shown\n"
            + _difference(checker, part, got, flags)
        )
    got = buffer.getvalue()
    if part.exc_msg is not None:
        return (
            f"{page.at(line)}: this example was to raise {part.exc_msg.strip()}, and raised "
            f"nothing\n{_show(part.source)}"
        )
    if checker.check_output(part.want, got, flags):
        return None
    return f"{page.at(line)}: this example's output is not the output shown\n" + _difference(
        checker, part, got, flags
    )


def _exception_name(message: str) -> str:
    return message.split(":", maxsplit=1)[0].rsplit(".", 1)[-1].strip()


def check_output(page: Page, example: pages.Example, got: str) -> None:
    output = example.output
    assert output is not None
    want = output.source.lstrip("\n")
    flags = optionflags(page, output.options.get("options", ""))
    checker = doctest_checker()
    if not checker.check_output(want, got, flags):
        part = doctest.Example(example.source.strip() + "\n", want)
        raise ExampleFailed(
            f"{page.at(output.line)}: the output of the testcode at line {example.line} is not "
            "the output shown\n" + checker.output_difference(part, got, flags)
        )


def _difference(checker: doctest.OutputChecker, part: doctest.Example, got: str, flags: int) -> str:
    return _show(part.source) + checker.output_difference(part, got, flags)


def _show(source: str) -> str:
    lines = source.rstrip("\n").splitlines()
    return "\n".join([f">>> {lines[0]}", *(f"... {line}" for line in lines[1:])]) + "\n"
