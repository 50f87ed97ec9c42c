"""The tally: each test's record, made where the test ran, counted where the run reports.

A test's record is made when its teardown report is made and rides on that report as the
attribute :data:`~._records.ATTRIBUTE`. The process that reports (the only one, or
pytest-xdist's controller, which receives every worker's reports) registers a :class:`Tally` as a
plugin of its config: its ``pytest_runtest_logreport`` takes the records from the reports, so a
run with xdist counts exactly what a run without it counts.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import pytest

from . import suggest
from ._records import ATTRIBUTE, JUNIT_PROPERTY, UNSIZED, Record, ViolationEntry, record
from .config import SETTINGS_KEY
from .runstate import ActiveTest
from .sizes import LIMITS, SPEC_KEY, Size

#: The key under which a pytest-xdist worker sends its suite's identity to the controller.
SUITE_OUTPUT = "test_categories_suite"

#: Each test's place in the suite as collected, before any deselection, by node id.
_PLACES = pytest.StashKey[dict[str, int]]()


class Tally:
    """The records of one session, as they arrive: a plugin of the config that reports."""

    def __init__(self) -> None:
        #: By node id: a test run again (pytest-rerunfailures) counts once, as its last run.
        self.by_nodeid: dict[str, Record] = {}
        #: The suite as collected (:func:`suite_collected`): ``{"tests": N, "digest": ...}``.
        self.suite: dict[str, Any] | None = None
        #: Under xdist: the node ids as the workers collected them, and each worker's last setup
        #: report (a worker that crashes never sends the teardown report with the record).
        self.collected: list[str] = []
        self.last_setup: dict[object, pytest.TestReport] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        when: str = report.when
        if when == "setup":
            self.last_setup[getattr(report, "node", None)] = report
        elif when == "???" and report.failed:  # xdist's report of a test that crashed its worker
            self.keep(self._crash_record(report))
        found = getattr(report, ATTRIBUTE, None)
        if found is not None:
            self.keep(found)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        if not self.collected:  # every worker collects the same
            self.collected = ids

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: object, error: object) -> None:
        suite = (getattr(node, "workeroutput", None) or {}).get(SUITE_OUTPUT)
        if suite is not None:
            self.suite = suite

    def keep(self, found: Record) -> None:
        self.by_nodeid[found["nodeid"]] = found

    def _crash_record(self, report: pytest.TestReport) -> Record:
        nodeid = report.nodeid
        setup = self.last_setup.get(getattr(report, "node", None))
        size = UNSIZED
        if setup is not None and setup.nodeid == nodeid:
            size = str(dict(setup.user_properties).get(JUNIT_PROPERTY, UNSIZED))
        ids = self.collected
        order = ids.index(nodeid) if nodeid in ids else len(ids)
        limit = LIMITS[Size(size)] if size != UNSIZED else None
        return record(nodeid, order, size, "failed", 0.0, limit)


TALLY_KEY = pytest.StashKey[Tally]()


def session_started(session: pytest.Session) -> None:
    """Start the tally, unless this is a pytest-xdist worker: its controller tallies."""
    config = session.config
    if not hasattr(config, "workerinput"):
        config.stash[TALLY_KEY] = Tally()
        config.pluginmanager.register(config.stash[TALLY_KEY])


def suite_collected(session: pytest.Session, items: list[pytest.Item]) -> None:
    """Identify the suite as collected, before any plugin deselects; remember each item's place.

    Every shard of a run (``-k``, ``--deselect``, pytest-split, pytest-shard) collects the whole
    suite first, so the shards of one run have the same identity, and the same places.
    """
    config = session.config
    ids = [item.nodeid for item in items]
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()
    suite = {"tests": len(ids), "digest": f"sha256:{digest}"}
    tally = config.stash.get(TALLY_KEY, None)
    if tally is not None:
        tally.suite = suite
    output = getattr(config, "workeroutput", None)
    if output is not None:  # a pytest-xdist worker: its controller collects nothing itself
        output[SUITE_OUTPUT] = suite
    session.stash[_PLACES] = {nodeid: place for place, nodeid in enumerate(ids)}


def _place(item: pytest.Item, nodeid: str) -> int:
    """The item's place in the suite as collected, so that the records of the shards of one run
    sort into the order of the whole run. An item a plugin added after collection goes at the
    end; one that was not collected at all (pytester's inline items) gets -1."""
    places = item.session.stash.get(_PLACES, None)
    if places is None:
        return -1
    if nodeid in places:
        return places[nodeid]
    items = item.session.items
    return len(places) + items.index(item) if item in items else -1


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
        spec = item.stash.get(SPEC_KEY, None)
        size, limit, duration = (spec.size, spec.limit, 0.0) if spec else (None, None, 0.0)
        nodeid, entries, observing = item.nodeid, [], item.config.stash[SETTINGS_KEY].suggest
    else:
        failed_late = outcome == "failed" and test.outcome not in ("failed", "error")
        outcome = "error" if failed_late else test.outcome
        size, limit = test.size, test.limit
        duration = test.elapsed() if test.live else test.charged
        nodeid, entries, observing = test.nodeid, _entries(test), test.observing
    name = size.value if size is not None else UNSIZED
    made = record(nodeid, _place(item, nodeid), name, outcome, duration, limit, entries)
    if observing:
        made["suggestion"] = suggest.judge(item, made)
    setattr(report, ATTRIBUTE, made)


def _entries(test: ActiveTest) -> list[ViolationEntry]:
    """Each distinct violation once, in the order first made, with how often it was made."""
    made = Counter((v.kind.value, v.code, v.operation, v.target) for v in test.violations)
    return [
        {"kind": kind, "code": code, "operation": operation, "target": target, "count": count}
        for (kind, code, operation, target), count in made.items()
    ]
