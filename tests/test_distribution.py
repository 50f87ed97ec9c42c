"""The test pyramid: what is counted, the warn and strict verdicts, and the fixes they propose."""

from __future__ import annotations

import json

import pytest

from conftest import Runner
from pytest_test_categories import distribution
from pytest_test_categories.config import Target

DEFAULT_TARGETS = (
    ("small", Target(80.0, 5.0)),
    ("medium", Target(15.0, 5.0)),
    ("large", Target(5.0, 3.0)),
)


def suite(
    small: int = 0, medium: int = 0, large: int = 0, xlarge: int = 0, unsized: int = 0
) -> str:
    """A module with that many passing tests of each size."""
    lines = ["import pytest", ""]
    for size, count in (("small", small), ("medium", medium), ("large", large), ("xlarge", xlarge)):
        for number in range(count):
            lines += [f"@pytest.mark.{size}", f"def test_{size}_{number}(): pass", ""]
    lines += [f"def test_unsized_{number}(): pass\n" for number in range(unsized)]
    return "\n".join(lines)


# 5 small, 4 medium, 1 large: small 25 points short, medium 20 over, large 2 over.
OFF_TARGET = suite(small=5, medium=4, large=1, unsized=2)

OFF_TARGET_LINES = [
    "The test pyramid is off target for small, medium and large, over 10 sized tests "
    "(5 small, 4 medium, 1 large; 2 unsized not counted):",
    "  small: 50.0 %, 25.0 points below its minimum of 75 % (target 80 % ± 5). To fix it: "
    "add at least 10 small tests, or turn at least 3 medium or large tests into small ones.",
    "  medium: 40.0 %, 20.0 points above its maximum of 20 % (target 15 % ± 5). To fix it: "
    "turn at least 2 medium tests into smaller ones (split them, mock or fake what makes them "
    "medium), or add at least 10 small tests.",
    "  large: 10.0 %, 2.0 points above its maximum of 8 % (target 5 % ± 3). To fix it: "
    "turn at least 1 large test into a smaller one (split it, mock or fake what makes it "
    "large), or add at least 3 small tests.",
    "Change the targets with test_categories_distribution_targets and "
    "test_categories_distribution_tolerances, or stop the check with "
    "test_categories_distribution_enforcement = off.",
]

HOLDS = suite(small=16, medium=3, large=1)


def pyramid_verdict(result: pytest.RunResult) -> list[str]:
    """Whatever the run said about the pyramid's targets."""
    return [line for line in result.outlines if "test pyramid" in line or "off target" in line]


def test_warn_adds_a_warning_that_says_what_is_off_and_how_to_fix_it(run: Runner) -> None:
    result = run(OFF_TARGET, "--test-categories-distribution-enforcement=warn")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=12, warnings=1)
    output = result.stdout.str()
    assert "DistributionWarning: " + OFF_TARGET_LINES[0] in output
    for line in OFF_TARGET_LINES[1:]:
        assert f"  {line}\n" in output  # pytest indents a warning's lines
    result.stdout.fnmatch_lines(["*warnings summary*", "tox.ini:0"])
    result.stdout.no_fnmatch_line("*= test pyramid =*")


def test_warn_is_a_pytest_warning() -> None:
    assert issubclass(distribution.DistributionWarning, pytest.PytestWarning)


def test_strict_fails_the_run_with_the_message(run: Runner) -> None:
    result = run(OFF_TARGET, ini="test_categories_distribution_enforcement = strict")
    result.assert_outcomes(passed=12)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    output = result.stdout.str()
    assert "INTERNALERROR" not in output + result.stderr.str()
    result.stdout.fnmatch_lines(["=*= test pyramid =*="])
    start = result.outlines.index(OFF_TARGET_LINES[0])
    assert result.outlines[start : start + 6] == [*OFF_TARGET_LINES, distribution.STRICT_REASON]


def test_strict_passes_when_the_pyramid_holds(run: Runner) -> None:
    result = run(HOLDS, "--test-categories-distribution-enforcement=strict")
    assert result.ret == pytest.ExitCode.OK
    assert not pyramid_verdict(result)


def test_a_failing_test_keeps_its_own_exit_status(run: Runner) -> None:
    result = run(
        OFF_TARGET + "\n@pytest.mark.small\ndef test_fails(): assert False\n",
        "--test-categories-distribution-enforcement=strict",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["=*= test pyramid =*="])


def test_deselected_tests_are_not_counted(run: Runner) -> None:
    source = HOLDS + "\n".join(
        f"@pytest.mark.medium\ndef test_integration_{n}(): pass\n" for n in range(10)
    )
    strict = "--test-categories-distribution-enforcement=strict"
    everything = run(source, strict)
    assert everything.ret == pytest.ExitCode.TESTS_FAILED
    assert "sizes: 16 small · 13 medium · 1 large" in everything.outlines

    selected = run(source, strict, "-k", "not integration")
    assert selected.ret == pytest.ExitCode.OK
    selected.assert_outcomes(passed=20)
    assert "sizes: 16 small · 3 medium · 1 large" in selected.outlines


def test_tests_deselected_by_marker_are_not_counted(run: Runner) -> None:
    source = HOLDS + "\n".join(
        f"@pytest.mark.slow\n@pytest.mark.large\ndef test_slow_{n}(): pass\n" for n in range(5)
    )
    result = run(
        source,
        "-m",
        "not slow",
        ini="markers =\n    slow: slow\ntest_categories_distribution_enforcement = strict",
    )
    assert result.ret == pytest.ExitCode.OK
    assert "sizes: 16 small · 3 medium · 1 large" in result.outlines


def test_unsized_tests_are_not_part_of_the_pyramid(run: Runner) -> None:
    result = run(
        suite(small=8, medium=2, unsized=30), "--test-categories-distribution-enforcement=strict"
    )
    assert result.ret == pytest.ExitCode.OK


def test_a_run_without_sized_tests_is_reported_not_failed(
    run: Runner, pytester: pytest.Pytester
) -> None:
    result = run(
        suite(unsized=3),
        "--test-categories-distribution-enforcement=strict",
        "--test-size-report",
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        ["pyramid: no sized tests ran, so there is nothing to compare with the targets"]
    )
    run(
        suite(unsized=3),
        "--test-categories-distribution-enforcement=strict",
        "--test-size-report-file=sizes.json",
    )
    document = json.loads((pytester.path / "sizes.json").read_text(encoding="utf-8"))
    assert document["distribution"]["status"] == "no-sized-tests"
    assert document["distribution"]["ok"] is True


def test_large_counts_xlarge_tests(run: Runner) -> None:
    result = run(
        suite(small=16, medium=3, xlarge=1),
        "--test-categories-distribution-enforcement=strict",
        "--test-size-report",
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["large          1     5.0 %   5 % ± 3     <= 8 %    ok"])
    result = run(
        suite(small=16, medium=2, large=1, xlarge=1),
        "--test-categories-distribution-enforcement=strict",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["  large: 10.0 %, 2.0 points above its maximum of 8 %*"])


def test_more_small_tests_never_break_the_pyramid(run: Runner) -> None:
    result = run(suite(small=20), "--test-categories-distribution-enforcement=strict")
    assert result.ret == pytest.ExitCode.OK


def test_targets_and_tolerances_come_from_the_ini_file_and_the_command_line(run: Runner) -> None:
    source = suite(small=5, medium=3, large=2)
    ini = (
        "test_categories_distribution_enforcement = strict\n"
        "test_categories_distribution_targets = small=50, medium=30, large=20\n"
        "test_categories_distribution_tolerances = small=0, medium=0, large=0"
    )
    assert run(source, ini=ini).ret == pytest.ExitCode.OK
    result = run(
        source, "--test-categories-distribution-targets=small=60, medium=30, large=10", ini=ini
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "  small: 50.0 %, 10.0 points below its minimum of 60 % (target 60 % ± 0)*",
            "  large: 20.0 %, 10.0 points above its maximum of 10 % (target 10 % ± 0)*",
        ]
    )


def test_warnings_made_errors_fail_the_run_instead_of_crashing(run: Runner) -> None:
    result = run(
        OFF_TARGET,
        ini="test_categories_distribution_enforcement = warn\nfilterwarnings = error",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines([OFF_TARGET_LINES[0], "*", distribution.WARNING_AS_ERROR_REASON])


@pytest.mark.parametrize("stop", ["-x", "--maxfail=1"])
def test_a_run_that_stopped_early_is_not_checked(run: Runner, stop: str) -> None:
    result = run(
        "import pytest\n\n@pytest.mark.medium\ndef test_fails(): assert False\n\n" + HOLDS,
        stop,
        "--test-categories-distribution-enforcement=strict",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["The test pyramid was not checked: the run stopped early (1 of 21 tests ran)."]
    )
    assert "off target" not in result.stdout.str()


def test_off_checks_nothing(run: Runner) -> None:
    result = run(OFF_TARGET, "--test-categories-distribution-enforcement=off")
    assert result.ret == pytest.ExitCode.OK
    assert not pyramid_verdict(result)


# -- the arithmetic of the proposed fixes ------------------------------------------------------


@pytest.mark.parametrize(
    ("small", "medium", "large"),
    [
        (5, 4, 1),
        (0, 10, 0),
        (70, 25, 5),
        (74, 20, 6),
        (1, 0, 1),
        (30, 1, 9),
        (3, 97, 0),
        (2999, 1000, 1),
    ],
)
def test_each_proposed_fix_is_the_smallest_that_works(small: int, medium: int, large: int) -> None:
    counts = {"small": small, "medium": medium, "large": large}
    pyramid = distribution.measure(counts, DEFAULT_TARGETS)
    message = pyramid.message()
    for group in pyramid.groups:
        if group.ok:
            continue
        name = group.name
        line = next(line for line in message.splitlines() if line.startswith(f"  {name}:"))
        add = _number_after(line, "add at least ", " small test")
        bigger = "medium or large" if name == "small" else name
        convert = _number_after(line, "turn at least ", f" {bigger} test")
        assert _group_ok(name, counts, add=add, convert=convert)
        if add:
            assert not _group_ok(name, counts, add=add - 1, convert=0)
        if convert:
            assert not _group_ok(name, counts, add=0, convert=convert - 1)


def _number_after(text: str, before: str, after: str) -> int:
    start = text.index(before) + len(before)
    end = text.index(after, start)
    return int(text[start:end])


def _group_ok(name: str, counts: dict[str, int], add: int, convert: int) -> bool:
    """Does the group hold after adding ``add`` small tests, or after turning ``convert`` tests
    (of the group, or for small of the bigger groups) into small ones?"""
    changed = dict(counts)
    changed["small"] += add
    if name == "small":
        for bigger in ("medium", "large"):
            moved = min(convert, changed[bigger])
            changed[bigger] -= moved
            changed["small"] += moved
            convert -= moved
    else:
        changed[name] -= convert
        changed["small"] += convert
    pyramid = distribution.measure(changed, DEFAULT_TARGETS)
    return next(group for group in pyramid.groups if group.name == name).ok


def test_a_ceiling_of_zero_can_only_be_met_by_removing_the_tests() -> None:
    targets = (
        ("small", Target(90.0, 0.0)),
        ("medium", Target(10.0, 0.0)),
        ("large", Target(0.0, 0.0)),
    )
    pyramid = distribution.measure({"small": 9, "medium": 1, "large": 1}, targets)
    assert not pyramid.ok
    line = next(line for line in pyramid.message().splitlines() if "large:" in line)
    assert "turn at least 1 large test into a smaller one" in line
    assert "add at least" not in line


def test_a_share_just_off_its_bound_is_not_shown_as_on_it() -> None:
    pyramid = distribution.measure({"small": 2999, "medium": 600, "large": 401}, DEFAULT_TARGETS)
    line = next(line for line in pyramid.message().splitlines() if line.startswith("  small:"))
    assert line.startswith("  small: 74.975 %, 0.025 points below its minimum of 75 %")
