"""Size reports: one record per test, tallied where the run ends, shown the way the user asked.

A test's record is built when its teardown report is made and rides on that report as the
plain-data attribute ``report.test_categories`` (see :class:`Record`). pytest-xdist copies a
report's attributes to its controller, so the controller tallies, in
``pytest_runtest_logreport``, exactly the records a run without xdist tallies. At the end of
the session the controller (never a worker) checks the pyramid, writes the report and prints
the summary.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import hashlib
import json
import os
import stat
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

import pytest

from . import distribution
from .config import SETTINGS_KEY, Mode, Settings
from .distribution import plural
from .runstate import ActiveTest
from .sizes import LIMITS, SPEC_KEY, Size
from .violations import Kind

if TYPE_CHECKING:
    from .suggest import Suggestion

#: The version of the JSON report's layout; raised whenever a consumer could notice a change.
SCHEMA_VERSION = 2

#: The name of the JUnit XML property that holds each test's size.
JUNIT_PROPERTY = "test_size"

#: The size name of a test without a size marker.
UNSIZED = "unsized"

#: Every size name a record can carry, in report order.
SIZE_NAMES: tuple[str, ...] = (*(size.value for size in Size), UNSIZED)

#: The name of the attribute that carries a test's record on its teardown report.
ATTRIBUTE = "test_categories"

SCHEMA_FILE = "report.schema.json"

#: The key under which a pytest-xdist worker sends its suite's identity to the controller.
SUITE_OUTPUT = "test_categories_suite"

#: Settings that differ between the shards of one run (each writes its own report).
_NOT_CONFIGURATION = frozenset({"report", "report_file", "suggest_file"})


class ViolationEntry(TypedDict):
    """One kind of operation a test did that its size forbids, and how often."""

    kind: str
    code: str
    operation: str
    target: str
    count: int


class Record(TypedDict):
    """What the report knows about one test. Plain data: it travels to xdist's controller."""

    nodeid: str
    order: int
    size: str
    outcome: str
    duration: float
    limit: float | None
    limit_percent: float | None
    #: A tuple when empty: a record of atomic values only is never tracked by the garbage
    #: collector, which then does not walk a record per test in every full collection.
    violations: Sequence[ViolationEntry]
    #: Only in a ``--test-categories-suggest`` run: the size the test fits (:mod:`.suggest`).
    suggestion: NotRequired[Suggestion]


# -- in the process that runs the tests ---------------------------------------------------------

#: Each test's place in the suite as collected, before any deselection, by node id.
_PLACES = pytest.StashKey[dict[str, int]]()


def suite_collected(session: pytest.Session, items: list[pytest.Item]) -> None:
    """Identify the suite as collected, before any plugin deselects; remember each item's place.

    Every shard of a run (``-k``, ``--deselect``, pytest-split, pytest-shard) collects the whole
    suite first, so the shards of one run have the same identity, and the same places.
    """
    config = session.config
    ids = [item.nodeid for item in items]
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()
    suite = {"tests": len(ids), "digest": f"sha256:{digest}"}
    tally = config.stash.get(_TALLY, None)
    if tally is not None:
        tally.suite = suite
    output = getattr(config, "workeroutput", None)
    if output is not None:  # a pytest-xdist worker: its controller collects nothing itself
        output[SUITE_OUTPUT] = suite
    session.stash[_PLACES] = dict(zip(ids, range(len(ids)), strict=True))


def _place(item: pytest.Item, nodeid: str) -> int:
    """The item's place in the suite as collected, so that the records of the shards of one run
    sort into the order of the whole run. An item a plugin added after collection goes at the
    end; one that was not collected at all (pytester's inline items) gets -1."""
    try:
        places = item.session.stash[_PLACES]
    except KeyError:
        return -1
    place = places.get(nodeid)
    if place is not None:
        return place
    try:
        return len(places) + item.session.items.index(item)
    except ValueError:
        return -1


def note_phase(item: pytest.Item, report: pytest.TestReport, test: ActiveTest | None) -> None:
    """Follow the test's outcome through its phases; at teardown, attach its record.

    This runs for each phase that did not simply pass, and at teardown (see the plugin).
    """
    if test is not None and test.item is not item:
        test = None
    when = report.when
    outcome: str = report.outcome
    if when != "teardown":
        if outcome == "failed":
            outcome = "failed" if when == "call" else "error"
        elif outcome == "skipped":
            outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        elif when == "call" and hasattr(report, "wasxfail"):
            outcome = "xpassed"
        if test is not None:
            test.outcome = outcome
        return
    if test is None:  # a report made outside the plugin's run of the test
        outcome = "error" if outcome == "failed" else "passed"
    elif outcome == "failed" and test.outcome not in ("failed", "error"):
        outcome = "error"
    else:
        outcome = test.outcome
    nodeid = item.nodeid if test is None else test.nodeid
    order = _place(item, nodeid)
    if test is not None:
        size, limit = test.size, test.limit
        duration = test.elapsed() if test.live else test.charged
    else:
        spec = item.stash.get(SPEC_KEY, None)
        size, limit, duration = spec and spec.size, spec and spec.limit, 0.0
    record: Record = {
        "nodeid": nodeid,
        "order": order,
        "size": size._value_ if size is not None else UNSIZED,
        "outcome": outcome,
        "duration": round(duration, 6),
        "limit": limit,
        "limit_percent": round(100.0 * duration / limit, 2) if limit else None,
        "violations": _entries(test) if test is not None and test.violations else (),
    }
    if test.observing if test is not None else item.config.stash[SETTINGS_KEY].suggest:
        from . import suggest

        record["suggestion"] = suggest.judge(item, record)
    if _tally is None:  # a pytest-xdist worker: the record rides on the report to the controller
        setattr(report, ATTRIBUTE, record)
    else:
        _keep(_tally, record)


def _entries(test: ActiveTest) -> list[ViolationEntry]:
    entries: dict[tuple[str, str, str], ViolationEntry] = {}
    for v in test.violations:
        entry = entries.setdefault(
            (v.kind.value, v.operation, v.target),
            {
                "kind": v.kind.value,
                "code": v.code,
                "operation": v.operation,
                "target": v.target,
                "count": 0,
            },
        )
        entry["count"] += 1
    return list(entries.values())


# -- in the process that reports (the only one, or xdist's controller) --------------------------


class Tally:
    """The records of one session and what the end of the session made of them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        #: By node id: a test run again (pytest-rerunfailures) counts once, as its last run.
        self.by_nodeid: dict[str, Record] = {}
        #: Filled when the session ends: every record, in collection order.
        self.records: list[Record] = []
        self.pyramid = distribution.measure({}, settings.targets)  # until the session ends
        self.complete = True
        self.check_note = ""
        self.failed_message = ""
        self.failed_reason = ""
        self.written: Path | None = None
        self.suggestions_written: Path | None = None
        #: Files the run asked for and could not write, each said in the summary.
        self.write_errors: list[str] = []
        self.outer: Tally | None = None
        #: In xdist's controller: the node ids in collection order, and each worker's last
        #: setup report (a worker that crashes never sends the teardown report with the record).
        self.ids: list[str] = []
        self.last_setup: dict[object, pytest.TestReport] = {}
        #: The suite as collected (:func:`suite_collected`): ``{"tests": N, "digest": ...}``.
        self.suite: dict[str, Any] | None = None
        #: The shard reports a merged tally was made from (:mod:`.merge`); empty for a run.
        self.shards: list[dict[str, Any]] = []

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SIZE_NAMES, 0)
        for record in self.records:
            counts[record["size"]] += 1
        return counts


def in_order(records: Iterable[Record]) -> list[Record]:
    """The records in collection order, the same with or without pytest-xdist or shards."""
    return sorted(records, key=lambda record: (record["order"], record["nodeid"]))


_TALLY = pytest.StashKey[Tally]()

#: The tally that ``pytest_runtest_logreport`` (which is not given the config) adds to. A
#: session run inside a test (pytester's inline runs) puts the outer one back when it ends.
_tally: Tally | None = None


def session_started(session: pytest.Session) -> None:
    global _tally
    config = session.config
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: its controller reports
        return
    tally = Tally(config.stash[SETTINGS_KEY])
    tally.outer = _tally
    config.stash[_TALLY] = tally
    _tally = tally


def _keep(tally: Tally, record: Record) -> None:
    """Tally one record (the one place that does)."""
    tally.by_nodeid[record["nodeid"]] = record


def logged(report: pytest.TestReport) -> None:
    """Tally the record a worker's report carries (only teardown reports do)."""
    if _tally is not None:
        record = getattr(report, ATTRIBUTE, None)
        if record is not None:
            _keep(_tally, record)


def collection_order(ids: list[str]) -> None:
    """In xdist's controller: remember the order of the tests (every worker collects the same)."""
    if _tally is not None and not _tally.ids:
        _tally.ids = ids


def logged_in_controller(report: pytest.TestReport) -> None:
    """In xdist's controller: tally a record, or make one for a test whose worker crashed."""
    if _tally is None:
        return
    when: str = report.when
    if when == "setup":
        _tally.last_setup[getattr(report, "node", None)] = report
    elif when == "???" and report.failed:  # xdist's report of a test that crashed its worker
        _keep(_tally, _crash_record(_tally, report))
        return
    logged(report)


def _crash_record(tally: Tally, report: pytest.TestReport) -> Record:
    setup = tally.last_setup.get(getattr(report, "node", None))
    size = UNSIZED
    if setup is not None and setup.nodeid == report.nodeid:
        size = str(dict(setup.user_properties).get(JUNIT_PROPERTY, UNSIZED))
    order = tally.ids.index(report.nodeid) if report.nodeid in tally.ids else len(tally.ids)
    return {
        "nodeid": report.nodeid,
        "order": order,
        "size": size,
        "outcome": "failed",
        "duration": 0.0,
        "limit": LIMITS[Size(size)] if size != UNSIZED else None,
        "limit_percent": 0.0 if size != UNSIZED else None,
        "violations": [],
    }


def worker_finished(output: Mapping[str, Any]) -> None:
    """In xdist's controller: take the suite's identity from a worker that finished."""
    suite = output.get(SUITE_OUTPUT)
    if _tally is not None and suite is not None:
        _tally.suite = suite


def configuration(settings: Settings) -> dict[str, Any]:
    """The settings that shape a report, as plain data: the shards of one run share them."""
    return {
        name: _plain(value)
        for name, value in settings._asdict().items()
        if name not in _NOT_CONFIGURATION
    }


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # a NamedTuple: by field
        return {name: _plain(item) for name, item in value._asdict().items()}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(_plain(item) for item in value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _fail_session(session: pytest.Session) -> None:
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def session_finished(session: pytest.Session) -> None:
    """Check the pyramid, write the report file; everything printed waits for the summary."""
    global _tally
    tally = session.config.stash.get(_TALLY, None)
    if tally is None:
        return
    if _tally is tally:
        _tally = tally.outer
    settings = tally.settings
    tally.records = in_order(tally.by_nodeid.values())
    tally.pyramid = distribution.measure(tally.counts(), settings.targets)
    tally.complete = not (
        session.shouldfail
        or session.shouldstop
        or session.exitstatus == pytest.ExitCode.INTERRUPTED
        or len(tally.records) < session.testscollected
    )
    if tally.records and settings.distribution_enforcement is not Mode.OFF:
        _check(session, tally)
    if settings.suggest_file is not None:
        from . import __version__, suggest

        text = suggest.marker_lines(suggestions(tally), __version__)
        path = settings.suggest_file
        if _write(session, tally, "size suggestions", path, text, write=write_atomically):
            tally.suggestions_written = path
    if settings.report is not None and settings.report_file is not None:
        text = render(tally, settings.report)
        if _write(session, tally, "size report", settings.report_file, text, write=write_report):
            tally.written = settings.report_file


def _write(
    session: pytest.Session,
    tally: Tally,
    what: str,
    path: Path,
    text: str,
    *,
    write: Callable[[Path, str], None],
) -> bool:
    """Write a file the run asked for; a failure is said at the end and fails the run."""
    try:
        write(path, text)
    except OSError as error:
        tally.write_errors.append(f"could not write the {what} to {path}: {error}")
        _fail_session(session)
        return False
    return True


def _check(session: pytest.Session, tally: Tally) -> None:
    if not tally.complete:
        ran, collected = len(tally.records), session.testscollected
        tally.check_note = distribution.STOPPED_EARLY_MESSAGE.format(ran=ran, collected=collected)
        return
    if tally.pyramid.ok:
        return
    message = tally.pyramid.message()
    reason = distribution.STRICT_REASON
    if tally.settings.distribution_enforcement is Mode.WARN:
        # Point at the configuration that asked for the check, not at this module.
        where = str(session.config.inipath or session.config.rootpath)
        try:
            warnings.warn_explicit(distribution.DistributionWarning(message), None, where, 0)
            return
        except distribution.DistributionWarning:
            # filterwarnings turned the warning into an error: fail the run, as strict would.
            reason = distribution.WARNING_AS_ERROR_REASON
    tally.failed_message, tally.failed_reason = message, reason
    _fail_session(session)


# -- rendering ----------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def sizes_line(counts: Mapping[str, int]) -> str:
    """``sizes: 812 small · 150 medium · 38 large · 4 unsized``; sizes with no test are left out."""
    parts = [f"{counts[name]} {name}" for name in SIZE_NAMES if counts.get(name)]
    return "sizes: " + " · ".join(parts)


def basic_lines(tally: Tally) -> list[str]:
    counts = tally.counts()
    total = len(tally.records)
    lines = [f"{'size':<9}{'tests':>7}{'share':>10}"]
    for name in SIZE_NAMES:
        lines.append(f"{name:<9}{counts[name]:>7}{_percent(counts[name], total):>8.1f} %")
    lines.append(f"{'total':<9}{total:>7}{100.0 if total else 0.0:>8.1f} %")
    lines.append("")
    pyramid = tally.pyramid
    if pyramid.sized == 0:
        lines.append("pyramid: no sized tests ran, so there is nothing to compare with the targets")
        return lines
    lines.append(f"pyramid over {pyramid.sized} sized tests (large counts large and xlarge):")
    lines.append(f"{'group':<9}{'tests':>7}{'share':>10}   {'target':<12}{'allowed':<10}status")
    for group in pyramid.groups:
        target = f"{group.target.percent:g} % ± {group.target.tolerance:g}"
        allowed = (
            f">= {group.minimum:g} %" if group.minimum is not None else f"<= {group.maximum:g} %"
        )
        if group.ok:
            status = "ok"
        else:
            side = "below" if group.minimum is not None else "above"
            status = f"{distribution.format_points(group.off_by)} points {side}"
        lines.append(
            f"{group.name:<9}{group.count:>7}{group.percent:>8.1f} %   {target:<12}{allowed:<10}"
            f"{status}"
        )
    return lines


def _closest_to_limit(record: Record) -> tuple[int, float, int]:
    used = record["limit_percent"]
    if used is None:
        return (1, -record["duration"], record["order"])
    return (0, -used, record["order"])


def detailed_lines(tally: Tally) -> list[str]:
    lines = basic_lines(tally)
    lines.append("")
    lines.append("tests, closest to their limit first:")
    lines.append(f"{'used':>8}{'duration':>12}{'limit':>10}  {'size':<8} {'outcome':<8} test")
    for record in sorted(tally.records, key=_closest_to_limit):
        used = record["limit_percent"]
        limit = record["limit"]
        lines.append(
            f"{'-' if used is None else f'{used:.1f} %':>8}"
            f"{record['duration']:>10.3f} s"
            f"{'-' if limit is None else f'{limit:g} s':>10}"
            f"  {record['size']:<8} {record['outcome']:<8} {record['nodeid']}"
        )
    return lines


def document(tally: Tally) -> dict[str, Any]:
    """The JSON report (layout: ``report.schema.json``, version :data:`SCHEMA_VERSION`)."""
    from . import __version__

    settings = tally.settings
    counts = tally.counts()
    total = len(tally.records)
    pyramid = tally.pyramid
    status = pyramid.status if tally.complete else "incomplete"
    outcomes = dict(Counter(record["outcome"] for record in tally.records))
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "plugin": {"name": "pytest-test-categories", "version": __version__},
        "pytest_version": pytest.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "complete": tally.complete,
        "enforcement": settings.enforcement.value,
        "limits": {size.value: LIMITS[size] for size in Size},
        "run": {
            "suite": tally.suite,
            "configuration": configuration(settings),
            "shards": tally.shards,
        },
        "totals": {"tests": total, "sized": pyramid.sized, "outcomes": outcomes},
        "sizes": {
            name: {"count": counts[name], "percent": _percent(counts[name], total)}
            for name in SIZE_NAMES
        },
        "distribution": {
            "enforcement": settings.distribution_enforcement.value,
            "status": status,
            "ok": pyramid.ok,
            "groups": {
                group.name: {
                    "sizes": list(group.sizes),
                    "count": group.count,
                    "percent": round(group.percent, 2),
                    "target": group.target.percent,
                    "tolerance": group.target.tolerance,
                    "minimum": group.minimum,
                    "maximum": group.maximum,
                    "off_by": round(group.off_by, 2),
                    "ok": group.ok,
                }
                for group in pyramid.groups
            },
            "message": pyramid.message() or None,
        },
        "violations": violation_totals(tally.records),
    }
    tests: list[Any] = tally.records
    if settings.suggest:
        from . import suggest

        document["suggestions"] = suggest.section(suggestions(tally))
        tests = [{k: v for k, v in record.items() if k != "suggestion"} for record in tests]
    document["tests"] = tests  # last: dump() writes the tests one line each
    return document


def suggestions(tally: Tally) -> list[Suggestion]:
    """The suggestions of a ``--test-categories-suggest`` run, in collection order."""
    return [record["suggestion"] for record in tally.records if "suggestion" in record]


def violation_totals(records: Iterable[Record]) -> dict[str, dict[str, Any]]:
    """For every kind of violation: its code, how many violations, and in how many tests."""
    totals: dict[str, dict[str, Any]] = {
        kind.value: {"code": kind.code, "count": 0, "tests": 0} for kind in Kind
    }
    for record in records:
        seen: set[str] = set()
        for entry in record["violations"]:
            total = totals[entry["kind"]]
            total["count"] += entry["count"]
            if entry["kind"] not in seen:
                seen.add(entry["kind"])
                total["tests"] += 1
    return totals


def render(tally: Tally, report: str) -> str:
    if report == "json":
        return dump(document(tally))
    lines = detailed_lines(tally) if report == "detailed" else basic_lines(tally)
    return "\n".join(lines) + "\n"


_ENCODER = json.JSONEncoder(separators=(", ", ": "))


def dump(report: dict[str, Any]) -> str:
    """The JSON text of a report: indented, with one line per test (it stays fast and diffable).

    ``json.dumps`` with ``indent`` runs in pure Python; the tests, which are most of the
    report, are dumped by the C encoder, one compact line each.
    """
    tests = report["tests"]
    head = json.dumps({**report, "tests": []}, indent=2)
    if not tests:
        return head + "\n"
    lines = ",\n    ".join(map(_ENCODER.encode, tests))
    return head.removesuffix("[]\n}") + f"[\n    {lines}\n  ]\n}}\n"


def write_report(path: Path, text: str) -> None:
    """Write the report file without ever replacing something that is not a regular file.

    A regular file (or a new one, or one a symlink points to) is written atomically. A FIFO, a
    character device (a terminal, ``/dev/null``) or a process's open file reached through
    ``/proc`` (``/dev/stdout``) is written into as it is, appending; a FIFO that nobody reads is
    an error, not a wait. Anything else is refused.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = stat.S_IFREG  # a new file
    if stat.S_ISREG(mode) and not _through_proc(path):
        write_atomically(Path(os.path.realpath(path)), text)
        return
    fifo = stat.S_ISFIFO(mode)
    if not (fifo or stat.S_ISCHR(mode) or stat.S_ISREG(mode)):
        what = "a directory" if stat.S_ISDIR(mode) else "not a file, a FIFO or a character device"
        raise OSError(f"it is {what}; give the path of a file")
    flags = os.O_WRONLY | os.O_APPEND | os.O_NOCTTY | (os.O_NONBLOCK if fifo else 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if fifo and error.errno == errno.ENXIO:
            raise OSError("it is a FIFO that no process is reading") from error
        raise
    os.set_blocking(descriptor, True)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def _through_proc(path: Path) -> bool:
    """Does ``path`` lead through ``/proc``, like ``/dev/stdout`` to ``/proc/self/fd/1``?"""
    name = str(path)
    for _ in range(40):  # the kernel's own limit on links followed
        head, tail = os.path.split(os.path.abspath(name))
        name = os.path.join(os.path.realpath(head), tail)
        if name.startswith("/proc/"):
            return True
        if not os.path.islink(name):
            return False
        name = os.path.join(os.path.dirname(name), os.readlink(name))
    return False


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def schema() -> dict[str, Any]:
    """The JSON Schema of the report, as shipped with the plugin."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


# -- the terminal -------------------------------------------------------------------------------

#: At most this many tests are named per kind in the violation summary.
SUMMARY_TESTS_PER_KIND = 20


def violation_summary(records: Sequence[Record]) -> tuple[str, list[str]]:
    """The title and lines of the end-of-run summary of violations; ``("", [])`` if none."""
    by_kind: dict[str, list[tuple[Record, ViolationEntry, int]]] = {}
    for record in records:
        entries = record["violations"]
        if not entries:
            continue
        for name in dict.fromkeys(entry["kind"] for entry in entries):
            mine = [entry for entry in entries if entry["kind"] == name]
            count = sum(entry["count"] for entry in mine)
            by_kind.setdefault(name, []).append((record, mine[0], count))
    if not by_kind:
        return "", []
    totals = violation_totals(records)
    lines: list[str] = []
    for kind in Kind:
        involved = by_kind.get(kind.value)
        if not involved:
            continue
        total = totals[kind.value]
        lines.append(
            f"{kind.code} {kind.value}: {plural(total['count'], 'violation')} in "
            f"{plural(total['tests'], 'test')}"
        )
        for record, entry, count in involved[:SUMMARY_TESTS_PER_KIND]:
            more = f" (and {count - 1} more)" if count > 1 else ""
            lines.append(
                f"    {record['nodeid']} [{record['outcome']}]: "
                f"{entry['operation']} {entry['target']}{more}"
            )
        hidden = len(involved) - SUMMARY_TESTS_PER_KIND
        if hidden > 0:
            lines.append(f"    ... and {plural(hidden, 'more test')} (the json report lists all)")
    violations = sum(total["count"] for total in totals.values())
    tests = sum(1 for record in records if record["violations"])
    title = f"test-categories: {plural(violations, 'violation')} in {plural(tests, 'test')}"
    return title, lines


def terminal_summary(terminal: pytest.TerminalReporter) -> None:
    """Print the violation summary, the report, the pyramid's verdict and the sizes line."""
    tally = terminal.config.stash.get(_TALLY, None)
    if tally is None:
        return
    records = tally.records
    # A suggest run observes every test as if it were small: its suggestions say what was seen.
    title, lines = ("", []) if tally.settings.suggest else violation_summary(records)
    if lines:
        terminal.write_sep("=", title, yellow=True)
        for line in lines:
            terminal.write_line(line)
    report = tally.settings.report
    shown = False
    if report is not None and tally.settings.report_file is None:
        terminal.write_sep("=", "test sizes" if report == "basic" else f"test sizes ({report})")
        for line in render(tally, report).splitlines():
            terminal.write_line(line)
        shown = report != "json"
    if tally.settings.suggest and records:
        from . import suggest

        terminal.write_sep("=", "test-categories: size suggestions")
        for line in suggest.summary_lines(suggestions(tally)):
            terminal.write_line(line)
        if tally.suggestions_written is not None:
            terminal.write_line(f"size suggestions written to {tally.suggestions_written}")
    if tally.failed_message:
        terminal.write_sep("=", "test pyramid", red=True)
        for line in tally.failed_message.splitlines():
            terminal.write_line(line, red=True)
        terminal.write_line(tally.failed_reason, red=True)
    if tally.check_note:
        terminal.write_line(tally.check_note, yellow=True)
    if tally.written is not None:
        terminal.write_line(f"size report ({report}) written to {tally.written}")
    for error in tally.write_errors:
        terminal.write_line(error, red=True)
    if records and not shown:
        terminal.write_line(sizes_line(tally.counts()))
