"""Merge the JSON size reports of a sharded run into the report of the whole run.

A suite too big for one machine runs as shards (a CI matrix, each job running a slice of the
tests with ``-k``, ``--deselect``, pytest-split or pytest-shard), each writing its own report
with ``--test-size-report-file``. This command reads those reports, refuses shards that are not
slices of one run, and writes the report the whole run would have written (times aside), checks
it against the test pyramid and prints it::

    pytest-test-categories-merge --output sizes.json shard-*.json
    python -m pytest_test_categories.merge --report detailed shard-*.json

Exit status: 0 when merged; 1 when the pyramid is off target under strict enforcement;
2 when the shards cannot be merged, with a message that names the files and what differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import distribution
from ._records import Record
from ._render import SCHEMA_VERSION, Run, counts, in_order, render
from .config import REPORT_FORMATS, Mode, Target
from .reports import write_atomically

PROG = "pytest-test-categories-merge"

_SAME_RUN_HINT = (
    "The shards of one run are the same suite, collected by the same plugin and pytest versions "
    "with the same configuration; each chooses its slice with -k, --deselect, pytest-split or "
    "pytest-shard, never with other test paths."
)


class MergeError(Exception):
    """Shards that cannot be merged; the message names the files and what differs."""


def _load(path: Path) -> dict[str, Any]:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise MergeError(f"{path}: cannot read it as a JSON size report: {error}") from None
    if not isinstance(report, dict) or "schema_version" not in report:
        raise MergeError(
            f"{path}: not a size report (no schema_version); write one with "
            f"pytest --test-size-report-file=PATH."
        )
    version = report["schema_version"]
    if version != SCHEMA_VERSION:
        raise MergeError(
            f"{path}: schema_version {version!r}, but this merge reads version "
            f"{SCHEMA_VERSION}; write every shard's report with the same "
            f"pytest-test-categories as the merge."
        )
    if report["run"]["shards"]:
        raise MergeError(f"{path}: already a merged report; merge the shard reports themselves.")
    if report["run"]["suite"] is None:
        raise MergeError(f"{path}: its run collected no suite (collection did not finish).")
    return report


def _identity(report: dict[str, Any]) -> dict[str, Any]:
    """What every shard of one run has in common, by how a message names it."""
    run = report["run"]
    return {
        "plugin version": report["plugin"]["version"],
        "pytest version": report["pytest_version"],
        "collected suite": run["suite"],
        "configuration": run["configuration"],
        "time limits": report["limits"],
    }


def _describe(key: str, value: Any) -> str:
    if key == "collected suite":
        return f"{value['tests']} collected tests, {value['digest'][:19]}…"
    return json.dumps(value, sort_keys=True)


def _check_same_run(paths: Sequence[Path], loaded: Sequence[dict[str, Any]]) -> None:
    first = _identity(loaded[0])
    for path, report in zip(paths[1:], loaded[1:], strict=True):
        for what, theirs in _identity(report).items():
            ours = first[what]
            if theirs == ours:
                continue
            if what == "configuration":  # name the settings that differ
                names = sorted(set(ours) | set(theirs))
                pairs = [(f"{n}: ", ours.get(n), theirs.get(n)) for n in names]
            else:
                pairs = [("", ours, theirs)]
            detail = "; ".join(
                f"{label}{_describe(what, a)} in {paths[0]}, {_describe(what, b)} in {path}"
                for label, a, b in pairs
                if a != b
            )
            raise MergeError(
                f"{path} and {paths[0]} are not shards of one run: their {what} differs "
                f"({detail}). {_SAME_RUN_HINT}"
            )


def _records(paths: Sequence[Path], loaded: Sequence[dict[str, Any]]) -> list[Record]:
    owner: dict[str, Path] = {}
    records: list[Record] = []
    for path, report in zip(paths, loaded, strict=True):
        for test in report["tests"]:
            seen = owner.setdefault(test["nodeid"], path)
            if seen != path:
                shared = [t["nodeid"] for t in report["tests"] if owner[t["nodeid"]] == seen]
                raise MergeError(
                    f"{seen} and {path} overlap: both ran {len(shared)} of the same tests, "
                    f"{shared[0]} first. The shards of a run must each run a different slice "
                    f"of the suite."
                )
            records.append(test)
    return in_order(records)


def merge(paths: Sequence[Path], distribution_enforcement: Mode | None = None) -> Run:
    """The whole run that the shard reports at ``paths`` come from.

    What the shards recorded about their run (versions, limits, configuration, targets) is kept
    as they recorded it, whatever the versions of the merge. ``distribution_enforcement``
    replaces the pyramid check's mode recorded in the shards (which usually run with the check
    off, since a slice of a suite need not be a pyramid).
    """
    if not paths:
        raise MergeError("no shard reports given.")
    loaded = [_load(path) for path in paths]
    _check_same_run(paths, loaded)
    first = loaded[0]
    records = _records(paths, loaded)
    suggest = "suggestions" in first
    if suggest:  # a suggest run's shards: each test's suggestion goes with it again
        by_nodeid = {
            suggestion["nodeid"]: suggestion
            for report in loaded
            for suggestion in report.get("suggestions", {}).get("tests", ())
        }
        for record in records:
            if record["nodeid"] in by_nodeid:
                record["suggestion"] = by_nodeid[record["nodeid"]]
    recorded = first["distribution"]
    targets = tuple(
        (name, Target(group["target"], group["tolerance"]))
        for name, group in recorded["groups"].items()
    )
    return Run(
        records=records,
        pyramid=distribution.measure(counts(records), targets),
        complete=all(report["complete"] for report in loaded),
        enforcement=Mode(first["enforcement"]),
        distribution_enforcement=distribution_enforcement or Mode(recorded["enforcement"]),
        configuration=first["run"]["configuration"],
        suite=first["run"]["suite"],
        rootdir=first["rootdir"],
        suggest=suggest,
        shards=[
            {
                "file": str(path),
                "created": report["created"],
                "tests": len(report["tests"]),
                "complete": report["complete"],
            }
            for path, report in zip(paths, loaded, strict=True)
        ],
        recorded={key: first[key] for key in ("plugin", "pytest_version", "limits")},
    )


def _pyramid_verdict(run: Run) -> tuple[list[str], int]:
    """Lines saying how the merged run's pyramid fared, and the exit status it calls for."""
    pyramid, mode = run.pyramid, run.distribution_enforcement
    if not run.records or mode is Mode.OFF:
        return [], 0
    if not run.complete:
        stopped = ", ".join(shard["file"] for shard in run.shards if not shard["complete"])
        return [f"The test pyramid was not checked: a shard stopped early ({stopped})."], 0
    if pyramid.ok:
        return [], 0
    if mode is Mode.WARN:
        return [f"warning: {pyramid.message()}"], 0
    return [pyramid.message(), distribution.STRICT_REASON], 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Merge the JSON size reports of the shards of one run into the run's report.",
    )
    parser.add_argument("shards", nargs="+", type=Path, metavar="SHARD", help="a shard's report")
    parser.add_argument(
        "--output", "-o", type=Path, metavar="PATH", help="write the merged JSON report to PATH"
    )
    parser.add_argument(
        "--report",
        choices=REPORT_FORMATS,
        default="basic",
        help="what to print: basic (default), detailed or json",
    )
    parser.add_argument(
        "--distribution-enforcement",
        choices=[mode.value for mode in Mode],
        help="check the merged pyramid this way instead of as the shards recorded",
    )
    arguments = parser.parse_args(argv)
    mode = arguments.distribution_enforcement
    try:
        run = merge(arguments.shards, Mode(mode) if mode else None)
    except MergeError as error:
        print(f"{PROG}: cannot merge: {error}", file=sys.stderr)
        return 2
    suite = run.suite or {}
    listing = ", ".join(f"{shard['file']} ({shard['tests']})" for shard in run.shards)
    print(
        f"merged {len(run.shards)} shards with {len(run.records)} of the suite's "
        f"{suite.get('tests', 0)} collected tests: {listing}"
    )
    merged = render(run, "json")
    report = arguments.report
    print(merged if report == "json" else render(run, report), end="")
    lines, status = _pyramid_verdict(run)
    for line in lines:
        print(line)
    if arguments.output is not None:
        try:
            write_atomically(arguments.output, merged)
        except OSError as error:
            print(f"{PROG}: could not write {arguments.output}: {error}", file=sys.stderr)
            return 2
        print(f"merged size report written to {arguments.output}")
    return status


if __name__ == "__main__":
    sys.exit(main())
