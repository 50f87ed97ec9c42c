"""Size suggestions: the smallest size each test fits, learned from one observed run.

With ``--test-categories-suggest`` every test runs with isolation in *observe* mode: each
guarded operation goes ahead and is recorded, as if every test were small, and nothing fails
because of a guard (time limits still stop sized tests: they define the size). When a test's
teardown report is made, :func:`judge` turns what it did into a suggestion, which rides on the
test's report record, so pytest-xdist's controller sees exactly what a run without xdist sees.

A test fits a size when the size's policy allows everything it did and its charged time is at
most :data:`MARGIN` of the size's limit (a test that needs 0.6 s is not small: the next slow
machine would fail it).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pytest

from ._records import Record, Suggestion
from ._words import plural
from .sizes import LIMITS, Size

#: A test fits a size's time limit when it used at most this share of it.
MARGIN = 0.5

#: What a suggestion says about the size a test already has.
VERDICTS = ("unsized", "right", "too-big", "too-small")

_ORDER = list(Size)


def _host(target: str) -> str:
    """The host of a ``host:port``, ``[v6]:port`` or bare target."""
    if target.startswith("["):
        return target[1:].partition("]")[0]
    host, colon, port = target.rpartition(":")
    return host if colon and port.isdigit() else target


def _is_loopback(target: str) -> bool:
    if target.startswith(("/", "@")) or target == "(unbound)":
        return True  # AF_UNIX socket (a path, or the abstract namespace)
    host = _host(target).lower().rstrip(".")
    if host in ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"):
        return True
    if host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _place(target: str, tmp_roots: Sequence[str], rootdir: str) -> str:
    """Name a path for a reason: ``tmp_path``, relative to the rootdir, or as it is."""
    path = target.split(" -> ", 1)[0]
    absolute = os.path.abspath(path)
    for root in tmp_roots:
        if absolute == root or absolute.startswith(root + os.sep):
            return "tmp_path"
    if absolute.startswith(rootdir + os.sep):
        return os.path.relpath(absolute, rootdir)
    return path


_READING = ("open", "os.listdir", "os.scandir", "os.chdir")
#: Fixtures that give a test a temporary folder.
TMP_FIXTURES = ("tmp_path", "tmpdir", "tmp_path_factory", "tmpdir_factory")


def _needs(
    entries: Iterable[Mapping[str, Any]], tmp_roots: Sequence[str], rootdir: str, *, tmp: bool
) -> list[tuple[Size, str]]:
    """Each resource a test used: the smallest size that allows it, and the reason.

    Reasons name what is stable from run to run (a host, a command, a file), never an
    ephemeral port or a thread counter, so a run with pytest-xdist gives the same text. A test
    that asks for a temporary folder (``tmp_path`` and friends) "uses tmp_path": the fixture's
    own bookkeeping (creating, linking and pruning numbered folders, sometimes by names relative
    to an open folder) is not listed file by file.
    """
    needs: list[tuple[Size, str]] = [(Size.MEDIUM, "uses tmp_path")] if tmp else []
    for entry in entries:
        kind, operation, target = entry["kind"], entry["operation"], entry["target"]
        if kind == "network":
            if _is_loopback(target):
                host = "a local socket" if target.startswith(("/", "@")) else _host(target)
                needs.append((Size.MEDIUM, f"uses the loopback network ({host})"))
            elif operation in ("socket.getaddrinfo", "socket.gethostbyname"):
                needs.append((Size.LARGE, f"looks up {_host(target)}"))
            else:
                needs.append((Size.LARGE, f"connects to {target}"))
        elif kind in ("filesystem", "sqlite"):
            place = _place(target, tmp_roots, rootdir)
            if place == "tmp_path" or (tmp and not os.path.isabs(target)):
                place = "tmp_path"
                if tmp and kind == "filesystem":
                    continue
            if kind == "sqlite":
                needs.append((Size.MEDIUM, f"opens an sqlite file in {place}"))
            elif operation in _READING:
                needs.append((Size.MEDIUM, f"opens {place}"))
            else:
                needs.append((Size.MEDIUM, f"changes {place} ({operation})"))
        elif kind == "subprocess":
            needs.append((Size.MEDIUM, f"starts a subprocess ({target})"))
        elif kind == "threads":
            # Without the counters in a thread's name, which differ from run to run.
            name = re.sub(r"-\d+(?:_\d+)?", "", target)
            needs.append((Size.MEDIUM, f"starts a thread ({name})"))
        elif kind == "sleep":
            needs.append((Size.MEDIUM, f"sleeps ({operation} {target})"))
    return needs


def _time_need(duration: float, stopped_at: float | None) -> tuple[Size, str]:
    """The smallest size whose limit the charged time fits, with the margin, and why."""
    floor = stopped_at if stopped_at is not None else -1.0
    for size in Size:
        if LIMITS[size] > floor and duration <= MARGIN * LIMITS[size]:
            break
    if stopped_at is not None:
        return size, f"was stopped at its {stopped_at:g} s limit"
    if size is Size.SMALL:
        return size, ""
    smaller = _ORDER[_ORDER.index(size) - 1]
    return size, f"takes more than {MARGIN:.0%} of the {smaller} limit ({LIMITS[smaller]:g} s)"


def suggest(
    record: Record,
    *,
    path: str,
    line: int | None,
    function: str,
    tmp_roots: Sequence[str] = (),
    rootdir: str = "",
    tmp: bool = False,
) -> Suggestion:
    """The smallest size ``record``'s test fits, and the reasons that decide it."""
    entries = [e for e in record["violations"] if e["kind"] != "time-limit"]
    stopped = next(
        (record["limit"] for e in record["violations"] if e["kind"] == "time-limit"), None
    )
    time_size, time_reason = _time_need(record["duration"], stopped)
    needs = [(time_size, time_reason), *_needs(entries, tmp_roots, rootdir, tmp=tmp)]
    size = max((s for s, _ in needs), key=_ORDER.index)
    reasons = list(dict.fromkeys(reason for s, reason in needs if s is size and reason))
    if not reasons:
        reasons = ["no guarded resource, fast"]
    if record["outcome"] in ("failed", "error"):
        reasons.append("the test did not pass: it may need more than it got to do")
    current = record["size"]
    if current not in {s.value for s in Size}:
        verdict = "unsized"
    else:
        have, want = _ORDER.index(Size(current)), _ORDER.index(size)
        verdict = "right" if have == want else ("too-big" if have > want else "too-small")
    return {
        "nodeid": record["nodeid"],
        "path": path,
        "line": line,
        "function": function,
        "current": current,
        "suggested": size.value,
        "verdict": verdict,
        "reasons": reasons,
        "duration": record["duration"],
    }


def judge(item: pytest.Item, record: Record) -> Suggestion:
    """The suggestion for ``item`` from its finished ``record`` (in the process that ran it)."""
    roots = []
    basetemp = getattr(getattr(item.config, "_tmp_path_factory", None), "_basetemp", None)
    if basetemp is not None:  # and its parent: pytest-xdist gives each worker a folder in it
        roots += [os.path.abspath(str(basetemp)), os.path.abspath(str(basetemp.parent))]
    path, line, domain = item.location
    return suggest(
        record,
        path=path.replace(os.sep, "/"),
        line=None if line is None else line + 1,
        function=domain.split("[", 1)[0],
        tmp_roots=roots,
        rootdir=os.path.abspath(str(item.config.rootpath)),
        tmp=any(name in TMP_FIXTURES for name in getattr(item, "fixturenames", ())),
    )


# -- the controller: what the run learned ------------------------------------------------------


def describe(suggestion: Suggestion) -> str:
    """``uses tmp_path; 0.02 s`` plus what it says about the current size."""
    reasons = "; ".join(suggestion["reasons"])
    text = f"{reasons}; {suggestion['duration']:.2f} s"
    verdict = suggestion["verdict"]
    if verdict == "unsized":
        return text
    return f"{text} (marked {suggestion['current']}: {verdict.replace('-', ' ')})"


def counts(suggestions: Iterable[Suggestion]) -> dict[str, int]:
    counted = dict.fromkeys((s.value for s in Size), 0)
    for suggestion in suggestions:
        counted[suggestion["suggested"]] += 1
    return counted


def section(suggestions: Sequence[Suggestion]) -> dict[str, Any]:
    """The ``suggestions`` section of the JSON report."""
    verdicts = dict.fromkeys(VERDICTS, 0)
    for suggestion in suggestions:
        verdicts[suggestion["verdict"]] += 1
    return {
        "margin": MARGIN,
        "counts": counts(suggestions),
        "verdicts": verdicts,
        "tests": [dict(s) for s in suggestions],
    }


def _by_file(suggestions: Iterable[Suggestion]) -> dict[str, list[Suggestion]]:
    files: dict[str, list[Suggestion]] = {}
    for suggestion in suggestions:
        files.setdefault(suggestion["path"], []).append(suggestion)
    return files


def summary_lines(suggestions: Sequence[Suggestion]) -> list[str]:
    """The terminal summary: per file, each test's suggestion, then the pyramid it makes."""
    lines: list[str] = []
    for path, group in _by_file(suggestions).items():
        lines.append(path)
        for suggestion in group:
            name = suggestion["nodeid"].split("::", 1)[-1]
            lines.append(f"  {suggestion['suggested']:<7} {name}: {describe(suggestion)}")
    counted = counts(suggestions)
    total = len(suggestions)
    shares = " · ".join(
        f"{counted[s.value]} {s.value} ({100.0 * counted[s.value] / total:.1f} %)"
        for s in Size
        if counted[s.value]
    )
    lines.append("")
    lines.append(f"with these sizes: {shares}")
    wrong = [s for s in suggestions if s["verdict"] in ("too-big", "too-small")]
    if wrong:
        lines.append(
            f"{plural(len(wrong), 'sized test')} would change size (see above: 'too big' or "
            "'too small')"
        )
    return lines


def marker_lines(suggestions: Sequence[Suggestion], version: str) -> str:
    """The suggestions file: per test file, the marker to put on each test function.

    A parametrized function gets the biggest size any of its cases needs. Nothing is edited:
    the file is for a person (or a tool of theirs) to apply.
    """
    out = [
        f"# Size suggestions from pytest-test-categories {version}.",
        f"# A test fits a size when the size allows all it did and it used at most "
        f"{MARGIN:.0%} of the size's time limit.",
        "# Nothing was changed: add the markers yourself.",
    ]
    for path, group in _by_file(suggestions).items():
        out.append("")
        out.append(f"# {path}")
        functions: dict[str, list[Suggestion]] = {}
        for suggestion in group:
            functions.setdefault(suggestion["function"], []).append(suggestion)
        for function, cases in functions.items():
            size = max((Size(c["suggested"]) for c in cases), key=_ORDER.index)
            deciding = next(c for c in cases if c["suggested"] == size.value)
            if all(c["verdict"] == "right" for c in cases):
                continue
            where = f"{path}:{deciding['line']}" if deciding["line"] else path
            current = cases[0]["current"]
            note = "" if current == "unsized" else f" (now {current})"
            out.append(
                f"{where}: {function}: @pytest.mark.{size.value}{note}  "
                f"# {'; '.join(deciding['reasons'])}"
            )
    return "\n".join(out) + "\n"
