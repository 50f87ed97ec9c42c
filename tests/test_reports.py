"""Size reports: the one-line summary, basic, detailed and json, JUnit XML, violation summary."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import INI, Runner
from pytest_test_categories import _records as _records_module
from pytest_test_categories import _render, allowances, distribution, reports
from pytest_test_categories.allowances import Allowances
from pytest_test_categories.config import Mode, Settings
from pytest_test_categories.violations import Kind

SCHEMA_PATH = Path(reports.__file__).with_name("report.schema.json")

#: Every size, every outcome, a stricter timeout, a violation of the time limit.
SUITE = """
import time

import pytest

from pytest_test_categories import MediumTest


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@pytest.mark.small
def test_small_passes():
    pass


@pytest.mark.small
def test_small_fails():
    assert 1 == 2


@pytest.mark.small(timeout=0.05)
def test_small_too_slow():
    spin(0.5)


@pytest.mark.small
@pytest.mark.skip(reason="not today")
def test_small_skipped():
    pass


@pytest.mark.small
@pytest.mark.xfail(reason="known bug", strict=True)
def test_small_xfails():
    assert False


@pytest.mark.small
@pytest.mark.xfail(reason="fixed already", strict=False)
def test_small_xpasses():
    pass


@pytest.fixture
def broken_setup():
    raise RuntimeError("setup broke")


@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown broke")


@pytest.mark.small
def test_small_setup_error(broken_setup):
    pass


@pytest.mark.small
def test_small_teardown_error(broken_teardown):
    pass


class TestMedium(MediumTest):
    def test_medium_passes(self):
        pass


@pytest.mark.large
def test_large_passes():
    pass


@pytest.mark.xlarge
def test_xlarge_passes():
    pass


def test_unsized_passes():
    pass
"""

#: What each test of SUITE ends as: (size, outcome, limit).
EXPECTED = {
    "test_small_passes": ("small", "passed", 1.0),
    "test_small_fails": ("small", "failed", 1.0),
    "test_small_too_slow": ("small", "failed", 0.05),
    "test_small_skipped": ("small", "skipped", 1.0),
    "test_small_xfails": ("small", "xfailed", 1.0),
    "test_small_xpasses": ("small", "xpassed", 1.0),
    "test_small_setup_error": ("small", "error", 1.0),
    "test_small_teardown_error": ("small", "error", 1.0),
    "TestMedium::test_medium_passes": ("medium", "passed", 300.0),
    "test_large_passes": ("large", "passed", 900.0),
    "test_xlarge_passes": ("xlarge", "passed", 3600.0),
    "test_unsized_passes": ("unsized", "passed", None),
}


def validate(document: dict[str, Any]) -> None:
    """Check a report against the schema file shipped in the package."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(document)


def section(result: pytest.RunResult, title: str) -> list[str]:
    """The lines of one ``=== title ===`` section of the terminal output."""
    lines = result.outlines
    start = next(
        (i for i, line in enumerate(lines) if line.startswith("=") and f" {title} " in line),
        None,
    )
    assert start is not None, f"no section {title!r} in:\n{result.stdout.str()}"
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith(("===", "sizes: "))),
        len(lines),
    )
    return lines[start + 1 : end]


def sizes_lines(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if line.startswith("sizes:")]


def test_without_a_flag_the_summary_is_one_line(run: Runner) -> None:
    result = run(SUITE, enforcement=None)
    result.assert_outcomes(passed=6, failed=2, skipped=1, xfailed=1, xpassed=1, errors=2)
    # Sizes with no test would be left out; here every size has one.
    assert sizes_lines(result) == ["sizes: 8 small · 1 medium · 1 large · 1 xlarge · 1 unsized"]
    assert not any("test sizes" in line for line in result.outlines)
    assert not any("pyramid" in line for line in result.outlines)


def test_the_one_line_leaves_out_sizes_without_tests(run: Runner) -> None:
    result = run(
        """
        import pytest

        @pytest.mark.small
        def test_a(): pass

        @pytest.mark.small
        def test_b(): pass

        def test_c(): pass
        """
    )
    assert sizes_lines(result) == ["sizes: 2 small · 1 unsized"]


def test_nothing_is_printed_when_no_test_ran(run: Runner) -> None:
    result = run("import pytest\n\n@pytest.mark.small\ndef test_a(): pass\n", "--collect-only")
    assert result.ret == pytest.ExitCode.OK
    assert sizes_lines(result) == []


def test_bare_flag_prints_the_basic_report(run: Runner) -> None:
    result = run(SUITE, "--test-size-report", enforcement=None)
    lines = section(result, "test sizes")
    assert lines[:7] == [
        "size       tests     share",
        "small          8    66.7 %",
        "medium         1     8.3 %",
        "large          1     8.3 %",
        "xlarge         1     8.3 %",
        "unsized        1     8.3 %",
        "total         12   100.0 %",
    ]
    assert "pyramid over 11 sized tests (large counts large and xlarge):" in lines
    pyramid = lines[lines.index("pyramid over 11 sized tests (large counts large and xlarge):") :]
    assert pyramid[2].split() == ["small", "8", "72.7", "%", "80", "%", "±", "5", ">=", "75",
                                  "%", "2.3", "points", "below"]  # fmt: skip
    assert pyramid[3].split()[:3] == ["medium", "1", "9.1"]
    assert pyramid[3].endswith("ok")
    assert pyramid[4].split()[:3] == ["large", "2", "18.2"]
    assert pyramid[4].endswith("10.2 points above")
    # The report replaces the one-line summary.
    assert sizes_lines(result) == []


def test_detailed_report_puts_the_tests_closest_to_their_limit_first(run: Runner) -> None:
    result = run(
        """
        import time
        import pytest

        @pytest.mark.small
        def test_quick(): pass

        @pytest.mark.medium(timeout=1)
        def test_near_its_limit():
            time.sleep(0.6)

        @pytest.mark.small
        def test_fails():
            assert False

        def test_unsized_slow():
            time.sleep(0.2)

        def test_unsized_quick(): pass
        """,
        "--test-size-report=detailed",
    )
    lines = section(result, "test sizes (detailed)")
    assert lines[1] == "small          2    40.0 %"
    start = lines.index("tests, closest to their limit first:")
    header, *rows = lines[start + 1 :]
    assert header.split() == ["used", "duration", "limit", "size", "outcome", "test"]
    order = [row.split()[-1] for row in rows]
    assert order[0] == "test_subject.py::test_near_its_limit"
    assert sorted(order[1:3]) == ["test_subject.py::test_fails", "test_subject.py::test_quick"]
    assert order[3:] == [
        "test_subject.py::test_unsized_slow",
        "test_subject.py::test_unsized_quick",
    ]
    near = rows[0].split()
    assert near[0] != "-"
    assert 60.0 <= float(near[0]) < 100.0
    assert near[1] == "%"
    assert 0.6 <= float(near[2]) < 1.0
    assert near[4:] == ["1", "s", "medium", "passed", "test_subject.py::test_near_its_limit"]
    fails = next(row for row in rows if row.endswith("::test_fails")).split()
    assert fails[-3:] == ["small", "failed", "test_subject.py::test_fails"]
    unsized = rows[-1].split()
    assert unsized[0] == "-"
    assert unsized[3:] == ["-", "unsized", "passed", "test_subject.py::test_unsized_quick"]


def test_json_report_file_matches_the_schema_and_the_run(
    run: Runner, pytester: pytest.Pytester
) -> None:
    result = run(SUITE, "--test-size-report=json", "--test-size-report-file=out/sizes.json")
    result.stdout.fnmatch_lines(["size report (json) written to *sizes.json"])
    path = pytester.path / "out" / "sizes.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    validate(document)
    from pytest_test_categories import __version__

    assert document["rootdir"] == str(pytester.path)
    assert document["schema_version"] == reports.SCHEMA_VERSION == 2
    assert document["plugin"] == {"name": "pytest-test-categories", "version": __version__}
    assert document["enforcement"] == "strict"
    assert document["complete"] is True
    assert document["limits"] == {"small": 1.0, "medium": 300.0, "large": 900.0, "xlarge": 3600.0}
    # A test whose teardown fails after its call passed counts once, as an error
    # (pytest's own tally counts it both as passed and as an error).
    assert document["totals"] == {
        "tests": 12,
        "sized": 11,
        "outcomes": {
            "passed": 5, "failed": 2, "skipped": 1, "xfailed": 1, "xpassed": 1, "error": 2,
        },
    }  # fmt: skip
    assert document["sizes"]["small"] == {"count": 8, "percent": 66.67}
    assert document["sizes"]["unsized"] == {"count": 1, "percent": 8.33}
    tests = {test["nodeid"].split("::", 1)[1]: test for test in document["tests"]}
    assert list(tests) == list(EXPECTED)  # collection order
    for name, (size, outcome, limit) in EXPECTED.items():
        assert (tests[name]["size"], tests[name]["outcome"], tests[name]["limit"]) == (
            size,
            outcome,
            limit,
        ), name
    slow = tests["test_small_too_slow"]
    [violation] = slow["violations"]
    assert violation.pop("target").endswith(" s")  # how long it ran
    assert violation == {"kind": "time-limit", "code": "TC001", "operation": "ran", "count": 1}
    assert slow["duration"] >= 0.05
    assert slow["limit_percent"] == pytest.approx(100.0 * slow["duration"] / 0.05, abs=0.01)
    assert tests["test_unsized_passes"]["limit_percent"] is None
    assert all(not t["violations"] for n, t in tests.items() if n != "test_small_too_slow")
    assert document["violations"]["time-limit"] == {"code": "TC001", "count": 1, "tests": 1}
    assert set(document["violations"]) == {kind.value for kind in Kind}
    assert all(
        total == {"code": Kind(kind).code, "count": 0, "tests": 0}
        for kind, total in document["violations"].items()
        if kind != "time-limit"
    )
    distribution = document["distribution"]
    assert distribution["enforcement"] == "off"
    assert distribution["status"] == "off-target"
    assert distribution["ok"] is False
    assert distribution["groups"]["large"] == {
        "sizes": ["large", "xlarge"], "count": 2, "percent": 18.18, "target": 5.0,
        "tolerance": 3.0, "minimum": None, "maximum": 8.0, "off_by": 10.18, "ok": False,
    }  # fmt: skip
    assert distribution["groups"]["small"]["minimum"] == 75.0
    assert distribution["message"].startswith("The test pyramid is off target for small and large")
    # Written atomically: nothing but the report is left in its folder.
    assert sorted(p.name for p in path.parent.iterdir()) == ["sizes.json"]


def test_the_schema_knows_every_kind_and_outcome() -> None:
    schema = reports.schema()
    assert schema == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["properties"]["schema_version"]["const"] == reports.SCHEMA_VERSION
    assert schema["$defs"]["kind"]["enum"] == [kind.value for kind in Kind]
    assert schema["$defs"]["size"]["enum"] == list(reports.SIZE_NAMES)
    assert schema["properties"]["violations"]["required"] == [kind.value for kind in Kind]


def test_a_killed_run_leaves_the_previous_report_whole(
    run: Runner, pytester: pytest.Pytester
) -> None:
    report = pytester.path / "sizes.json"
    report.write_text('{"previous": true}\n', encoding="utf-8")
    result = run(
        """
        import os
        import pytest

        @pytest.mark.small
        def test_a(): pass

        @pytest.mark.medium
        def test_dies():
            os._exit(3)
        """,
        "--test-size-report-file=sizes.json",
    )
    assert result.ret == 3
    assert report.read_text(encoding="utf-8") == '{"previous": true}\n'
    assert sorted(p.name for p in pytester.path.iterdir() if p.name.startswith(".sizes")) == []


def test_json_without_a_file_goes_to_the_terminal(run: Runner) -> None:
    result = run(SUITE, "--test-size-report=json", enforcement=None)
    lines = section(result, "test sizes (json)")
    document = json.loads("\n".join(lines))
    validate(document)
    assert document["totals"]["tests"] == 12
    # The JSON is for machines; the one line stays for people.
    assert sizes_lines(result) == ["sizes: 8 small · 1 medium · 1 large · 1 xlarge · 1 unsized"]


def test_text_reports_can_go_to_a_file(run: Runner, pytester: pytest.Pytester) -> None:
    result = run(
        SUITE, "--test-size-report=detailed", "--test-size-report-file=sizes.txt", enforcement=None
    )
    text = (pytester.path / "sizes.txt").read_text(encoding="utf-8")
    assert text.startswith("size       tests     share\nsmall          8    66.7 %\n")
    assert "tests, closest to their limit first:" in text
    assert "test_subject.py::test_unsized_passes" in text
    result.stdout.fnmatch_lines(["size report (detailed) written to *sizes.txt"])
    assert not any("test sizes" in line for line in result.outlines)
    assert sizes_lines(result) == ["sizes: 8 small · 1 medium · 1 large · 1 xlarge · 1 unsized"]


def test_unknown_report_format_is_a_usage_error(run: Runner) -> None:
    result = run("def test_a(): pass\n", "--test-size-report=fancy")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--test-size-report: 'fancy' is not a report format*"])


def test_junit_xml_records_each_size(run: Runner, pytester: pytest.Pytester) -> None:
    run(SUITE, "--junitxml=junit.xml", enforcement=None)
    tree = ET.parse(pytester.path / "junit.xml")
    found = {}
    for case in tree.iter("testcase"):
        properties = [(prop.get("name"), prop.get("value")) for prop in case.iter("property")]
        found[case.get("name")] = properties
    assert found["test_small_passes"] == [("test_size", "small")]
    assert found["test_medium_passes"] == [("test_size", "medium")]
    assert found["test_xlarge_passes"] == [("test_size", "xlarge")]
    assert found["test_unsized_passes"] == [("test_size", "unsized")]
    assert found["test_small_setup_error"] == [("test_size", "small")]


VIOLATIONS = """
import time

import pytest


@pytest.mark.small(timeout=0.05)
def test_too_slow():
    end = time.perf_counter() + 0.5
    while time.perf_counter() < end:
        pass


@pytest.mark.small
def test_writes_a_file():
    with open("x", "w") as file:
        file.write("no")


@pytest.mark.medium
def test_medium_may_write():
    with open("y", "w") as file:
        file.write("yes")


@pytest.mark.small
def test_clean():
    pass
"""


def test_violation_summary_counts_kinds_and_names_tests(run: Runner) -> None:
    result = run(VIOLATIONS)
    result.assert_outcomes(passed=2, failed=2)
    lines = section(result, "test-categories: 2 violations in 2 tests")
    assert len(lines) == 4
    assert lines[0] == "TC001 time-limit: 1 violation in 1 test"
    assert lines[1].startswith("    test_subject.py::test_too_slow [failed]: ran 0.")
    assert lines[2:] == [
        "TC102 filesystem: 1 violation in 1 test",
        "    test_subject.py::test_writes_a_file [failed]: open x",
    ]


def test_violation_summary_in_warn_mode_shows_passing_tests(run: Runner) -> None:
    result = run(VIOLATIONS, enforcement="warn")
    result.assert_outcomes(passed=3, failed=1, warnings=1)
    lines = section(result, "test-categories: 2 violations in 2 tests")
    assert "    test_subject.py::test_writes_a_file [passed]: open x" in lines
    assert "    test_subject.py::test_medium_may_write" not in "\n".join(lines)


def test_no_violation_summary_without_violations(run: Runner) -> None:
    result = run("import pytest\n\n@pytest.mark.small\ndef test_a(): pass\n")
    assert not any(line.startswith(("=", "TC")) and "violation" in line for line in result.outlines)


def test_json_lists_resource_violations(run: Runner, pytester: pytest.Pytester) -> None:
    run(VIOLATIONS, "--test-size-report-file=sizes.json", enforcement="warn")
    document = json.loads((pytester.path / "sizes.json").read_text(encoding="utf-8"))
    validate(document)
    tests = {test["nodeid"].split("::")[1]: test for test in document["tests"]}
    assert tests["test_writes_a_file"]["violations"] == [
        {"kind": "filesystem", "code": "TC102", "operation": "open", "target": "x", "count": 1}
    ]
    assert tests["test_medium_may_write"]["violations"] == []
    assert document["violations"]["filesystem"] == {"code": "TC102", "count": 1, "tests": 1}
    assert document["violations"]["time-limit"] == {"code": "TC001", "count": 1, "tests": 1}
    assert document["enforcement"] == "warn"


def test_tests_are_listed_in_collection_order_and_tests_added_late_come_last(
    run: Runner, pytester: pytest.Pytester
) -> None:
    pytester.makeconftest(
        """
        import pytest

        def pytest_collection_modifyitems(items):
            items.reverse()  # a plugin that reorders (pytest-randomly) changes no place
            extra = pytest.Function.from_parent(
                items[0].parent, name="test_added", callobj=items[0].obj
            )
            items.insert(0, extra)  # one that adds an item after collection
        """
    )
    result = run(
        """
        import pytest

        @pytest.mark.small
        def test_a(): pass

        @pytest.mark.small
        def test_b(): pass
        """,
        "--test-size-report-file=sizes.json",
    )
    result.assert_outcomes(passed=3)
    document = json.loads((pytester.path / "sizes.json").read_text(encoding="utf-8"))
    validate(document)
    assert [(test["nodeid"].split("::")[1], test["order"]) for test in document["tests"]] == [
        ("test_a", 0),
        ("test_b", 1),
        ("test_added", 2),
    ]


def test_a_run_stopped_early_is_marked_incomplete(run: Runner, pytester: pytest.Pytester) -> None:
    result = run(
        """
        import pytest

        @pytest.mark.small
        def test_a(): assert False

        @pytest.mark.small
        def test_b(): pass
        """,
        "-x",
        "--test-size-report-file=sizes.json",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    document = json.loads((pytester.path / "sizes.json").read_text(encoding="utf-8"))
    validate(document)
    assert document["complete"] is False
    assert document["distribution"]["status"] == "incomplete"
    assert [test["nodeid"] for test in document["tests"]] == ["test_subject.py::test_a"]
    assert sizes_lines(result) == ["sizes: 1 small"]


def test_a_session_run_inside_a_test_keeps_its_own_tally(run: Runner) -> None:
    result = run(
        """
        import pytest

        @pytest.mark.small
        def test_before(): pass

        @pytest.mark.large
        def test_inner_session(pytester):
            pytester.makepyfile(
                test_inner="import pytest\\n\\n@pytest.mark.medium\\ndef test_inner(): pass\\n"
            )
            inner = pytester.runpytest_inprocess(
                "-p", "test_categories", "-p", "no:cacheprovider", "test_inner.py"
            )
            inner.assert_outcomes(passed=1)
            assert "sizes: 1 medium" in inner.outlines

        @pytest.mark.small
        def test_after(): pass
        """,
        "-p",
        "pytester",
    )
    result.assert_outcomes(passed=3)
    assert sizes_lines(result) == ["sizes: 2 small · 1 large"]


def test_violation_summary_caps_the_tests_it_names(run: Runner) -> None:
    result = run(
        """
        import pytest

        @pytest.mark.small
        @pytest.mark.parametrize("n", range(22))
        def test_writes(n):
            open(f"x{n}", "w").close()
            open(f"y{n}", "w").close()
        """,
        enforcement="warn",
    )
    lines = section(result, "test-categories: 44 violations in 22 tests")
    assert lines[0] == "TC102 filesystem: 44 violations in 22 tests"
    assert lines[1] == "    test_subject.py::test_writes[0] [passed]: open x0 (and 1 more)"
    assert len(lines) == 1 + reports.SUMMARY_TESTS_PER_KIND + 1
    assert lines[-1] == "    ... and 2 more tests (the json report lists all)"


def test_files_that_cannot_be_written_fail_the_run_and_each_is_named(
    run: Runner, pytester: pytest.Pytester
) -> None:
    (pytester.path / "blocker").write_text("a file, not a directory", encoding="utf-8")
    result = run(
        "import pytest\n\n@pytest.mark.small\ndef test_a(): pass\n",
        "--test-size-report-file=blocker/sizes.json",
        "--test-categories-suggest",
        "--test-categories-suggest-output=blocker/markers.txt",
    )
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # Both are said: the second failure does not replace the first.
    result.stdout.fnmatch_lines(
        [
            "could not write the size suggestions to *markers.txt: *",
            "could not write the size report to *sizes.json: *",
        ]
    )
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_the_example_in_the_guide_matches_the_schema() -> None:
    page = Path(__file__).parents[1] / "docs" / "reference" / "report.md"
    text = page.read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    validate(json.loads(example))


ONE_TEST = "import pytest\n\n@pytest.mark.small\ndef test_a(): pass\n"


def test_a_symlinked_report_file_is_replaced_behind_its_link(
    run: Runner, pytester: pytest.Pytester
) -> None:
    target = pytester.path / "real.json"
    target.write_text("old", encoding="utf-8")
    (pytester.path / "link.json").symlink_to(target)
    run(ONE_TEST, "--test-size-report-file=link.json").assert_outcomes(passed=1)
    assert (pytester.path / "link.json").is_symlink()
    validate(json.loads(target.read_text(encoding="utf-8")))


def test_a_fifo_is_written_into_not_replaced(run: Runner, pytester: pytest.Pytester) -> None:
    fifo = pytester.path / "sizes.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        result = run(ONE_TEST, "--test-size-report-file=sizes.fifo")
        received, _ = reader.communicate(timeout=30)
    finally:
        reader.kill()
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK
    validate(json.loads(received))
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_fifo_nobody_reads_is_an_error_not_a_hang(run: Runner, pytester: pytest.Pytester) -> None:
    fifo = pytester.path / "sizes.fifo"
    os.mkfifo(fifo)
    result = run(ONE_TEST, "--test-size-report-file=sizes.fifo")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["could not write the size report to *sizes.fifo: it is a FIFO that no process is reading"]
    )
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_character_device_is_written_into_not_replaced(
    run: Runner, pytester: pytest.Pytester
) -> None:
    (pytester.path / "null.json").symlink_to(os.devnull)
    result = run(ONE_TEST, "--test-size-report-file=null.json")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["size report (json) written to *null.json"])
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert (pytester.path / "null.json").is_symlink()


def test_a_link_to_standard_output_writes_there(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI.format(extra=""))
    pytester.makepyfile(test_subject=ONE_TEST)
    (pytester.path / "out.json").symlink_to("/proc/self/fd/1")
    # Standard output a pipe, as in CI: the report arrives in it, whole.
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--test-size-report-file=out.json",
        ],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    start = finished.stdout.index('{\n  "schema_version"')
    end = finished.stdout.index("\n}\n", start) + 3
    validate(json.loads(finished.stdout[start:end]))
    assert os.readlink(pytester.path / "out.json") == "/proc/self/fd/1"
    assert not list(pytester.path.glob(".*.tmp"))


def test_other_special_files_are_refused(run: Runner, pytester: pytest.Pytester) -> None:
    path = pytester.path / "sizes.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        result = run(ONE_TEST, "--test-size-report-file=sizes.sock")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "could not write the size report to *sizes.sock: it is not a file, a FIFO or "
            "a character device; give the path of a file"
        ]
    )
    assert stat.S_ISSOCK(path.lstat().st_mode)


# -- rendering and the configuration, called directly ------------------------------------------


def _records() -> list[_records_module.Record]:
    make = _records_module.record
    return [
        make("t.py::test_near", 0, "medium", "passed", 0.6, 1.0),
        make("t.py::test_quick", 1, "small", "failed", 0.001, 1.0),
        make("t.py::test_plain", 2, "unsized", "passed", 0.2, None),
    ]


def _run(**changes: Any) -> _render.Run:
    settings = Settings(
        enforcement=Mode.STRICT,
        allowances=Allowances(
            allowances.read_patterns("/project", ("data/**",)),
            allowances.hosts(("api.example.com:443", "10.0.0.0/8")),
        ),
    )
    records = _records()
    fields: dict[str, Any] = {
        "records": records,
        "pyramid": distribution.measure(_render.counts(records), settings.targets),
        "complete": True,
        "enforcement": Mode.STRICT,
        "distribution_enforcement": Mode.OFF,
        "configuration": reports.configuration(settings),
        "suite": {"tests": 3, "digest": "sha256:" + "0" * 64},
        "rootdir": "/project",
        "suggest": False,
    }
    return _render.Run(**{**fields, **changes})


def test_the_json_report_has_the_rootdir_and_an_explicit_configuration() -> None:
    document = json.loads(_render.render(_run(), "json"))
    validate(document)
    assert document["rootdir"] == "/project"
    configuration = document["run"]["configuration"]
    assert configuration["enforcement"] == "strict"
    assert configuration["targets"]["small"] == {"percent": 80.0, "tolerance": 5.0}
    assert configuration["allow_read"] == [r"/project/data/.*\Z"]
    assert configuration["allow_hosts"] == [
        {"name": "api.example.com", "network": None, "port": 443},
        {"name": None, "network": "10.0.0.0/8", "port": None},
    ]
    assert set(configuration) == set(
        reports.schema()["properties"]["run"]["properties"]["configuration"]["required"]
    )


def test_a_configuration_the_schema_does_not_name_is_refused() -> None:
    document = json.loads(_render.render(_run(configuration={"renamed": 1}), "json"))
    with pytest.raises(jsonschema.ValidationError):
        validate(document)


def test_the_texts_from_records_made_by_hand() -> None:
    lines = _render.detailed_lines(_run())
    assert lines[:3] == ["size       tests     share", "small          1    33.3 %",
                         "medium         1    33.3 %"]  # fmt: skip
    rows = lines[lines.index("tests, closest to their limit first:") + 2 :]
    assert [row.split()[-1] for row in rows] == ["t.py::test_near", "t.py::test_quick",
                                                 "t.py::test_plain"]  # fmt: skip
    assert rows[0].split()[:2] == ["60.0", "%"]
    assert _render.sizes_line(_render.counts(_records())) == "sizes: 1 small · 1 medium · 1 unsized"


def test_the_violation_summary_from_records_made_by_hand() -> None:
    entry: _records_module.ViolationEntry = {
        "kind": "filesystem", "code": "TC102", "operation": "open", "target": "x", "count": 2,
    }  # fmt: skip
    made = _records_module.record("t.py::test_w", 0, "small", "failed", 0.0, 1.0, [entry])
    title, lines = reports.violation_summary([made, *_records()])
    assert title == "test-categories: 2 violations in 1 test"
    assert lines == [
        "TC102 filesystem: 2 violations in 1 test",
        "    t.py::test_w [failed]: open x (and 1 more)",
    ]
    assert reports.violation_summary(_records()) == ("", [])


def test_expected_violations_are_counted_in_one_line_unless_verbose() -> None:
    entry: _records_module.ViolationEntry = {
        "kind": "sleep", "code": "TC104", "operation": "time.sleep", "target": "1 s", "count": 1,
    }  # fmt: skip
    failed = _records_module.record("t.py::test_w", 0, "small", "failed", 0.0, 1.0, [entry])
    declared = _records_module.record("t.py::test_x", 1, "small", "xfailed", 0.0, 1.0, [entry])
    assert reports.violation_summary([failed, declared], expected=False) == (
        "test-categories: 1 violation in 1 test",
        [
            "TC104 sleep: 1 violation in 1 test",
            "    t.py::test_w [failed]: time.sleep 1 s",
            "1 test made the violations expected of them (xfail, or a page's expect-violation):"
            " -v lists them",
        ],
    )
    title, lines = reports.violation_summary([declared], expected=False)
    assert title == "test-categories: 1 expected violation"
    assert len(lines) == 1
    title, lines = reports.violation_summary([failed, declared])
    assert title == "test-categories: 2 violations in 2 tests"
    assert "    t.py::test_x [xfailed]: time.sleep 1 s" in lines
