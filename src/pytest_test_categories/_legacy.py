"""pytest-test-categories 1.x's names, accepted with a warning each.

The targets had one option per size and one tolerance for every size; medium tests were let
out with ``@pytest.mark.medium(allow_external_systems=True)``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from ._options import Option, from_flag, given, number


class Renamed(NamedTuple):
    """A 1.x option: its flag, its ini key, and the size it targets (``None``: the one
    tolerance 1.x applied to every size)."""

    flag: str
    ini: str
    group: str | None


DEPRECATED: tuple[Renamed, ...] = (
    Renamed("--test-categories-small-target", "test_categories_small_target", "small"),
    Renamed("--test-categories-medium-target", "test_categories_medium_target", "medium"),
    Renamed("--test-categories-large-target", "test_categories_large_target", "large"),
    Renamed("--test-categories-tolerance", "test_categories_tolerance", None),
)

DEPRECATED_MESSAGE = (
    "{where} is a deprecated name from pytest-test-categories 1.x; use {new} instead "
    "(one value per size, in one option). It still works for now: {effect}."
)

#: 1.x's keyword of the medium marker: a medium test that may reach every host.
EXTERNAL = "allow_external_systems"
EXTERNAL_WARNING = (
    "@pytest.mark.medium(allow_external_systems=True) is deprecated: write "
    "@pytest.mark.medium(allow_hosts=[...]) with the hosts the test needs (or ['*'] for every "
    "host), or mark the test large."
)


class DeprecatedOptionWarning(pytest.PytestWarning, DeprecationWarning):
    """An option or ini key of pytest-test-categories 1.x was used."""


def _option(renamed: Renamed) -> Option:
    what = f"the {renamed.group} target" if renamed.group else "the tolerance of every size"
    new = "targets" if renamed.group else "tolerances"
    help_text = f"Deprecated (1.x): {what} in percent; use --test-categories-distribution-{new}."
    return Option(renamed.ini, help_text, renamed.flag, cli={"metavar": "PERCENT"})


OPTIONS = tuple(map(_option, DEPRECATED))


def apply(
    config: pytest.Config,
    percents: dict[str, float],
    tolerances: dict[str, float],
    targets: Option,
    tolerance: Option,
) -> list[str]:
    """Apply 1.x's names (the new ones are ``targets`` and ``tolerance``), with a warning each;
    return where the 1.x targets in use came from.

    As with every option, the command line wins: a 1.x ini key gives way to the new option
    given on the command line.
    """
    used: list[str] = []
    for renamed, option in zip(DEPRECATED, OPTIONS, strict=True):
        raw, where = given(config, option)
        if raw is None or not str(raw).strip():
            continue
        new = targets if renamed.group else tolerance
        on_cli = from_flag(config, option)
        if not on_cli and from_flag(config, new):
            continue
        percent = number(str(raw))
        if not 0 <= percent <= 100:
            raise pytest.UsageError(f"{where}: {raw!r} needs a percentage from 0 to 100.")
        if renamed.group:
            percents[renamed.group] = percent
            effect = f"the {renamed.group} target is {percent:g} %"
            used.append(where)
        else:
            tolerances.update(dict.fromkeys(tolerances, percent))
            effect = f"every size's tolerance is {percent:g} points"
        instead = (
            f"{new.flag}={new.example.replace(' ', '')}"
            if on_cli
            else f'{new.name} = "{new.example}"'
        )
        warn(config, DEPRECATED_MESSAGE.format(where=where, new=instead, effect=effect))
    return used


def warn(config: pytest.Config, message: str) -> None:
    try:
        config.issue_config_time_warning(DeprecatedOptionWarning(message), stacklevel=2)
    except DeprecatedOptionWarning:
        raise pytest.UsageError(
            f"{message} (filterwarnings turns this DeprecatedOptionWarning into an error.)"
        ) from None


def external_hosts(item: pytest.Item, value: Any) -> list[str]:
    """The hosts ``allow_external_systems=value`` allows, with its warning; raise
    ``ValueError`` for a bad value or a warning turned into an error."""
    if not isinstance(value, bool):
        raise ValueError(
            f"@pytest.mark.medium({EXTERNAL}={value!r}) must be True or False; better, write "
            "allow_hosts=[...]."
        )
    try:
        item.warn(pytest.PytestDeprecationWarning(EXTERNAL_WARNING))
    except Warning as warning:  # the warning filters turn it into an error
        raise ValueError(str(warning)) from None
    return ["*"] if value else []
