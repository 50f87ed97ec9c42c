"""Size suggestions: ``--test-categories-suggest`` names the size each test fits."""

from __future__ import annotations

import json
import re
import sys
import textwrap

import jsonschema
import pytest

from conftest import INI
from pytest_test_categories import reports, suggest
from pytest_test_categories._records import ViolationEntry, record

SUITE = """
    import socket
    import subprocess
    import sys
    import threading
    import time

    import pytest


    def _refuse_remote(event, args):
        # Registered after the plugin's audit hook, so the plugin sees the connect first; then
        # this refuses it before a packet leaves the machine.
        if event == "socket.connect" and isinstance(args[1], tuple):
            if not str(args[1][0]).startswith("127."):
                raise PermissionError("no remote hosts in this test suite")


    sys.addaudithook(_refuse_remote)


    def _spin(seconds):
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            pass


    def test_pure():
        assert sum(range(10)) == 45


    def test_writes_tmp_path(tmp_path):
        (tmp_path / "out.txt").write_text("hi")


    def test_loopback_server():
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen()
        client = socket.create_connection(server.getsockname())
        client.close()
        server.close()


    def test_remote_host():
        with pytest.raises(OSError):
            socket.create_connection(("192.0.2.1", 80), timeout=1)


    def test_subprocess():
        subprocess.run([sys.executable, "-c", "pass"], check=True)


    def test_thread():
        worker = threading.Thread(target=lambda: None, name="worker")
        worker.start()
        worker.join()


    def test_sleeps():
        time.sleep(0.01)


    def test_most_of_a_second():
        _spin(0.6)


    @pytest.mark.small
    def test_marked_small_writes(tmp_path):
        (tmp_path / "x").write_text("x")


    @pytest.mark.large
    def test_marked_large_pure():
        assert True


    @pytest.mark.small
    def test_marked_small_right():
        assert True


    @pytest.mark.small
    def test_marked_small_too_slow():
        _spin(3)


    @pytest.mark.parametrize("n", [0, 1])
    def test_param(n, tmp_path):
        if n:
            (tmp_path / "f").write_text("x")
"""

EXPECTED = {
    "test_pure": ("small", "unsized", ["no guarded resource, fast"]),
    "test_writes_tmp_path": ("medium", "unsized", ["uses tmp_path"]),
    "test_loopback_server": ("medium", "unsized", ["uses the loopback network (127.0.0.1)"]),
    "test_remote_host": ("large", "unsized", ["connects to 192.0.2.1:80"]),
    "test_subprocess": ("medium", "unsized", None),
    "test_thread": ("medium", "unsized", ["starts a thread (worker)"]),
    "test_sleeps": ("medium", "unsized", ["sleeps (time.sleep 0.01 s)"]),
    "test_most_of_a_second": (
        "medium",
        "unsized",
        ["takes more than 50% of the small limit (1 s)"],
    ),
    "test_marked_small_writes": ("medium", "too-small", ["uses tmp_path"]),
    "test_marked_large_pure": ("small", "too-big", ["no guarded resource, fast"]),
    "test_marked_small_right": ("small", "right", ["no guarded resource, fast"]),
    "test_marked_small_too_slow": (
        "medium",
        "too-small",
        [
            "was stopped at its 1 s limit",
            "the test did not pass: it may need more than it got to do",
        ],
    ),
    # Asking for tmp_path creates a folder: the fixture's work is charged to the test.
    "test_param[0]": ("medium", "unsized", ["uses tmp_path"]),
    "test_param[1]": ("medium", "unsized", ["uses tmp_path"]),
}

_SECONDS = re.compile(r"\d+\.\d\d s\b")


def _suggest(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict, str]:
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--test-categories-enforcement=strict",
        "--test-categories-suggest",
        "--test-categories-suggest-output=sizes.txt",
        "--test-size-report=json",
        "--test-size-report-file=report.json",
        *args,
    )
    report = json.loads((pytester.path / "report.json").read_text())
    markers = (pytester.path / "sizes.txt").read_text()
    return result, report, markers


def _summary(result: pytest.RunResult) -> list[str]:
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if "size suggestions" in line)
    block = []
    for line in lines[start + 1 :]:
        if line.startswith(("=", "size suggestions written")):
            break
        block.append(_SECONDS.sub("N s", line))
    return block


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI.format(extra=""))
    pytester.makepyfile(test_mixed=textwrap.dedent(SUITE))
    return pytester


def test_each_test_gets_the_smallest_size_and_why_in_the_report_summary_and_marker_file(
    suite: pytest.Pytester,
) -> None:
    # One run, three outputs: the JSON report, the summary in the terminal, the marker file.
    source = (suite.path / "test_mixed.py").read_text()
    result, report, markers = _suggest(suite)
    # Observing fails nothing because of a guard; the time limit still stops a sized test.
    result.assert_outcomes(passed=13, failed=1)
    assert "test_marked_small_too_slow" in result.stdout.str()
    assert (suite.path / "test_mixed.py").read_text() == source  # sources stay untouched
    by_test = {s["nodeid"].split("::", 1)[1]: s for s in report["suggestions"]["tests"]}
    assert set(by_test) == set(EXPECTED)
    for name, (size, verdict, reasons) in EXPECTED.items():
        suggestion = by_test[name]
        assert (suggestion["suggested"], suggestion["verdict"]) == (size, verdict), name
        if reasons is not None:
            assert suggestion["reasons"] == reasons, name
    command = by_test["test_subprocess"]["reasons"]
    assert len(command) == 1
    assert command[0].startswith("starts a subprocess (")
    assert command[0].endswith(" -c pass)")
    assert report["schema_version"] == 2
    jsonschema.Draft202012Validator(reports.schema()).validate(report)
    assert report["suggestions"]["margin"] == 0.5
    assert report["suggestions"]["counts"] == {"small": 3, "medium": 10, "large": 1, "xlarge": 0}
    assert report["suggestions"]["verdicts"] == {
        "unsized": 10,
        "right": 1,
        "too-big": 1,
        "too-small": 2,
    }

    # The summary groups the tests by file and shows the pyramid.
    summary = _summary(result)
    assert summary[0] == "test_mixed.py"
    assert "  medium  test_writes_tmp_path: uses tmp_path; N s" in summary
    assert (
        "  small   test_marked_large_pure: no guarded resource, fast; N s (marked large: too big)"
    ) in summary
    assert "with these sizes: 3 small (21.4 %) · 10 medium (71.4 %) · 1 large (7.1 %)" in summary
    assert "3 sized tests would change size (see above: 'too big' or 'too small')" in summary

    # The marker file lists what to add, per function.
    lines = markers.splitlines()
    assert lines[0].startswith("# Size suggestions from pytest-test-categories ")
    assert "# test_mixed.py" in lines
    assert "test_mixed.py:31: test_writes_tmp_path: @pytest.mark.medium  # uses tmp_path" in lines
    assert (
        "test_mixed.py:72: test_marked_large_pure: @pytest.mark.small (now large)  "
        "# no guarded resource, fast"
    ) in lines
    # A parametrized function gets the biggest size of its cases, once.
    assert [line for line in lines if "test_param" in line] == [
        "test_mixed.py:87: test_param: @pytest.mark.medium  # uses tmp_path"
    ]
    # A test whose size is right needs nothing.
    assert not any("test_marked_small_right" in line for line in lines)


@pytest.mark.plugins("xdist")
def test_same_suggestions_with_pytest_xdist(suite: pytest.Pytester) -> None:
    plain_result, plain, plain_markers = _suggest(suite)
    spread_result, spread, spread_markers = _suggest(suite, "-n", "2")
    plain_result_lines = _summary(plain_result)
    spread_result_lines = _summary(spread_result)

    def without_times(report: dict) -> list[dict]:
        return [
            {k: v for k, v in s.items() if k != "duration"} for s in report["suggestions"]["tests"]
        ]

    assert without_times(spread) == without_times(plain)
    assert spread["suggestions"]["counts"] == plain["suggestions"]["counts"]
    assert spread_markers == plain_markers
    assert spread_result_lines == plain_result_lines


def test_output_file_needs_the_suggest_flag(suite: pytest.Pytester) -> None:
    result = suite.runpytest_inprocess("--test-categories-suggest-output=sizes.txt")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--test-categories-suggest-output needs --test-categories-suggest*"]
    )
    assert not (suite.path / "sizes.txt").exists()


def test_empty_output_path_is_refused_at_start(suite: pytest.Pytester) -> None:
    result = suite.runpytest_inprocess(
        "--test-categories-suggest", "--test-categories-suggest-output="
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--test-categories-suggest-output: the path is empty*"])


def test_without_the_flag_there_is_no_section(suite: pytest.Pytester) -> None:
    result = suite.runpytest(
        "-p",
        "no:cacheprovider",
        "-k",
        "pure or tmp_path",
        "--test-size-report=json",
        "--test-size-report-file=report.json",
    )
    result.assert_outcomes(passed=3)
    assert "size suggestions" not in result.stdout.str()
    assert "suggestions" not in json.loads((suite.path / "report.json").read_text())


def test_merged_shards_carry_the_suggestions_of_the_whole_run(suite: pytest.Pytester) -> None:
    _, whole, _ = _suggest(suite)
    shards = []
    for number, selection in enumerate(
        ("pure or tmp_path or thread", "not (pure or tmp_path or thread)")
    ):
        suite.runpytest(
            "-p",
            "no:cacheprovider",
            "--test-categories-suggest",
            "-k",
            selection,
            f"--test-size-report-file=shard-{number}.json",
        )
        shards.append(f"shard-{number}.json")
    merged = suite.run(
        sys.executable, "-m", "pytest_test_categories.merge", "--output", "merged.json", *shards
    )
    assert merged.ret == 0, merged.stderr.str()
    report = json.loads((suite.path / "merged.json").read_text())
    jsonschema.Draft202012Validator(reports.schema()).validate(report)

    def without_times(document: dict) -> list[dict]:
        return [
            {k: v for k, v in s.items() if k != "duration"}
            for s in document["suggestions"]["tests"]
        ]

    assert without_times(report) == without_times(whole)
    assert report["suggestions"]["counts"] == whole["suggestions"]["counts"]


def test_the_suggestion_for_a_record_made_by_hand() -> None:
    entry: ViolationEntry = {
        "kind": "network", "code": "TC101", "operation": "socket.connect",
        "target": "127.0.0.1:5432", "count": 1,
    }  # fmt: skip
    made = record("t.py::test_db", 3, "small", "passed", 0.01, 1.0, [entry])
    suggestion = suggest.suggest(made, path="t.py", line=4, function="test_db")
    assert (suggestion["suggested"], suggestion["verdict"]) == ("medium", "too-small")
    assert suggestion["reasons"] == ["uses the loopback network (127.0.0.1)"]
    slow = record("t.py::test_slow", 0, "unsized", "passed", 0.6, None)
    assert suggest.suggest(slow, path="t.py", line=1, function="test_slow")["reasons"] == [
        "takes more than 50% of the small limit (1 s)"
    ]
