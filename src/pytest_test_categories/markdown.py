"""Markdown pages as pytest modules: every example an item, run in page order, at run time.

The ini option ``test_categories_markdown`` lists glob patterns (``*``, ``?``, ``[...]`` within
one path segment, ``**`` for any number of folders) matched against a page's path relative to
the rootdir. :mod:`.pages` reads the page's facts; collection runs none of its code.

- Each example (:class:`.pages.Example`) is an item named ``line-N``, run when the run reaches it,
  in the page's namespace. A failure fails its own item; later examples still run.
- Each ``test_*`` function and ``Test*`` class a block defines is collected from a *skeleton*:
  a stand-in with the same name, signature and ``pytest`` decorators (read, not run), so that
  fixtures, markers, parametrize and pytest-asyncio work as in a ``.py`` file. When the test
  runs, the object its block defined takes the stand-in's place.
- An item whose earlier examples have not run in this process (``-k``, pytest-xdist) runs them
  first, quietly: their failures belong to their own items.
- The page's examples have the size the page's ``size`` directive, its ``pytestmark``, or the ini
  option ``test_categories_markdown_size`` gives them, in that order; test functions keep their
  own markers.
"""

from __future__ import annotations

import ast
import codeop
import contextlib
import importlib.machinery
import importlib.util
import io
import signal
import threading
import types
import unittest
from collections.abc import Iterable, Iterator, Sequence
from keyword import iskeyword
from pathlib import Path
from typing import Any

import pytest

from . import _compat, pages
from ._compat import rewrite_asserts, set_instance, short_repr, skip_at_item
from ._doctests import ExampleFailed, check_output, run_session
from ._names import derived_name, register
from ._skeleton import Skeleton
from .allowances import glob_regex
from .config import SETTINGS_KEY
from .sizes import Size
from .verdict import EXPECTED_KEY
from .violations import PAGE_CODE_FIX, Kind, kind_from_name

INSTALL_HINT = (
    "the ini option test_categories_markdown is set, but Sybil, which reads the Markdown "
    "pages, is not installed: install pytest-test-categories[markdown]"
)
USAGE = (
    f"the {pages.DIRECTIVE} directives are 'module NAME' (the page's code is importable as "
    "NAME), 'size SIZE' (the size of the page's examples) and 'expect-violation TEST KIND' "
    "(TEST must fail with a KIND violation)"
)


def scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's scheduler of ``--dist``, keeping each page on one worker, or None."""
    return _compat.pages_together(config, log, lambda path: path.endswith((".md", ".markdown")))


def collect_file(
    file_path: Path, parent: pytest.Collector, patterns: Sequence[str]
) -> pytest.Collector | None:
    """The page at ``file_path`` as a test module, if one of ``patterns`` matches it."""
    relative = _relative(file_path, parent.config)
    if relative is None or not any(glob_regex(p).match(relative) for p in patterns):
        return None
    return MarkdownPage.from_parent(parent, path=file_path)


def _relative(path: Path, config: pytest.Config) -> str | None:
    try:
        return path.relative_to(config.rootpath).as_posix()
    except ValueError:
        return None


class MarkdownPage(pytest.Module):
    """A Markdown page collected as one test module."""

    facts: pages.Page
    #: Each skeleton entry of a test: the example that defines it, and the test.
    owner: dict[str, tuple[int, pages.Test]]

    def _getobj(self) -> types.ModuleType:
        """The skeleton pytest collects the page's tests and fixtures from (see the docstring)."""
        self.problems: list[tuple[int, str]] = []
        self.defined: dict[int, dict[str, Any]] = {}  # example index -> what it defined
        self.attempted: set[int] = set()
        self.skipped: dict[int, str] = {}
        self.classes: dict[str, pytest.Class] = {}  # a test class's collector, by skeleton name
        self.groups: dict[str, dict[str, Any]] = {}
        self._seeded = False
        self._compiler = codeop.Compile()
        self.rewrite = self.config.getoption("assertmode", "rewrite") == "rewrite"
        try:
            from sybil import Document  # noqa: F401
        except ImportError:
            raise self.CollectError(f"{self.nodeid}: {INSTALL_HINT}") from None
        try:
            text = self.path.read_text(encoding="utf-8")
            self.facts = pages.read(text, str(self.path))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            self.facts = pages.Page([], [], [(1, f"cannot read the page: {error}")])
        self.problems += self.facts.problems
        self._read_directives()
        self.page_module = self._page_module()
        self.groups["default"] = self.page_module.__dict__
        return Skeleton(self).build()

    def at(self, line: int) -> str:
        return f"{self.nodeid}:{line}"

    # -- directives --------------------------------------------------------------------------

    def _read_directives(self) -> None:
        self.module_name: tuple[str, int] | None = None
        self.size: Size | None = None
        self.expected: dict[str, tuple[Kind, int]] = {}
        for line, words in self.facts.directives:
            problem = self._directive(line, words)
            if problem:
                self.problems.append((line, problem))

    def _directive(self, line: int, words: list[str]) -> str | None:
        verb = words[0]
        if verb == "module" and len(words) == 2:
            if self.module_name is not None:
                return f"a second module directive; the first is at line {self.module_name[1]}."
            if not all(p.isidentifier() and not iskeyword(p) for p in words[1].split(".")):
                return (
                    f"{words[1]!r} is not a valid module name (dotted Python identifiers, such "
                    "as my_recipe or guide.my_recipe)."
                )
            self.module_name = (words[1], line)
        elif verb == "size" and len(words) == 2:
            try:
                self.size = Size(words[1])
            except ValueError:
                return f"{words[1]!r} is not a size: use one of {', '.join(s.value for s in Size)}."
        elif verb == "expect-violation" and len(words) == 3:
            try:
                kind = kind_from_name(words[2])
            except ValueError as error:
                return str(error)
            if words[1] in self.expected:
                first = self.expected[words[1]][1]
                return f"{words[1]} already has an expect-violation directive, at line {first}."
            self.expected[words[1]] = (kind, line)
        else:
            import difflib

            meant = difflib.get_close_matches(verb, ["module", "size", "expect-violation"], 1)
            hint = f" Did you mean {meant[0]!r}?" if meant and meant[0] != verb else ""
            return f"cannot read {pages.DIRECTIVE}: {' '.join(words)!r}; {USAGE}.{hint}"
        return None

    # -- the page's module -------------------------------------------------------------------

    def _page_module(self) -> types.ModuleType:
        if self.module_name is None:
            module = types.ModuleType(
                derived_name(_relative(self.path, self.config) or self.path.as_posix(), self.config)
            )
            where = "the module name derived from the page's path"
        else:
            module = types.ModuleType(self.module_name[0])
            where = "the module directive's name"
        module.__file__ = origin = str(self.path)
        module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None, origin=origin)
        problem = register(self.config, module, where, self.nodeid)
        if problem:
            self.problems.append((self.module_name[1] if self.module_name else 1, problem))
        return module

    # -- collection --------------------------------------------------------------------------

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        collected = {node.name: node for node in super().collect()}
        examples = self.facts.examples
        order: list[tuple[float, pytest.Item | pytest.Collector]] = []
        for index, example in enumerate(examples):
            order.append((_place(examples, index), self._example_item(index, example)))
            for test in example.tests:
                for found in _nodes_named(collected, test.node):
                    node = self._expect(found, test)
                    if isinstance(node, pytest.Class):
                        self.classes[test.node] = node
                    order.append((index + 0.5, node))
        self._check_expected()
        by_line: dict[int, list[str]] = {}
        for line, message in self.problems:
            by_line.setdefault(line, []).append(message)
        for line, messages in by_line.items():
            problem = _Problem.from_parent(self, name=f"line-{line}", message="\n".join(messages))
            order.append((-1.0, problem))
        return [node for _, node in sorted(order, key=lambda pair: pair[0])]

    def _example_item(self, index: int, example: pages.Example) -> ExampleItem:
        item = ExampleItem.from_parent(self, name=example.name, callobj=_example)
        item.index, item.example = index, example
        size = self._size()
        if size is not None:
            item.add_marker(getattr(pytest.mark, size.value))
        reason = pages.fixed_skip(example)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
        return item

    def _size(self) -> Size | None:
        if self.size is not None:
            return self.size
        if any(m.name in {s.value for s in Size} for m in self.own_markers):
            return None  # the page's pytestmark sizes everything on it
        relative = _relative(self.path, self.config) or self.path.as_posix()
        settings = self.config.stash[SETTINGS_KEY]
        for pattern, size in settings.markdown_sizes:
            if glob_regex(pattern).match(relative):
                return size
        return None

    def _expect(self, node: Any, test: pages.Test) -> Any:
        """``node``, with the violations the page's directives expect of it."""
        expected = {
            target.partition("::")[2]: kind
            for target, (kind, _) in self.expected.items()
            if target.partition("::")[0] == test.name
        }
        if expected and isinstance(node, pytest.Class):
            node = _ExpectingClass.from_parent(self, name=node.name, obj=node.obj)
            node.stash[_CLASS_EXPECTED] = expected
        elif "" in expected:
            node.stash[EXPECTED_KEY] = expected[""]
        return node

    def _check_expected(self) -> None:
        """An expect-violation that names no test (or method) of the page is a problem."""
        tests = {test.name: test for _, test in self.facts.tests()}
        for target, (_, line) in self.expected.items():
            head, _, method = target.partition("::")
            test = tests.get(head)
            if test is not None and (not method or test.is_class):
                stand_in = self.obj.__dict__.get(test.node)
                if not method or callable(getattr(stand_in, method, None)):
                    continue
            names = ", ".join(sorted(tests)) or "none"
            self.problems.append(
                (
                    line,
                    f"expect-violation names {target}, which is not a test in this page; "
                    f"its tests are: {names}.",
                )
            )

    # -- running -----------------------------------------------------------------------------

    def seed(self, request: pytest.FixtureRequest) -> None:
        """Fill the page's namespaces from pytest's ``doctest_namespace``, once."""
        if self._seeded:
            return
        self._seeded = True
        with contextlib.suppress(pytest.FixtureLookupError):
            shared = request.getfixturevalue("doctest_namespace")
            for namespace in self.groups.values():
                namespace.update(shared)

    def group(self, name: str) -> dict[str, Any]:
        if name not in self.groups:
            self.groups[name] = {"__name__": f"{self.page_module.__name__}.{name}"}
        return self.groups[name]

    def ensure(self, upto: int) -> None:
        """Run, quietly, the examples before ``upto`` that have not run in this process."""
        for index in range(upto):
            if index not in self.attempted and pages.fixed_skip(self.facts.examples[index]) is None:
                with contextlib.suppress(Exception, pytest.skip.Exception):
                    self.evaluate(index)

    def evaluate(self, index: int) -> None:
        """Run example ``index``: its failure is raised (its item reports it)."""
        __tracebackhide__ = True
        self.attempted.add(index)
        example = self.facts.examples[index]
        if example.clears:
            for namespace in self.groups.values():
                for key in [k for k in namespace if not k.startswith("__")]:
                    del namespace[key]
        for skip in example.skips:
            reason = skip.fixed or _skip_reason(self, skip, self.groups["default"])
            if reason:
                self.skipped[index] = reason
                raise skip_at_item(reason)
        if example.kind == "refused":
            raise ExampleFailed(f"{self.at(example.line)}: {example.problem}")
        groups = example.groups
        if "*" in groups:  # every group of the page, used yet or not
            groups = tuple({g for e in self.facts.examples for g in e.groups} - {"*"} | {"default"})
        for name in groups:
            namespace = self.group(name)
            if example.kind == "session":
                run_session(self, example, namespace)
            else:
                self._run_code(example, namespace, index)

    def _run_code(self, example: pages.Example, namespace: dict[str, Any], index: int) -> None:
        __tracebackhide__ = True
        code = self._compile(example)
        if example.kind == "testcode" and example.output is not None:
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                exec(code, namespace)
            check_output(self, example, buffer.getvalue())
        else:
            try:
                exec(code, namespace)
            finally:
                self.defined[index] = defined = {
                    node.name: namespace[node.name]
                    for node in pages.definitions(example.source)
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                    and node.name in namespace
                }
                # A class's tests get their instances from the real class (unittest's too).
                for test in example.tests:
                    if test.node in self.classes and test.name in defined:
                        self.classes[test.node].obj = defined[test.name]

    def _compile(self, example: pages.Example) -> types.CodeType:
        path = str(self.path)
        try:
            tree = ast.parse(example.source, path)
        except SyntaxError as error:
            raise ExampleFailed(_syntax_message(self, error)) from None
        if self.rewrite:
            rewrite_asserts(tree, example.source.encode(), path, self.config)
        # Like compile(), it takes a tree; it keeps the __future__ imports of earlier blocks.
        return self._compiler(tree, path, "exec")  # type: ignore[arg-type]

    def real(self, index: int, name: str) -> Any:
        """What example ``index`` defined as ``name``, running it (and those before) if need be."""
        __tracebackhide__ = True
        if index not in self.attempted:
            self.ensure(index + 1)
        obj = self.defined.get(index, {}).get(name)
        if index in self.skipped:
            raise skip_at_item(self.skipped[index])
        if obj is None:
            example = self.facts.examples[index]
            raise ExampleFailed(
                f"{self.at(example.line)}: {name} was not defined: the block at line "
                f"{example.line} that defines it failed (see {self.nodeid}::{example.name})."
            )
        return obj

    def prepare(self, request: pytest.FixtureRequest) -> None:
        """Before a test of the page runs: its block's objects take the skeleton's place (a
        test whose block did not define it fails, saying so)."""
        __tracebackhide__ = True
        self.seed(request)
        item = request.node
        if isinstance(item, ExampleItem):
            return
        top: Any = item
        while top.parent is not self:
            top = top.parent
        index, test = self.owner[top.name if isinstance(top, pytest.Class) else _base(item)]
        try:
            real = self.real(index, test.name)
        except ExampleFailed as error:
            message = str(error)

            def undefined(*args: object, **kwargs: object) -> None:
                __tracebackhide__ = True
                pytest.fail(message, pytrace=False)

            item.obj = undefined
            return
        if isinstance(top, pytest.Class):
            top.obj = real
            unit = isinstance(real, type) and issubclass(real, unittest.TestCase)
            instance = real(item.name) if unit else real()  # a TestCase runs the named method
            set_instance(item, instance, getattr(instance, item.originalname))
        else:
            item.obj = real


@contextlib.contextmanager
def _ending_nothing(page: MarkdownPage, example: pages.Example) -> Iterator[None]:
    """An example may not end the run: ``pytest.exit()``, or a ``KeyboardInterrupt`` that its
    code raises, fails it instead. A real Ctrl-C (a SIGINT while it runs) still stops the run."""
    __tracebackhide__ = True
    signals: list[int] = []
    previous = signal.getsignal(signal.SIGINT)
    watching = callable(previous) and threading.current_thread() is threading.main_thread()
    if watching:

        def watch(number: int, frame: Any) -> None:
            signals.append(number)
            previous(number, frame)  # type: ignore[misc, operator]

        signal.signal(signal.SIGINT, watch)
    try:
        yield
    except (KeyboardInterrupt, pytest.exit.Exception) as error:
        if signals:
            raise
        line = example.line
        frame = error.__traceback__
        while frame is not None:  # the page line it was raised at
            if frame.tb_frame.f_code.co_filename == str(page.path):
                line = frame.tb_lineno
            frame = frame.tb_next
        raise ExampleFailed(
            f"{page.at(line)}: the example raised {type(error).__name__}({error}), which would "
            "end the whole run; an example may not end the run."
        ) from None
    finally:
        if watching:
            signal.signal(signal.SIGINT, previous)


def _place(examples: list[pages.Example], index: int) -> float:
    """Where example ``index`` goes: in page order, but a group's setup before its first test
    and its cleanup after its last, as sphinx.ext.doctest runs them."""
    example = examples[index]
    if example.kind not in ("testsetup", "testcleanup"):
        return float(index)
    mine = [
        i
        for i, other in enumerate(examples)
        if other.kind in ("session", "testcode")
        and ("*" in example.groups or set(other.groups) & set(example.groups))
    ]
    if example.kind == "testsetup":
        return min([index, *mine]) - 0.25
    return max([index, *mine]) + 0.75


def _base(item: pytest.Item) -> str:
    return getattr(item, "originalname", item.name)


def _nodes_named(collected: dict[str, Any], name: str) -> list[Any]:
    return [node for key, node in collected.items() if key == name or key.startswith(name + "[")]


_CLASS_EXPECTED = pytest.StashKey[dict[str, Kind]]()


def _example(request: pytest.FixtureRequest) -> None:
    """What an example item calls: see :meth:`ExampleItem.runtest`."""


class ExampleItem(pytest.Function):
    """One example of a page, run in the page's namespace."""

    #: Its violations offer the fixes page code has (:class:`.runstate.ActiveTest`).
    violation_fix = PAGE_CODE_FIX

    index: int
    example: pages.Example

    @property
    def page(self) -> MarkdownPage:
        return self.parent  # type: ignore[return-value]

    def runtest(self) -> None:
        __tracebackhide__ = True
        page = self.page
        page.seed(self.funcargs["request"])  # type: ignore[arg-type]
        with _ending_nothing(page, self.example):
            page.ensure(self.index)
            page.evaluate(self.index)

    def reportinfo(self) -> tuple[Path, int, str]:
        return (
            self.path,
            self.example.line - 1,
            f"{self.example.kind} example, line {self.example.line}",
        )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        if isinstance(excinfo.value, ExampleFailed):
            return str(excinfo.value)
        excinfo.traceback = excinfo.traceback.cut(path=self.path)
        if self.config.getoption("tbstyle", "auto") != "auto":
            return super().repr_failure(excinfo)
        # The long form would show the page from its first line: a block's code is the
        # page's module-level code.
        return short_repr(self, excinfo)


class _Problem(pytest.Item):
    """Something wrong with the page itself (a directive, a near miss): a failing item."""

    def __init__(self, *, message: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message

    def runtest(self) -> None:
        raise ExampleFailed(
            f"{self.nodeid.partition('::')[0]}:{self.name.removeprefix('line-')}: {self.message}"
        )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, int(self.name.removeprefix("line-")) - 1, "page problem"


class _ExpectingClass(pytest.Class):
    """A page's test class with expected violations for all or some methods."""

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        nodes = list(super().collect())
        expected = self.stash.get(_CLASS_EXPECTED, {})
        for node in nodes:
            if isinstance(node, pytest.Function):
                kind = expected.get(node.originalname, expected.get(""))
                if kind is not None:
                    node.stash[EXPECTED_KEY] = kind
        return nodes


def _skip_reason(page: MarkdownPage, skip: pages.Skip, namespace: dict[str, Any]) -> str | None:
    """A skip's reason, evaluated in the page's namespace as Sybil does: an expression, or
    ``if(condition, reason="...")``; None (or empty) runs the example."""
    source = skip.reason or ""
    scope = dict(namespace)
    if source.startswith("if"):

        def if_(condition: Any, reason: str | None = None) -> str | None:
            return (reason or f"skip: {skip.action} if{source[2:]}") if condition else None

        scope["if_"], source = if_, "if_" + source[2:]
    try:
        reason = eval(source, scope)
    except Exception as error:
        raise ExampleFailed(
            f"{page.at(skip.line)}: cannot evaluate the reason of skip: {skip.action} "
            f"{skip.reason}: {type(error).__name__}: {error}"
        ) from None
    return str(reason) if reason else None


def _syntax_message(page: MarkdownPage, error: SyntaxError) -> str:
    text = f"{page.at(error.lineno or 0)}: SyntaxError: {error.msg}"
    if error.text:
        code = error.text.rstrip("\n")
        indent = len(code) - len(code.lstrip())
        caret = " " * max((error.offset or 1) - 1 - indent, 0) + "^"
        text += f"\n    {code.strip()}\n    {caret}"
    return text
