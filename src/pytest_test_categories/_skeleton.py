"""The skeleton of a page: stand-ins for its tests and fixtures, made without running it.

pytest collects a page's tests from the skeleton, so that fixtures, markers, parametrize and
pytest-asyncio see what they would see in a ``.py`` file: each stand-in has the real one's
name, kind (``async``, generator) and signature, and the decorators that are pytest's own,
read from the page's code with nothing but literals and pytest in scope. When a test runs,
the object its block defined takes the stand-in's place (:meth:`.markdown.Page.prepare`);
a fixture's stand-in calls the real fixture.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import re
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from . import pages
from ._compat import fixture_function
from ._doctests import ExampleFailed


class Page(Protocol):
    """What the skeleton needs of its page (:class:`.markdown.Page`)."""

    facts: pages.Page
    page_module: types.ModuleType
    path: Path
    owner: dict[str, tuple[int, pages.Test]]
    problems: list[tuple[int, str]]

    def at(self, line: int) -> str: ...
    def real(self, index: int, name: str) -> Any: ...
    def prepare(self, request: pytest.FixtureRequest) -> None: ...


#: The modules whose names a page's decorators and base classes may use at collection.
_STATIC_ROOTS = ("pytest", "pytest_asyncio", "pytest_test_categories", "unittest")
#: A stand-in's body: the real test always takes its place, so one that runs is a bug, never a pass.
_NEVER = 'raise RuntimeError("a stand-in of the skeleton ran instead of the page\'s own code")'
#: The builtins they may call: values, not actions.
_BUILTINS = {
    name: getattr(builtins, name)
    for name in [
        "range",
        "list",
        "tuple",
        "dict",
        "set",
        "frozenset",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "len",
        "min",
        "max",
        "sum",
        "abs",
        "zip",
        "enumerate",
        "sorted",
        "reversed",
        "repr",
        "ValueError",
        "TypeError",
        "KeyError",
        "RuntimeError",
        "ZeroDivisionError",
        "Exception",
    ]
}


class Skeleton:
    """Stand-ins for a page's tests and fixtures, made from its code without running it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.page_module = types.ModuleType(f"{page.page_module.__name__}.__skeleton__")
        self.page_module.__file__ = str(page.path)
        self.statics: dict[str, Any] = {"pytest": pytest, **_BUILTINS}
        page.owner = {}

    def build(self) -> types.ModuleType:
        page = self.page
        namespace = self.page_module.__dict__
        for index, example in enumerate(page.facts.examples):
            if example.kind != "code" or pages.fixed_skip(example) is not None:
                continue  # a block that never runs defines nothing
            tests = {t.line: t for t in example.tests}
            for node in pages.definitions(example.source):
                self._imports(node)
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
                ):
                    with contextlib.suppress(Exception):
                        namespace["pytestmark"] = self._eval(node.value)
                    continue
                test = tests.get(getattr(node, "lineno", -1))
                if test is not None:
                    namespace[test.node] = self._test(index, node, test)
                    page.owner[test.node] = (index, test)
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    fixture = self._fixture(index, node, None)
                    if fixture is not None:
                        namespace[node.name] = fixture

        @pytest.fixture(autouse=True)
        def _test_categories_page(request: pytest.FixtureRequest) -> None:
            page.prepare(request)

        namespace["_test_categories_page"] = _test_categories_page
        return self.page_module

    def _imports(self, node: ast.stmt) -> None:
        """``import pytest`` and ``from pytest import mark``, for reading decorators."""
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in _STATIC_ROOTS:
                    self.statics[alias.asname or alias.name] = importlib.import_module(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module in _STATIC_ROOTS:
            with contextlib.suppress(ImportError):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    if hasattr(module, alias.name):
                        self.statics[alias.asname or alias.name] = getattr(module, alias.name)

    def _eval(self, node: ast.expr) -> Any:
        code = compile(ast.Expression(node), str(self.page.path), "eval")
        return eval(code, {"__builtins__": {}, **self.statics})

    def _static(self, decorator: ast.expr) -> bool:
        root = decorator
        while isinstance(root, ast.Call | ast.Attribute):
            root = root.func if isinstance(root, ast.Call) else root.value
        return isinstance(root, ast.Name) and root.id in self.statics

    def _decorate(self, stub: Any, node: Any, test: pages.Test | None) -> Any:
        for decorator in reversed(node.decorator_list):
            if not self._static(decorator):
                continue
            try:
                stub = self._eval(decorator)(stub)
            except Exception as error:
                text = ast.unparse(decorator)
                what = f"{test.name}'s" if test else f"{node.name}'s"
                raise _Unknowable(
                    f"{what} decorator @{text} cannot be read at collection "
                    f"({type(error).__name__}: {error}). Collection runs none of the page's "
                    "code, so a pytest decorator may use only literal values and pytest: write "
                    "the values in the decorator."
                ) from None
        return stub

    def _test(self, index: int, node: Any, test: pages.Test) -> Any:
        try:
            if isinstance(node, ast.ClassDef):
                return self._class(index, node, test)
            return self._decorate(self._stub(node, _args_pytest_sees(node), _NEVER), node, test)
        except _Unknowable as error:
            line = test.line
            problem = str(error)

            def _unreadable() -> None:
                raise ExampleFailed(f"{self.page.at(line)}: {problem}")

            return _unreadable

    def _class(self, index: int, node: ast.ClassDef, test: pages.Test) -> Any:
        body: dict[str, Any] = {}
        for member in node.body:
            if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                fixture = self._fixture(index, member, node.name)
                body[member.name] = fixture or self._decorate(
                    self._stub(member, _args_pytest_sees(member), _NEVER), member, test
                )
            elif isinstance(member, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in member.targets
            ):
                with contextlib.suppress(Exception):
                    body["pytestmark"] = self._eval(member.value)
        try:
            bases = tuple(self._eval(base) for base in node.bases)
        except Exception:  # a base the page defines: its tests are the class's own
            bases = ()
        klass = type(node.name, bases, body)
        klass.__module__ = self.page.page_module.__name__
        return self._decorate(klass, node, test)

    def _fixture(self, index: int, node: Any, owner: str | None) -> Any:
        """A stand-in for a fixture the page defines, calling the real one when it runs."""
        decorators = [d for d in node.decorator_list if self._static(d)]
        if not any("fixture" in ast.unparse(d) for d in decorators):
            return None
        page = self.page
        name = node.name

        def resolve(instance: Any = None) -> Any:
            real = page.real(index, owner or name)
            if owner is None:
                return fixture_function(real)
            # the real class's fixture, bound to the test's instance
            return fixture_function(getattr(real, name)).__get__(instance)

        arguments = _args_pytest_sees(node)
        forwarded = list(_forwarded(arguments))[1 if owner else 0 :]  # not ``self``
        call = ", ".join(
            a.arg if how == "positional" else f"{a.arg}={a.arg}" for how, a in forwarded
        )
        target = "_resolve(self)" if owner else "_resolve()"
        generator = any(isinstance(n, ast.Yield | ast.YieldFrom) for n in _own_nodes(node))
        if isinstance(node, ast.AsyncFunctionDef):
            body = (
                f"async for _value in {target}({call}):\n        yield _value"
                if generator
                else f"return await {target}({call})"
            )
        else:
            body = f"yield from {target}({call})" if generator else f"return {target}({call})"
        stub = self._stub(node, arguments, body, _resolve=resolve)
        try:
            return self._decorate(stub, node, None)
        except _Unknowable as error:
            page.problems.append((node.lineno, str(error)))
            return None

    def _stub(self, node: Any, arguments: ast.arguments, body: str, **names: Any) -> Any:
        """A function with ``node``'s name, kind and signature, and ``body``; at its page line."""
        kind = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
        signature = ast.unparse(arguments)
        source = f"{kind} {node.name}({signature}):\n    __tracebackhide__ = True\n    {body}\n"
        tree = ast.parse(source)
        # At the line of its first decorator, where pytest places a decorated function.
        ast.increment_lineno(tree, min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1)
        namespace: dict[str, Any] = dict(names)
        exec(compile(tree, str(self.page.path), "exec"), namespace)
        stub = namespace[node.name]
        stub.__module__ = self.page.page_module.__name__
        return stub


class _Unknowable(Exception):
    """A decorator that collection cannot read without running the page's code."""


def _own_nodes(node: Any) -> Iterator[ast.AST]:
    """The nodes of a function's body, not of the functions and classes it defines."""
    stack = list(node.body)
    while stack:
        current = stack.pop()
        yield current
        for child in ast.iter_child_nodes(current):
            if not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            ):
                stack.append(child)


def _args_pytest_sees(node: Any) -> ast.arguments:
    """The function's arguments as pytest will see the real one: defaults kept as ``None``,
    no annotations, and without what ``@given`` and ``@mock.patch`` fill in."""
    arguments = ast.arguments(
        posonlyargs=[ast.arg(a.arg) for a in node.args.posonlyargs],
        args=[ast.arg(a.arg) for a in node.args.args],
        vararg=ast.arg(node.args.vararg.arg) if node.args.vararg else None,
        kwonlyargs=[ast.arg(a.arg) for a in node.args.kwonlyargs],
        kw_defaults=[None if d is None else ast.Constant(None) for d in node.args.kw_defaults],
        kwarg=ast.arg(node.args.kwarg.arg) if node.args.kwarg else None,
        defaults=[ast.Constant(None) for _ in node.args.defaults],
    )
    for decorator in node.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        name = ast.unparse(decorator.func)
        if name == "given" or name.endswith(".given"):
            filled = {k.arg for k in decorator.keywords if k.arg}
            _drop(arguments, filled)
            positional = arguments.args
            if decorator.args and positional:
                del positional[max(len(positional) - len(decorator.args), 0) :]
        elif re.search(r"(^|\.)patch(\.object)?$", name) and not any(
            k.arg == "new" for k in decorator.keywords
        ):
            wanted = 2 if name.endswith(".object") else 1
            if len(decorator.args) <= wanted:
                first = 1 if arguments.args and arguments.args[0].arg in ("self", "cls") else 0
                if len(arguments.args) > first:
                    del arguments.args[first]
    return arguments


def _drop(arguments: ast.arguments, names: set[str]) -> None:
    arguments.args = [a for a in arguments.args if a.arg not in names]
    keep = [i for i, a in enumerate(arguments.kwonlyargs) if a.arg not in names]
    arguments.kwonlyargs = [arguments.kwonlyargs[i] for i in keep]
    arguments.kw_defaults = [arguments.kw_defaults[i] for i in keep]


def _forwarded(arguments: ast.arguments) -> Iterator[tuple[str, ast.arg]]:
    """The arguments pytest fills (those without defaults), to pass on to the real function."""
    for a in arguments.posonlyargs:
        yield "positional", a
    required = len(arguments.args) - len(arguments.defaults)
    for a in arguments.args[:required]:
        yield "keyword", a
    for a, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        if default is None:
            yield "keyword", a
