"""The module names of pages: importable (and patchable) while the session runs."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import types

import pytest

#: Which module names pages have taken in this session, and which page took each.
_NAMES_KEY = pytest.StashKey[dict[str, str]]()


def _is_real_module(name: str) -> bool:
    if name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def derived_name(relative: str, config: pytest.Config) -> str:
    """A module name for a page with no module directive: from its path (``relative`` to the
    rootdir), made unique."""
    name = re.sub(r"\W", "_", relative)
    if name[:1].isdigit():
        name = "_" + name
    if name in config.stash.get(_NAMES_KEY, {}) or _is_real_module(name):
        name += "_" + hashlib.sha256(relative.encode()).hexdigest()[:8]
    return name


def register(config: pytest.Config, module: types.ModuleType, where: str, owner: str) -> str | None:
    """Make ``module`` importable under its name for the session; what is wrong with the name
    (taken by another page, or a real module's), if anything. ``owner``: the page's node id."""
    names = config.stash.get(_NAMES_KEY, None)
    if names is None:
        names = config.stash[_NAMES_KEY] = {}
        config.add_cleanup(lambda: _unregister_all(names))
    name = module.__name__
    parts = name.split(".")
    where = f"{where} {name!r}"
    for depth in range(1, len(parts) + 1):
        prefix = ".".join(parts[:depth])
        taker = names.get(prefix)
        if taker is not None and depth == len(parts):
            taken = f"taken by {taker}" if taker else "the package of another page's module"
            return f"{where} is {taken}; give each page its own."
        if taker is None and _is_real_module(prefix):
            return (
                f"{where} would shadow the real module {prefix!r}; choose a name that no "
                "installed module has."
            )
    for depth in range(1, len(parts)):
        prefix = ".".join(parts[:depth])
        if prefix not in names:
            package = types.ModuleType(prefix)
            package.__path__ = []
            sys.modules[prefix] = package
            names[prefix] = ""
            if depth > 1:
                setattr(sys.modules[".".join(parts[: depth - 1])], parts[depth - 1], package)
    sys.modules[name] = module
    names[name] = owner
    if len(parts) > 1:
        setattr(sys.modules[".".join(parts[:-1])], parts[-1], module)
    return None


def _unregister_all(names: dict[str, str]) -> None:
    for name in names:
        sys.modules.pop(name, None)
    names.clear()
