"""Private APIs of pytest the Markdown collector touches, each with the versions checked."""

from __future__ import annotations

import ast
import doctest
from typing import Any

import pytest


def rewrite_asserts(tree: ast.Module, source: bytes, path: str, config: pytest.Config) -> None:
    """pytest's assertion rewriting of a tree (``_pytest.assertion.rewrite``; pytest 8.3-9.2)."""
    from _pytest.assertion.rewrite import rewrite_asserts as rewrite

    rewrite(tree, source, path, config)


def doctest_optionflags(config: pytest.Config) -> int:
    """pytest's ``doctest_optionflags`` ini, its own flags included (pytest 8.3-9.2)."""
    try:
        from _pytest.doctest import get_optionflags

        return get_optionflags(config)
    except (ImportError, ValueError):  # the doctest plugin is disabled
        return 0


def doctest_checker() -> doctest.OutputChecker:
    """pytest's output checker, which knows NUMBER, ALLOW_UNICODE and ALLOW_BYTES."""
    try:
        from _pytest.doctest import _get_checker

        return _get_checker()
    except ImportError:
        return doctest.OutputChecker()


def fixture_function(obj: Any) -> Any:
    """The function a ``@pytest.fixture`` definition wraps (pytest 8.3-9.2)."""
    getter = getattr(obj, "_get_wrapped_function", None)
    if getter is not None:
        return getter()
    wrapped = getattr(obj, "__pytest_wrapped__", None)
    return wrapped.obj if wrapped is not None else obj


def short_repr(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
    """pytest's failure report in the short style (``Node._repr_failure_py``; pytest 8.3-9.2)."""
    return item._repr_failure_py(excinfo, style="short")


def set_instance(item: pytest.Item, instance: Any, method: Any) -> None:
    """Give a test method its real instance (``Function._instance``; pytest 8.3-9.2)."""
    item._instance = instance  # type: ignore[attr-defined]
    item.obj = method  # type: ignore[attr-defined]
