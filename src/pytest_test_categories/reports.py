"""Size reports: what the end of a run makes of its tests' records.

Each test's record (:mod:`._records`) is made where the test runs and tallied where the run
reports (:mod:`._tally`). When the session ends, the process that reports (the only one, or
pytest-xdist's controller, never a worker) checks the pyramid, writes the files the run asked
for and, in pytest's terminal summary, prints what the user asked to see; :mod:`._render` makes
the texts. The JSON layout is ``report.schema.json`` (:func:`schema`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from . import distribution, suggest
from ._records import JUNIT_PROPERTY, SIZE_NAMES, UNSIZED, Record, ViolationEntry
from ._render import SCHEMA_VERSION, Run, counts, in_order, render, sizes_line, suggestions
from ._tally import TALLY_KEY, note_phase, session_started, suite_collected
from ._words import plural
from .config import SETTINGS_KEY, Mode, Settings
from .violations import Kind

__all__ = [
    "JUNIT_PROPERTY",
    "SCHEMA_VERSION",
    "SIZE_NAMES",
    "UNSIZED",
    "configuration",
    "note_phase",
    "schema",
    "session_finished",
    "session_started",
    "suite_collected",
    "terminal_summary",
    "write_atomically",
    "write_report",
]

SCHEMA_FILE = "report.schema.json"

#: At most this many tests are named per kind in the violation summary.
SUMMARY_TESTS_PER_KIND = 20


def configuration(settings: Settings) -> dict[str, Any]:
    """The settings that shape a run's report, under the names ``report.schema.json`` gives them
    (``run.configuration``): all the shards of one run have the same. The report's own format and
    files, which differ from shard to shard, are left out."""
    allowed = settings.allowances
    return {
        "enforcement": settings.enforcement.value,
        "distribution_enforcement": settings.distribution_enforcement.value,
        "targets": {
            name: {"percent": target.percent, "tolerance": target.tolerance}
            for name, target in settings.targets
        },
        "require_size": settings.require_size,
        "markdown_patterns": list(settings.markdown_patterns),
        "markdown_sizes": [[pattern, size.value] for pattern, size in settings.markdown_sizes],
        "allow_read": [pattern.pattern for pattern in allowed.read],
        "allow_hosts": [
            {"name": h.name, "network": h.network and str(h.network), "port": h.port}
            for h in allowed.hosts
        ],
        "hard_stop": settings.hard_stop,
        "fixture_timeout": settings.fixture_timeout,
        "suggest": settings.suggest,
    }


def schema() -> dict[str, Any]:
    """The JSON Schema of the report, as shipped with the plugin."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass
class _Ending:
    """What the end of the session made of the run, for the terminal summary."""

    run: Run
    settings: Settings
    #: The pyramid's message and why it fails the run; the note when it was not checked.
    failed: tuple[str, str] | None = None
    note: str = ""
    written: Path | None = None
    suggestions_written: Path | None = None
    #: Files the run asked for and could not write, each said in the summary.
    errors: list[str] = field(default_factory=list)


_ENDING = pytest.StashKey[_Ending]()


def session_finished(session: pytest.Session) -> None:
    """Check the pyramid, write the files; everything printed waits for the terminal summary."""
    config = session.config
    tally = config.stash.get(TALLY_KEY, None)
    if tally is None:
        return
    settings = config.stash[SETTINGS_KEY]
    records = in_order(tally.by_nodeid.values())
    complete = not (
        session.shouldfail
        or session.shouldstop
        or session.exitstatus == pytest.ExitCode.INTERRUPTED
        or len(records) < session.testscollected
    )
    run = Run(
        records=records,
        pyramid=distribution.measure(counts(records), settings.targets),
        complete=complete,
        enforcement=settings.enforcement,
        distribution_enforcement=settings.distribution_enforcement,
        configuration=configuration(settings),
        suite=tally.suite,
        rootdir=str(config.rootpath),
        suggest=settings.suggest,
    )
    ending = config.stash[_ENDING] = _Ending(run, settings)
    if records and settings.distribution_enforcement is not Mode.OFF:
        _check(session, ending)
    if settings.suggest_file is not None:
        from . import __version__

        text = suggest.marker_lines(suggestions(run), __version__)
        path = settings.suggest_file
        if _write(session, ending, "size suggestions", path, text, write=write_atomically):
            ending.suggestions_written = path
    if settings.report is not None and settings.report_file is not None:
        text = render(run, settings.report)
        if _write(session, ending, "size report", settings.report_file, text, write=write_report):
            ending.written = settings.report_file


def _fail_session(session: pytest.Session) -> None:
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _write(
    session: pytest.Session,
    ending: _Ending,
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
        ending.errors.append(f"could not write the {what} to {path}: {error}")
        _fail_session(session)
        return False
    return True


def _check(session: pytest.Session, ending: _Ending) -> None:
    run = ending.run
    if not run.complete:
        ran, collected = len(run.records), session.testscollected
        ending.note = distribution.STOPPED_EARLY_MESSAGE.format(ran=ran, collected=collected)
        return
    if run.pyramid.ok:
        return
    message = run.pyramid.message()
    reason = distribution.STRICT_REASON
    if run.distribution_enforcement is Mode.WARN:
        # Point at the configuration that asked for the check, not at this module.
        where = str(session.config.inipath or session.config.rootpath)
        try:
            warnings.warn_explicit(distribution.DistributionWarning(message), None, where, 0)
            return
        except distribution.DistributionWarning:
            # filterwarnings turned the warning into an error: fail the run, as strict would.
            reason = distribution.WARNING_AS_ERROR_REASON
    ending.failed = (message, reason)
    _fail_session(session)


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


# -- the terminal -------------------------------------------------------------------------------


def violation_summary(records: Sequence[Record], *, expected: bool = True) -> tuple[str, list[str]]:
    """The title and lines of the end-of-run summary of violations; ``("", [])`` if none.

    With ``expected=False``, the tests that made the violations expected of them (xfailed:
    ``xfail``, or a page's expect-violation) are counted in one line, not listed.
    """
    made = [r for r in records if r["violations"] and r["outcome"] == "xfailed"]
    if not expected:
        records = [r for r in records if r["outcome"] != "xfailed"]
    by_kind: dict[str, list[tuple[Record, ViolationEntry, int]]] = {}
    for record in records:
        entries = record["violations"]
        for name in dict.fromkeys(entry["kind"] for entry in entries):
            mine = [entry for entry in entries if entry["kind"] == name]
            count = sum(entry["count"] for entry in mine)
            by_kind.setdefault(name, []).append((record, mine[0], count))
    lines: list[str] = []
    violations = 0
    for kind in Kind:
        involved = by_kind.get(kind.value, [])
        if not involved:
            continue
        count = sum(count for _, _, count in involved)
        violations += count
        lines.append(
            f"{kind.code} {kind.value}: {plural(count, 'violation')} in "
            f"{plural(len(involved), 'test')}"
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
    if made and not expected:
        lines.append(
            f"{plural(len(made), 'test')} made the violations expected of them (xfail, or a "
            "page's expect-violation): -v lists them"
        )
    if not lines:
        return "", []
    tests = sum(1 for record in records if record["violations"])
    if not tests:
        return f"test-categories: {plural(len(made), 'expected violation')}", lines
    return f"test-categories: {plural(violations, 'violation')} in {plural(tests, 'test')}", lines


def terminal_summary(terminal: pytest.TerminalReporter) -> None:
    """Print the violation summary, the report, the pyramid's verdict and the sizes line."""
    ending = terminal.config.stash.get(_ENDING, None)
    if ending is None:
        return
    run, settings = ending.run, ending.settings
    # A suggest run observes every test as if it were small: its suggestions say what was seen.
    verbose = terminal.config.get_verbosity() > 0
    title, lines = (
        ("", []) if settings.suggest else violation_summary(run.records, expected=verbose)
    )
    if lines:
        terminal.write_sep("=", title, yellow=True)
        for line in lines:
            terminal.write_line(line)
    report = settings.report
    shown = False
    if report is not None and settings.report_file is None:
        terminal.write_sep("=", "test sizes" if report == "basic" else f"test sizes ({report})")
        for line in render(run, report).splitlines():
            terminal.write_line(line)
        shown = report != "json"
    if settings.suggest and run.records:
        terminal.write_sep("=", "test-categories: size suggestions")
        for line in suggest.summary_lines(suggestions(run)):
            terminal.write_line(line)
        if ending.suggestions_written is not None:
            terminal.write_line(f"size suggestions written to {ending.suggestions_written}")
    if ending.failed is not None:
        terminal.write_sep("=", "test pyramid", red=True)
        message, reason = ending.failed
        for line in message.splitlines():
            terminal.write_line(line, red=True)
        terminal.write_line(reason, red=True)
    if ending.note:
        terminal.write_line(ending.note, yellow=True)
    if ending.written is not None:
        terminal.write_line(f"size report ({report}) written to {ending.written}")
    for error in ending.errors:
        terminal.write_line(error, red=True)
    if run.records and not shown:
        terminal.write_line(sizes_line(counts(run.records)))
