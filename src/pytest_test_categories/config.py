"""Options: declared once, resolved once into a frozen :class:`Settings`.

Precedence is command line over ini file; a size marker's ``timeout=`` is resolved per test in
:mod:`pytest_test_categories.sizes`. Every bad value is a :class:`pytest.UsageError` that names
the value and where it came from.
"""

from __future__ import annotations

import difflib
import enum
import re
from pathlib import Path
from typing import NamedTuple

import pytest

from . import allowances
from .allowances import Allowances
from .sizes import Size


class Mode(enum.Enum):
    """How a rule is enforced."""

    OFF = "off"
    WARN = "warn"
    STRICT = "strict"

    def __str__(self) -> str:
        return self.value


REPORT_FORMATS = ("basic", "detailed", "json")


class Target(NamedTuple):
    """The share of the suite a group of sizes should have, in percent, with a tolerance."""

    percent: float
    tolerance: float


#: The pyramid's groups: large and xlarge tests are counted together.
TARGET_GROUPS: dict[str, tuple[Size, ...]] = {
    "small": (Size.SMALL,),
    "medium": (Size.MEDIUM,),
    "large": (Size.LARGE, Size.XLARGE),
}

#: Seconds a test may run past its time limit, interrupted again and again, before the process
#: is ended (``test_categories_hard_stop``).
HARD_STOP = 10.0

#: The bound of each setup and teardown of a shared fixture (``test_categories_fixture_timeout``).
FIXTURE_TIMEOUT = 300.0

DEFAULT_TARGETS = "small=80, medium=15, large=5"
DEFAULT_TOLERANCES = "small=5, medium=5, large=3"


class Settings(NamedTuple):
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
    #: The size of each Markdown page's own code (its blocks), by glob: the first match wins.
    markdown_sizes: tuple[tuple[str, Size], ...] = ()
    #: What small tests may read and medium tests may reach, for every test.
    allowances: Allowances = allowances.NOTHING
    hard_stop: float = HARD_STOP
    fixture_timeout: float = FIXTURE_TIMEOUT
    #: Observe every test and suggest the smallest size it fits (``--test-categories-suggest``).
    suggest: bool = False
    suggest_file: Path | None = None


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

_HARD_STOP = (
    "test_categories_hard_stop",
    "--test-categories-hard-stop",
    "Seconds a test may go on past its time limit, while it is interrupted again and again, "
    "before the process is ended (default: 10).",
)
_FIXTURE_TIMEOUT = (
    "test_categories_fixture_timeout",
    "--test-categories-fixture-timeout",
    "Bound in seconds of each setup and each teardown of a module-, class- or session-scoped "
    "fixture (default: 300).",
)


#: pytest-test-categories 1.x's names for the targets: (CLI flag, ini key, the size it sets, or
#: ``None`` for the one tolerance 1.x applied to every size). Accepted with a warning.
DEPRECATED: tuple[tuple[str, str, str | None], ...] = (
    ("--test-categories-small-target", "test_categories_small_target", "small"),
    ("--test-categories-medium-target", "test_categories_medium_target", "medium"),
    ("--test-categories-large-target", "test_categories_large_target", "large"),
    ("--test-categories-tolerance", "test_categories_tolerance", None),
)

DEPRECATED_MESSAGE = (
    "{where} is a deprecated name from pytest-test-categories 1.x; use {new} instead "
    "(one value per size, in one option). It still works for now: {effect}."
)


class DeprecatedOptionWarning(pytest.PytestWarning, DeprecationWarning):
    """An option or ini key of pytest-test-categories 1.x was used."""


def add_options(parser: pytest.Parser) -> None:
    """Declare the command-line and ini options."""
    group = parser.getgroup("test-categories", "test sizes, time limits and isolation")
    for ini, flag, help_text in (
        _ENFORCEMENT,
        _DISTRIBUTION,
        _TARGETS,
        _TOLERANCES,
        _HARD_STOP,
        _FIXTURE_TIMEOUT,
    ):
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
    for flag, ini, group_name in DEPRECATED:
        what = f"the {group_name} target" if group_name else "the tolerance of every size"
        new = _TARGETS if group_name else _TOLERANCES
        help_text = f"Deprecated (1.x): {what} in percent; use {new[1]}."
        group.addoption(flag, dest=ini, default=None, metavar="PERCENT", help=help_text)
        parser.addini(ini, help_text, default=None)
    group.addoption(
        "--test-categories-suggest",
        dest="test_categories_suggest",
        action="store_true",
        default=False,
        help="Observe every test (guards record, nothing fails because of one) and suggest the "
        "smallest size each test fits.",
    )
    group.addoption(
        "--test-categories-suggest-output",
        dest="test_categories_suggest_output",
        default=None,
        metavar="PATH",
        help="With --test-categories-suggest: also write the marker to add to each test, per "
        "file, to PATH (written atomically; sources are never edited).",
    )
    parser.addini(
        "test_categories_require_size",
        "Make every test without a size marker a collection error.",
        type="bool",
        default=False,
    )
    parser.addini(
        "test_categories_allow_read",
        "Glob patterns, from the rootdir, of paths small tests may read and list (not write).",
        type="linelist",
        default=[],
    )
    parser.addini(
        "test_categories_allow_hosts",
        "Hosts beyond loopback medium tests may reach: names, IP addresses, CIDR networks, "
        "each with an optional :PORT, or * for every host.",
        type="linelist",
        default=[],
    )
    parser.addini(
        "test_categories_markdown",
        "Glob patterns of Markdown pages to collect as test modules (needs the markdown extra).",
        type="linelist",
        default=[],
    )
    parser.addini(
        "test_categories_markdown_size",
        "The size the blocks of Markdown pages run as: SIZE for every page, or GLOB = SIZE "
        "lines (the first that matches a page wins). Unsized by default.",
        type="linelist",
        default=[],
    )


def _origin(config: pytest.Config, ini: str, flag: str) -> tuple[object, str]:
    """The raw value of an option and a phrase saying where it was set."""
    from_cli = config.getoption(ini)
    if from_cli is not None:
        return from_cli, f"command-line option {flag}"
    return config.getini(ini), f"ini option {ini} in {_ini_file(config)}"


def _ini_file(config: pytest.Config) -> str:
    return config.inipath.name if config.inipath else "the ini file"


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


def _number(text: str) -> float:
    """The number ``text`` says, or -1 for text that is not a number."""
    try:
        return float(text)
    except ValueError:
        return -1.0


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
        number = _number(match.group(2))
        if not 0 <= number <= 100:
            raise pytest.UsageError(f"{where}: {part!r} needs a percentage from 0 to 100.")
        if group in values:
            raise pytest.UsageError(
                f"{where}: {text!r} gives {group} twice; give each of "
                f"{', '.join(TARGET_GROUPS)} once, for example {default!r}."
            )
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
    _, where = _origin(config, _TARGETS[0], _TARGETS[1])
    legacy = _deprecated(config, percents, tolerances)
    total = sum(percents.values())
    if abs(total - 100.0) > 1e-9:
        where = ", ".join(legacy) if legacy else where
        raise pytest.UsageError(
            f"{where}: the targets add up to {total:g} %, not 100 %; "
            f"adjust them, for example {DEFAULT_TARGETS!r}."
        )
    return tuple((g, Target(percents[g], tolerances[g])) for g in TARGET_GROUPS)


def _deprecated(
    config: pytest.Config, percents: dict[str, float], tolerances: dict[str, float]
) -> list[str]:
    """Apply 1.x's names, with a warning each; return where the 1.x targets in use came from.

    As with every option, the command line wins: a 1.x ini key gives way to the new option
    given on the command line.
    """
    used: list[str] = []
    for flag, ini, group in DEPRECATED:
        raw, where = _origin(config, ini, flag)
        if raw is None or not str(raw).strip():
            continue
        new_ini, new_flag, _ = _TARGETS if group else _TOLERANCES
        on_cli = where.startswith("command")
        if not on_cli and config.getoption(new_ini) is not None:
            continue
        number = _number(str(raw))
        if not 0 <= number <= 100:
            raise pytest.UsageError(f"{where}: {raw!r} needs a percentage from 0 to 100.")
        if group:
            percents[group] = number
            effect = f"the {group} target is {number:g} %"
        else:
            tolerances.update(dict.fromkeys(TARGET_GROUPS, number))
            effect = f"every size's tolerance is {number:g} points"
        example = DEFAULT_TARGETS if group else DEFAULT_TOLERANCES
        new = f"{new_flag}={example.replace(' ', '')}" if on_cli else f'{new_ini} = "{example}"'
        if group:
            used.append(where)
        _warn_deprecated(config, DEPRECATED_MESSAGE.format(where=where, new=new, effect=effect))
    return used


def _warn_deprecated(config: pytest.Config, message: str) -> None:
    try:
        config.issue_config_time_warning(DeprecatedOptionWarning(message), stacklevel=2)
    except DeprecatedOptionWarning:
        raise pytest.UsageError(
            f"{message} (filterwarnings turns this DeprecatedOptionWarning into an error.)"
        ) from None


def _report(config: pytest.Config) -> tuple[str | None, Path | None]:
    report = config.getoption("test_size_report")
    if report is not None and report not in REPORT_FORMATS:
        raise pytest.UsageError(
            f"command-line option --test-size-report: {report!r} is not a report format; "
            f"use one of {', '.join(REPORT_FORMATS)}."
        )
    file = config.getoption("test_size_report_file")
    path = _file(config, file, "--test-size-report-file", "sizes.json")
    if file is not None and report is None:
        report = "json"
    return report, path


def _file(config: pytest.Config, file: str | None, flag: str, example: str) -> Path | None:
    """The path of a file the run writes, from the directory pytest was started in."""
    if file is None:
        return None
    if not file.strip():
        raise pytest.UsageError(
            f"command-line option {flag}: the path is empty; give the file to write, "
            f"for example {flag}={example}."
        )
    path = Path(file)
    if not path.is_absolute():
        path = config.invocation_params.dir / path
    if path.is_dir():
        raise pytest.UsageError(
            f"command-line option {flag}: {file!r} is a directory; give the path of a file, "
            f"for example {flag}={example}."
        )
    return path


def _suggest(config: pytest.Config) -> tuple[bool, Path | None]:
    suggest = bool(config.getoption("test_categories_suggest"))
    file = config.getoption("test_categories_suggest_output")
    if file is not None and not suggest:
        raise pytest.UsageError(
            "command-line option --test-categories-suggest-output needs "
            "--test-categories-suggest: add it, or drop the output file."
        )
    return suggest, _file(config, file, "--test-categories-suggest-output", "sizes.txt")


def _require_size(config: pytest.Config) -> bool:
    try:
        return bool(config.getini("test_categories_require_size"))
    except (ValueError, pytest.UsageError) as error:  # pytest says "invalid truth value 'x'"
        raise pytest.UsageError(
            f"ini option test_categories_require_size in {_ini_file(config)}: {error}; "
            "use true or false."
        ) from None


def _allowances(config: pytest.Config) -> Allowances:
    where = _ini_file(config)
    try:
        read = allowances.read_patterns(
            str(config.rootpath), tuple(config.getini("test_categories_allow_read"))
        )
    except ValueError as error:
        raise pytest.UsageError(
            f"ini option test_categories_allow_read in {where}: {error}."
        ) from None
    try:
        hosts = allowances.hosts(tuple(config.getini("test_categories_allow_hosts")))
    except ValueError as error:
        raise pytest.UsageError(
            f"ini option test_categories_allow_hosts in {where}: {error}."
        ) from None
    return Allowances(read, hosts)


def _markdown_sizes(config: pytest.Config) -> tuple[tuple[str, Size], ...]:
    where = f"ini option test_categories_markdown_size in {_ini_file(config)}"
    sizes: list[tuple[str, Size]] = []
    for line in config.getini("test_categories_markdown_size"):
        pattern, _, name = str(line).rpartition("=")
        name = name.strip()
        try:
            size = Size(name)
        except ValueError:
            meant = difflib.get_close_matches(name.lower(), [s.value for s in Size], 1)
            hint = f" Did you mean {meant[0]!r}?" if meant else ""
            raise pytest.UsageError(
                f"{where}: {line!r} names no size; write SIZE or GLOB = SIZE, with SIZE one of "
                f"{', '.join(s.value for s in Size)}.{hint}"
            ) from None
        sizes.append((pattern.strip() or "**", size))
    return tuple(sizes)


def _seconds(config: pytest.Config, option: tuple[str, str, str], default: float) -> float:
    ini, flag, _ = option
    raw, where = _origin(config, ini, flag)
    if raw is None:
        return default
    seconds = _number(str(raw))
    if not 0 < seconds < float("inf"):
        raise pytest.UsageError(
            f"{where}: {raw!r} is not a number of seconds above 0; for example {default:g}."
        )
    return seconds


def resolve(config: pytest.Config) -> Settings:
    """Read and check every option once; raise :class:`pytest.UsageError` on a bad value."""
    report, report_file = _report(config)
    suggest, suggest_file = _suggest(config)
    return Settings(
        enforcement=_mode(config, _ENFORCEMENT),
        distribution_enforcement=_mode(config, _DISTRIBUTION),
        targets=_targets(config),
        report=report,
        report_file=report_file,
        require_size=_require_size(config),
        markdown_patterns=tuple(config.getini("test_categories_markdown")),
        markdown_sizes=_markdown_sizes(config),
        allowances=_allowances(config),
        hard_stop=_seconds(config, _HARD_STOP, HARD_STOP),
        fixture_timeout=_seconds(config, _FIXTURE_TIMEOUT, FIXTURE_TIMEOUT),
        suggest=suggest,
        suggest_file=suggest_file,
    )
