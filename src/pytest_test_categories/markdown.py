"""Markdown pages as pytest modules: the collector behind the verified guide.

Switching it on
    The ini option ``test_categories_markdown`` lists glob patterns, one per line, matched
    against each ``.md``/``.markdown`` file's path relative to the rootdir, with ``/`` as the
    separator whatever the platform. Only matching pages are collected; a README or CHANGELOG
    that no pattern matches is never executed. In a pattern, ``*`` matches any run of
    characters within one path segment, ``?`` one character, ``[abc]``/``[!abc]`` one character
    of (or not of) a set, and ``**`` as a whole segment matches zero or more directories:
    ``docs/**/*.md`` matches ``docs/index.md`` and ``docs/how-to/async.md``, ``*.md`` matches
    only pages at the top of the rootdir, ``**/*.md`` matches every page. Matching is
    case-sensitive. Sybil (``pip install pytest-test-categories[markdown]``) must be installed.

How a page runs
    Sybil parses the page: fenced ```` ```python ```` blocks, MyST ```` ```{code-block} python ````
    directives, invisible blocks (``<!-- invisible-code-block: python ... -->``) and skips
    (``<!-- skip: next -->``, ``<!-- skip: start -->`` ... ``<!-- skip: end -->``). Blocks inside
    a literal fence (```` ````markdown ```` showing page source, say) are text, not code. The
    Python blocks run in page order in one module namespace, compiled with the page's path and
    its real line numbers, with pytest's assertion rewriting. The page is then collected like a
    ``.py`` test module: ``docs/how-to/async.md::test_name``.

The page's own directives, in HTML comments (GitHub does not show them; the site strips them)
    ``<!-- test-categories: module NAME -->``
        The page's namespace is importable as ``NAME`` (a dotted identifier that no real module
        has), so ``mocker.patch("NAME.function")`` patches what the page's tests call. Without
        it the name is derived from the path: ``docs/how-to/async.md`` -> ``docs_how_to_async_md``.
    ``<!-- test-categories: expect-violation TEST KIND -->``
        ``TEST`` (a test function, every item of a parametrized one, a ``TestClass`` or a
        ``TestClass::test_method``) is expected to fail with a ``KIND`` violation, by name or
        code: ``time-limit``/``TC001``, ``network``/``TC101``, ``filesystem``, ``subprocess``,
        ``sleep``, ``threads``, ``sqlite``.

    One comment may hold several directives, one per line after ``test-categories:``. The MyST
    comment form ``% test-categories: ...`` works as well.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.machinery
import importlib.util
import keyword
import re
import sys
import types
import unittest
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .verdict import EXPECTED_KEY
from .violations import Kind, kind_from_name

if TYPE_CHECKING:
    from sybil import Document, Example, Region
    from sybil.typing import Parser

DIRECTIVE = "test-categories"

INSTALL_HINT = (
    "the ini option test_categories_markdown is set, but Sybil, which reads the Markdown "
    "pages, is not installed: install pytest-test-categories[markdown]"
)

USAGE = (
    f"the {DIRECTIVE} directives are: 'module NAME' (the page's code is importable as NAME) "
    "and 'expect-violation TEST KIND' (TEST must fail with a KIND violation)"
)

#: Which module names pages have taken in this session, and which page took each
#: (``""`` for a package made up to hold a dotted name).
_NAMES_KEY = pytest.StashKey[dict[str, str]]()

#: Fences whose content is shown, not rendered: code blocks, whatever their language.
_LITERAL_DIRECTIVE = re.compile(r"\{(code-block|code|sourcecode|code-cell)\}")


def collect_file(
    file_path: Path, parent: pytest.Collector, patterns: Sequence[str]
) -> pytest.Collector | None:
    """The page at ``file_path`` as a test module, if one of ``patterns`` matches it."""
    try:
        relative = file_path.relative_to(parent.config.rootpath).as_posix()
    except ValueError:
        return None
    if not any(glob_regex(pattern).match(relative) for pattern in patterns):
        return None
    return MarkdownPage.from_parent(parent, path=file_path)


@functools.cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate one ``test_categories_markdown`` pattern (see the module docstring)."""
    segments = pattern.strip().removeprefix("./").split("/")
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
        else:
            parts.append(_segment_regex(segment) + ("" if last else "/"))
    return re.compile("".join(parts) + r"\Z")


def _segment_regex(segment: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        index += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := segment.find("]", index + 1)) != -1:
            body = segment[index:end]
            negate = body.startswith("!")
            body = re.escape(body[1:] if negate else body).replace(r"\-", "-")
            out.append(f"[{'^/' if negate else ''}{body}]")
            index = end + 1
        else:
            out.append(re.escape(char))
    return "".join(out)


class MarkdownPage(pytest.Module):
    """A Markdown page collected as one test module."""

    _expected: dict[str, tuple[Kind, int]]
    _skipped_tests: set[str]

    def _getobj(self) -> types.ModuleType:
        runner = _BlockRunner(self)
        document = self._parse(runner)
        declared, self._expected = self._read_directives(document)
        if declared is None:
            module = types.ModuleType(_derived_name(self))
            where = f"{self.nodeid}: the module name derived from the page's path"
        else:
            module = types.ModuleType(declared[0])
            where = f"{self.at(declared[1])}: the module directive's name"
        module.__file__ = origin = str(self.path)
        module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None, origin=origin)
        _register(self, module, where)
        document.namespace = module.__dict__
        try:
            self._skipped_tests = self._run(document, runner)
        except BaseException:
            _unregister(self.config, module)
            raise
        return module

    def at(self, line: int) -> str:
        return f"{self.nodeid}:{line}"

    def _parse(self, runner: _BlockRunner) -> Document:
        try:
            from sybil import Document
            from sybil.parsers.myst import CodeBlockParser, SkipParser
        except ImportError:
            raise self.CollectError(f"{self.nodeid}: {INSTALL_HINT}") from None

        parsers = (CodeBlockParser("python", runner), SkipParser(), _DirectiveParser())
        try:
            return Document.parse(str(self.path), *(_OutsideLiteralFences(p) for p in parsers))
        except Exception as error:
            raise self.CollectError(f"{self.nodeid}: cannot read the page: {error}") from None

    def _read_directives(
        self, document: Document
    ) -> tuple[tuple[str, int] | None, dict[str, tuple[Kind, int]]]:
        module: tuple[str, int] | None = None
        expected: dict[str, tuple[Kind, int]] = {}
        for example in document.examples():
            if not isinstance(example.parsed, _Directives):
                continue
            for line, words in example.parsed.lines(example):
                where = self.at(line)
                if words[0] == "module" and len(words) == 2:
                    if module is not None:
                        raise self.CollectError(
                            f"{where}: a second module directive; the first is at line "
                            f"{module[1]}. A page has one module name."
                        )
                    module = (_check_module_name(words[1], where), line)
                elif words[0] == "expect-violation" and len(words) == 3:
                    try:
                        kind = kind_from_name(words[2])
                    except ValueError as error:
                        raise self.CollectError(f"{where}: {error}") from None
                    if words[1] in expected:
                        raise self.CollectError(
                            f"{where}: {words[1]} already has an expect-violation directive, "
                            f"at line {expected[words[1]][1]}."
                        )
                    expected[words[1]] = (kind, line)
                else:
                    raise self.CollectError(
                        f"{where}: cannot read {DIRECTIVE}: {' '.join(words)!r}; {USAGE}."
                    )
        return module, expected

    def _run(self, document: Document, runner: _BlockRunner) -> set[str]:
        """Run the page's blocks in order; return the test names of the blocks skipped."""
        skipped: set[str] = set()
        for example in document.examples():
            evaluator = example.region.evaluator
            if evaluator is None:
                continue
            if evaluator is runner:
                runner.entered = False
                try:
                    example.evaluate()
                except unittest.SkipTest:
                    if runner.entered:
                        raise
                if not runner.entered:
                    tree = _parse_quietly(runner.source(example))
                    skipped.update(name for name, _ in runner.test_names(tree))
                continue
            try:
                example.evaluate()
            except Exception as error:
                where = self.at(example.line)
                raise self.CollectError(f"{where}: {type(error).__name__}: {error}") from None
        return skipped

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        nodes = list(super().collect())
        if not self._expected:
            return nodes
        functions = [n for n in nodes if isinstance(n, pytest.Function)]
        classes = {n.name: n for n in nodes if isinstance(n, pytest.Class)}
        per_class: dict[str, dict[str | None, Kind]] = {}
        for target, (kind, line) in self._expected.items():
            head, _, method = target.partition("::")
            matched = [f for f in functions if f.originalname == target]
            for function in matched:
                function.stash[EXPECTED_KEY] = kind
            if matched or target in self._skipped_tests:
                continue
            klass = classes.get(head)
            if klass is not None and (not method or self._has_test_method(klass, method)):
                per_class.setdefault(head, {})[method or None] = kind
                continue
            tests = sorted({f.originalname for f in functions} | set(classes))
            raise self.CollectError(
                f"{self.at(line)}: expect-violation names {target}, which is not a test in "
                f"this page; its tests are: {', '.join(tests) or 'none'}."
            )
        for index, node in enumerate(nodes):
            if isinstance(node, pytest.Class) and node.name in per_class:
                replacement = _ExpectingClass.from_parent(self, name=node.name, obj=node.obj)
                replacement.expected = per_class[node.name]
                nodes[index] = replacement
        return nodes

    def _has_test_method(self, node: pytest.Class, method: str) -> bool:
        return self.funcnamefilter(method) and callable(getattr(node.obj, method, None))


class _ExpectingClass(pytest.Class):
    """A page's test class with expected violations for all (``None``) or some methods."""

    expected: dict[str | None, Kind]

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        nodes = list(super().collect())
        for node in nodes:
            if isinstance(node, pytest.Function):
                kind = self.expected.get(node.originalname, self.expected.get(None))
                if kind is not None:
                    node.stash[EXPECTED_KEY] = kind
        return nodes


class _BlockRunner:
    """Sybil's evaluator for the page's Python blocks: compile at the page's lines, run."""

    def __init__(self, page: MarkdownPage) -> None:
        self.page = page
        self.entered = False
        self.defined: dict[str, int] = {}
        self.flags = 0
        self.rewrite = page.config.getoption("assertmode", "rewrite") == "rewrite"

    @staticmethod
    def source(example: Example) -> str:
        """The block's code, preceded by blank lines so that it sits at its page line."""
        code = example.parsed
        first_line = example.document.text.count("\n", 0, example.region.start + code.offset)
        return "\n" * first_line + str(code)

    def test_names(self, tree: ast.Module | None) -> Iterator[tuple[str, int]]:
        for node in tree.body if tree else ():
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and self.page.funcnamefilter(node.name)
            ) or (isinstance(node, ast.ClassDef) and self.page.classnamefilter(node.name)):
                yield node.name, node.lineno

    def __call__(self, example: Example) -> None:
        self.entered = True
        path = str(self.page.path)
        source = self.source(example)
        try:
            tree = ast.parse(source, path)
            for name, line in self.test_names(tree):
                first = self.defined.setdefault(name, line)
                if first != line:
                    raise self.page.CollectError(
                        f"{self.page.at(line)}: {name} is defined twice in this page, at "
                        f"lines {first} and {line}; the second would silently replace the "
                        "first. Give each test its own name."
                    )
            if self.rewrite:
                from _pytest.assertion.rewrite import rewrite_asserts

                rewrite_asserts(tree, source.encode(), path, self.page.config)
            code = compile(tree, path, "exec", flags=self.flags, dont_inherit=True)
        except SyntaxError as error:
            raise self.page.CollectError(_syntax_message(self.page, error)) from None
        self.flags |= _future_flags(tree)
        exec(code, example.namespace)


def _syntax_message(page: MarkdownPage, error: SyntaxError) -> str:
    line = error.lineno or 0
    text = f"{page.at(line)}: SyntaxError: {error.msg}"
    if error.text:
        code = error.text.rstrip("\n")
        indent = len(code) - len(code.lstrip())
        caret = " " * max((error.offset or 1) - 1 - indent, 0) + "^"
        text += f"\n    {code.strip()}\n    {caret}"
    return text


def _future_flags(tree: ast.Module) -> int:
    import __future__

    flags = 0
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
    return flags


def _parse_quietly(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


@dataclass
class _Directives:
    """The text of one ``test-categories`` comment: its first line and the lines after it."""

    arguments: str
    body: str = ""

    def lines(self, example: Example) -> Iterator[tuple[int, list[str]]]:
        """Each directive with its page line, split into words."""
        text = example.document.text
        keyword_at = text.find(DIRECTIVE, example.region.start)
        first = text.count("\n", 0, keyword_at) + 1
        for offset, line in enumerate([self.arguments, *self.body.splitlines()]):
            words = line.split()
            if words:
                yield first + offset, words


class _DirectiveParser:
    """Sybil parser for ``<!-- test-categories: ... -->`` (and ``% test-categories: ...``)."""

    def __init__(self) -> None:
        from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer
        from sybil.parsers.myst.lexers import DirectiveInPercentCommentLexer

        self.lexers = (
            DirectiveInHTMLCommentLexer(DIRECTIVE),
            DirectiveInPercentCommentLexer(DIRECTIVE),
        )

    def __call__(self, document: Document) -> Iterator[Region]:
        from sybil import Region

        for lexer in self.lexers:
            for lexed in lexer(document):
                arguments = lexed.lexemes.get("arguments") or ""
                directives = _Directives(arguments, str(lexed.lexemes.get("source") or ""))
                yield Region(lexed.start, lexed.end, directives)


class _OutsideLiteralFences:
    """Drop a parser's regions that lie inside a literal fenced block (shown, not run).

    A page that shows Markdown source (how to write a directive, say) puts it in a
    ```` ````markdown ```` fence; what is inside is text. Directive fences such as
    ```` ````{note} ```` render their content, so code in them still runs.
    """

    def __init__(self, parser: Parser) -> None:
        self.parser = parser

    def __call__(self, document: Document) -> Iterator[Region]:
        from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

        lexer = RawFencedCodeBlockLexer(info_pattern=re.compile(r"(?P<info>[^\n]*)\n"))
        literal = [
            (fence.start, fence.end)
            for fence in lexer(document)
            if not (info := fence.lexemes["info"].strip()).startswith("{")
            or _LITERAL_DIRECTIVE.match(info)
        ]
        for region in self.parser(document):
            if not any(start < region.start < end for start, end in literal):
                yield region


def _check_module_name(name: str, where: str) -> str:
    parts = name.split(".")
    if not all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
        raise pytest.Collector.CollectError(
            f"{where}: {name!r} is not a valid module name (dotted Python identifiers, "
            "such as my_recipe or guide.my_recipe)."
        )
    return name


def _is_real_module(name: str) -> bool:
    if name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _derived_name(page: MarkdownPage) -> str:
    try:
        relative = page.path.relative_to(page.config.rootpath).as_posix()
    except ValueError:
        relative = page.path.as_posix()
    name = re.sub(r"\W", "_", relative)
    if name[:1].isdigit():
        name = "_" + name
    if name in page.config.stash.get(_NAMES_KEY, {}) or _is_real_module(name):
        name += "_" + hashlib.sha256(relative.encode()).hexdigest()[:8]
    return name


def _register(page: MarkdownPage, module: types.ModuleType, where: str) -> None:
    """Make ``module`` importable under its name, after checking that it shadows nothing.

    ``where`` starts the error message: which page, line and name.
    """
    config = page.config
    names = config.stash.get(_NAMES_KEY, None)
    if names is None:
        names = config.stash[_NAMES_KEY] = {}
        config.add_cleanup(lambda: _unregister_all(names))
    name = module.__name__
    parts = name.split(".")
    where = f"{where} {name!r}"
    for depth in range(1, len(parts) + 1):
        prefix = ".".join(parts[:depth])
        owner = names.get(prefix)
        if owner is not None and depth == len(parts):
            taken = f"taken by {owner}" if owner else "the package of another page's module"
            raise page.CollectError(f"{where} is {taken}; give each page its own.")
        if owner is None and _is_real_module(prefix):
            raise page.CollectError(
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
    names[name] = page.nodeid
    if len(parts) > 1:
        setattr(sys.modules[".".join(parts[:-1])], parts[-1], module)


def _unregister(config: pytest.Config, module: types.ModuleType) -> None:
    names = config.stash.get(_NAMES_KEY, {})
    names.pop(module.__name__, None)
    if sys.modules.get(module.__name__) is module:
        del sys.modules[module.__name__]


def _unregister_all(names: dict[str, str]) -> None:
    for name in names:
        sys.modules.pop(name, None)
    names.clear()
