"""Options: resolved once, command line over ini, and every bad value named with its source.

Option parsing involves no signal, interpreter state or exit code of a process of its own: most
runs here are in-process (:func:`check`)."""

from __future__ import annotations

import pytest

from conftest import INI, Runner

PASSING = """
import pytest

@pytest.mark.small
def test_fine():
    pass
"""


def check(pytester: pytest.Pytester, *args: str, ini: str = "") -> pytest.RunResult:
    """Run pytest in this process on the passing module, with ``ini`` in tox.ini."""
    pytester.makeini(INI.format(extra=ini))
    pytester.makepyfile(test_subject=PASSING)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


@pytest.mark.parametrize("value", ["Strict", "on", "", "true"])
def test_bad_enforcement_in_ini_is_a_usage_error(pytester: pytest.Pytester, value: str) -> None:
    result = check(pytester, ini=f"test_categories_enforcement = {value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"ERROR: ini option test_categories_enforcement in tox.ini: {value!r} is not a valid "
            "enforcement mode; use one of off, warn, strict (lower case)."
        ]
    )


def test_bad_enforcement_on_the_command_line_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = check(pytester, "--test-categories-enforcement=STRICT")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: command-line option --test-categories-enforcement: 'STRICT' is not a valid *"]
    )


def test_command_line_wins_over_ini(run: Runner) -> None:
    # The ini value would be rejected; the command line replaces it, so it is never used.
    result = run(PASSING, ini="test_categories_enforcement = bogus", enforcement="warn")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("mode", ["off", "warn", "strict"])
def test_every_valid_mode_is_accepted(run: Runner, mode: str) -> None:
    result = run(PASSING, ini=f"test_categories_enforcement = {mode}", enforcement=None)
    result.assert_outcomes(passed=1)


def test_bad_distribution_mode_names_its_option(pytester: pytest.Pytester) -> None:
    result = check(pytester, ini="test_categories_distribution_enforcement = loud")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: ini option test_categories_distribution_enforcement in tox.ini: 'loud' *"]
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("small=80, medium=15, large=15", "the targets add up to 110 %, not 100 %"),
        ("small=80, medium=20", "gives no value for large"),
        ("small=80, medium=15, huge=5", "'huge=5' is not of the form SIZE=PERCENT"),
        ("small=eighty, medium=15, large=5", "'small=eighty' needs a percentage from 0 to 100"),
        ("small=-5, medium=100, large=5", "'small=-5' needs a percentage from 0 to 100"),
    ],
)
def test_bad_distribution_targets_are_usage_errors(
    pytester: pytest.Pytester, setting: str, message: str
) -> None:
    result = check(pytester, ini=f"test_categories_distribution_targets = {setting}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: ini option test_categories_distribution_targets in tox.ini: *{message}*"]
    )


def test_targets_from_the_command_line_are_named_as_such(pytester: pytest.Pytester) -> None:
    result = check(pytester, "--test-categories-distribution-targets=small=50,medium=10,large=10")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: command-line option --test-categories-distribution-targets: *add up to 70 %*"]
    )


def test_unknown_report_format_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = check(pytester, "--test-size-report=fancy")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: command-line option --test-size-report: 'fancy' is not a report format; *"]
    )


def test_options_are_documented_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--help")
    result.stdout.fnmatch_lines(
        [
            "test sizes, time limits and isolation:",
            "*--test-categories-enforcement=VALUE*",
            "*Resource isolation of sized tests: off (default), warn*",
        ]
    )
    result.stdout.fnmatch_lines(["*test_categories_enforcement (string):*"])


def test_plugin_is_loaded_through_its_entry_point(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--version", "--version")
    result.stdout.fnmatch_lines(["*pytest-test-categories-*"])


@pytest.mark.parametrize(
    ("option", "setting", "twice"),
    [
        ("test_categories_distribution_targets", "small=80, medium=15, small=5", "small"),
        (
            "test_categories_distribution_tolerances",
            "small=5, medium=5, large=3, medium=9",
            "medium",
        ),
    ],
)
def test_a_size_given_twice_is_a_usage_error(
    pytester: pytest.Pytester, option: str, setting: str, twice: str
) -> None:
    result = check(pytester, ini=f"{option} = {setting}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: ini option {option} in tox.ini: {setting!r} gives {twice} twice; give each *"]
    )


def test_a_bad_require_size_value_names_the_option(pytester: pytest.Pytester) -> None:
    result = check(pytester, ini="test_categories_require_size = maybe")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: ini option test_categories_require_size in tox.ini: invalid truth value "
            "'maybe'; use true or false."
        ]
    )


@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_report_file_is_refused_at_start_up(pytester: pytest.Pytester, value: str) -> None:
    result = check(pytester, f"--test-size-report-file={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: command-line option --test-size-report-file: the path is empty; *"]
    )
    assert "passed" not in result.stdout.str()  # refused before any test ran


def test_a_directory_as_report_file_is_refused_at_start_up(pytester: pytest.Pytester) -> None:
    (pytester.path / "reports").mkdir()
    result = check(pytester, "--test-size-report-file=reports")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: command-line option --test-size-report-file: 'reports' is a directory; *"]
    )
    assert (pytester.path / "reports").is_dir()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("test_categories_enforcement", "loud", "'loud' is not a valid enforcement mode"),
        (
            "test_categories_require_size",
            "maybe",
            "invalid truth value 'maybe'; use true or false.",
        ),
        ("test_categories_markdown_size", "huge", "'huge' names no size"),
    ],
)
def test_a_bad_value_given_with_o_is_named_as_from_the_command_line(
    pytester: pytest.Pytester, option: str, value: str, message: str
) -> None:
    result = check(pytester, "-o", f"{option}={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: ini option {option} given with -o on the command line: *{message}*"]
    )
    assert "tox.ini" not in result.stderr.str()
