"""Merging the JSON reports of a sharded run: the whole run's report, or a clear refusal."""

from __future__ import annotations

import contextlib
import io
import json
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from jsonschema import validate

from pytest_test_categories import merge, reports

SUITE = """\
import time

import pytest

@pytest.mark.small
def test_adds():
    assert 1 + 1 == 2

@pytest.mark.small
@pytest.mark.parametrize("value", [1, 2, 3, 4])
def test_cases(value):
    assert value

@pytest.mark.small
def test_sleeps():
    time.sleep(0.01)

@pytest.mark.medium
def test_medium():
    pass

@pytest.mark.large
def test_large_fails():
    assert False

class TestGroup:
    @pytest.mark.small
    def test_in_class(self):
        pass

    def test_unsized(self):
        pass
"""

#: Two slices of SUITE that together are the whole suite.
FIRST = "cases or group"
SECOND = "not (cases or group)"

INI = "[pytest]\n"


def _write_suite(pytester: pytest.Pytester, source: str = SUITE) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_suite=source)


def _run(pytester: pytest.Pytester, report: str, *args: str) -> dict[str, Any]:
    """Run the suite with ``args``, writing the JSON report to ``report``; return it."""
    pytester.runpytest("-p", "no:cacheprovider", f"--test-size-report-file={report}", *args)
    loaded: dict[str, Any] = json.loads((pytester.path / report).read_text(encoding="utf-8"))
    return loaded


def _merge(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """The merge command, called in this process (in the pytester's folder) with ``args``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = merge.main(list(args))
    return pytest.RunResult(status, out.getvalue().splitlines(), err.getvalue().splitlines(), 0.0)


def _without_times(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what a clock measures, and without the list of shards."""
    report = json.loads(json.dumps(report))
    del report["created"]
    report["run"]["shards"] = []
    for test in report["tests"]:
        del test["duration"], test["limit_percent"]
    return report


@pytest.mark.plugins("xdist")
def test_two_shards_each_run_with_xdist_merge_to_the_report_of_the_unsharded_run(
    pytester: pytest.Pytester,
) -> None:
    _write_suite(pytester)
    strict = "--test-categories-enforcement=strict"
    whole = _run(pytester, "whole.json", strict)
    first = _run(pytester, "shard-1.json", strict, "-n", "2", "-k", FIRST)
    second = _run(pytester, "shard-2.json", strict, "-n", "2", "-k", SECOND)
    assert len(first["tests"]) == 6
    assert len(second["tests"]) == 4

    result = _merge(
        pytester, "--report", "detailed", "-o", "merged.json", "shard-1.json", "shard-2.json"
    )

    assert result.ret == 0, result.stderr.str()
    merged = json.loads((pytester.path / "merged.json").read_text(encoding="utf-8"))
    validate(merged, reports.schema())
    assert _without_times(merged) == _without_times(whole)
    assert merged["violations"]["sleep"] == {"code": "TC104", "count": 1, "tests": 1}
    assert [test["nodeid"] for test in merged["tests"]] == [
        test["nodeid"] for test in whole["tests"]
    ]
    assert [(shard["file"], shard["tests"]) for shard in merged["run"]["shards"]] == [
        ("shard-1.json", 6),
        ("shard-2.json", 4),
    ]
    result.stdout.fnmatch_lines(
        [
            "merged 2 shards with 10 of the suite's 10 collected tests: "
            "shard-1.json (6), shard-2.json (4)",
            "small          7    70.0 %",
            "total         10   100.0 %",
            "tests, closest to their limit first:",
            "*large    failed   test_suite.py::test_large_fails",
            "merged size report written to merged.json",
        ]
    )


def test_the_merged_pyramid_is_checked_as_the_shards_recorded_or_as_asked(
    pytester: pytest.Pytester,
) -> None:
    _write_suite(pytester)
    warn = "--test-categories-distribution-enforcement=warn"
    _run(pytester, "shard-1.json", warn, "-k", FIRST)
    _run(pytester, "shard-2.json", warn, "-k", SECOND)

    recorded = _merge(pytester, "shard-1.json", "shard-2.json")
    assert recorded.ret == 0
    recorded.stdout.fnmatch_lines(
        ["warning: The test pyramid is off target for large, over 9 sized tests*"]
    )

    strict = _merge(pytester, "--distribution-enforcement=strict", "shard-1.json", "shard-2.json")
    assert strict.ret == 1
    strict.stdout.fnmatch_lines(
        [
            "The test pyramid is off target for large, over 9 sized tests*",
            "  large: 11.1 %, 3.1 points above its maximum of 8 %*",
            "The run fails: test_categories_distribution_enforcement is strict.",
        ]
    )


def _refusal(result: pytest.RunResult) -> str:
    assert result.ret == 2
    assert result.stdout.str() == ""
    return result.stderr.str()


def test_shards_of_another_suite_are_refused(pytester: pytest.Pytester) -> None:
    _write_suite(pytester)
    _run(pytester, "shard-1.json", "-k", FIRST)
    _write_suite(pytester, SUITE + "\ndef test_added_later():\n    pass\n")
    _run(pytester, "shard-2.json", "-k", SECOND)

    error = _refusal(_merge(pytester, "shard-1.json", "shard-2.json"))

    assert "cannot merge: shard-2.json and shard-1.json are not shards of one run: " in error
    assert "their collected suite differs (10 collected tests, sha256:" in error
    assert "in shard-1.json, 11 collected tests, sha256:" in error
    assert "never with other test paths" in error


def test_shards_of_another_configuration_are_refused(pytester: pytest.Pytester) -> None:
    _write_suite(pytester)
    _run(pytester, "shard-1.json", "--test-categories-enforcement=strict", "-k", FIRST)
    _run(pytester, "shard-2.json", "--test-categories-enforcement=warn", "-k", SECOND)

    error = _refusal(_merge(pytester, "shard-1.json", "shard-2.json"))

    assert "their configuration differs (enforcement: " in error
    assert '"strict" in shard-1.json, "warn" in shard-2.json' in error


def test_shards_of_another_plugin_version_are_refused(pytester: pytest.Pytester) -> None:
    _write_suite(pytester)
    report = _run(pytester, "shard-1.json", "-k", FIRST)
    report["plugin"]["version"] = "0.0.1"
    other = pytester.path / "older.json"
    other.write_text(json.dumps(report), encoding="utf-8")

    error = _refusal(_merge(pytester, "shard-1.json", "older.json"))

    assert "older.json and shard-1.json are not shards of one run: their plugin version" in error
    assert '"0.0.1" in older.json' in error


def test_overlapping_shards_are_refused(pytester: pytest.Pytester) -> None:
    _write_suite(pytester)
    _run(pytester, "shard-1.json", "-k", FIRST)
    _run(pytester, "shard-2.json", "-k", "group or medium")

    error = _refusal(_merge(pytester, "shard-1.json", "shard-2.json"))

    assert (
        "shard-1.json and shard-2.json overlap: both ran 2 of the same tests, "
        "test_suite.py::TestGroup::test_in_class first." in error
    )


def test_what_is_not_a_shard_report_is_refused(pytester: pytest.Pytester) -> None:
    _write_suite(pytester)
    report = _run(pytester, "shard-1.json")
    Path(pytester.path / "notes.json").write_text("[1, 2]", encoding="utf-8")
    older = dict(report, schema_version=1)
    Path(pytester.path / "v1.json").write_text(json.dumps(older), encoding="utf-8")
    _merge(pytester, "-o", "merged.json", "shard-1.json")

    assert "not a size report" in _refusal(_merge(pytester, "notes.json"))
    assert "cannot read it as a JSON size report" in _refusal(_merge(pytester, "missing.json"))
    assert "v1.json: schema_version 1, but this merge reads version 2" in _refusal(
        _merge(pytester, "v1.json")
    )
    assert "merged.json: already a merged report" in _refusal(_merge(pytester, "merged.json"))
    (pytester.path / "folder").mkdir()
    unwritable = _merge(pytester, "-o", "folder", "shard-1.json")
    assert unwritable.ret == 2
    assert "pytest-test-categories-merge: could not write folder: " in unwritable.stderr.str()


def test_the_command_is_installed_as_a_console_script() -> None:
    (script,) = entry_points(group="console_scripts", name="pytest-test-categories-merge")
    assert script.load() is merge.main
