"""How an option is declared, and where its value came from: shared by :mod:`.config` and
:mod:`._legacy`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import pytest

from . import _compat


def _keep(raw: Any, where: str, config: pytest.Config) -> Any:
    return tuple(raw) if isinstance(raw, list) else raw


class Option(NamedTuple):
    """One option: its ini key (also the dest of its flag), its flag, and how it is parsed.

    ``parse(raw, where, config)`` turns the raw value (``None`` when not given) into the
    setting, or raises :class:`pytest.UsageError` starting with ``where``.
    """

    name: str
    help: str
    flag: str | None = None
    #: The ini type (``string``, ``bool``, ``linelist``), or ``None`` for a flag only.
    ini: str | None = "string"
    default: Any = None
    parse: Callable[[Any, str, pytest.Config], Any] = _keep
    #: Further arguments of ``addoption`` (``action``, ``nargs``, ``const``, ``metavar``).
    cli: Mapping[str, Any] = {}
    #: A good value, for messages.
    example: str = ""

    def add(self, parser: pytest.Parser, group: pytest.OptionGroup) -> None:
        if self.flag is not None:
            cli = {"default": None, **self.cli}
            if cli.get("action") != "store_true":
                cli.setdefault("metavar", "VALUE")
            group.addoption(self.flag, dest=self.name, help=self.help, **cli)
        if self.ini is not None:
            parser.addini(self.name, self.help, type=self.ini, default=self.default)  # type: ignore[arg-type]


def given(config: pytest.Config, option: Option) -> tuple[Any, str]:
    """The raw value of ``option`` (``None`` if unset), and where it was set, in words."""
    if option.flag is not None:
        raw = config.getoption(option.name)
        if raw is not None or option.ini is None:
            return raw, f"command-line option {option.flag}"
    file = config.inipath.name if config.inipath else "the ini file"
    where = f"ini option {option.name} in {file}"
    if _compat.ini_overridden(config, option.name):
        where = f"ini option {option.name} given with -o on the command line"
    try:
        return config.getini(option.name), where
    except (ValueError, pytest.UsageError) as error:  # a bool: "invalid truth value 'x'"
        raise pytest.UsageError(f"{where}: {error}; use true or false.") from None


def from_flag(config: pytest.Config, option: Option) -> bool:
    return option.flag is not None and config.getoption(option.name) is not None


def number(text: str) -> float:
    """The number ``text`` says, or -1 for text that is not a number."""
    try:
        return float(text)
    except ValueError:
        return -1.0
