"""Options: declared once in :data:`OPTIONS`, resolved once into a frozen :class:`Settings`.

Precedence is command line over ini file; a size marker's ``timeout=`` is resolved per test in
:mod:`pytest_test_categories.sizes`. Every bad value is a :class:`pytest.UsageError` that names
the value and where it came from. The 1.x names live in :mod:`._legacy`.
"""

from __future__ import annotations

import enum
import functools
import re
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from . import _legacy, allowances
from ._legacy import DeprecatedOptionWarning
from ._options import Option, given, number
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


# -- parsing: each takes the raw value (None when not given), where it was set, the config ---


def _mode(raw: Any, where: str, config: pytest.Config) -> Mode:
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


def _per_group(default: str, raw: Any, where: str, config: pytest.Config) -> dict[str, float]:
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
        percent = number(match.group(2))
        if not 0 <= percent <= 100:
            raise pytest.UsageError(f"{where}: {part!r} needs a percentage from 0 to 100.")
        if group in values:
            raise pytest.UsageError(
                f"{where}: {text!r} gives {group} twice; give each of "
                f"{', '.join(TARGET_GROUPS)} once, for example {default!r}."
            )
        values[group] = percent
    missing = [g for g in TARGET_GROUPS if g not in values]
    if raw is not None and missing:
        raise pytest.UsageError(
            f"{where}: {text!r} gives no value for {', '.join(missing)}; "
            f"give all of {', '.join(TARGET_GROUPS)}, for example {default!r}."
        )
    return values


def _seconds(default: float, raw: Any, where: str, config: pytest.Config) -> float:
    if raw is None:
        return default
    seconds = number(str(raw))
    if not 0 < seconds < float("inf"):
        raise pytest.UsageError(
            f"{where}: {raw!r} is not a number of seconds above 0; for example {default:g}."
        )
    return seconds


def _report(raw: Any, where: str, config: pytest.Config) -> str | None:
    if raw is not None and raw not in REPORT_FORMATS:
        raise pytest.UsageError(
            f"{where}: {raw!r} is not a report format; use one of {', '.join(REPORT_FORMATS)}."
        )
    return raw  # type: ignore[no-any-return]


def _file(example: str, raw: Any, where: str, config: pytest.Config) -> Path | None:
    """The path of a file the run writes, from the directory pytest was started in."""
    if raw is None:
        return None
    if not raw.strip():
        raise pytest.UsageError(
            f"{where}: the path is empty; give the file to write, for example {example}."
        )
    path = Path(raw)
    if not path.is_absolute():
        path = config.invocation_params.dir / path
    if path.is_dir():
        raise pytest.UsageError(
            f"{where}: {raw!r} is a directory; give the path of a file, for example {example}."
        )
    return path


def _allowed(read: bool, raw: Any, where: str, config: pytest.Config) -> Any:
    """The ``allow_read`` patterns (from the rootdir) or the ``allow_hosts`` entries."""
    try:
        if read:
            return allowances.read_patterns(str(config.rootpath), tuple(raw))
        return allowances.hosts(tuple(raw))
    except ValueError as error:
        raise pytest.UsageError(f"{where}: {error}.") from None


def _markdown_sizes(raw: Any, where: str, config: pytest.Config) -> tuple[tuple[str, Size], ...]:
    sizes: list[tuple[str, Size]] = []
    for line in raw:
        pattern, _, name = str(line).rpartition("=")
        name = name.strip()
        try:
            size = Size(name)
        except ValueError:
            import difflib  # only for the error message

            meant = difflib.get_close_matches(name.lower(), [s.value for s in Size], 1)
            hint = f" Did you mean {meant[0]!r}?" if meant else ""
            raise pytest.UsageError(
                f"{where}: {line!r} names no size; write SIZE or GLOB = SIZE, with SIZE one of "
                f"{', '.join(s.value for s in Size)}.{hint}"
            ) from None
        sizes.append((pattern.strip() or "**", size))
    return tuple(sizes)


ENFORCEMENT = Option(
    "test_categories_enforcement",
    "Resource isolation of sized tests: off (default), warn or strict.",
    "--test-categories-enforcement",
    parse=_mode,
)
TARGETS = Option(
    "test_categories_distribution_targets",
    f"Target share of each size in percent, adding up to 100 (default: {DEFAULT_TARGETS!r}).",
    "--test-categories-distribution-targets",
    parse=functools.partial(_per_group, DEFAULT_TARGETS),
    example=DEFAULT_TARGETS,
)
TOLERANCES = Option(
    "test_categories_distribution_tolerances",
    f"How far each share may be off its target, in points (default: {DEFAULT_TOLERANCES!r}).",
    "--test-categories-distribution-tolerances",
    parse=functools.partial(_per_group, DEFAULT_TOLERANCES),
    example=DEFAULT_TOLERANCES,
)

#: Every option, by the :class:`Settings` field it resolves to (the targets and tolerances,
#: the 1.x names and the allowances are combined in :func:`resolve`).
OPTIONS: dict[str, Option] = {
    "enforcement": ENFORCEMENT,
    "distribution_enforcement": Option(
        "test_categories_distribution_enforcement",
        "Check of the test pyramid at the end of the run: off (default), warn or strict.",
        "--test-categories-distribution-enforcement",
        parse=_mode,
    ),
    "targets": TARGETS,
    "tolerances": TOLERANCES,
    "hard_stop": Option(
        "test_categories_hard_stop",
        "Seconds a test may go on past its time limit, while it is interrupted again and "
        "again, before the process is ended (default: 10).",
        "--test-categories-hard-stop",
        parse=functools.partial(_seconds, HARD_STOP),
    ),
    "fixture_timeout": Option(
        "test_categories_fixture_timeout",
        "Bound in seconds of each setup and each teardown of a module-, class- or "
        "session-scoped fixture (default: 300).",
        "--test-categories-fixture-timeout",
        parse=functools.partial(_seconds, FIXTURE_TIMEOUT),
    ),
    "report": Option(
        "test_size_report",
        "Report of the run by size: basic (the default when given bare), detailed or json.",
        "--test-size-report",
        ini=None,
        parse=_report,
        cli={"nargs": "?", "const": "basic", "metavar": "FORMAT"},
    ),
    "report_file": Option(
        "test_size_report_file",
        "Write the size report to PATH instead of the terminal (json is written atomically).",
        "--test-size-report-file",
        ini=None,
        parse=functools.partial(_file, "--test-size-report-file=sizes.json"),
        cli={"metavar": "PATH"},
    ),
    "suggest": Option(
        "test_categories_suggest",
        "Observe every test (guards record, nothing fails because of one) and suggest the "
        "smallest size each test fits.",
        "--test-categories-suggest",
        ini=None,
        cli={"action": "store_true", "default": False},
    ),
    "suggest_file": Option(
        "test_categories_suggest_output",
        "With --test-categories-suggest: also write the marker to add to each test, per "
        "file, to PATH (written atomically; sources are never edited).",
        "--test-categories-suggest-output",
        ini=None,
        parse=functools.partial(_file, "--test-categories-suggest-output=sizes.txt"),
        cli={"metavar": "PATH"},
    ),
    "require_size": Option(
        "test_categories_require_size",
        "Make every test without a size marker a collection error.",
        ini="bool",
        default=False,
    ),
    "allow_read": Option(
        "test_categories_allow_read",
        "Glob patterns, from the rootdir, of paths small tests may read and list (not write).",
        ini="linelist",
        default=[],
        parse=functools.partial(_allowed, True),
    ),
    "allow_hosts": Option(
        "test_categories_allow_hosts",
        "Hosts beyond loopback medium tests may reach: names, IP addresses, CIDR networks, "
        "each with an optional :PORT, or * for every host.",
        ini="linelist",
        default=[],
        parse=functools.partial(_allowed, False),
    ),
    "markdown_patterns": Option(
        "test_categories_markdown",
        "Glob patterns of Markdown pages to collect as test modules (needs the markdown extra).",
        ini="linelist",
        default=[],
    ),
    "markdown_sizes": Option(
        "test_categories_markdown_size",
        "The size the blocks of Markdown pages run as: SIZE for every page, or GLOB = SIZE "
        "lines (the first that matches a page wins). Unsized by default.",
        ini="linelist",
        default=[],
        parse=_markdown_sizes,
    ),
}


def add_options(parser: pytest.Parser) -> None:
    """Declare the command-line and ini options: the current ones, then 1.x's."""
    group = parser.getgroup("test-categories", "test sizes, time limits and isolation")
    for option in (*OPTIONS.values(), *_legacy.OPTIONS):
        option.add(parser, group)


def resolve(config: pytest.Config) -> Settings:
    """Read and check every option once; raise :class:`pytest.UsageError` on a bad value."""
    if config.getoption("test_categories_suggest_output") is not None and not config.getoption(
        "test_categories_suggest"
    ):
        raise pytest.UsageError(
            "command-line option --test-categories-suggest-output needs "
            "--test-categories-suggest: add it, or drop the output file."
        )
    values = {
        field: option.parse(*given(config, option), config) for field, option in OPTIONS.items()
    }
    percents, tolerances = values.pop("targets"), values.pop("tolerances")
    legacy = _legacy.apply(config, percents, tolerances, TARGETS, TOLERANCES)
    total = sum(percents.values())
    if abs(total - 100.0) > 1e-9:
        where = ", ".join(legacy) or given(config, TARGETS)[1]
        raise pytest.UsageError(
            f"{where}: the targets add up to {total:g} %, not 100 %; "
            f"adjust them, for example {DEFAULT_TARGETS!r}."
        )
    values["targets"] = tuple((g, Target(percents[g], tolerances[g])) for g in TARGET_GROUPS)
    values["allowances"] = Allowances(values.pop("allow_read"), values.pop("allow_hosts"))
    if values["report_file"] is not None and values["report"] is None:
        values["report"] = "json"
    return Settings(**values)


__all__ = ["SETTINGS_KEY", "DeprecatedOptionWarning", "Mode", "Settings", "Target", "resolve"]
