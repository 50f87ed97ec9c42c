"""Test sizes: the policy table, the base classes, and which size a test has."""

from __future__ import annotations

import enum
from typing import Any, ClassVar, NamedTuple

import pytest

from . import _legacy, allowances
from .allowances import Allowances


class Size(enum.Enum):
    """A test size, after Google's small, medium, large and enormous tests."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    XLARGE = "xlarge"

    @property
    def limit(self) -> float:
        """The time limit of this size, in seconds."""
        return LIMITS[self]

    def __str__(self) -> str:
        return self.value


LIMITS: dict[Size, float] = {
    Size.SMALL: 1.0,
    Size.MEDIUM: 300.0,
    Size.LARGE: 900.0,
    Size.XLARGE: 3600.0,
}

MARKER_HELP: dict[Size, str] = {
    Size.SMALL: "one process, no network, no filesystem, no subprocess, no threads, "
    "no blocking sleep; at most 1 s",
    Size.MEDIUM: "one machine: loopback network, files, subprocesses, threads; at most 300 s",
    Size.LARGE: "anything, including remote services; at most 900 s",
    Size.XLARGE: "anything; at most 3600 s",
}


class SizeSpec(NamedTuple):
    """The size a test runs as, the time limit it gets, and what its markers allow it."""

    size: Size
    limit: float
    allowances: Allowances = allowances.NOTHING


#: Each collected test's spec (``None``: unsized).
SPEC_KEY = pytest.StashKey["SizeSpec | None"]()

_TIMEOUT = {"timeout": "timeout=SECONDS"}
#: The keywords each size marker takes, and how they are written: a stricter limit, and the
#: allowances of the size.
KEYWORDS: dict[Size, dict[str, str]] = {
    Size.SMALL: {**_TIMEOUT, "allow_read": "allow_read=[GLOBS]"},
    Size.MEDIUM: {**_TIMEOUT, "allow_hosts": "allow_hosts=[HOSTS]"},
    Size.LARGE: _TIMEOUT,
    Size.XLARGE: _TIMEOUT,
}
_BY_NAME: dict[str, Size] = {size.value: size for size in Size}


class SizeError(Exception):
    """A size marker that cannot be honoured; the message names the test and the fix."""


class SizeConflict(SizeError):
    """Two different sizes at the same level: a collection error for that test."""


class SmallTest:
    """Base class: every test method of a subclass is a small test."""

    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [pytest.mark.small]


class MediumTest:
    """Base class: every test method of a subclass is a medium test."""

    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [pytest.mark.medium]


class LargeTest:
    """Base class: every test method of a subclass is a large test."""

    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [pytest.mark.large]


class XLargeTest:
    """Base class: every test method of a subclass is an xlarge test."""

    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [pytest.mark.xlarge]


def register_markers(config: pytest.Config) -> None:
    """Document the size markers, so ``pytest --markers`` lists them."""
    extra = {
        Size.SMALL: " allow_read= lists globs (from the rootdir) the test may read.",
        Size.MEDIUM: " allow_hosts= lists hosts beyond loopback the test may reach.",
    }
    for size in Size:
        keywords = ", ".join(f"{k}=None" for k in KEYWORDS[size])
        config.addinivalue_line(
            "markers",
            f"{size.value}({keywords}): {'an' if size is Size.XLARGE else 'a'} {size.value} test "
            f"({MARKER_HELP[size]}). timeout= sets a stricter limit in seconds."
            + extra.get(size, ""),
        )


def _where(node: pytest.Item | pytest.Collector | Any, mark: pytest.Mark) -> str:
    """Say where a size marker on ``node`` was written, for error messages."""
    if isinstance(node, pytest.Class):
        for klass in node.obj.__mro__:
            declared = klass.__dict__.get("pytestmark", [])
            declared = declared if isinstance(declared, list) else [declared]
            if any(getattr(d, "mark", d) == mark for d in declared):
                if klass is node.obj:
                    return f"@pytest.mark.{mark.name} on class {klass.__name__}"
                return f"base class {klass.__name__}"
        return f"class {node.name}"
    if isinstance(node, pytest.Module):
        return f"pytestmark of module {node.name}"
    if isinstance(node, pytest.Item):
        return f"@pytest.mark.{mark.name} on {node.name}"
    return f"{type(node).__name__} {node.name}"


def _timeout_of(item: pytest.Item, size: Size, mark: pytest.Mark) -> float:
    timeout: Any = mark.kwargs.get("timeout")
    if timeout is None:
        return size.limit
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise SizeError(
            f"{item.nodeid}: @pytest.mark.{size}(timeout={timeout!r}) must be a number of seconds."
        )
    if not 0 < timeout <= size.limit:
        raise SizeError(
            f"{item.nodeid}: @pytest.mark.{size}(timeout={timeout!r}) must be more than 0 and at "
            f"most {size.limit:g} s, the limit of a {size} test; a timeout can only make the "
            f"limit stricter. Mark the test with a bigger size if it needs more time."
        )
    return float(timeout)


def _check_keywords(item: pytest.Item, size: Size, mark: pytest.Mark) -> None:
    takes = {*KEYWORDS[size], *((_legacy.EXTERNAL,) if size is Size.MEDIUM else ())}
    forms = " and ".join(KEYWORDS[size].values())
    if mark.args:
        raise SizeError(
            f"{item.nodeid}: @pytest.mark.{size}{mark.args!r} takes no positional arguments; "
            f"its keywords are {forms}."
        )
    unknown = sorted(set(mark.kwargs) - takes)
    if unknown:
        raise SizeError(
            f"{item.nodeid}: @pytest.mark.{size} got unknown argument(s) {', '.join(unknown)}; "
            f"its keywords are {forms} (allow_read is for small tests, allow_hosts for medium "
            f"tests: a bigger test may read any file, and a large test reach any host)."
        )


def _allowances_of(item: pytest.Item, size: Size, marks: list[pytest.Mark]) -> Allowances:
    """What the test's markers of its size allow, together; once per test, at collection."""
    read: list[str] = []
    hosts: list[str] = []
    for mark in marks:
        for keyword, into in (("allow_read", read), ("allow_hosts", hosts)):
            if keyword in mark.kwargs:
                try:
                    into.extend(allowances.strings(mark.kwargs[keyword]))
                except ValueError as error:
                    where = f"{item.nodeid}: @pytest.mark.{size}({keyword}=...)"
                    raise SizeError(f"{where}: {error}.") from None
        if mark.kwargs.get(_legacy.EXTERNAL) is not None:
            try:
                hosts.extend(_legacy.external_hosts(item, mark.kwargs[_legacy.EXTERNAL]))
            except ValueError as error:
                raise SizeError(f"{item.nodeid}: {error}") from None
    if not read and not hosts:
        return allowances.NOTHING
    where = f"{item.nodeid}: @pytest.mark.{size}"
    try:
        patterns = allowances.read_patterns(str(item.config.rootpath), tuple(read))
    except ValueError as error:
        raise SizeError(f"{where}(allow_read=...): {error}.") from None
    try:
        return Allowances(patterns, allowances.hosts(tuple(hosts)))
    except ValueError as error:
        raise SizeError(f"{where}(allow_hosts=...): {error}.") from None


#: Size markers found on a node: which size each one gives, and the marker.
Found = list[tuple[Size, pytest.Mark]]


def resolve(item: pytest.Item) -> SizeSpec | None:
    """The size of ``item``: the closest size marker wins; two sizes at one level conflict.

    The time limit comes from the closest level too; the allowances of every marker of that
    size (function, class, base class, module) add up. Returns ``None`` for an unsized test.
    Raises :class:`SizeConflict` for two sizes at one level, and :class:`SizeError` for a bad
    keyword.
    """
    level: Any = None
    found: Found = []  # at the closest sized level
    above: Found = []  # further out, closest first
    for node, mark in item.iter_markers_with_node():
        if mark.name in _BY_NAME:
            level = node if level is None else level
            (found if node is level else above).append((_BY_NAME[mark.name], mark))
    if not found:
        return None
    size = found[0][0]
    if any(other is not size for other, _ in found):
        first = dict(reversed(found))  # each size once, with its first marker, in size order
        origins = "; ".join(f"{s} from {_where(level, first[s])}" for s in Size if s in first)
        raise SizeConflict(
            f"{item.nodeid}: conflicting sizes at the same level ({origins}). "
            f"A test has one size: remove one of them, or override it closer to the test "
            f"(a marker on the function beats its class, a class beats its module)."
        )
    marks = [m for _, m in found] + [m for other, m in above if other is size]
    if not any(m.args or m.kwargs for m in marks):
        return SizeSpec(size, size.limit)
    for mark in marks:
        _check_keywords(item, size, mark)
    # Several markers of the one size at the closest level: one with a timeout wins.
    closest = next((m for _, m in found if "timeout" in m.kwargs), found[0][1])
    return SizeSpec(size, _timeout_of(item, size, closest), _allowances_of(item, size, marks))
