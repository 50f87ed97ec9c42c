"""Rendering: a run's records as the ``basic`` and ``detailed`` texts and the JSON report.

Everything here works on a :class:`Run`, which a live run (:mod:`.reports`) and a merge of shard
reports (:mod:`.merge`) both make, so that both print and write the same reports.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import pytest

from . import distribution, suggest
from ._records import SIZE_NAMES, Record, Suggestion
from .config import Mode
from .distribution import Pyramid
from .sizes import LIMITS, Size
from .violations import Kind

#: The version of the JSON report's layout (``report.schema.json``): raised whenever a field is
#: removed, renamed or given another meaning; an added field keeps it.
SCHEMA_VERSION = 2


class Run(NamedTuple):
    """What a report shows about one run."""

    #: Every test's record, in collection order (:func:`in_order`).
    records: Sequence[Record]
    pyramid: Pyramid
    #: False when the run stopped early, so that some collected tests have no record.
    complete: bool
    enforcement: Mode
    distribution_enforcement: Mode
    #: The settings the shards of one run share (:func:`.reports.configuration`).
    configuration: Mapping[str, Any]
    #: The suite as collected: ``{"tests": N, "digest": "sha256:..."}``; None if not collected.
    suite: Mapping[str, Any] | None
    #: The folder the node ids are relative to.
    rootdir: str
    #: A ``--test-categories-suggest`` run: its records carry suggestions.
    suggest: bool
    #: The shard reports a merged run was made from; empty for a run.
    shards: Sequence[Mapping[str, Any]] = ()
    #: ``plugin``, ``pytest_version`` and ``limits`` as the shards of a merged run recorded
    #: them; None for a run: this process's (:func:`versions`).
    recorded: Mapping[str, Any] | None = None


def versions() -> dict[str, Any]:
    """The plugin and pytest versions and the time limits of this process."""
    from . import __version__  # read from the installed metadata only when a report needs it

    return {
        "plugin": {"name": "pytest-test-categories", "version": __version__},
        "pytest_version": pytest.__version__,
        "limits": {size.value: LIMITS[size] for size in Size},
    }


def in_order(records: Iterable[Record]) -> list[Record]:
    """The records in collection order, the same with or without pytest-xdist or shards."""
    return sorted(records, key=lambda record: (record["order"], record["nodeid"]))


def counts(records: Iterable[Record]) -> dict[str, int]:
    """How many records each size has, every size named."""
    counted = dict.fromkeys(SIZE_NAMES, 0)
    for record in records:
        counted[record["size"]] += 1
    return counted


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def sizes_line(counted: Mapping[str, int]) -> str:
    """``sizes: 812 small · 150 medium · 38 large · 4 unsized``; sizes with no test are left out."""
    return "sizes: " + " · ".join(f"{counted[n]} {n}" for n in SIZE_NAMES if counted.get(n))


def basic_lines(run: Run) -> list[str]:
    counted = counts(run.records)
    total = len(run.records)
    lines = [f"{'size':<9}{'tests':>7}{'share':>10}"]
    for name in SIZE_NAMES:
        lines.append(f"{name:<9}{counted[name]:>7}{_percent(counted[name], total):>8.1f} %")
    lines += [f"{'total':<9}{total:>7}{100.0 if total else 0.0:>8.1f} %", ""]
    pyramid = run.pyramid
    if pyramid.sized == 0:
        lines.append("pyramid: no sized tests ran, so there is nothing to compare with the targets")
        return lines
    lines.append(f"pyramid over {pyramid.sized} sized tests (large counts large and xlarge):")
    lines.append(f"{'group':<9}{'tests':>7}{'share':>10}   {'target':<12}{'allowed':<10}status")
    for group in pyramid.groups:
        target = f"{group.target.percent:g} % ± {group.target.tolerance:g}"
        if group.minimum is not None:
            allowed, side = f">= {group.minimum:g} %", "below"
        else:
            allowed, side = f"<= {group.maximum:g} %", "above"
        status = "ok" if group.ok else f"{distribution.format_points(group.off_by)} points {side}"
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


def detailed_lines(run: Run) -> list[str]:
    lines = basic_lines(run)
    lines += ["", "tests, closest to their limit first:"]
    lines.append(f"{'used':>8}{'duration':>12}{'limit':>10}  {'size':<8} {'outcome':<8} test")
    for record in sorted(run.records, key=_closest_to_limit):
        used, limit = record["limit_percent"], record["limit"]
        lines.append(
            f"{'-' if used is None else f'{used:.1f} %':>8}"
            f"{record['duration']:>10.3f} s"
            f"{'-' if limit is None else f'{limit:g} s':>10}"
            f"  {record['size']:<8} {record['outcome']:<8} {record['nodeid']}"
        )
    return lines


def violation_totals(records: Iterable[Record]) -> dict[str, dict[str, Any]]:
    """For every kind of violation: its code, how many violations, and in how many tests."""
    totals: dict[str, dict[str, Any]] = {
        kind.value: {"code": kind.code, "count": 0, "tests": 0} for kind in Kind
    }
    for record in records:
        for kind in {entry["kind"] for entry in record["violations"]}:
            totals[kind]["tests"] += 1
        for entry in record["violations"]:
            totals[entry["kind"]]["count"] += entry["count"]
    return totals


def suggestions(run: Run) -> list[Suggestion]:
    """The suggestions of a ``--test-categories-suggest`` run, in collection order."""
    return [record["suggestion"] for record in run.records if "suggestion" in record]


def document(run: Run) -> dict[str, Any]:
    """The JSON report (layout: ``report.schema.json``, version :data:`SCHEMA_VERSION`)."""
    records, pyramid = run.records, run.pyramid
    counted = counts(records)
    tests: list[Any] = list(records)
    recorded = run.recorded or versions()
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "plugin": recorded["plugin"],
        "pytest_version": recorded["pytest_version"],
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "complete": run.complete,
        "enforcement": run.enforcement.value,
        "limits": recorded["limits"],
        "rootdir": run.rootdir,
        "run": {
            "suite": run.suite,
            "configuration": run.configuration,
            "shards": list(run.shards),
        },
        "totals": {
            "tests": len(records),
            "sized": pyramid.sized,
            "outcomes": dict(Counter(record["outcome"] for record in records)),
        },
        "sizes": {
            name: {"count": counted[name], "percent": _percent(counted[name], len(records))}
            for name in SIZE_NAMES
        },
        "distribution": {
            "enforcement": run.distribution_enforcement.value,
            "status": pyramid.status if run.complete else "incomplete",
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
        "violations": violation_totals(records),
    }
    if run.suggest:
        report["suggestions"] = suggest.section(suggestions(run))
        tests = [{k: v for k, v in record.items() if k != "suggestion"} for record in records]
    report["tests"] = tests
    return report


def render(run: Run, report: str) -> str:
    """The ``basic``, ``detailed`` or ``json`` report of ``run``, as text."""
    if report == "json":
        return json.dumps(document(run), indent=2) + "\n"
    lines = detailed_lines(run) if report == "detailed" else basic_lines(run)
    return "\n".join(lines) + "\n"
