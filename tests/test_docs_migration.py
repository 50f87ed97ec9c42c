"""The migration page's tables hold for the real plugin, and list every name of 1.x.

``docs/how-to/migrate-from-1x.md`` maps 1.x to 2.0 in tables of three columns (1.x, 2.0, what
changed), one table per section. These tests read the tables and check each 2.0 name where the
plugin shows it: options and ini keys in ``pytest --help``, markers and their keywords in
``pytest --markers``, base classes in the package, codes in the ``violations`` module, report
fields and time limits in a real JSON report. Every 1.x name, taken from the source of
pytest-test-categories 1.2.1, must have a row, and a 1.x option or ini key the page calls
deprecated but accepted must be in ``pytest --help``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import pytest_test_categories
from conftest import Runner
from pytest_test_categories.violations import kind_from_name

PAGE = Path(__file__).parent.parent / "docs" / "how-to" / "migrate-from-1x.md"

OPTIONS = "Command-line options"
INI = "ini options"
MARKERS = "Markers, their arguments and base classes"
CODES = "Violation codes"
REPORT = "JSON report fields"
LIMITS = "Time limits"

#: Every public name of pytest-test-categories 1.2.1, per table of the page.
ONE_X: dict[str, set[str]] = {
    OPTIONS: {
        "--test-categories-enforcement",
        "--test-categories-distribution-enforcement",
        "--test-categories-small-target",
        "--test-categories-medium-target",
        "--test-categories-large-target",
        "--test-categories-tolerance",
        "--test-size-report",
        "--test-size-report-file",
        "--test-categories-suggest",
        "--test-categories-suggest-output",
    },
    INI: {
        "test_categories_enforcement",
        "test_categories_distribution_enforcement",
        "test_categories_small_target",
        "test_categories_medium_target",
        "test_categories_large_target",
        "test_categories_tolerance",
    },
    MARKERS: {
        "@pytest.mark.small",
        "@pytest.mark.medium",
        "@pytest.mark.large",
        "@pytest.mark.xlarge",
        "timeout=SECONDS",
        "@pytest.mark.medium(allow_external_systems=True)",
        "override=True",
        "SmallTest",
        "MediumTest",
        "LargeTest",
        "XLargeTest",
    },
    CODES: {f"TC00{n}" for n in range(1, 9)},
    REPORT: {
        "version",
        "timestamp",
        "summary.total_tests",
        "summary.distribution.<size>.count",
        "summary.distribution.<size>.percentage",
        "summary.distribution.<size>.target",
        "summary.violations.timing",
        "summary.violations.baseline",
        *(
            f"summary.violations.hermeticity.{kind}"
            for kind in ("network", "filesystem", "process", "database", "sleep", "total")
        ),
        *(f"tests[].{field}" for field in ("name", "size", "duration", "status", "violations")),
    },
    LIMITS: {"small: 1 s", "medium: 300 s", "large: 900 s", "xlarge: 900 s"},
}

#: What the report paths' placeholders stand for, when a path is looked up in a real report.
PLACEHOLDERS = {"<size>": "small", "<group>": "small", "<kind>": "network"}

_CODE = re.compile(r"`([^`]+)`")
_LIMIT = re.compile(r"^(\w+): ([\d.]+) s$")
_SIZES = ("small", "medium", "large", "xlarge")


@dataclass(frozen=True)
class Row:
    table: str
    line: int
    old: str
    new: str
    note: str

    def names(self, column: str) -> list[str]:
        """The names in a column: its code spans, or for time limits the whole cell."""
        cell = getattr(self, column)
        if self.table == LIMITS:
            return [cell] if _LIMIT.match(cell) else []
        return _CODE.findall(cell)

    def __str__(self) -> str:
        return f"migrate-from-1x.md:{self.line}"


def page_rows() -> list[Row]:
    rows: list[Row] = []
    table = ""
    for number, line in enumerate(PAGE.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            table = line.removeprefix("## ")
        if not line.startswith("| "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells in (["1.x", "2.0", "what changed"], ["---"] * 3):
            continue
        assert len(cells) == 3, f"line {number}: a row of the migration table has 3 cells"
        rows.append(Row(table, number, *cells))
    return rows


ROWS = page_rows()


def rows_of(table: str) -> list[Row]:
    return [row for row in ROWS if row.table == table]


def test_the_page_has_every_table() -> None:
    assert {row.table for row in ROWS} == set(ONE_X)


@pytest.mark.parametrize("table", list(ONE_X))
def test_every_1x_name_has_a_row(table: str) -> None:
    listed = [name for row in rows_of(table) for name in row.names("old")]
    assert sorted(set(listed)) == sorted(listed), "a 1.x name has two rows"
    assert set(listed) == ONE_X[table]


@pytest.fixture
def help_text(pytester: pytest.Pytester) -> str:
    result = pytester.runpytest("-p", "no:cacheprovider", "--help")
    assert result.ret == 0
    return result.stdout.str()


def _in_help(name: str, help_text: str) -> bool:
    if name.startswith("--"):
        return re.search(rf"^\s+{re.escape(name)}[=\s]", help_text, re.M) is not None
    return re.search(rf"^\s+{re.escape(name)} \(", help_text, re.M) is not None


def test_every_2_0_option_and_ini_key_is_in_the_help(help_text: str) -> None:
    rows = rows_of(OPTIONS) + rows_of(INI)
    missing = [f"{row}: {name}" for row in rows for name in row.names("new")]
    missing = [entry for entry in missing if not _in_help(entry.split(": ")[1], help_text)]
    assert [name for row in rows for name in row.names("new")], "no 2.0 names found"
    assert missing == []


def test_every_deprecated_1x_name_is_accepted(help_text: str) -> None:
    """Rows that say a 1.x option or ini key still works: pytest must know that name."""
    rows = [row for row in rows_of(OPTIONS) + rows_of(INI) if row.note.startswith("Deprecated")]
    assert len(rows) == 8
    missing = [f"{row}: {name}" for row in rows for name in row.names("old")]
    assert [entry for entry in missing if not _in_help(entry.split(": ")[1], help_text)] == []


def _marker_line(name: str, markers: str) -> str | None:
    return next((line for line in markers.splitlines() if line.startswith(f"{name}(")), None)


def test_every_2_0_marker_keyword_and_class_exists(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider", "--markers")
    markers = result.stdout.str()
    missing = []
    for row in rows_of(MARKERS):
        for name in row.names("new"):
            marker = re.fullmatch(r"(@pytest\.mark\.\w+)(?:\((\w+)=.*\))?", name)
            keyword = re.fullmatch(r"(\w+)=\w+", name)
            if marker:
                line = _marker_line(marker.group(1), markers)
                ok = line is not None and f"{marker.group(2)}=" in line if marker.group(2) else line
            elif keyword:
                lines = [_marker_line(f"@pytest.mark.{size}", markers) or "" for size in _SIZES]
                ok = all(f"{keyword.group(1)}=" in line for line in lines)
            else:
                base = getattr(pytest_test_categories, name, None)
                ok = isinstance(base, type) and name in pytest_test_categories.__all__
            if not ok:
                missing.append(f"{row}: {name}")
    assert missing == []


@pytest.mark.parametrize("row", rows_of(CODES), ids=str)
def test_each_2_0_code_is_the_kind_the_row_names(row: Row) -> None:
    names = row.names("new")
    if not names:
        assert row.new == "none"
        return
    code, kind = names
    assert kind_from_name(code).value == kind


def _missing(report: dict[str, object], path: str) -> str | None:
    """Why ``path`` is not in ``report``, or ``None`` if it is."""
    node: object = report
    for part in path.split("."):
        key = PLACEHOLDERS.get(part.removesuffix("[]"), part.removesuffix("[]"))
        if not isinstance(node, dict) or key not in node:
            return f"{path}: no field {key!r}"
        node = node[key]
        if part.endswith("[]"):
            if not isinstance(node, list) or not node:
                return f"{path}: {key} is not a list with entries"
            node = node[0]
    return None


def test_every_2_0_report_field_and_limit_is_in_a_real_report(run: Runner) -> None:
    source = """
        import pytest

        @pytest.mark.small
        def test_one():
            pass
    """
    result = run(source, "--test-size-report=json", "--test-size-report-file=sizes.json")
    assert result.ret == 0
    report = json.loads((run.pytester.path / "sizes.json").read_text())

    paths = [name for row in rows_of(REPORT) for name in row.names("new")]
    assert len(paths) >= 15
    missing = [why for why in (_missing(report, path) for path in paths) if why]
    limits = [_LIMIT.fullmatch(name) for row in rows_of(LIMITS) for name in row.names("new")]
    shown = {match.group(1): float(match.group(2)) for match in limits if match}
    assert (missing, shown) == ([], report["limits"])
