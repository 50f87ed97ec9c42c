"""pytest-test-categories 1.x's names for the pyramid's targets: accepted, with a warning each."""

from __future__ import annotations

import pytest

from conftest import Runner
from pytest_test_categories._legacy import DEPRECATED

PASSING = """
import pytest

@pytest.mark.small
def test_fine():
    pass
"""

#: The new option, set in the ini file, so that the 1.x value still adds up to 100.
NEW_TARGETS = "test_categories_distribution_targets = small=75, medium=20, large=5"

#: Per 1.x name: its value, and the pyramid row (basic report) that shows it took effect.
CASES = {
    "small": ("70", "small          1   100.0 %   70 % ± 5 "),
    "medium": ("25", "medium         0     0.0 %   25 % ± 5 "),
    "large": ("10", "large          0     0.0 %   10 % ± 3 "),
    None: ("4", "large          0     0.0 %   5 % ± 4 "),
}
#: The targets that add up to 100 with each 1.x value.
TARGETS = {
    "small": "small=80, medium=25, large=5",
    "medium": "small=70, medium=15, large=5",
    "large": "small=70, medium=20, large=5",
    None: "small=80, medium=15, large=5",
}


def test_every_1x_name_is_known() -> None:
    assert [(flag, ini) for flag, ini, _ in DEPRECATED] == [
        ("--test-categories-small-target", "test_categories_small_target"),
        ("--test-categories-medium-target", "test_categories_medium_target"),
        ("--test-categories-large-target", "test_categories_large_target"),
        ("--test-categories-tolerance", "test_categories_tolerance"),
    ]


def _new_name(group: str | None, *, on_cli: bool) -> str:
    if on_cli:
        return (
            "--test-categories-distribution-targets=small=80,medium=15,large=5"
            if group
            else "--test-categories-distribution-tolerances=small=5,medium=5,large=3"
        )
    return (
        'test_categories_distribution_targets = "small=80, medium=15, large=5"'
        if group
        else 'test_categories_distribution_tolerances = "small=5, medium=5, large=3"'
    )


@pytest.mark.parametrize(("flag", "ini", "group"), DEPRECATED, ids=[d[0] for d in DEPRECATED])
def test_a_1x_option_works_and_warns(run: Runner, flag: str, ini: str, group: str | None) -> None:
    value, row = CASES[group]
    result = run(
        PASSING,
        f"{flag}={value}",
        "--test-size-report",
        ini=f"test_categories_distribution_targets = {TARGETS[group]}",
    )
    assert result.ret == pytest.ExitCode.OK
    assert any(line.startswith(row) for line in result.outlines), result.stdout.str()
    new = _new_name(group, on_cli=True)
    result.stdout.fnmatch_lines(
        [
            f"*DeprecatedOptionWarning: command-line option {flag} is a deprecated name from "
            f"pytest-test-categories 1.x; use {new} instead*"
        ]
    )


@pytest.mark.parametrize(("flag", "ini", "group"), DEPRECATED, ids=[d[1] for d in DEPRECATED])
def test_a_1x_ini_key_works_and_warns(run: Runner, flag: str, ini: str, group: str | None) -> None:
    value, row = CASES[group]
    result = run(
        PASSING,
        "--test-size-report",
        ini=f"test_categories_distribution_targets = {TARGETS[group]}\n{ini} = {value}",
    )
    assert result.ret == pytest.ExitCode.OK
    assert any(line.startswith(row) for line in result.outlines), result.stdout.str()
    new = _new_name(group, on_cli=False)
    result.stdout.fnmatch_lines(
        [
            f"*DeprecatedOptionWarning: ini option {ini} in tox.ini is a deprecated name from "
            f"pytest-test-categories 1.x; use {new} instead*"
        ]
    )


def test_1x_configuration_alone_drives_the_pyramid_check(run: Runner) -> None:
    # 1.x's own settings: three targets and one tolerance, nothing else.
    result = run(
        PASSING + "\n\n@pytest.mark.medium\ndef test_medium():\n    pass\n",
        "--test-categories-distribution-enforcement=strict",
        ini="test_categories_small_target = 60\ntest_categories_medium_target = 30\n"
        "test_categories_large_target = 10\ntest_categories_tolerance = 2",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "  small: 50.0 %, 8.0 points below its minimum of 58 % (target 60 % ± 2)*",
            "  medium: 50.0 %, 18.0 points above its maximum of 32 % (target 30 % ± 2)*",
        ]
    )
    assert result.stdout.str().count("DeprecatedOptionWarning: ini option") == 4


def test_the_new_option_on_the_command_line_wins_over_a_1x_ini_key(run: Runner) -> None:
    result = run(
        PASSING,
        "--test-size-report",
        "--test-categories-distribution-targets=small=90,medium=5,large=5",
        ini="test_categories_small_target = 10",
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["small          1   100.0 %   90 % ± 5 *"])
    assert "DeprecatedOptionWarning" not in result.stdout.str()


def test_1x_targets_that_do_not_add_up_name_where_they_came_from(run: Runner) -> None:
    result = run(PASSING, "--test-categories-small-target=50")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: command-line option --test-categories-small-target: the targets add up to "
            "70 %, not 100 %; *"
        ]
    )


def test_a_bad_1x_value_is_a_usage_error(run: Runner) -> None:
    result = run(PASSING, ini="test_categories_tolerance = lots")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: ini option test_categories_tolerance in tox.ini: 'lots' needs a percentage *"]
    )


def test_under_filterwarnings_error_a_1x_name_is_a_clear_usage_error(run: Runner) -> None:
    result = run(PASSING, "--test-categories-tolerance=4", ini="filterwarnings = error")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: command-line option --test-categories-tolerance is a deprecated name *"
            "--test-categories-distribution-tolerances=*(filterwarnings turns this "
            "DeprecatedOptionWarning into an error.)"
        ]
    )
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_1x_names_are_in_the_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "*--test-categories-small-target=PERCENT*",
            "*Deprecated (1.x): the small target in percent; use*",
        ]
    )
    result.stdout.fnmatch_lines(["*test_categories_tolerance (string):*"])
