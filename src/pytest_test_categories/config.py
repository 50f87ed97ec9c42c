"""Options: declared once, resolved once into a frozen :class:`Settings`.

Precedence is command line over ini file; a size marker's ``timeout=`` is resolved per test in
:mod:`pytest_test_categories.sizes`. Every bad value is a :class:`pytest.UsageError` that names
the value and where it came from.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from .sizes import Size


class Mode(enum.Enum):
    """How a rule is enforced."""

    OFF = "off"
    WARN = "warn"
    STRICT = "strict"

    def __str__(self) -> str:
        return self.value


REPORT_FORMATS = ("basic", "detailed", "json")


@dataclass(frozen=True, slots=True)
class Target:
    """The share of the suite a group of sizes should have, in percent, with a tolerance."""

    percent: float
    tolerance: float


#: The pyramid's groups: large and xlarge tests are counted together.
TARGET_GROUPS: dict[str, tuple[Size, ...]] = {
    "small": (Size.SMALL,),
    "medium": (Size.MEDIUM,),
    "large": (Size.LARGE, Size.XLARGE),
}

DEFAULT_TARGETS = "small=80, medium=15, large=5"
DEFAULT_TOLERANCES = "small=5, medium=5, large=3"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the plugin reads from the command line and the ini file, resolved once."""

    enforcement: Mode = Mode.OFF
    distribution_enforcement: Mode = Mode.OFF
    targets: tuple[tuple[str, Target], ...] = (
        ("small", Target(80.0, 5.0)),
        ("medium", Target(15.0, 5.0)),
        ("large", Target(5.0, 3.0)),
    )
    report: str | None = None
    report_file: Path | None = None
    require_size: bool = False
    markdown_patterns: tuple[str, ...] = ()


SETTINGS_KEY = pytest.StashKey[Settings]()

# (ini name, CLI flag, help)
_ENFORCEMENT = (
    "test_categories_enforcement",
    "--test-categories-enforcement",
    "Resource isolation of sized tests: off (default), warn or strict.",
)
_DISTRIBUTION = (
    "test_categories_distribution_enforcement",
    "--test-categories-distribution-enforcement",
    "Check of the test pyramid at the end of the run: off (default), warn or strict.",
)
_TARGETS = (
    "test_categories_distribution_targets",
    "--test-categories-distribution-targets",
    f"Target share of each size in percent, adding up to 100 (default: {DEFAULT_TARGETS!r}).",
)
_TOLERANCES = (
    "test_categories_distribution_tolerances",
    "--test-categories-distribution-tolerances",
    f"How far each share may be off its target, in points (default: {DEFAULT_TOLERANCES!r}).",
)


def add_options(parser: pytest.Parser) -> None:
    """Declare the command-line and ini options."""
    group = parser.getgroup("test-categories", "test sizes, time limits and isolation")
    for ini, flag, help_text in (_ENFORCEMENT, _DISTRIBUTION, _TARGETS, _TOLERANCES):
        group.addoption(flag, dest=ini, default=None, metavar="VALUE", help=help_text)
        parser.addini(ini, help_text, default=None)
    group.addoption(
        "--test-size-report",
        dest="test_size_report",
        nargs="?",
        const="basic",
        default=None,
        metavar="FORMAT",
        help="Report of the run by size: basic (the default when given bare), detailed or json.",
    )
    group.addoption(
        "--test-size-report-file",
        dest="test_size_report_file",
        default=None,
        metavar="PATH",
        help="Write the size report to PATH instead of the terminal (json is written atomically).",
    )
    parser.addini(
        "test_categories_require_size",
        "Make every test without a size marker a collection error.",
        type="bool",
        default=False,
    )
    parser.addini(
        "test_categories_markdown",
        "Glob patterns of Markdown pages to collect as test modules (needs the markdown extra).",
        type="linelist",
        default=[],
    )


def _origin(config: pytest.Config, ini: str, flag: str) -> tuple[object, str]:
    """The raw value of an option and a phrase saying where it was set."""
    from_cli = config.getoption(ini)
    if from_cli is not None:
        return from_cli, f"command-line option {flag}"
    where = config.inipath.name if config.inipath else "the ini file"
    return config.getini(ini), f"ini option {ini} in {where}"


def _mode(config: pytest.Config, option: tuple[str, str, str]) -> Mode:
    ini, flag, _ = option
    raw, where = _origin(config, ini, flag)
    if raw is None:
        return Mode.OFF
    try:
        return Mode(raw)
    except ValueError:
        choices = ", ".join(m.value for m in Mode)
        raise pytest.UsageError(
            f"{where}: {raw!r} is not a valid enforcement mode; use one of {choices} (lower case)."
        ) from None


_PAIR = re.compile(r"^\s*(\w+)\s*=\s*([^\s,]+)\s*$")


def _per_group(
    config: pytest.Config, option: tuple[str, str, str], default: str
) -> dict[str, float]:
    ini, flag, _ = option
    raw, where = _origin(config, ini, flag)
    text = default if raw is None else str(raw)
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.replace("\n", ",").split(","))):
        match = _PAIR.match(part)
        group = match.group(1) if match else None
        if match is None or group not in TARGET_GROUPS:
            raise pytest.UsageError(
                f"{where}: {part!r} is not of the form SIZE=PERCENT with SIZE one of "
                f"{', '.join(TARGET_GROUPS)} (large counts large and xlarge tests); "
                f"for example {default!r}."
            )
        try:
            number = float(match.group(2))
        except ValueError:
            number = -1.0
        if not 0 <= number <= 100:
            raise pytest.UsageError(f"{where}: {part!r} needs a percentage from 0 to 100.")
        values[match.group(1)] = number
    missing = [g for g in TARGET_GROUPS if g not in values]
    if raw is not None and missing:
        raise pytest.UsageError(
            f"{where}: {text!r} gives no value for {', '.join(missing)}; "
            f"give all of {', '.join(TARGET_GROUPS)}, for example {default!r}."
        )
    return values


def _targets(config: pytest.Config) -> tuple[tuple[str, Target], ...]:
    percents = _per_group(config, _TARGETS, DEFAULT_TARGETS)
    tolerances = _per_group(config, _TOLERANCES, DEFAULT_TOLERANCES)
    total = sum(percents.values())
    if abs(total - 100.0) > 1e-9:
        _, where = _origin(config, _TARGETS[0], _TARGETS[1])
        raise pytest.UsageError(
            f"{where}: the targets add up to {total:g} %, not 100 %; "
            f"adjust them, for example {DEFAULT_TARGETS!r}."
        )
    return tuple((g, Target(percents[g], tolerances[g])) for g in TARGET_GROUPS)


def _report(config: pytest.Config) -> tuple[str | None, Path | None]:
    report = config.getoption("test_size_report")
    if report is not None and report not in REPORT_FORMATS:
        raise pytest.UsageError(
            f"command-line option --test-size-report: {report!r} is not a report format; "
            f"use one of {', '.join(REPORT_FORMATS)}."
        )
    file = config.getoption("test_size_report_file")
    if file is not None and report is None:
        report = "json"
    path = Path(file) if file is not None else None
    if path is not None and not path.is_absolute():
        path = config.invocation_params.dir / path
    return report, path


def resolve(config: pytest.Config) -> Settings:
    """Read and check every option once; raise :class:`pytest.UsageError` on a bad value."""
    report, report_file = _report(config)
    return Settings(
        enforcement=_mode(config, _ENFORCEMENT),
        distribution_enforcement=_mode(config, _DISTRIBUTION),
        targets=_targets(config),
        report=report,
        report_file=report_file,
        require_size=bool(config.getini("test_categories_require_size")),
        markdown_patterns=tuple(config.getini("test_categories_markdown")),
    )
