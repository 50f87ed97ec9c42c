"""Under pytest-xdist, every report, the pyramid's verdict and the violation summary match.

Each test runs the same suite twice, without and with ``-n 2``, and compares what came out, test
for test. Only what a clock measures (durations, shares of a limit, the time a too-slow test
ran) and the report's timestamp may differ.
"""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from conftest import Runner
from test_reports import section, validate

pytestmark = pytest.mark.plugins("xdist")

# Two modules with every size, outcome and violation, so that both workers get tests.
FIRST = """
import time

import pytest


@pytest.mark.small(timeout=0.05)
def test_too_slow():
    end = time.perf_counter() + 0.5
    while time.perf_counter() < end:
        pass


@pytest.mark.small
def test_writes_a_file():
    open("x", "w").close()


@pytest.mark.small
@pytest.mark.parametrize("n", range(12))
def test_small(n):
    assert n != 7


@pytest.mark.small
@pytest.mark.skip(reason="not today")
def test_skipped():
    pass


@pytest.mark.small
@pytest.mark.xfail(reason="known", strict=True)
def test_xfails():
    assert False
"""

SECOND = """
import pytest

from pytest_test_categories import MediumTest


class TestMedium(MediumTest):
    @pytest.mark.parametrize("n", range(6))
    def test_medium(self, n):
        pass


@pytest.mark.large
def test_large():
    pass


@pytest.mark.xlarge
def test_xlarge():
    pass


def test_unsized():
    pass


@pytest.mark.medium
def test_medium_writes(tmp_path):
    (tmp_path / "y").write_text("fine")
"""


def both(
    run: Runner, pytester: pytest.Pytester, *args: str, **kwargs: Any
) -> list[pytest.RunResult]:
    """Run the suite without and with ``-n 2``; return both results."""
    pytester.makepyfile(test_second=textwrap.dedent(SECOND))
    plain = run(FIRST, *args, name="test_first", **kwargs)
    plain_files = _files(pytester)
    spread = run(FIRST, "-n", "2", *args, name="test_first", **kwargs)
    spread.stdout.fnmatch_lines(["created: 2/2 workers"])
    plain.files, spread.files = plain_files, _files(pytester)  # type: ignore[attr-defined]
    return [plain, spread]


def _files(pytester: pytest.Pytester) -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in pytester.path.iterdir()
        if path.suffix in (".json", ".xml")
    }


def _timeless(document: dict[str, Any]) -> dict[str, Any]:
    """The report without its timestamp and without anything a clock measured."""
    document = dict(document)
    del document["created"]
    tests = []
    for original in document["tests"]:
        test = {k: v for k, v in original.items() if k not in ("duration", "limit_percent")}
        test["violations"] = [
            {
                k: v
                for k, v in entry.items()
                if not (entry["kind"] == "time-limit" and k == "target")
            }
            for entry in test["violations"]
        ]
        tests.append(test)
    document["tests"] = tests
    return document


def _summary(result: pytest.RunResult) -> list[str]:
    lines = section(result, "test-categories: 2 violations in 2 tests")
    return [re.sub(r"ran \d+\.\d+ s", "ran <time>", line) for line in lines]


def test_json_report_junit_xml_and_violation_summary_match(
    run: Runner, pytester: pytest.Pytester
) -> None:
    plain, spread = both(
        run,
        pytester,
        "--test-size-report-file=sizes.json",
        "--junitxml=junit.xml",
        enforcement="warn",
    )
    for result in (plain, spread):
        result.assert_outcomes(passed=22, failed=2, skipped=1, xfailed=1, warnings=1)
    documents = [json.loads(result.files["sizes.json"]) for result in (plain, spread)]  # type: ignore[attr-defined]
    for document in documents:
        validate(document)
    assert documents[0]["totals"]["tests"] == 26
    assert documents[0]["violations"]["filesystem"] == {"code": "TC102", "count": 1, "tests": 1}
    assert documents[0]["violations"]["time-limit"] == {"code": "TC001", "count": 1, "tests": 1}
    assert _timeless(documents[1]) == _timeless(documents[0])

    summaries = [_summary(result) for result in (plain, spread)]
    assert summaries[0] == summaries[1]
    assert "    test_first.py::test_writes_a_file [passed]: open x" in summaries[0]

    sizes = [[line for line in r.outlines if line.startswith("sizes:")] for r in (plain, spread)]
    assert sizes[0] == sizes[1] == ["sizes: 16 small · 7 medium · 1 large · 1 xlarge · 1 unsized"]

    properties = []
    for result in (plain, spread):
        tree = ET.fromstring(result.files["junit.xml"])  # type: ignore[attr-defined]
        properties.append(
            {
                (case.get("classname"), case.get("name")): [
                    (prop.get("name"), prop.get("value")) for prop in case.iter("property")
                ]
                for case in tree.iter("testcase")
            }
        )
    assert properties[0] == properties[1]
    assert properties[0][("test_second.TestMedium", "test_medium[3]")] == [("test_size", "medium")]
    assert properties[0][("test_second", "test_unsized")] == [("test_size", "unsized")]


def test_basic_report_and_strict_pyramid_match(run: Runner, pytester: pytest.Pytester) -> None:
    plain, spread = both(
        run,
        pytester,
        "--test-size-report",
        ini="test_categories_distribution_enforcement = strict",
    )
    for result in (plain, spread):
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    reports = [section(result, "test sizes") for result in (plain, spread)]
    assert reports[0] == reports[1]
    assert reports[0][1] == "small         16    61.5 %"
    verdicts = [section(result, "test pyramid") for result in (plain, spread)]
    assert verdicts[0] == verdicts[1]
    assert verdicts[0][0].startswith("The test pyramid is off target for small and medium,")


def test_strict_pyramid_alone_fails_both_runs_the_same_way(
    run: Runner, pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(test_second=textwrap.dedent(SECOND))
    results = []
    for extra in ((), ("-n", "2")):
        result = run(
            "import pytest\n\n@pytest.mark.large\n@pytest.mark.parametrize('n', range(4))\n"
            "def test_large(n): pass\n",
            *extra,
            "--test-categories-distribution-enforcement=strict",
            name="test_first",
        )
        results.append(result)
    for result in results:
        result.assert_outcomes(passed=14)
        assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert section(results[0], "test pyramid") == section(results[1], "test pyramid")


def test_warn_pyramid_warns_the_same(run: Runner, pytester: pytest.Pytester) -> None:
    plain, spread = both(run, pytester, "--test-categories-distribution-enforcement=warn")
    summaries = []
    for result in (plain, spread):
        assert result.ret == pytest.ExitCode.TESTS_FAILED  # the failing tests, not the pyramid
        summaries.append(section(result, "warnings summary"))
    assert summaries[0] == summaries[1]
    assert "tox.ini:0" in summaries[0]
    assert any("DistributionWarning: The test pyramid is off target" in s for s in summaries[0])


def test_detailed_report_lists_the_same_tests(run: Runner, pytester: pytest.Pytester) -> None:
    plain, spread = both(run, pytester, "--test-size-report=detailed")
    rows = []
    for result in (plain, spread):
        lines = section(result, "test sizes (detailed)")
        start = lines.index("tests, closest to their limit first:") + 2
        # Drop the measured columns (used, duration); keep limit, size, outcome and test.
        rows.append(sorted(" ".join(line.split()[-5:]) for line in lines[start:]))
    assert rows[0] == rows[1]
    assert len(rows[0]) == 26
    assert "1 s small failed test_first.py::test_small[7]" in rows[0]


def test_a_test_that_crashes_its_worker_is_reported_as_failed(
    run: Runner, pytester: pytest.Pytester
) -> None:
    result = run(
        """
        import os

        import pytest


        @pytest.mark.small
        @pytest.mark.parametrize("n", range(4))
        def test_small(n):
            pass


        @pytest.mark.medium
        def test_crashes():
            os._exit(1)


        @pytest.mark.large
        def test_large():
            pass
        """,
        "-n",
        "2",
        "--test-size-report-file=sizes.json",
    )
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(
        ["*worker 'gw*' crashed while running 'test_subject.py::test_crashes'"]
    )
    document = json.loads((pytester.path / "sizes.json").read_text(encoding="utf-8"))
    validate(document)
    tests = {test["nodeid"]: (test["size"], test["outcome"]) for test in document["tests"]}
    assert tests["test_subject.py::test_crashes"] == ("medium", "failed")
    assert len(tests) == 6
    assert document["totals"]["outcomes"] == {"passed": 5, "failed": 1}
    assert document["complete"] is True
    # In collection order, as without xdist.
    assert [test["nodeid"] for test in document["tests"]][4] == "test_subject.py::test_crashes"
    assert [line for line in result.outlines if line.startswith("sizes:")] == [
        "sizes: 4 small · 1 medium · 1 large"
    ]
